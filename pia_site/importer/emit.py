"""A deterministic YAML writer for the assessment tree.

Written by hand (not ``yaml.dump``): keys stay in the order given (the catalog's),
there are no anchors or aliases, multi-line text is a literal block (``|-``), a
one-line string is plain only when a YAML reader cannot take it for anything else,
otherwise double-quoted.  ``verify`` reads the text back and compares.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
RESERVED = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
            "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"}
NUMBERISH = re.compile(r"^[-+]?(\d[\d,_]*)?(\.\d*)?([eE][-+]?\d+)?$|^0[xob][0-9a-fA-F_]+$|^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$|^\d+:\d+")
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff\t]")


def emit(tree: dict, header: list[str] | None = None, comments: dict[tuple, list[str]] | None = None) -> str:
    """``comments``: {tree path (keys and list positions): texts}, each written as ``# text`` on
    its own line just above that key or list item; ``()`` goes after the header."""
    out: list[str] = [f"# {h}".rstrip() for h in (header or [])]
    notes = comments or {}
    out += [f"# {c}" for c in notes.get((), [])]
    _mapping(tree, 0, out, (), notes)
    return "\n".join(out) + "\n"


def _comments(path: tuple, indent: int, out: list[str], notes: dict) -> None:
    out += [f"{' ' * indent}# {c}" for c in notes.get(path, [])]


def _mapping(d: dict, indent: int, out: list[str], path: tuple = (), notes: dict | None = None) -> None:
    for k, v in d.items():
        if notes:
            _comments(path + (k,), indent, out, notes)
        _entry(_scalar_inline(str(k), key=True), v, indent, out, path + (k,), notes)


def _entry(key: str, value: Any, indent: int, out: list[str], path: tuple = (), notes: dict | None = None) -> None:
    pad = " " * indent
    if value is None:
        out.append(f"{pad}{key}:")
    elif isinstance(value, bool):
        out.append(f"{pad}{key}: {'true' if value else 'false'}")
    elif isinstance(value, str):
        out.extend(_scalar(f"{pad}{key}:", value, indent))
    elif isinstance(value, dict):
        if not value:
            out.append(f"{pad}{key}: {{}}")
        else:
            out.append(f"{pad}{key}:")
            _mapping(value, indent + 2, out, path, notes)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(f"{pad}{key}: []")
        else:
            out.append(f"{pad}{key}:")
            _sequence(list(value), indent + 2, out, path, notes)
    else:
        raise TypeError(f"cannot emit {type(value).__name__}")


def _sequence(items: list, indent: int, out: list[str], path: tuple = (), notes: dict | None = None) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        if notes:
            _comments(path + (i,), indent, out, notes)
        if isinstance(item, dict):
            if not item:
                out.append(f"{pad}- {{}}")
                continue
            sub: list[str] = []
            _mapping(item, indent + 2, sub, path + (i,), notes)
            lead = 0
            while sub[lead].lstrip().startswith("#"):  # the first key's comments go above the dash
                lead += 1
            out.extend(f"{pad}{c.lstrip()}" for c in sub[:lead])
            sub[lead] = f"{pad}- {sub[lead][indent + 2:]}"
            out.extend(sub[lead:])
        elif item is None:
            out.append(f"{pad}-")
        elif isinstance(item, bool):
            out.append(f"{pad}- {'true' if item else 'false'}")
        elif isinstance(item, str):
            out.extend(_scalar(f"{pad}-", item, indent))
        elif isinstance(item, (list, tuple)):
            if not item:
                out.append(f"{pad}- []")
            else:
                sub = []
                _sequence(list(item), indent + 2, sub)
                sub[0] = f"{pad}- {sub[0][indent + 2:]}"
                out.extend(sub)
        else:
            raise TypeError(f"cannot emit {type(item).__name__}")


def _scalar(prefix: str, s: str, indent: int) -> list[str]:
    s = s.rstrip("\n") if "\n" in s else s
    lines = s.split("\n")
    long_quoted = len(lines) == 1 and len(s) > 60 and not _plain_ok(s, False)
    if ((len(lines) > 1 or long_quoted) and not UNSAFE_CHARS.search(s.replace("\t", " "))
            and not s.startswith((" ", "\n")) and all(ln == ln.rstrip(" \t") for ln in lines)):
        body = " " * (indent + 2)
        return [f"{prefix} |-"] + [(body + ln) if ln else "" for ln in lines]
    return [f"{prefix} {_scalar_inline(s)}"]


def _scalar_inline(s: str, key: bool = False) -> str:
    if _plain_ok(s, key):
        return s
    return _double(s)


def _plain_ok(s: str, key: bool) -> bool:
    if s in RESERVED or s != s.strip() or "\n" in s:
        return False
    if UNSAFE_CHARS.search(s):
        return False
    if s[0] in INDICATORS:
        return False
    if ": " in s or " #" in s or s.endswith(":"):
        return False
    if NUMBERISH.match(s):
        return False
    if DATE.match(s):
        return not key
    return True


def _double(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\x85\u2028\u2029\ufeff":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _expected(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return {str(k): _expected(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_expected(x) for x in v]
    return v


def verify(text: str, tree: dict) -> None:
    """Read the YAML back (all scalars as strings) and compare with the tree."""
    back = yaml.load(text, Loader=yaml.BaseLoader)
    want = _expected(tree)
    if back != want:
        raise AssertionError(_first_difference(back, want))


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)[:5]} != {list(b)[:5]}"
        for k in a:
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}.{i}")
    return f"{path}: {a!r} != {b!r}"
