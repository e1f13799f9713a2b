"""`pia-site import SOURCE --municipality SLUG`: a published 評価書 (text) → assessment YAML."""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def cmd_import(args) -> int:
    from .importer import ImportFailure, import_source

    source = Path(args.source)
    if not ID_RE.match(args.municipality):
        print(f"団体のフォルダ名「{args.municipality}」には半角英小文字・数字・-・_ を使ってください（例: koshigaya）。", file=sys.stderr)
        return 2
    name = args.name or _default_name(source)
    if not ID_RE.match(name):
        print(f"ファイル名「{name}」は URL になるため、半角英小文字・数字・-・_ で --name に指定してください（例: --name keijidosha-fuka）。", file=sys.stderr)
        return 2
    folder = args.content / args.municipality
    target = folder / f"{name}.yaml"
    if target.exists() and not args.force:
        print(f"{target} はすでにあります。上書きする場合は --force を付けてください。", file=sys.stderr)
        return 1
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
    folder.mkdir(parents=True, exist_ok=True)
    muni = folder / "municipality.yaml"
    if not muni.exists():
        _atomic_write(muni, _municipality_yaml(result.assessor))
        print(f"{muni} を作りました。団体名・都道府県・団体コードを書いてください。", file=sys.stderr)
    _atomic_write(target, result.yaml_text)
    print(f"{target} に書き出しました。", file=sys.stderr)
    print(result.summary.text(review_limit=None if args.verbose else 40))
    print("`pia-site check` で検査し、未配置の記載と確認が必要な箇所を原本と見比べてください。", file=sys.stderr)
    return 0


def _default_name(source: Path) -> str:
    stem = source.stem.lower()
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")
    return stem[:64] if stem and ID_RE.match(stem) else "imported"


def _municipality_yaml(assessor: str | None) -> str:
    bodies = f"[{assessor}]" if assessor and re.fullmatch(r"[^\[\]{},:#&*!|>'\"%@`]+", assessor) else "[]"
    return ("# 団体の情報（pia-site import が作成。団体名・都道府県・団体コードを書いてください）\n"
            "name:\nprefecture:\ncode: \"\"   # 全国地方公共団体コード（6 桁）\n"
            f"bodies: {bodies}\n")


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def register(sub) -> None:
    p = sub.add_parser("import", help="公表済みの評価書（テキスト）を YAML に取り込む")
    p.add_argument("source", help="評価書をテキストに変換したファイル")
    p.add_argument("--municipality", required=True, help="団体のフォルダ名（例: koshigaya）")
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")
    p.add_argument("--name", default="", help="評価書のファイル名（拡張子なし。既定: 元のファイル名）")
    p.add_argument("--force", action="store_true", help="同じ名前の評価書があれば上書きする")
    p.add_argument("--verbose", action="store_true", help="確認が必要な箇所をすべて表示する")
    p.set_defaults(func=cmd_import)
