"""Items withheld for security reasons (規則第13条): the page shows the fixed notice and the
withheld text reaches no output — pages, change pages and diffs, feeds, search files (inflated)."""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from pia_site.build import build, check
from pia_site.diagnostics import DiagnosticsError
from pia_site.validate.lifecycle import WITHHELD_NOTICE

from support import MUNI_YAML, fill, scaffold_text, write

SECRET = "サーバ室の入退室は静脈認証装置ＸＱ－７７で管理"
BASE = {
    "cover.title": "非公表のある事務",
    "cover.published": "2024-04-01",
    "status": "{state: 公表}",
    "other_measures.other_risk_measures": SECRET,
    "basic_info.jimu.name": "公表される事務の名称",
    "withheld": "[other_measures.other_risk_measures]",
    "changes": ("[{date: 2024-03-01, item: IV その他のリスク対策 3. その他のリスク対策, before: 旧方式の入退室管理, "
                f"after: {SECRET}, timing: 事後, timing_note: 対策強化, target: other_measures.other_risk_measures}}, "
                "{date: 2024-03-01, item: IV その他のリスク対策 3. その他のリスク対策, before: 台帳管理, "
                f"after: 「{SECRET}」に変更, timing: 事後, timing_note: 対策強化}}, "
                "{date: 2024-03-01, item: I 基本情報 1. 特定個人情報ファイルを取り扱う事務 ①事務の名称, before: 旧名称, "
                "after: 公表される事務の名称, timing: 事後}]"),
}


def _content(root: Path, values: dict) -> Path:
    content = root / "content"
    write(content / "site.yaml", "title: テスト\n")
    write(content / "koshigaya" / "municipality.yaml", MUNI_YAML)
    text = fill(scaffold_text("zenkoumoku", "令和7年5月"), {**BASE, **values})
    (content / "koshigaya" / "w.yaml").write_text(text, encoding="utf-8")
    return content


def _texts(out: Path) -> dict[str, str]:
    """Every output file as text, the zlib-compressed search files inflated."""
    texts = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            try:
                data = zlib.decompress(data)
            except zlib.error:
                pass
            texts[p.relative_to(out).as_posix()] = data.decode("utf-8", errors="replace")
    return texts


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("withheld")
    out = root / "build"
    build(_content(root, {}), out)
    return _texts(out)


def test_the_withheld_text_is_absent_from_the_whole_output_tree(built):
    assert sum(p.startswith("search/") for p in built) > 2  # the index files are there, and read
    leaks = [p for p, text in built.items() if SECRET in text or SECRET[:12] in text]
    assert leaks == []


def test_the_page_shows_the_fixed_notice_in_the_item(built):
    page = built["koshigaya/w/index.html"]
    at = page.index('id="other_measures.other_risk_measures"')
    assert WITHHELD_NOTICE in page[at:at + 1500]
    assert "規則第13条" in WITHHELD_NOTICE


def test_change_rows_of_the_item_keep_their_row_but_not_the_text(built):
    changes = built["koshigaya/w/changes/index.html"]
    assert changes.count(WITHHELD_NOTICE) >= 2
    assert "公表される事務の名称" in changes  # a row about another item is published as it is
    assert "旧方式の入退室管理" not in changes  # the withheld item's earlier text is withheld too


def test_the_text_repeated_in_another_item_is_an_error(tmp_path):
    content = _content(tmp_path, {"basic_info.reason.necessity": f"前提として{SECRET}。"})
    errors = [d for d in check(content) if d.is_error]
    assert [d.code for d in errors] == ["R017"] and errors[0].key_path == "basic_info.reason.necessity"
    with pytest.raises(DiagnosticsError):
        build(content, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_row_repeating_the_text_without_naming_the_item_is_reported(tmp_path):
    diags = check(_content(tmp_path, {}))
    assert [d.code for d in diags if d.code == "R018"] == ["R018"]
