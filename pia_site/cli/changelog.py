"""`pia-site changelog resolve|draft`: bring in old 変更箇所 tables, draft rows for new edits.

* ``pia-site changelog resolve FILE --form 全項目 --edition 令和7年5月 [--assessment YAML]`` (forms: the catalog's)
  reads a tab-separated 変更箇所 table (as converted from the PDFs) and prints one JSON object
  per row: ``{"line", "targets": [{"id", "label_path", …}], "confidence", "status", "reason", …}``.
* ``pia-site changelog draft --since REV [--content DIR]`` compares every assessment YAML at git
  revision REV with the working tree and prints paste-ready change rows.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .. import catalog as cat
from ..catalog import Form
from ..changelog.draft import draft_rows, rows_yaml
from ..content_tree import assessment_files
from ..diagnostics import format_diagnostics, has_errors
from ..model import Assessment

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


# ---------------------------------------------------------------------------
# resolve

def _load_assessment(path: Path) -> tuple[Assessment | None, str]:
    from ..load import load_document
    from ..validate import validate_assessment

    if not path.is_file():
        return None, f"{path} が見つかりません。"
    doc, diags = load_document(path)
    a, more = validate_assessment(doc, path.parent.name)
    diags = list(diags) + list(more)
    if a is None or has_errors(diags):
        return None, format_diagnostics([d for d in diags if d.is_error])
    return a, ""


def _form_from_args(form_name: str | None, edition: str | None) -> tuple[Form | None, str]:
    if not form_name:
        return None, f"--form（{cat.form_names_ja()}）を指定してください。"
    return cat.choose_form(form_name, edition)


def _line_range(spec: str | None) -> tuple[int, int | None]:
    if not spec:
        return 1, None
    a, _, b = spec.partition("-")
    return int(a or 1), (int(b) if b else None)


def cmd_resolve(args) -> int:
    from ..changelog import resolve_rows
    from ..changelog.table import parse_table

    assessment = None
    if args.assessment:
        assessment, err = _load_assessment(Path(args.assessment))
        if assessment is None:
            print(err, file=sys.stderr)
            return EXIT_ERRORS
    if assessment is not None and not args.form:
        form = assessment.form
    else:
        form, err = _form_from_args(args.form, args.edition)
        if form is None:
            print(err, file=sys.stderr)
            return EXIT_USAGE
        if assessment is not None and assessment.form is not form:
            print(f"注意: --assessment の評価書は {assessment.form.name} {assessment.form.edition} です。そちらの様式で解決します。",
                  file=sys.stderr)
            form = assessment.form
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"{args.file} を読めません（{exc.strerror}）。", file=sys.stderr)
        return EXIT_USAGE
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        print(f"{args.file} は UTF-8 ではありません。UTF-8 で保存し直してください。", file=sys.stderr)
        return EXIT_USAGE
    try:
        start, end = _line_range(args.lines)
    except ValueError:
        print("--lines は 1228-1364 のように書いてください。", file=sys.stderr)
        return EXIT_USAGE
    table = parse_table(text, start, end)
    if not table:
        print(f"{args.file} に変更箇所の表（変更日<TAB>項目<TAB>… の見出し行の後の行）が見つかりません。", file=sys.stderr)
        return EXIT_ERRORS
    rows = [t.row for t in table]
    results = resolve_rows(rows, form, assessment)
    out = sys.stdout
    try:
        for t, r in zip(table, results):
            d = r.to_json()
            if t.date_problem:
                d["date_problem"] = t.date_problem
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
        out.flush()
    except BrokenPipeError:  # `| head`
        sys.stderr.close()
        return EXIT_OK
    counts = Counter(r.status for r in results)
    summary = "、".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{len(results)} 行: {summary}（{form.name} {form.edition}）", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------------------
# draft (the rows themselves: changelog/draft.py)

def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True)


def _validate_text(text: str, shown: str, municipality: str) -> Assessment | None:
    from ..load import SourceDocument, parse_yaml
    from ..validate import validate_assessment

    root, diags = parse_yaml(text, shown)
    if root is None or has_errors(diags):
        return None
    a, more = validate_assessment(SourceDocument(shown, root), municipality)
    return a if a is not None and not has_errors(more) else None


def cmd_draft(args) -> int:
    content = Path(args.content)
    if not content.is_dir():
        print(f"コンテンツのフォルダ {content} が見つかりません。--content で指定してください。", file=sys.stderr)
        return EXIT_USAGE
    top = _git(["rev-parse", "--show-toplevel"], content)
    if top.returncode != 0:
        print(f"{content} は git の作業ツリーではありません。", file=sys.stderr)
        return EXIT_USAGE
    root = Path(top.stdout.decode().strip())
    rev = _git(["rev-parse", "--verify", "--quiet", f"{args.since}^{{commit}}"], root)
    if rev.returncode != 0:
        print(f"リビジョン「{args.since}」が見つかりません。", file=sys.stderr)
        return EXIT_USAGE
    total = 0
    failed = False
    for path in assessment_files(content):
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        shown = path.as_posix()
        new_text = path.read_text(encoding="utf-8-sig")
        new = _validate_text(new_text, shown, path.parent.name)
        if new is None:
            print(f"{shown}: 作業ツリーの内容にエラーがあります。`pia-site check` で直してから実行してください。", file=sys.stderr)
            failed = True
            continue
        shown_old = _git(["show", f"{args.since}:{rel}"], root)
        if shown_old.returncode != 0:
            print(f"# {shown}: {args.since} にはないファイルです（新規）。変更箇所の行は作りません。")
            continue
        old = _validate_text(shown_old.stdout.decode("utf-8-sig", errors="replace"), f"{shown}@{args.since}", path.parent.name)
        if old is None:
            print(f"{shown}: {args.since} の内容は検査を通らないため比較できません。", file=sys.stderr)
            failed = True
            continue
        if old.form is not new.form:
            print(f"# {shown}: 様式が {old.form.name} {old.form.edition} から {new.form.name} {new.form.edition} に変わりました。"
                  "項目ごとの比較は同じ様式の間でだけ行います。")
        rows = draft_rows(old if old.form is new.form else None, new)
        if not rows:
            continue
        total += len(rows)
        print(f"# {shown}: {args.since} からの変更 {len(rows)} 件。changes: の末尾に貼り付け、変更日・提出時期に係る説明を書いてください。")
        print(rows_yaml(rows), end="")
    if total == 0 and not failed:
        print(f"{args.since} から項目の変更はありません。", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("changelog", help="変更箇所: 古い表の取り込み（resolve）と、変更の下書き（draft）")
    csub = p.add_subparsers(dest="changelog_command", required=True)

    r = csub.add_parser("resolve", help="変更箇所の表（タブ区切り）の各行の「項目」を様式の項目に対応づけ、JSON Lines で出力する")
    r.add_argument("file", help="変更箇所の表（タブ区切りのテキスト。見出し行「変更日<TAB>項目<TAB>…」の後の行を読む）")
    r.add_argument("--form", help=f"評価書の種類: {cat.form_choices_ja()}（--assessment を付けたときは省略可）")
    r.add_argument("--edition", help="様式の版（例: 令和7年5月。既定: 最新）")
    r.add_argument("--assessment", help="この評価書の YAML の記載を使って、システム名・委託事項・ファイルなどを決める")
    r.add_argument("--lines", help="読む行の範囲（例: 1228-1364）")
    r.set_defaults(func=cmd_resolve)

    d = csub.add_parser("draft", help="git のリビジョンから変わった項目を、変更箇所の行（YAML）として出力する")
    d.add_argument("--since", required=True, help="比較するリビジョン（例: HEAD~1、タグ名）")
    d.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")
    d.set_defaults(func=cmd_draft)
