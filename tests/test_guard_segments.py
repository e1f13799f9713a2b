"""The guard's fast reading of pages (guard/segments.py) gives html.parser's segments exactly,
or hands the text over to html.parser."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from pia_site.guard.segments import fast_segments, markup_segments, parser_segments, token_segments

REPO = Path(__file__).resolve().parents[1]

# markup the fast reader takes: each must come out exactly as html.parser reads it
TAKEN = [
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>評価書 &amp; 一覧</title></head>',
    '<p class="x" id=\'y\' data-n=12 hidden>個人番号 <b>1234</b> 5678 &#57;018</p>',
    '<td CLASS="A" title="a &gt; b">x</td><TD>y</TD><P>z</p>',
    '<img alt="電話 048-963-9136" src=a/b/c.png><br/><br /><hr>',
    '<img src=x/><input disabled/><a href="?a=1&amp;b=2" title="">t</a>',
    '<a\n  href="#x"\n  title="改行\nあり">y</a>',
    '<div title="a>b" data-x=\'"q"\'>c</div>',
    'a &amp b &notit; c &#1; d &#x31;&#x32; e &', 'text only, no markup', '',
    '<!-- a comment with 123456789018 --><!----><!-- x --  ><p>after</p>',
    '<?xml version="1.0" encoding="utf-8"?><feed><entry><title>t</title></entry></feed>',
    '<script>if (a < b && c) { x = "</p>"; }</script><p>p</p>',
    '<style>p > b { content: "&amp;" }</STYLE ><script type="application/ld+json">{"a": 1}</script >',
    '<script/>text<style />more',
    '<span>a</span><span>b</span><em>c</em><li>d<code>e</code></li>',
    '<a href=x>1</a ><p>2</p\n>', '<a href>x</a>',
]
# markup it leaves to html.parser
LEFT = [
    'a < b', '<3', '<![CDATA[x]]>', '<a href="x"title="y">', '<!bogus>', '<!-- unterminated',
    '<a href=x"y>z</a>', '</>', '<a\xa0b>', '<script>no end', '<a title=x\xa0y>', '<a title= >',
    '<a / href="x">', '<a href==x>', '<p>x</p',
]


@pytest.mark.parametrize("text", TAKEN)
def test_plain_markup_is_read_as_html_parser_reads_it(text):
    assert fast_segments(text) is not None
    assert fast_segments(text) == token_segments(text) == parser_segments(text)


@pytest.mark.parametrize("text", LEFT)
def test_other_markup_goes_to_html_parser(text):
    assert fast_segments(text) is None and token_segments(text) is None
    assert markup_segments(text) == parser_segments(text)


PIECES = ['<p>', '</p>', '<b>', '</b>', '<td class="c">', '</td>', '<br/>', '<img alt="番号 1234 5678 9018">',
          '<a href=x title=\'t\'>', '</a>', '<!-- c -->', '<script>', '</script>', '<style>', '</style>',
          '個人番号', '1234', ' ', '\n', '&amp;', '&#57;', '&', '<', '>', '"', "'", '=', '/', 'x', '電話',
          '<span data-v="048-963-9136">', '</span>', '<!', '<?pi?>', '<!DOCTYPE html>', '&lt;b&gt;', '\xa0',
          '<script type="m" data-n="1234">', '<SCRIPT>', '</SCRIPT >', '<style/>', '<scripts>', '<a title="a>b">',
          '<!-- <b> -->', '<p title="x<y">']


def test_random_markup_is_read_exactly_or_left_to_html_parser():
    rnd = random.Random(20261203)
    taken = 0
    for _ in range(6000):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 30)))
        fast = fast_segments(text)
        assert fast == token_segments(text), text  # the shortcut reads what the tokenizer reads
        if fast is not None:
            taken += 1
            assert fast == parser_segments(text), text
    assert taken > 300  # the comparison covered the fast reader, not only the fallback


def test_the_sample_site_pages_are_read_fast_and_exactly(tmp_path):
    from pia_site.build import build

    out = tmp_path / "out"
    build(REPO / "content", out)
    pages = sorted(p for p in out.rglob("*") if p.suffix in (".html", ".xml"))
    assert len(pages) > 10
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert fast_segments(text) == parser_segments(text), p
        assert token_segments(text) == parser_segments(text), p


# --- may_match: the texts are tested together, and exactly the texts a pattern may match come out

from pia_site.guard.patterns import _CANDIDATE, _VERDICTS, _possible, may_match, scan_text  # noqa: E402

BITS = ['個人番号', '番号', 'マイナンバー', '電話', 'TEL', '生年月日', '昭和', '平成', '年', '月', '日', '生まれ',
        '丁目', '番地', '番', '号', 'の', '越谷市', '第', 'ｶﾞ', 'ﾊﾞ', '\u3099', 'a', 'x@y.jp', '＠', '@', '-', '－',
        ' ', '\u3000', '\n', '\x00', '(', ')', '/', '.', '０', '１２', '9', '123', '4567', '8901', '048', '0120',
        '45', '2', '1', '、', '。', 'AB', '令和元']


def test_may_match_is_exactly_the_texts_scan_text_may_match_one_by_one():
    rnd = random.Random(20261204)
    texts = ["".join(rnd.choice(BITS) for _ in range(rnd.randint(0, 14))) for _ in range(4000)]
    import unicodedata
    one_by_one = [i for i, t in enumerate(texts)
                  if len(t) >= 4 and _CANDIDATE.search(t) and _possible(unicodedata.normalize("NFKC", t))]
    assert 50 < len(one_by_one) < 3900  # both kinds are there
    _VERDICTS.clear()  # every answer from the joined texts, none remembered
    assert may_match(texts) == one_by_one
    assert may_match(texts[::-1]) == [len(texts) - 1 - i for i in reversed(one_by_one)]  # now remembered
    found = [i for i, t in enumerate(texts) if scan_text(t)]
    assert found and set(found) <= set(one_by_one)


def _scan_every_segment(path, segments, allow):
    """The guard's output scan before may_match: scan_text on every segment."""
    from pia_site.guard.output import OutputFinding

    out, seen = [], set()
    for seg in segments:
        for m in scan_text(seg, allow):
            if (m.kind, m.value) not in seen:
                seen.add((m.kind, m.value))
                out.append(OutputFinding(m.kind, m.value, m.shown, path))
    return out


