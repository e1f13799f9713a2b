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


# ---------------------------------------------------------------------------
# no silent loss: styles and links that the sanitiser would drop are reported

@pytest.mark.parametrize("href", [
    "&#106;avascript:alert(1)",          # a numeric character reference
    "&#x6A;avascript:alert(1)",
    "&#106avascript:alert(1)",           # without the semicolon (browsers still decode it)
    "java&#x09;script:alert(1)",         # a tab, removed by browsers
    "java&#10;script:alert(1)",          # a line feed
    "javascript&colon;alert(1)",         # a named reference for ":"
    "&#x20;javascript:alert(1)",
    "vbscript&#58;msgbox(1)",
])
def test_entity_encoded_schemes_get_the_same_error_as_a_plain_one(href):
    plain = audit_html('<a href="javascript:alert(1)">x</a>')
    problems = audit_html(f'<a href="{href}">x</a>')
    assert [(p.code, p.warning) for p in problems] == [(q.code, q.warning) for q in plain] == [("H001", False)]
    assert "リンク先" in problems[0].message and href in problems[0].message


def test_entity_encoded_link_message_shows_what_a_browser_reads():
    [p] = audit_html('<a href="&#106;avascript:alert(1)">x</a>')
    assert "javascript:alert(1)" in p.message


@pytest.mark.parametrize("href", ["https://example.jp/a&amp;b", "#top", "a/b.html", "mailto:x@example.jp", "&#104;ttps://example.jp/"])
def test_ordinary_links_pass_the_decoded_check(href):
    assert audit_html(f'<a href="{href}">x</a>') == []


@pytest.mark.parametrize("style", [
    "display:none", "DISPLAY: NONE", "display: none !important", "display&#58;none", "dis/**/play: none",
    "visibility:hidden", "Visibility: Hidden",
    "opacity:0", "opacity: 0.05", "opacity: 5%",
    "color:transparent", "COLOR: TRANSPARENT", "color: rgba(0, 0, 0, 0)", "color: rgb(0 0 0 / 0%)",
    "color: hsla(0, 0%, 0%, 0)", "color: #0000", "color: #ff000000", "color: #fff", "color: white",
    "font-size:0", "font-size: 1px", "font-size: 0.1em", "font-size: 10%",
    "margin-left:-9999px", "margin-right: -20em", "MARGIN-LEFT: -1px", "text-indent:-9999px",
    "position:absolute", "left:-9999px", "top: -100px", "z-index: -1",
    "width: 0", "height:0", "clip: rect(0 0 0 0)", "clip-path: inset(50%)", "transform: scale(0)",
    "transform: translateX(-9999px)",
])
def test_invisible_text_styles_are_errors(style):
    problems = audit_html(f'<span style="{style}">見えない</span>')
    assert [(p.code, p.warning) for p in problems] == [("H002", False)], problems
    assert "見えなく" in problems[0].message


@pytest.mark.parametrize("style", [
    "color: red", "COLOR: RED", "Color: Red", "margin-left: 2em", "MARGIN-LEFT: 20PX", "text-align: center;",
    "font-weight: bold", "list-style-type: none", "color: #333", "color: rgba(0, 0, 0, 0.8)",
])
def test_allowed_styles_pass_in_any_case_and_are_kept(style):
    assert audit_html(f'<span style="{style}">x</span>') == []
    name, value = style.rstrip(";").split(":", 1)
    html = render_rich(f'<span style="{style}">x</span>')
    assert f'style="{name.strip().lower()}:{value.strip()}"' in html, html  # not dropped by a case mismatch


@pytest.mark.parametrize("style,prop", [
    ("font-family: serif", "font-family"),
    ("BACKGROUND-COLOR: yellow", "BACKGROUND-COLOR"),
    ("color: red; border: 1px solid", "border"),
])
def test_styles_the_page_drops_are_warned_about(style, prop):
    problems = audit_html(f'<span style="{style}">x</span>')
    assert [(p.code, p.warning) for p in problems] == [("H003", True)]
    assert prop in problems[0].message


def test_invisible_styles_never_reach_a_page_even_unaudited():
    html = render_rich('<span style="color: red; display:none; margin-left:-9999px">x</span>'
                       '<span style="COLOR: transparent">y</span>')
    assert "none" not in html and "-9999" not in html and "transparent" not in html
    assert 'style="color:red"' in html


@pytest.mark.parametrize("src,line,col,code", [
    ('  notes: \'<span style="display:none">隠し</span>\'\n', 7, 11, "H002"),
    ('  notes: |\n    a\n    b <span style="COLOR:transparent">隠し</span>\n', 9, 7, "H002"),
    ('  notes: \'<span style="font-family: serif">x</span>\'\n', 7, 11, "H003"),
    ('  notes: \'<a href="&#106;avascript:alert(1)">x</a>\'\n', 7, 11, "H001"),
])
def test_check_reports_styles_and_encoded_links_at_the_tag(tmp_path, src, line, col, code):
    from pia_site.build import check

    from support import make_content

    header = "form: 重点項目評価書\nedition: 令和6年10月\ncover:\n  number: '7'\n  title: t\n  assessor: a\n"
    content = make_content(tmp_path, {"a": header + src})
    hits = [d for d in check(content) if d.code.startswith("H")]
    assert [(d.code, d.location.line, d.location.column, d.key_path) for d in hits] == [(code, line, col, "cover.notes")]
    assert hits[0].is_error == (code != "H003")
