"""Checks on single YAML scalars that PyYAML accepts but that lose or hide author text.

- a comment (`` #``) right after a plain value: YAML drops everything from `` #`` on, so
  ``番号 #1`` silently becomes ``番号``;
- bidi controls, which reorder what a reader sees (errors), and zero-width characters, which are
  invisible but break search and comparison (warnings);
- a full-width space (U+3000) at the start or end of a key: an indentation typed in full width
  makes a new, misspelt key instead of a nested one.

Each check is a pure function of the scalar's source span and returns ``Finding`` values with
0-based line and column in the source text; ``load`` turns them into located diagnostics.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
BIDI_RE = re.compile(f"[{BIDI}]")
ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
SUSPECT_RE = re.compile(f"[{BIDI}{ZERO_WIDTH}]")  # any character these checks report
TRAILING_COMMENT_RE = re.compile(r"[ \t]+#")
FULLWIDTH_SPACE = "\u3000"
MAX_PER_SCALAR = 5  # reported occurrences of one kind of character in one scalar
LINE_BREAK_RE = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line


def yaml_lines(text: str) -> list[str]:
    """``text`` split into lines as PyYAML numbers them in its marks."""
    return LINE_BREAK_RE.split(text)


def position(text: str, base: tuple[int, int, int], offset: int) -> tuple[int, int]:
    """(line, column) of ``text[offset]``, counted on from a mark ``base`` = (index, line, column)."""
    index, line, column = base
    seg = text[index:offset]
    breaks = list(LINE_BREAK_RE.finditer(seg))
    if not breaks:
        return line, column + len(seg)
    return line + len(breaks), len(seg) - breaks[-1].end()


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    line: int  # 0-based
    column: int  # 0-based
    warning: bool = False


def char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


def trailing_comment(lines: list[str], end_line: int, end_column: int) -> int | None:
    """Column of a ``#`` that starts a comment right after a plain scalar ending at the mark."""
    if end_line >= len(lines):
        return None
    m = TRAILING_COMMENT_RE.match(lines[end_line], end_column)
    return m.end() - 1 if m else None


def comment_after_plain(value: str, lines: list[str], end_line: int, end_column: int) -> Finding | None:
    col = trailing_comment(lines, end_line, end_column)
    if col is None:
        return None
    comment = lines[end_line][col:].strip()
    shown = comment if len(comment) <= 30 else comment[:30] + "…"
    example = value.splitlines()[-1] if value else ""
    return Finding(
        "Y020",
        f"値の後ろの「 #」から行末まで（{shown}）はコメントとして読まれ、値には入りません。"
        f"「#」以降も値なら、値全体を引用符で囲んでください（例: \"{example} {comment}\"）。"
        "コメントのつもりなら、別の行に書いてください。",
        end_line, col)


def hidden_characters(value: str, text: str, start: tuple[int, int, int], end: int) -> list[Finding]:
    """Bidi controls and zero-width characters in ``value``, located in its source span from the
    mark ``start`` = (index, line, column) to the index ``end`` (or at the scalar's start when they
    come from an escape such as ``\\u202E``)."""
    if not SUSPECT_RE.search(value):
        return []
    out: list[Finding] = []
    span = text[start[0]:end]
    for regex, code, warning, what in (
        (BIDI_RE, "Y021", False, "文字の表示順を変える制御文字"),
        (ZERO_WIDTH_RE, "Y022", True, "幅のない（見えない）文字"),
    ):
        chars = regex.findall(value)
        if not chars:
            continue
        advice = ("見た目と中身が食い違う原因になるため、消してください。" if not warning
                  else "画面では見えませんが検索や比較を妨げます。不要なら消してください。")
        hits = [m for m in regex.finditer(span)][:MAX_PER_SCALAR]
        if hits:
            for m in hits:
                line, col = position(text, start, start[0] + m.start())
                out.append(Finding(code, f"{what}（{char_name(m.group())}）が含まれています。{advice}", line, col, warning))
        else:  # written as an escape in a double-quoted value
            out.append(Finding(code, f"{what}（{char_name(chars[0])}）が含まれています。{advice}", start[1], start[2], warning))
    return out


def fullwidth_space_key(key: str, line: int, column: int) -> Finding | None:
    """A plain key that starts or ends with U+3000 (full-width indentation or padding)."""
    if not key or not (key.startswith(FULLWIDTH_SPACE) or key.endswith(FULLWIDTH_SPACE)):
        return None
    where = "前" if key.startswith(FULLWIDTH_SPACE) else "後ろ"
    return Finding(
        "Y012",
        f"キー「{key.strip(FULLWIDTH_SPACE)}」の{where}に全角スペース（U+3000）があります。"
        "インデントやキーの前後には半角スペースを使ってください。",
        line, column if where == "前" else column + len(key.rstrip(FULLWIDTH_SPACE)))
