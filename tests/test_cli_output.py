"""What `pia-site build` and `check` print: a progress bar on a terminal, plain lines elsewhere,
warnings summarised by code when there are many (all of them with -v or --warnings-file), errors
always in full, one summary line at the end; -q for errors and that line only."""
from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from pia_site.build import check
from pia_site.cli.progress_view import BarProgress, LineProgress
from pia_site.diagnostics import Diagnostic, Severity, SourceLocation
from pia_site.report import by_code, code_title, diagnostics_report

from support import REPO, make_content, scaffold_text

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pia_site", *args], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=600)


def sample(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


def warning_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.search(r": 警告\[\w+\]", ln)]


def expected_counts(project: Path) -> Counter:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        return Counter(d.code for d in check(Path("content")) if not d.is_error)
    finally:
        os.chdir(cwd)


def test_build_summarises_many_warnings_by_code_and_ends_with_one_line(tmp_path):
    project = sample(tmp_path)
    want = expected_counts(project)
    r = run("build", cwd=project)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert warning_lines(r.stderr) == []  # not one line per warning
    total = sum(want.values())
    assert f"警告 {total:,} 件の内訳（コードごと" in r.stderr
    for code, n in want.items():
        row = next(ln for ln in lines if ln.startswith(f"  {code} "))
        assert re.search(rf"\b{n:,} 件  {re.escape(code_title(code))}  例: content/\S+\.yaml:\d+:\d+", row), row
    assert lines[-1].startswith("完了: 評価書 2 件、") and f"警告 {total:,} 件" in lines[-1] and lines[-1].endswith(" 秒。")
    assert "\r" not in r.stderr  # not a terminal: no bar


def test_verbose_lists_every_warning_and_the_stage_timings(tmp_path):
    project = sample(tmp_path)
    want = expected_counts(project)
    r = run("build", "-v", cwd=project)
    assert r.returncode == 0, r.stderr
    assert Counter(re.search(r"警告\[(\w+)\]", ln).group(1) for ln in warning_lines(r.stderr)) == want
    timings = next(ln for ln in r.stderr.splitlines() if ln.startswith("段階ごとの時間: "))
    for stage in ("読み込み", "評価書ごとの検査と生成", "検索索引", "ページの生成と書き出し"):
        assert re.search(rf"{stage} \d+\.\d\d 秒", timings), timings


def test_quiet_prints_the_summary_only_and_the_warnings_file_gets_them_all(tmp_path):
    project = sample(tmp_path)
    want = expected_counts(project)
    r = run("build", "-q", "--warnings-file", "warnings.txt", cwd=project)
    assert r.returncode == 0, r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("完了: ")
    listed = (project / "warnings.txt").read_text(encoding="utf-8")
    assert Counter(re.search(r"警告\[(\w+)\]", ln).group(1) for ln in warning_lines(listed)) == want
    assert listed.endswith(f"エラー 0 件、警告 {sum(want.values())} 件\n")
    r = run("build", "--warnings-file", "warnings2.txt", cwd=project)
    assert "一覧は warnings2.txt に書き出しました" in r.stderr


def test_errors_are_printed_in_full_even_with_quiet(tmp_path):
    text = re.sub(r"(?m)^(\s+subjects:).*$", r"\1 不明", scaffold_text(), count=1)
    make_content(tmp_path, {"jimu": text})
    for flag in ("-q", None):
        r = run(*[a for a in ("build", flag) if a], cwd=tmp_path)
        assert r.returncode == 1
        assert re.search(r"content/koshigaya/jimu\.yaml:\d+:\d+: エラー\[V031\] basic_info\.jimu\.subjects 「③対象人数」: 「不明」は選択肢にありません", r.stderr)
        assert r.stderr.splitlines()[-1].startswith("ビルドを中止しました（エラー 1 件、警告 ")
        assert warning_lines(r.stderr) == []
        assert ("警告 " in r.stderr and "件の内訳" in r.stderr) == (flag is None)
    assert not (tmp_path / "build").exists()


