"""Japanese explanations of YAML syntax errors, at the place the author has to edit.

PyYAML says, in English, where it got stuck (``problem_mark``) and often where the construct it
was reading began (``context_mark``).  The mistake is usually elsewhere: a quote opened lines
earlier, a tab or a full-width character in the indentation, a full-width colon.  Each detector
below looks at the raw text around the two marks for one such mistake; the first that recognises
its mistake gives the message and the position.  ``explain`` falls back to a Japanese rendering of
PyYAML's problem at PyYAML's position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

import yaml

from .yaml_scalars import yaml_lines

FW_SPACE = "\u3000"
FW_COLON = "\uff1a"


@dataclass(frozen=True)
class SyntaxProblem:
    """A PyYAML syntax error with the source lines; positions are 0-based (line, column)."""

    text: str
    lines: list[str]
    problem: str
    context: str
    at: Optional[tuple[int, int]]
    ctx: Optional[tuple[int, int]]

    @classmethod
    def of(cls, exc: yaml.MarkedYAMLError, text: str) -> "SyntaxProblem":
        def pos(mark):
            return (mark.line, mark.column) if mark is not None else None
        return cls(text, yaml_lines(text), (exc.problem or "").strip(), (exc.context or "").strip(),
                   pos(exc.problem_mark), pos(exc.context_mark))

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def suspect_lines(self) -> list[int]:
        """The problem line, the context line and the last non-blank line before the problem."""
        out: list[int] = []
        for mark in (self.at, self.ctx):
            if mark is not None and mark[0] not in out:
                out.append(mark[0])
        if self.at is not None:
            n = self.at[0] - 1
            while n >= 0 and not self.line(n).strip():
                n -= 1
            if n >= 0 and n not in out:
                out.append(n)
        return out


@dataclass(frozen=True)
class Explanation:
    code: str
    message: str
    line: int  # 0-based
    column: int  # 0-based


Detector = Callable[[SyntaxProblem], Optional[Explanation]]


def _bad_escape(p: SyntaxProblem) -> Explanation | None:
    """``"C:\\Users"``: a backslash in a double-quoted value starts an escape."""
    if p.at is None or not p.problem.startswith(("found unknown escape character", "expected escape sequence")):
        return None
    line = p.line(p.at[0])
    col = line.rfind("\\", 0, p.at[1] + 1)
    col = col if col >= 0 else p.at[1]
    escape = line[col: col + 2]
    return Explanation(
        "Y017",
        f"二重引用符 \"…\" の中では「\\」はエスケープ記号で、「{escape}」とは書けません。"
        "「\\」をそのまま書くなら単一引用符 '…' で囲むか、「\\\\」と書いてください。",
        p.at[0], col)


_KEY_LINE = re.compile(r"^[ ]*(?:- +)?[^\s#\"'\-\[{][^:]*:(?: |$)")


def _unclosed_quote(p: SyntaxProblem) -> Explanation | None:
    """PyYAML was still inside a quoted value when it stopped: at the end of the file, or lines
    later, after the value had swallowed lines that look like keys (the stop is then often some
    other complaint, such as a backslash escape further down)."""
    if p.ctx is None or "quoted scalar" not in p.context:
        return None
    quote = p.line(p.ctx[0])[p.ctx[1]: p.ctx[1] + 1] or "\""
    if p.problem.startswith(("found unexpected end of stream", "found unexpected document separator")):
        return Explanation(
            "Y014",
            f"ここで開いた引用符 {quote} が閉じられていません（ファイルの終わりまで閉じる {quote} がありません）。"
            f"値の終わりに {quote} を書いてください。",
            *p.ctx)
    if p.at is not None and any(_KEY_LINE.match(p.line(n)) for n in range(p.ctx[0] + 1, p.at[0] + 1)):
        return Explanation(
            "Y014",
            f"ここで開いた引用符 {quote} が閉じられていないようです（{p.at[0] + 1} 行目までが一つの値として"
            f"読まれています）。値の終わりに {quote} を書いてください。",
            *p.ctx)
    return None


def _quote_ran_on(p: SyntaxProblem) -> Explanation | None:
    """A quote left open on one line that a later quote closed: the value swallowed the lines
    between (with their keys), and PyYAML stops further down."""
    if p.at is None:
        return None
    last = None
    try:
        for token in yaml.scan(p.text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken) and token.style in ("\"", "'"):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.start_mark.line == last.end_mark.line or not 0 <= p.at[0] - last.end_mark.line <= 1:
        return None  # PyYAML stops where the stray closing quote is, or on the next line
    inner = range(last.start_mark.line + 1, last.end_mark.line + 1)
    if not any(_KEY_LINE.match(p.line(n)) for n in inner):
        return None
    quote = last.style
    return Explanation(
        "Y014",
        f"ここで開いた引用符 {quote} がこの行で閉じられていないため、{last.end_mark.line + 1} 行目の {quote} までの"
        f"行が一つの値として読まれています。値の終わりに {quote} を書いてください。",
        last.start_mark.line, last.start_mark.column)


def _tab(p: SyntaxProblem) -> Explanation | None:
    if p.at is not None and p.line(p.at[0])[p.at[1]: p.at[1] + 1] == "\t":
        return Explanation("Y011", "タブ文字が使われています。YAML のインデントや「:」の後には半角スペースを使ってください"
                           "（エディタの「タブをスペースに変換」を使うと確実です）。", *p.at)
    for n in p.suspect_lines():
        lead = re.match(r"[ \t\u3000]*", p.line(n)).group()
        if "\t" in lead:
            return Explanation("Y011", "タブ文字でインデントしています。YAML のインデントには半角スペースを使ってください"
                               "（エディタの「タブをスペースに変換」を使うと確実です）。", n, lead.index("\t"))
    return None


_FW_AFTER_INDICATOR = re.compile(rf"^[ ]*(?:[^\s#\"'\-\[{{][^:]*:|-)({FW_SPACE})")


def _fullwidth_space(p: SyntaxProblem) -> Explanation | None:
    for n in p.suspect_lines():
        line = p.line(n)
        lead = re.match(rf"[ {FW_SPACE}]*", line).group()
        if FW_SPACE in lead and lead != line:
            return Explanation("Y012", "全角スペース（U+3000）でインデントしています。YAML のインデントには半角スペースを"
                               "使ってください。", n, lead.index(FW_SPACE))
        m = _FW_AFTER_INDICATOR.match(line)
        if m:
            mark = "「-」" if line[m.start(1) - 1] == "-" else "「:」"
            return Explanation("Y012", f"{mark}の後が全角スペース（U+3000）になっています。半角スペースにしてください。",
                               n, m.start(1))
    return None


_FW_COLON_KEY = re.compile(rf"^[ ]*(?:- +)?[^\s#\"'\-\[{{:{FW_COLON}][^:{FW_COLON}]*({FW_COLON})")


def _fullwidth_colon(p: SyntaxProblem) -> Explanation | None:
    lines = set(p.suspect_lines())
    if p.ctx is not None and p.at is not None:
        lines.update(range(p.ctx[0], p.at[0] + 1))
    for n in sorted(lines):
        m = _FW_COLON_KEY.match(p.line(n))
        if m:
            return Explanation("Y013", "全角のコロン「：」がキーと値の区切りに使われています。"
                               "半角の「: 」（コロンと半角スペース）にしてください。", n, m.start(1))
    return None


def _key_in_value(p: SyntaxProblem) -> Explanation | None:
    if p.problem != "mapping values are not allowed here" or p.at is None:
        return None
    line, col = p.at
    before = p.line(line)[:col]
    if re.match(r"^[ ]*(?:- +)?[^\s#\"'][^:]*: ", before):
        return Explanation(
            "Y015",
            "値の中に「: 」（コロンと半角スペース）があります。YAML では値の中に「: 」をそのまま書けません。"
            "値全体を引用符で囲んでください（例: 説明: \"期間: 5年\"）。",
            line, col)
    return Explanation(
        "Y015",
        "「: 」の前までが上の行の値の続きとして読まれています。値の中の「: 」なら値全体を引用符で囲み、"
        "キーのつもりなら上のキーとインデント（字下げ）をそろえてください。",
        line, col)


def _text_after_quote(p: SyntaxProblem) -> Explanation | None:
    if p.at is None or "but found '<scalar>'" not in p.problem:
        return None
    before = p.line(p.at[0])[: p.at[1]].rstrip()
    if not before.endswith(("\"", "'")):
        return None
    return Explanation(
        "Y016",
        "引用符で囲んだ値の後ろに文字が続いています。値全体を引用符で囲むか（中の \" は \\\" と書きます）、"
        "引用符を外してください。",
        *p.at)


# PyYAML's problem (a prefix) -> Japanese; the position is PyYAML's (the context mark when
# ``at_context``): the generic fallback.
_GENERIC: tuple[tuple[str, str, bool], ...] = (
    ("could not find expected ':'", "「キー: 値」の「:」（コロンと半角スペース）が見つかりません。", True),
    ("expected <block end>", "インデント（字下げ）がそろっていません。同じ階層のキーや「- 」は同じ桁から書いてください。", False),
    ("expected ',' or ']'", "「[」に対応する「]」がないか、「,」が抜けています。", False),
    ("expected ',' or '}'", "「{」に対応する「}」がないか、「,」が抜けています。", False),
    ("expected alphabetic or numeric character", "値の始めの「*」や「&」は YAML の記号です。値を引用符で囲んでください。", True),
    ("expected chomping or indentation indicators", "値の始めの「|」や「>」は YAML の記号です。値を引用符で囲んでください。", True),
    ("expected a comment or a line break", "値の始めの「|」や「>」は YAML の記号です。値を引用符で囲んでください。", True),
    ("found character", "この文字は値の始めに書けません。値を引用符で囲んでください。", False),
    ("expected a single document", "1 つのファイルには文書を 1 つだけ書いてください（「---」や「...」の行を消してください）。", False),
    ("found unexpected end of stream", "ファイルが途中で終わっています。", False),
)


def _generic(p: SyntaxProblem) -> Explanation:
    m = re.match(r"found character '(.+)' that cannot start any token", p.problem)
    if m and p.at is not None:
        return Explanation("Y001", f"YAML の書き方に誤りがあります。「{m.group(1)}」は値の始めに書けません。"
                           "値を引用符で囲んでください。", *p.at)
    for prefix, message, at_context in _GENERIC:
        if p.problem.startswith(prefix) or p.context.startswith(prefix):
            mark = (p.ctx if at_context else p.at) or p.at or p.ctx or (0, 0)
            return Explanation("Y001", f"YAML の書き方に誤りがあります。{message}", *mark)
    mark = p.at or p.ctx or (0, 0)
    detail = "、".join(x for x in (p.context, p.problem) if x)
    return Explanation("Y001", f"YAML の書き方に誤りがあります（{detail}）。インデント、「:」の後の半角スペース、"
                       "引用符の閉じ忘れを確認してください。", *mark)


DETECTORS: tuple[Detector, ...] = (
    _unclosed_quote, _bad_escape, _tab, _fullwidth_space, _fullwidth_colon, _quote_ran_on,
    _text_after_quote, _key_in_value,
)


def explain(exc: yaml.MarkedYAMLError, text: str) -> Explanation:
    p = SyntaxProblem.of(exc, text)
    for detect in DETECTORS:
        found = detect(p)
        if found is not None:
            return found
    return _generic(p)
