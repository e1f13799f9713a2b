"""What a value parser returns (``Parsed``), and the plain text of a source cell it reads."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .clean import TAG_RE

DASHES = {"—", "―", "－", "-", "ー", "‐", "–", "-"}


@dataclass
class Parsed:
    value: Any = None
    residue: str = ""  # visible text not consumed (kept elsewhere, never dropped)
    notes: list[str] = field(default_factory=list)  # Japanese review notes
    variants: list[tuple[str, str]] = field(default_factory=list)  # (source spelling, the form's option)


def _plain(text: str) -> str:
    """Visible text with glyph inputs kept as tokens (for mark parsing)."""
    t = re.sub(r"<\s*(br|/p|/li|/div|/tr|/td)\b[^>]*>", " ", text, flags=re.I)
    t = TAG_RE.sub(lambda m: m.group(0) if m.group(2).lower() == "input" else " ", t)
    t = html.unescape(t)
    return re.sub(r"[ \u00a0\u3000\t]+", " ", t).strip()


def is_dash(text: str) -> bool:
    return text.strip() in DASHES
