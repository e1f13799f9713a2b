"""`pia-site new`: a new site, or a scaffold assessment with every item of the form.

* ``pia-site new [DIR]`` (no ``--municipality``): a site that builds in ``DIR`` (default: here):
  ``DIR/content/site.yaml``, an example municipality and a scaffold assessment (``site_scaffold.py``).
  Refused when ``DIR/content`` already holds something.
* ``pia-site new --municipality SLUG --form FORM``: ``content/SLUG/NAME.yaml``; creates
  ``municipality.yaml`` (and ``site.yaml``) when missing.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .. import catalog as cat
from ..content_tree import ID_RE, SITE_FILE, TargetError, assessment_target, atomic_write, ensure_municipality
from ..scaffold import scaffold

DEFAULT_FORM = "重点項目"
DEFAULT_NAME = "new-assessment"


def _content(args) -> Path:
    if args.content is not None:
        return args.content
    return Path(args.dir or ".") / "content"


def cmd_new(args) -> int:
    if args.municipality is None:
        return _new_site(args)
    if not args.form:
        print(f"--form（{cat.form_names_ja()}）を指定してください。", file=sys.stderr)
        return 2
    form, problem = cat.choose_form(args.form, args.edition)
    if form is None:
        print(problem, file=sys.stderr)
        return 2
    content = _content(args)
    try:
        target = assessment_target(content, args.municipality, args.name, args.force)
    except TargetError as exc:
        print(exc, file=sys.stderr)
        return exc.status
    muni = ensure_municipality(target.parent)
    if muni is not None:
        print(f"{muni} を作りました。団体名・都道府県・団体コードを書いてください。", file=sys.stderr)
    atomic_write(target, scaffold(form, args.schema_url or _relative_schema(form)))
    if not args.schema_url:
        _ensure_schemas(content / "_schema")
    if not (content / SITE_FILE).exists():
        from ..site_scaffold import site_yaml

        atomic_write(content / SITE_FILE, site_yaml())
        print(f"{content / SITE_FILE} を作りました。サイト名（title）などを書いてください。", file=sys.stderr)
    print(f"{target} を作りました（{form.name} {form.edition}）。`pia-site check` で未記入の項目を確認できます。", file=sys.stderr)
    return 0


def _new_site(args) -> int:
    from ..site_scaffold import new_site_files

    form, problem = cat.choose_form(args.form or DEFAULT_FORM, args.edition)
    if form is None:
        print(problem, file=sys.stderr)
        return 2
    if not ID_RE.match(args.name):
        print(f"ファイル名「{args.name}」は URL になるため、半角英小文字・数字・-・_ で --name に指定してください。", file=sys.stderr)
        return 2
    content = _content(args)
    if content.exists() and (not content.is_dir() or any(content.iterdir())):
        what = "サイトがあります" if (content / SITE_FILE).exists() else "ファイルがあります"
        print(f"{content} にはすでに{what}。新しいサイトは空のフォルダに作ります（例: pia-site new mysite）。"
              "評価書を追加するには --municipality と --form を指定してください。", file=sys.stderr)
        return 1
    files = new_site_files(form, args.name, args.schema_url or _relative_schema(form))
    for rel, text in files.items():
        atomic_write(content / rel, text)
    if not args.schema_url:
        _ensure_schemas(content / "_schema")
    for rel in files:
        print(f"{content / rel} を作りました。", file=sys.stderr)
    project = Path(args.dir or ".")
    go = f"cd {project} && " if args.dir else ""
    flag = f" --content {content}" if args.content is not None else ""
    print(f"新しいサイトを作りました（見本の評価書: {form.name} {form.edition}）。"
          f"プレビュー: {go}pia-site serve{flag}  書き出し: {go}pia-site build{flag}", file=sys.stderr)
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
    p = sub.add_parser("new", help="新しいサイト、または新しい評価書のひな形を作る",
                       description="DIR だけ（または何も指定しない）: DIR/content/ に、そのままビルドできる新しいサイト"
                                   "（site.yaml・見本の団体・評価書のひな形）を作ります。"
                                   "--municipality と --form: その団体のフォルダに評価書のひな形を追加します。")
    p.add_argument("dir", nargs="?", help="新しいサイトを作るフォルダ（既定: 今いるフォルダ。中に content/ を作ります）")
    p.add_argument("--municipality", help="評価書を追加する団体のフォルダ名（例: koshigaya）")
    p.add_argument("--form", help=f"評価書の種類: {cat.form_choices_ja()}（新しいサイトの見本は既定で {DEFAULT_FORM}）")
    p.add_argument("--edition", help="様式の版（既定: 最新）")
    p.add_argument("--name", default=DEFAULT_NAME, help=f"評価書のファイル名（拡張子なし。既定: {DEFAULT_NAME}）")
    p.add_argument("--content", type=Path, default=None, help="コンテンツのフォルダ（既定: DIR/content）")
    p.add_argument("--schema-url", default="", help="yaml-language-server に渡す JSON Schema の場所")
    p.add_argument("--force", action="store_true", help="同じ名前の評価書があれば上書きする（--municipality のとき）")
    p.set_defaults(func=cmd_new)
