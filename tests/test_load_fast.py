"""The libyaml shortcut of the strict loader gives exactly the reference parser's result.

``parse_yaml`` reads a file with libyaml's event parser when PyYAML has it, and falls back to the
pure-Python reference parser for anything that is not read cleanly (any diagnostic or error) or
whose positions or acceptance differ between the two.  These tests compare both paths: documents,
positions and diagnostics must be identical.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from pia_site import load
from pia_site.catalog import CATALOG_DIR

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(load._CParser is None, reason="PyYAML built without libyaml")


def _reference(text: str):
    try:
        return load.parse_yaml(text, "t.yaml", fast=False)
    except Exception as exc:  # the reference raises for some unreadable text; so must the default path
        return type(exc)


def _default(text: str):
    try:
        return load.parse_yaml(text, "t.yaml")
    except Exception as exc:
        return type(exc)


def _sources() -> list[Path]:
    return sorted((ROOT / "content").rglob("*.yaml")) + sorted(CATALOG_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.name)
def test_sample_and_catalog_files_take_the_fast_path_with_the_reference_result(path):
    text = path.read_text(encoding="utf-8")
    fast = load._parse_fast(text, "t.yaml")
    assert fast is not None
    assert fast == load.parse_yaml(text, "t.yaml", fast=False)


MALFORMED = [
    "a: 1\na: 2\n",                      # duplicate key (Y009)
    "b: &x 3\nc: *x\n",                  # anchor and alias (Y003, Y002)
    "d: !!str q\ne: !t v\nf: ! w\n",     # tags (Y004; "!" alone is allowed)
    "<<: {a: 1}\n'<<': x\n",             # merge key (Y008) and a quoted one
    "[a, b]: c\n",                       # non-string key (Y007)
    "a: [1, 2\nb: 3\n",                  # syntax error (Y001)
    "a: 'unterminated\n",
    "a:\n\tb: 1\n",                      # tab indentation
    "a: x\tb\nc: |\n  x\n\ty\n",         # tabs libyaml accepts and the reference may not
    "a: b\n---\nc: d\n",                 # several documents
    "---\n",                             # an explicit empty document
    "# only a comment\n",
    "",
    "? a\n: b\n? c\n",                   # explicit keys
    "{? a}\n",
    "f: {g: , h: }\n",                   # omitted values in a flow mapping
    "s: [a, , ]\n",
    "s: [a?b, c]\n",                     # "?" in a flow plain scalar
    "k: |#\n  x\n",                      # block scalar header followed by a comment sign
    "k: >+\n  x\n\n",
    "a:\n  - \n  -\n  - x\nb:\nc: ~\nd: null\ne: ''\n",
    "~: 1\nnull: 2\n'': 3\n",             # null words as keys stay text
    "a: 1\r\nb: 2\r\n",                  # CRLF
    "a: x\x85y\nb: p\u2028q\n",          # other YAML line breaks
    "a: 値\ufeff値\n",                    # a byte order mark inside the text
    "a: \U0001F600 x\nb: 𠮷野家\n",       # characters outside the BMP
    "a: x\x07\n",                        # a control character
    "a:\n" + "  " * 0 + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 45)),  # too deep (Y005)
    "%YAML 1.1\n---\na: 1\n",
    "%YAML 1.3\n---\na: 1\n",
    "a: b: c\n",
    "- - x\n  - y\n- z\n",
    "key with spaces: value: more\n",
    '"quoted key": "esc \\u00e9 \\n"\n',
    "a: 値 #以降\nb: 'q'  # ok\nc:   # ok\nd: | # ok\n  x #y\n",  # a comment after a plain value (Y020)
    "- x # c\n- [y #c\n  , z]\n",
    "a: x\u202ey\nb: \u200bz\n",        # bidi (Y021) and zero-width (Y022) characters
    'a: "x\\u202Ey"\nb: "\\u200B"\n',   # ... written as escapes
    "\u3000a: 1\nb\u3000: 2\n",           # keys with a full-width space (Y012)
    "a: 1\nb\uff1a 2\n",                    # a full-width colon
]


@pytest.mark.parametrize("text", MALFORMED)
def test_unusual_and_malformed_inputs_read_as_the_reference_reads_them(text):
    assert _default(text) == _reference(text)


TOKENS = [": ", "- ", "[", "]", "{", "}", ",", " #c", "&a ", "*a", "!t ", "! ", "|", ">", "|-", ">+", '"', "'",
          "\t", "? ", "\n", "  ", "\r\n", "\u3000", "\x85", "\u2028", "---\n", "~", "<<: ", "?", "a?b",
          "[a, , ]", "{a: , b: }", "{a}", "[a: ]", "\ufeff", "\\", ":", "-", "値", "\n- ", "|+\n  x\n\n",
          "\u202e", "\u200b", "\uff1a", "\\u202E"]


def test_mutated_sample_snippets_read_as_the_reference_reads_them():
    texts = [p.read_text(encoding="utf-8") for p in _sources()]
    rnd = random.Random(20261123)
    taken = 0
    for _ in range(1500):
        lines = rnd.choice(texts).split("\n")
        a = rnd.randrange(len(lines))
        s = "\n".join(lines[a:a + rnd.randint(1, 30)]) + rnd.choice(["", "\n"])
        for _ in range(rnd.randint(0, 4)):
            pos = rnd.randint(0, len(s))
            s = s[:pos] + rnd.choice(TOKENS) + s[pos:]
        fast = load._parse_fast(s, "t.yaml")
        if fast is not None:
            taken += 1
            assert fast == _reference(s), repr(s)
        else:
            assert _default(s) == _reference(s), repr(s)
    assert taken > 100  # the shortcut is actually exercised


@pytest.mark.parametrize("path", sorted(CATALOG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_catalog_files_read_the_same_with_libyaml(path):
    import yaml

    from pia_site.catalog import _read_yaml

    assert _read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
