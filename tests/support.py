"""Test helpers shared by the pipeline tests (plain functions, no fixtures)."""
from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"

SITE_YAML = "title: テストサイト\ngannen: true\nseireki: after\n"
MUNI_YAML = "name: 越谷市\nprefecture: 埼玉県\ncode: \"112224\"\nbodies: [越谷市長]\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_content(root: Path, assessments: dict[str, str] | None = None, muni: str = MUNI_YAML, slug: str = "koshigaya") -> Path:
    """A content dir with site.yaml, one municipality and the given assessment files."""
    content = root / "content"
    write(content / "site.yaml", SITE_YAML)
    write(content / slug / "municipality.yaml", muni)
    for name, text in (assessments or {}).items():
        write(content / slug / f"{name}.yaml", text)
    return content


def scaffold_text(kind: str = "juten", edition: str = "令和6年10月") -> str:
    from pia_site.catalog import find_form
    from pia_site.scaffold import scaffold

    return scaffold(find_form(kind, edition))


def fill(text: str, values: dict) -> str:
    """A scaffold (``scaffold_text``) with ``values`` set: a dotted key path -> the YAML written
    after ``key:``; a top-level key the scaffold lacks is appended."""
    lines = text.split("\n")
    for path, value in values.items():
        keys = path.split(".")
        start, end = 0, len(lines)
        found = None
        for depth, key in enumerate(keys):
            pad = "  " * depth
            found = next((i for i in range(start, end) if re.match(rf"^{pad}{re.escape(key)}:(\s|$)", lines[i])), None)
            if found is None:
                break
            start = found + 1
            end = next((i for i in range(start, len(lines)) if re.match(rf"^ {{0,{len(pad)}}}[a-z_]+:", lines[i])), len(lines))
        v = "" if value is None else str(value)
        line = f"{'  ' * (len(keys) - 1)}{keys[-1]}:{' ' + v if v else ''}"
        if found is None:
            assert len(keys) == 1, f"no {path} in the scaffold"
            lines.append(line)
        else:
            depth = len(lines[found]) - len(lines[found].lstrip())
            nxt = found + 1
            while nxt < len(lines) and lines[nxt].strip() and len(lines[nxt]) - len(lines[nxt].lstrip()) > depth:
                del lines[nxt]  # the old block under the key
            lines[found] = line
    return "\n".join(lines)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def as_editor_sees_it(node):
    """A loaded YAML tree with YAML 1.2 core types, as VS Code's YAML language server reads it."""
    import re

    from pia_site.load import YMap, YSeq

    if isinstance(node, YMap):
        return {k.value: as_editor_sees_it(v) for k, v in node.entries}
    if isinstance(node, YSeq):
        return [as_editor_sees_it(v) for v in node.items]
    v = node.value
    if v is None:
        return None
    if v in ("true", "false"):
        return v == "true"
    return int(v) if re.fullmatch(r"0|[1-9]\d*", v) else v


def seed(name: str) -> Path:
    """A seed assessment text under tests/fixtures/seeds/ (see its README)."""
    path = SEEDS / name
    assert path.is_file(), f"missing test fixture {path}"
    return path


# ---------------------------------------------------------------------------
# content fidelity of a built page against a source text
#
# The measure of the project's reference script shared/tools/fidelity.py (outside this
# repository), reproduced here unchanged so that the tests run in a clean clone: the source is
# split into units (text between tags, whitespace, 。、・, and commas), both sides are
# NFKC-normalised, and a unit counts as seen when it occurs in the page's visible text with all
# whitespace removed. Only units of at least 4 characters with some kana or kanji count.

_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_SPLIT = re.compile(r"[\s。、・,，]+")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", html.unescape(s))


def fidelity_units(text: str, minlen: int = 4) -> list[str]:
    text = _norm(_TAG.sub(" ", text))
    out = []
    for u in _SPLIT.split(text):
        u = u.strip("()（）[]「」『』〔〕<>＜＞【】|-—–:：;；")
        if len(u) >= minlen and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", u):
            out.append(u)
    return out


def visible_text(page: Path) -> str:
    """The page's text without tags, scripts and styles, NFKC-normalised, whitespace removed."""
    t = _SCRIPT.sub(" ", page.read_text(encoding="utf-8", errors="replace"))
    return re.sub(r"\s+", "", _norm(_TAG.sub(" ", t)))


def fidelity(source: Path, page: Path, show: int = 30) -> tuple[int, int, str]:
    """(units seen, units in the source, a report listing the first ``show`` missing units)."""
    units = fidelity_units(source.read_text(encoding="utf-8"))
    hay = visible_text(page)
    missing = [u for u in units if re.sub(r"\s+", "", u) not in hay]
    seen = len(units) - len(missing)
    lines = [f"missing: {m[:120]}" for m in missing[:show]]
    lines.append(f"fidelity {seen}/{len(units)} = {100 * seen / (len(units) or 1):.1f}%")
    return seen, len(units), "\n".join(lines)


def without_most_compare_pages(out: Path, pages: list[str]) -> list[str]:
    """``pages`` (paths relative to the build ``out``) without the compare pages (450 on the
    sample, all from one template) except one of each kind: the compare index, a choice item's
    page, a text item's page and a prefecture's page of answers.  For the tests that load every
    page in a browser; the checks that read files read them all."""
    compare = [p for p in pages if p.startswith("compare/")]
    picked = [p for p in compare if p == "compare/index.html"]
    items = [p for p in compare if p.count("/") == 3]
    for marker in ('<th scope="col">選択肢</th>', '<th scope="col">記載</th>'):
        picked += [p for p in items if marker in (out / p).read_text(encoding="utf-8")][:1]
    picked += [p for p in compare if p.count("/") == 4][:1]
    assert len(picked) == 4, picked  # one of each kind is in the build
    return [p for p in pages if not p.startswith("compare/")] + picked
