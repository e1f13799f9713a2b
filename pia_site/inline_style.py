"""Inline ``style`` attributes: read the declarations as a browser would, find the ones that
hide text, and keep only the allowed, visible ones.

Property names are matched case-insensitively (``COLOR: RED`` is ``color: red``); the value is
entity-decoded first (``display&#58;none`` is ``display:none``) and CSS comments are dropped.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

ALLOWED_STYLE = {"list-style-type", "text-align", "color", "margin-left", "margin-right", "font-weight", "text-decoration"}

_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_IMPORTANT = re.compile(r"!\s*important\s*$", re.I)
_NEGATIVE = re.compile(r"(?<![\w.-])-\s*(?:\d|\.\d)")
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-z%]*)$")
_OFFSET_PROPS = {"margin", "margin-left", "margin-right", "margin-top", "margin-bottom", "margin-inline",
                 "margin-inline-start", "margin-inline-end", "margin-block", "margin-block-start",
                 "margin-block-end", "text-indent", "left", "right", "top", "bottom", "inset",
                 "inset-inline-start", "inset-inline-end", "z-index", "letter-spacing", "word-spacing"}
_SIZE_PROPS = {"width", "height", "max-width", "max-height", "line-height"}
_COLOR_PROPS = {"color", "-webkit-text-fill-color"}
_WHITE = {"white", "#fff", "#ffffff", "#ffff", "#ffffffff", "rgb(255,255,255)", "rgba(255,255,255,1)"}
# smallest font size that is still readable, per unit
_MIN_FONT = {"px": 6.0, "pt": 4.5, "pc": 0.4, "mm": 1.6, "cm": 0.16, "in": 0.0625, "q": 6.4,
             "em": 0.4, "rem": 0.4, "ex": 0.8, "ch": 0.8, "%": 40.0, "vw": 0.5, "vh": 0.5}


@dataclass(frozen=True)
class Declaration:
    name: str  # lower case
    value: str  # without ``!important``
    raw: str  # as written (after entity decoding), for messages


def declarations(style: str) -> list[Declaration]:
    text = _COMMENT.sub("", html.unescape(style))
    out: list[Declaration] = []
    for part in text.split(";"):
        if ":" not in part:
            continue
        name, value = part.split(":", 1)
        name = name.strip().lower()
        if name:
            out.append(Declaration(name, _IMPORTANT.sub("", value).strip(), part.strip()))
    return out


def _number(value: str) -> tuple[float, str] | None:
    m = _NUMBER.match(value.strip().lower())
    return (float(m.group(1)), m.group(2)) if m else None


def _alpha_zero(color: str) -> bool:
    c = re.sub(r"\s+", "", color.lower())
    if c == "transparent":
        return True
    m = re.fullmatch(r"#([0-9a-f]{4}|[0-9a-f]{8})", c)
    if m:
        alpha = m.group(1)[3:] if len(m.group(1)) == 4 else m.group(1)[6:]
        return int(alpha, 16) / (15 if len(alpha) == 1 else 255) <= 0.1
    m = re.fullmatch(r"(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\((.*)\)", c)
    if m:
        inner = m.group(1)
        alpha = inner.split("/")[1] if "/" in inner else (inner.split(",")[3] if inner.count(",") == 3 else None)
        if alpha is not None:
            n = _number(alpha)
            if n is not None:
                return (n[0] / 100 if n[1] == "%" else n[0]) <= 0.1
    return False


def hides_text(d: Declaration) -> str | None:
    """Why ``d`` makes text invisible (Japanese), or None."""
    v = d.value.lower().strip()
    compact = re.sub(r"\s+", "", v)
    if d.name == "display" and v == "none":
        return "要素を表示しない指定"
    if d.name in ("visibility", "content-visibility") and v in ("hidden", "collapse"):
        return "要素を見えなくする指定"
    if d.name == "opacity":
        n = _number(v)
        if n is not None and (n[0] / 100 if n[1] == "%" else n[0]) <= 0.1:
            return "透明にする指定"
    if d.name in _COLOR_PROPS:
        if _alpha_zero(v):
            return "文字色を透明にする指定"
        if compact in _WHITE:
            return "文字色を背景と同じ白にする指定"
    if d.name == "font-size":
        n = _number(v)
        if n is not None and (n[0] <= 0 or n[0] < _MIN_FONT.get(n[1], 0.0)):
            return "文字を読めない大きさにする指定"
    if d.name in _OFFSET_PROPS and _NEGATIVE.search(v):
        return "文字を画面の外や他の文字の下に動かす（負の値の）指定"
    if d.name in _SIZE_PROPS:
        n = _number(v)
        if n is not None and n[0] <= 0:
            return "大きさを 0 にする指定"
    if d.name in ("clip", "clip-path"):
        return "表示を切り取る指定"
    if d.name == "transform" and ("scale(0" in compact or _NEGATIVE.search(v)):
        return "文字を縮めたり画面の外に動かしたりする指定"
    if d.name == "position" and v in ("absolute", "fixed"):
        return "文字を本文の外に置く指定"
    return None


def clean_style(style: str) -> str:
    """The allowed, visible declarations of ``style``, names in lower case; ``style`` itself when
    nothing had to change."""
    decls = declarations(style)
    kept = [d for d in decls if d.name in ALLOWED_STYLE and hides_text(d) is None]
    names_as_written = [d.raw.split(":", 1)[0].strip() for d in decls]
    if len(kept) == len(decls) and all(n == n.lower() for n in names_as_written) and "&" not in style and "/*" not in style:
        return style
    return "; ".join(f"{d.name}: {d.value}" for d in kept)
