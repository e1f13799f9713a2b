"""The import summary and the review list, in Japanese."""
from __future__ import annotations

from dataclasses import dataclass, field

from .assemble import Review


@dataclass
class Summary:
    form: str
    edition: str
    filled: int
    empty: int
    unplaced_entries: int
    unplaced_units: int
    total_units: int
    change_rows: int
    files: int
    reviews: list[Review] = field(default_factory=list)
    variants: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def placed_ratio(self) -> float:
        return 1.0 if not self.total_units else 1 - self.unplaced_units / self.total_units

    def text(self, review_limit: int | None = None) -> str:
        lines = [
            f"取り込み結果: {self.form}（{self.edition}）、特定個人情報ファイル {self.files} 件",
            f"  記入された項目: {self.filled}",
            f"  空欄の項目: {self.empty}",
            f"  未配置の記載: {self.unplaced_entries} 件"
            f"（文字単位 {self.unplaced_units} / {self.total_units}、配置率 {100 * self.placed_ratio:.1f}%）",
            f"  変更箇所: {self.change_rows} 行",
        ]
        for n in self.notes:
            lines.append(f"注意: {n}")
        if self.variants:
            seen = sorted({(v, t) for _, v, t in self.variants})
            lines.append("様式の表記に合わせた選択肢: " + "、".join(f"「{v}」→「{t}」" if t else f"「{v}」" for v, t in seen))
        if self.reviews:
            shown = self.reviews if review_limit is None else self.reviews[:review_limit]
            lines.append(f"確認が必要な箇所（{len(self.reviews)} 件）:")
            for r in shown:
                where = f" {r.where}" if r.where else ""
                lines.append(f"  {r.line} 行目{where}: {r.message}" if r.line else f"  {where.strip()}: {r.message}")
            if len(shown) < len(self.reviews):
                lines.append(f"  ほか {len(self.reviews) - len(shown)} 件")
        return "\n".join(lines)
