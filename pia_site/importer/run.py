"""The import pipeline: bytes in, YAML text and a summary out (no file writing here)."""
from __future__ import annotations

from dataclasses import dataclass

from .assemble import assemble
from .clean import clean_lines, decode_source
from .detect import detect
from .comments import comment_map
from .emit import emit, verify
from .errors import ImportFailure
from .ledger import count_units, form_text, haystack, missing_units, rendered, strings, units
from .report import Summary
from .segment import segment

MIN_LABELS = 12  # fewer recognised fields than this: not an assessment (or garbled)


def min_labels(form) -> int:
    """MIN_LABELS, or half the form's items for a short form (基礎項目評価書 has few)."""
    return min(MIN_LABELS, max(3, sum(1 for n in form.walk() if n.has_value) // 2))


@dataclass
class ImportResult:
    yaml_text: str
    tree: dict
    summary: Summary
    assessor: str | None  # 評価実施機関名, for municipality.yaml


def import_source(data: bytes, source_name: str = "") -> ImportResult:
    text = decode_source(data)
    lines = clean_lines(text)
    if not any(not ln.blank for ln in lines):
        raise ImportFailure("ファイルに文字がありません。評価書をテキストに変換したファイルを指定してください。")
    det = detect(lines)
    form = det.form
    seg = segment(form, lines, det.stamp_line)
    _check_complete(seg, form)
    if seg.change_heading is None and form.change_columns:  # a form without 変更箇所 (様式2) has none to find
        det.notes.append(f"「{form.parts[-1].printed}」が見つかりません。変更箇所は空で取り込みました。")
    asm = assemble(seg, form)
    tree = asm.tree
    asm.reviews += [_review(line, msg) for line, msg in det.reviews]
    # the ledger: every unit of the source is in a value, in unplaced, or is form text
    hay = haystack(list(strings(tree)) + rendered(tree) + [u["text"] for u in asm.unplaced] + form_text(form)
                   + [v for _, v, _ in asm.variants])
    for line, miss, total in missing_units(lines, hay):
        text = " ".join(miss)
        src = next(ln for ln in lines if ln.no == line)
        if len(miss) * 2 >= total:
            text = " ".join(c for c in src.cells if c.strip())
        asm.unplaced.append({"line": line, "text": text, "near": ""})
        asm.reviews.append(_review(line, "どの項目にも入らなかった記載を未配置にしました。"))
    asm.unplaced.sort(key=lambda u: u["line"])
    from .textfmt import rich_block

    unplaced = [{"line": str(u["line"]), "text": rich_block(u["text"]), "near": u["near"] or None} for u in asm.unplaced]
    if unplaced:
        tree["unplaced"] = unplaced
    total_units = count_units(lines)
    unplaced_units = sum(len(units(u["text"])) for u in unplaced)
    asm.reviews.sort(key=lambda r: (r.line, r.where))
    summary = Summary(form.name, f"{form.edition} {form.yoshiki}", asm.filled, asm.empty, len(unplaced),
                      min(unplaced_units, total_units), total_units, asm.change_rows, len(tree.get("files", [])),
                      asm.reviews, asm.variants, det.notes)
    header = [f"{form.name}（{form.edition} {form.yoshiki}）: pia-site import で {source_name or '原本'} から取り込み。",
              "値は原本のとおり（誤字・OCR の誤りも原本のまま）。原本で失われた値は空欄。",
              f"記入 {asm.filled} 項目、空欄 {asm.empty} 項目、未配置 {len(unplaced)} 件、変更箇所 {asm.change_rows} 行。"]
    yaml_text = emit(tree, header, comment_map(tree, asm.reviews))
    verify(yaml_text, tree)
    assessor = tree.get("cover", {}).get("assessor") if isinstance(tree.get("cover"), dict) else None
    return ImportResult(yaml_text, tree, summary, assessor)


def _review(line: int, message: str):
    from .assemble import Review

    return Review(line, "", message)


def _check_complete(seg, form) -> None:
    labeled = sum(1 for s in seg.slots.values() if s.labeled)
    if labeled < min_labels(form):
        raise ImportFailure(
            f"{form.name}の項目がほとんど見つかりません（認識できた項目 {labeled} 件）。"
            "評価書のテキストでないか、文字化けしているか、途中で切れている可能性があります。")
    reached = set()
    for (scope, node_id, _), slot in seg.slots.items():
        if slot.labeled or slot.pieces:
            reached.add(node_id.split(".")[0])
    if seg.change_heading is not None:
        reached.add(form.parts[-1].key)
    if seg.record_lines:
        reached.update(p.key for p in form.parts if p.kind == "record_items")
    if seg.diagram_lines:
        reached.update(p.key for p in form.parts if p.kind == "diagrams")
    order = [p.key for p in form.parts]
    last = max((order.index(k) for k in reached if k in order), default=-1)
    if last < len(order) - 2:
        missing = [p.printed for p in form.parts[last + 1:]]
        raise ImportFailure(
            f"ファイルが途中で終わっているようです。{'、'.join(missing)} が見つかりません"
            f"（最後に見つかったのは「{form.parts[last].printed if last >= 0 else '表紙'}」）。"
            "元の評価書を最後までテキストにしたファイルを指定してください。")