def test_the_sample_site_and_planted_pages_give_the_same_findings_as_a_scan_of_every_segment(tmp_path):
    from pia_site.build import build
    from pia_site.guard.output import scan_segments

    out = tmp_path / "out"
    build(REPO / "content", out)
    pages = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.html"))]
    pages.append(("planted.html", '<p>個人番号 1234 5678 9018 電話 048-963-9136</p><td title="生年月日 昭和45年1月2日">x'
                                   '</td><p>越谷市越ヶ谷四丁目2番1号 a@b.jp ０４８（９６３）９１３６</p>'))
    total = 0
    for path, text in pages:
        segs = markup_segments(text)
        for allow in (frozenset(), frozenset({"0489639136"})):
            got = scan_segments(path, segs, allow)
            assert got == _scan_every_segment(path, segs, allow)
            total += len(got)
    assert total > 0


def test_the_source_scan_finds_what_a_scan_of_every_scalar_finds():
    import html

    from pia_site.guard import scan_document
    from pia_site.guard.source import scalars
    from pia_site.load import load_document

    docs = sorted((REPO / "content").rglob("*.yaml")) + sorted((REPO / "tests" / "fixtures").rglob("*.yaml"))
    total = 0
    for path in docs:
        doc, _ = load_document(path)
        if doc is None or doc.root is None:
            continue
        got = scan_document(doc, frozenset())
        expected = []  # the kinds and values, scalar by scalar, as before may_match
        for key_path, scalar in scalars(doc.root):
            v = scalar.value or ""
            ms = scan_text(v) + [m for m in scan_text(html.unescape(v)) if "&" in v
                                 and (m.kind, m.value) not in {(n.kind, n.value) for n in scan_text(v)}]
            expected += [(key_path, m.kind, m.value) for m in ms]
        assert [(f.key_path, f.kind, f.value) for f in got] == expected, path
        total += len(got)
    assert total > 0


