"""Official links of an assessment: ``source_url`` (the document as filed, usually its PDF) and
``ppc_url`` (its page on the 個人情報保護委員会's site).  Both optional top-level keys, both
https URLs that the assessment page links to."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..load import YMap
from .checker import Checker

# top-level key -> what the page calls it (also the key's label in diagnostics and the JSON Schema)
OFFICIAL_LINKS = {
    "source_url": "公表された評価書（PDF）の URL",
    "ppc_url": "個人情報保護委員会の公表ページの URL",
}

HTTPS_PATTERN = r"^https://[^\s/?#]+[^\s]*$"  # the JSON Schema's pattern (the check below is stricter)


def is_https_url(text: str) -> bool:
    """An absolute https URL with a host and no whitespace or control character."""
    if not text or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password


def official_links(ck: Checker, top: YMap) -> dict[str, str]:
    """``{key: url}`` of the official links present; a value that is not an https URL is V085."""
    out: dict[str, str] = {}
    for key, label in OFFICIAL_LINKS.items():
        node = top.get(key)
        raw = ck.scalar(node, key, label) if node is not None else None
        if raw is None or not raw.strip():
            continue
        url = raw.strip()
        if not is_https_url(url):
            ck.error("V085", f"{key}（{label}）には https:// で始まる URL を書いてください（空白や改行を含めず、利用者名やパスワードは書けません）: 「{raw[:80]}」",
                     node, key, label)
            continue
        out[key] = url
    return out
