import pytest

from pia_site.markup import audit_html, render_rich


def test_japanese_lines_join_without_spaces():
    html = render_rich("特定個人情報の\n取扱いにあたり、\n宣言する。")
    assert "特定個人情報の取扱いにあたり、宣言する。" in html


def test_latin_lines_keep_a_break():
    html = render_rich("IDと\nPassword\nchecks")
    assert "IDとPassword\nchecks" in html


@pytest.mark.parametrize("src", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<p onclick="x()">a</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    "<iframe src=x></iframe>",
    "<style>body{}</style>",
    "<!-- comment -->",
    '<p style="background:url(x)">a</p>',
])
def test_audit_rejects_dangerous_html(src):
    assert audit_html(src), src


def test_audit_accepts_the_markup_seen_in_seeds():
    src = ('<p>a</p> <ul style="list-style-type: none"> <li>・x</li> </ul> <b>b</b> '
           '<a href="https://www.example.jp/">l</a> <span style="color: red;">※</span> <選択肢> &lt;x&gt;')
    assert audit_html(src) == []


def test_render_never_emits_script_or_handlers_even_unaudited():
    html = render_rich('<script>x</script><img src=x onerror=alert(1)><a href="javascript:x">j</a><p onmouseover="y">t</p>')
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "onmouseover" not in html


def test_non_tag_angle_brackets_stay_text():
    html = render_rich("<中間サーバー・プラットフォームにおける措置> と <選択肢>")
    assert "&lt;中間サーバー・プラットフォームにおける措置&gt;" in html


def test_markdown_headings_do_not_create_page_headings():
    assert "<h1" not in render_rich("# 見出し")