def _nfkc_offsets_by_groups(text):
    """The reference: each base character with the marks after it normalised as one piece."""
    import unicodedata

    out, offsets, i, n = [], [], 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f\u3099\u309a"):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(n)
    return "".join(out), offsets


def test_nfkc_with_offsets_matches_the_piece_by_piece_normalisation():
    from pia_site.guard.patterns import _nfkc_with_offsets

    rnd = random.Random(11)
    plain = list("個人番号０１２３４５６７８９㈱½ﬁ①Ⅲｱｲｳ　－ー－abc 123")
    marks = ["ﾞ", "ﾟ", "\u3099", "\u0301"]
    for k in range(400):
        alphabet = plain + (marks if k % 2 else [])
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
        assert _nfkc_with_offsets(text) == _nfkc_offsets_by_groups(text), text


def test_may_match_gives_the_same_answers_when_it_forgets(monkeypatch):
    from pia_site.guard import patterns

    texts = ["電話 048-963-9136", "平成27年10月", "個人番号 123456789018", "http://www.w3.org/2005/Atom", "越谷市1-2-3"]
    expected = [0, 2, 4]
    _VERDICTS.clear()
    monkeypatch.setattr(patterns, "_VERDICTS_MAX", 3)
    assert may_match(texts[:3]) == [0, 2]  # three remembered
    assert may_match(texts) == expected    # two new ones: the memory starts again
    assert may_match(texts) == expected
    assert len(_VERDICTS) <= 3 + 2


def test_texts_repeated_in_a_file_or_across_its_parts_give_the_findings_of_a_scan_of_every_segment():
    from pia_site.guard.output import scan_segments

    texts = ["個人番号 1234 5678 9018", "電話 048-963-9136", "a@b.jp 電話 048-963-9136", "記載なし 2024", "平成30年5月",
             "越谷市越ヶ谷四丁目2番1号 電話 048-963-9136", "生年月日 昭和45年1月2日", "０４８（９６３）９１３６"]
    rng = random.Random(3)
    for _ in range(50):
        segs = [rng.choice(texts) for _ in range(rng.randint(1, 30))]
        for allow in (frozenset(), frozenset({"0489639136"})):
            expected = _scan_every_segment("p", segs, allow)
            assert scan_segments("p", segs, allow) == expected
            seen: set = set()
            scanned: set = set()
            got = []
            for k in range(0, len(segs), 4):  # a file read in parts (OutputScanner.csv_file)
                got += scan_segments("p", segs[k:k + 4], allow, seen, scanned)
            assert got == expected


def test_lines_read_once_give_the_same_segments_in_every_context():
    """fast_segments reads a page a line at a time and remembers each distinct line's effect
    (segments._LINES): the same lines, met with and without a run open before them, in any
    order, give what html.parser gives."""
    from pia_site.guard import segments

    lines = ['<p>a\n', 'b</p>\n', '<td class="c">1</td><td>2</td>\n', '<b>x</b> y\n', '<a href="h" title="t">z</a>\n',
             '\n', '&amp;\n', 'x &#57;\n', '</li><li>個人番号 1234\n', '5678 9018</li>\n', '<span data-v="048-963-9136">\n',
             '<img alt="番号 1234 5678 9018"><br/>\n', '<!-- c -->\n', 'tail', '<a\nhref="x">t</a>\n', '<p\n>q</p>\n']
    rnd = random.Random(4)
    for _ in range(3000):
        text = "".join(rnd.choice(lines) for _ in range(rnd.randint(1, 12)))
        fast = fast_segments(text)
        assert fast is not None and fast == parser_segments(text) == token_segments(text), text
    assert segments._LINES  # the line reader was used
    segments._LINES.clear()
    across = '<p>a\nb</p>\n<a\nhref="x">t</a>'  # a tag across lines: the page is read piece by piece
    assert fast_segments(across) == parser_segments(across) == ["a\nb", "x", "\nt"]