def test_check_lists_a_few_documents_in_full_and_summarises_many(tmp_path):
    for name in ("a", "b", "c"):
        assert run("new", "--municipality", "town", "--form", "全項目", "--name", name, cwd=tmp_path).returncode == 0
    (tmp_path / "content" / "town" / "municipality.yaml").write_text('name: 町\nprefecture: 県\ncode: "112224"\n', encoding="utf-8")
    r = run("check", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    n = sum(expected_counts(tmp_path).values())
    assert n > 500 and warning_lines(r.stderr) == [] and f"警告 {n:,} 件の内訳" in r.stderr
    assert r.stderr.splitlines()[-1] == next(ln for ln in r.stderr.splitlines() if ln.startswith("検査: 評価書 3 件 — エラーはありません"))
    (tmp_path / "content" / "town" / "b.yaml").unlink()
    (tmp_path / "content" / "town" / "c.yaml").unlink()
    r = run("check", cwd=tmp_path)
    assert len(warning_lines(r.stderr)) == sum(expected_counts(tmp_path).values())  # one document: every warning


def test_check_github_format_still_prints_every_annotation(tmp_path):
    project = sample(tmp_path)
    r = run("check", "--format", "github", cwd=project)
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stdout.splitlines() if ln]
    assert lines and all(ln.startswith("::warning file=content/") for ln in lines)
    assert len(lines) == sum(expected_counts(project).values())


def test_a_terminal_gets_a_bar_redrawn_in_place(tmp_path):
    project = sample(tmp_path)
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pia_site", "build"], cwd=project, env={**ENV, "TERM": "xterm"},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=600) == 0
    shown = b"".join(chunks).decode("utf-8")
    assert re.search(r"\r評価書ごとの検査と生成 \[#*\.*\] \d/2 \d+%  \d+ 秒\x1b\[K", shown), shown[:400]
    assert "\r評価書ごとの検査と生成 [########################] 2/2 100%" in shown
    # a stage of unknown length: its name when it starts, its count when a redraw falls due (0.1 s)
    assert re.search(r"\rページの生成と書き出し(…| \d+ 件)", shown)
    assert "\r\x1b[K警告 " in shown  # the bar is cleared before the summary of warnings
    assert shown.rstrip().splitlines()[-1].startswith("完了: 評価書 2 件")


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_stay_silent_on_a_short_build_and_report_tenths_and_time_on_a_long_one():
    clock, out = FakeClock(), io.StringIO()
    view = LineProgress(out, clock=clock, quiet=5, interval=10)
    view.on_start(0, "読み込み")
    view.on_start(100, "検査")
    for _ in range(100):
        view.advance()
    assert out.getvalue() == ""  # within the quiet start: nothing but the summary
    clock.now += 6
    view.on_start(1000, "検査")
    for i in range(1000):
        view.advance()
        if i == 149:
            clock.now += 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "[6 秒] 検査 0/1,000（0%）"
    assert [ln.split("] ")[1] for ln in lines[1:]] == [f"検査 {k * 100:,}/1,000（{k * 10}%）" for k in range(1, 11)]
    out.truncate(0), out.seek(0)
    view.on_start(0, "検索索引")
    out.truncate(0), out.seek(0)
    clock.now += 9
    view.tick()
    assert out.getvalue() == ""
    clock.now += 1
    view.tick()
    assert out.getvalue() == "[17 秒] 検索索引…\n"
    view.finish("完了")
    assert out.getvalue().endswith("完了\n")


def test_bar_shows_a_count_when_the_total_is_unknown_and_clears_itself():
    clock, out = FakeClock(), io.StringIO()
    view = BarProgress(out, clock=clock, width=lambda: 80, every=0.1)
    view.on_start(0, "ページの生成と書き出し")
    clock.now += 3
    view.advance(7)
    assert out.getvalue().endswith("\rページの生成と書き出し 7 件  3 秒\x1b[K")
    view.advance()  # within 0.1 s of the last drawing: not drawn
    assert out.getvalue().endswith("7 件  3 秒\x1b[K")
    view.clear()
    assert out.getvalue().endswith("\r\x1b[K")


def test_codes_without_a_title_are_summarised_under_their_first_sentence():
    at = SourceLocation("content/x/a.yaml", 3, 1)
    ds = [Diagnostic("Z901", "新しい検査の警告です。詳しい説明。", at, "a.b", severity=Severity.WARNING)] * 3
    ds += [Diagnostic("W001", "値が空です。", SourceLocation("content/x/a.yaml", 1, 1), "c", severity=Severity.WARNING)]
    groups = by_code(ds)
    assert [(g.code, g.count, g.title) for g in groups] == [("Z901", 3, "新しい検査の警告です"), ("W001", 1, "値が空")]
    text = diagnostics_report(ds, limit=2)
    assert "  Z901  3 件  新しい検査の警告です  例: content/x/a.yaml:3:1 a.b" in text
    assert text.endswith("エラー 0 件、警告 4 件")
