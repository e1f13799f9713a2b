"""``render_rich``'s shortcut for one plain line gives exactly what Markdown and nh3 give."""
from __future__ import annotations

import random
from pathlib import Path

from pia_site import markup
from pia_site.load import YMap, YScalar, YSeq, load_content

ROOT = Path(__file__).resolve().parents[1]


def _full(text: str) -> str:
    return markup.sanitize(markup._md().render(text)).strip()


def _shortcut_taken(text: str) -> bool:
    return bool(markup._PLAIN_LINE.fullmatch(text) and not markup._BLOCK_START.match(text) and text.strip() == text)


def _sample_strings() -> set[str]:
    source, _ = load_content(ROOT / "content")
    out: set[str] = set()

    def walk(node):
        if isinstance(node, YScalar):
            if node.value:
                out.add(node.value)
        elif isinstance(node, YMap):
            for _, v in node.entries:
                walk(v)
        elif isinstance(node, YSeq):
            for x in node.items:
                walk(x)

    for ms in source.municipalities:
        for doc in ms.assessments:
            walk(doc.root)
    return out


POOL = list("あ漢字　ａ１（）。、・「」ー—―－-+=.)(,:;/?%@$^{}0123456789abcXYZ *_[]<>!&#|~\"'\\`\t\n") + [
    "\u2028", "\u2029", "\ufeff", "\u200b", "\u00ad", "\u0301", "\U0001F600", "\ufffd", "\ue000", "\u3000",
    "\u202f", "\u2003", "\x85", "\u00a0", "\u200e", "\ufdd0", "\U0010fffd", "\u2060", "\x0c", "\r"]


def test_plain_line_shortcut_matches_markdown_and_sanitiser():
    texts = _sample_strings()
    rnd = random.Random(20261123)
    texts |= {"".join(rnd.choice(POOL) for _ in range(rnd.randint(1, 12))) for _ in range(5000)}
    texts |= {"1. 項目", "1) 項目", "- 項目", "+ 項目", "= 項目", "12345", "1.5", "a  b", " 先頭", "末尾 ",
              "\u3000全角空白", "全角空白\u3000", "https://example.jp/a?b=c", "x\u2028y"}
    taken = 0
    for text in texts:
        if _shortcut_taken(text):
            taken += 1
            assert markup.render_rich(text) == _full(text) == f"<p>{text}</p>", repr(text)
        else:
            assert markup.render_rich(text) == _full(text), repr(text)
    assert taken > 500
