"""`pia-site import SOURCE --municipality SLUG`: a published 評価書 (text) → assessment YAML."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .content_tree import ID_RE, TargetError, assessment_target, atomic_write, ensure_municipality


def cmd_import(args) -> int:
    from .importer import ImportFailure, import_source

    source = Path(args.source)
    try:
        target = assessment_target(args.content, args.municipality, args.name or _default_name(source), args.force)
    except TargetError as exc:
        print(exc, file=sys.stderr)
        return exc.status
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        print(f"取り込む元のファイル {source} が見つかりません。", file=sys.stderr)
        return 1
    except (IsADirectoryError, PermissionError) as exc:
        print(f"取り込む元のファイル {source} を読めません（{exc.strerror}）。", file=sys.stderr)
        return 1
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
    p.set_defaults(func=cmd_import)
