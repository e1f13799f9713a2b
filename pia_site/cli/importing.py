"""`pia-site import SOURCE --municipality SLUG`: a published 評価書 (text) → assessment YAML."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from ..content_tree import ID_RE, TargetError, assessment_target, atomic_write, ensure_municipality

# A 評価書 converted to text is 50-400 KB; a file far larger is not one, and reading it would take
# minutes and write a YAML file that ``check`` then refuses.
MAX_IMPORT_BYTES = 8 * 1024 * 1024
_SIZE_UNITS = {"": 1, "K": 1024, "KB": 1024, "M": 1024 ** 2, "MB": 1024 ** 2, "G": 1024 ** 3, "GB": 1024 ** 3}


def cmd_import(args) -> int:
    from ..importer import ImportFailure, import_source

    source = Path(args.source)
    try:
        target = assessment_target(args.content, args.municipality, args.name or _default_name(source), args.force)
    except TargetError as exc:
        print(exc, file=sys.stderr)
        return exc.status
    limit = args.max_bytes
    try:
        data = _read_bounded(source, limit)
    except FileNotFoundError:
        print(f"取り込む元のファイル {source} が見つかりません。", file=sys.stderr)
        return 1
    except (IsADirectoryError, PermissionError) as exc:
        print(f"取り込む元のファイル {source} を読めません（{exc.strerror}）。", file=sys.stderr)
        return 1
    except _TooLarge as exc:
        size = f"大きさ {_bytes_ja(exc.size)}が" if exc.size is not None else ""
        print(f"取り込む元のファイル {source} は大きすぎるため、取り込みを止めました。{size}上限 {_bytes_ja(limit)}を超えています。"
              "評価書をテキストにしたファイルは通常 400 KB 程度までです。別のファイルを指定していないか確かめ、"
              "本当にこの大きさなら --max-bytes で上限を上げてください（例: --max-bytes 64M）。", file=sys.stderr)
        return 2
    try:
        result = import_source(data, source.name)
    except ImportFailure as exc:
        print(f"{source} を取り込めませんでした: {exc}", file=sys.stderr)
        return 1
    muni = ensure_municipality(target.parent, [result.assessor] if result.assessor else [], "（pia-site import が作成）")
    if muni is not None:
        print(f"{muni} を作りました。団体名・都道府県・団体コードを書いてください。", file=sys.stderr)
    atomic_write(target, result.yaml_text)
    print(f"{target} に書き出しました。", file=sys.stderr)
    print(result.summary.text(review_limit=None if args.verbose else 40))
    print("`pia-site check` で検査し、未配置の記載と確認が必要な箇所を原本と見比べてください。", file=sys.stderr)
    return 0


class _TooLarge(Exception):
    def __init__(self, size: int | None):
        self.size = size  # None when only "more than the limit" is known (a pipe)


def _read_bounded(source: Path, limit: int) -> bytes:
    """The file's bytes, refused before reading when its size is over ``limit`` (and, for a pipe
    or a file that grows, as soon as more than ``limit`` bytes have come)."""
    size = source.stat().st_size
    if size > limit:
        raise _TooLarge(size)
    with source.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _TooLarge(None)
    return data


def _bytes_ja(n: int) -> str:
    if n >= 1024 ** 2:
        return f"{n / 1024 ** 2:,.1f} MB（{n:,} バイト）"
    if n >= 1024:
        return f"{n / 1024:,.1f} KB（{n:,} バイト）"
    return f"{n:,} バイト"


def _max_bytes(text: str) -> int:
    """``8388608``, ``512K``, ``64M``, ``1G`` (binary units) -> bytes."""
    import argparse

    m = re.fullmatch(r"\s*(\d+)\s*([KMG]B?)?\s*", text, re.I)
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"「{text}」ではなく、64M や 8388608 のようなバイト数を指定してください")
    return int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").upper()]


def _default_name(source: Path) -> str:
    stem = source.stem.lower()
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")
    return stem[:64] if stem and ID_RE.match(stem) else "imported"


def register(sub) -> None:
    p = sub.add_parser("import", help="公表済みの評価書（テキスト）を YAML に取り込む")
    p.add_argument("source", help="評価書をテキストに変換したファイル")
    p.add_argument("--municipality", required=True, help="団体のフォルダ名（例: koshigaya）")
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")
    p.add_argument("--name", default="", help="評価書のファイル名（拡張子なし。既定: 元のファイル名）")
    p.add_argument("--force", action="store_true", help="同じ名前の評価書があれば上書きする")
    p.add_argument("--verbose", action="store_true", help="確認が必要な箇所をすべて表示する")
    p.add_argument("--max-bytes", type=_max_bytes, default=MAX_IMPORT_BYTES, metavar="SIZE",
                   help=f"取り込む元のファイルの大きさの上限（既定: {MAX_IMPORT_BYTES // 1024 ** 2}M。例: 64M）")
    p.set_defaults(func=cmd_import)
