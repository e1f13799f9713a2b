"""`pia-site new`: scaffold an assessment with every item of the form."""
from __future__ import annotations

import sys
from pathlib import Path

from .. import catalog as cat
from ..content_tree import TargetError, assessment_target, atomic_write, ensure_municipality
from ..scaffold import scaffold


def cmd_new(args) -> int:
    form, problem = cat.choose_form(args.form, args.edition)
    if form is None:
        print(problem, file=sys.stderr)
        return 2
    try:
        target = assessment_target(args.content, args.municipality, args.name, args.force)
    except TargetError as exc:
        print(exc, file=sys.stderr)
        return exc.status
    muni = ensure_municipality(target.parent)
    if muni is not None:
        print(f"{muni} を作りました。団体名・都道府県・団体コードを書いてください。", file=sys.stderr)
    atomic_write(target, scaffold(form, args.schema_url or _relative_schema(form)))
    if not args.schema_url:
        _ensure_schemas(args.content / "_schema")
    print(f"{target} を作りました（{form.name} {form.edition}）。`pia-site check` で未記入の項目を確認できます。", file=sys.stderr)
    return 0


def _relative_schema(form) -> str:
    from ..schema import schema_filename

    return f"../_schema/{schema_filename(form)}"


def _ensure_schemas(folder: Path) -> None:
    """The editor completion the modeline points at: write the schemas once if missing."""
    from ..schema import all_schemas

    for name, text in all_schemas().items():
        if not (folder / name).exists():
            atomic_write(folder / name, text)


def register(sub) -> None:
    p = sub.add_parser("new", help="新しい評価書のひな形を作る")
    p.add_argument("--municipality", required=True, help="団体のフォルダ名（例: koshigaya）")
    p.add_argument("--form", required=True, help=f"評価書の種類: {cat.form_choices_ja()}")
    p.add_argument("--edition", help="様式の版（既定: 最新）")
    p.add_argument("--name", default="new-assessment", help="ファイル名（拡張子なし）")
    p.add_argument("--content", type=Path, default=Path("content"))
    p.add_argument("--schema-url", default="", help="yaml-language-server に渡す JSON Schema の場所")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_new)
