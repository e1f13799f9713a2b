"""Template audit: a site's template overrides may not turn autoescaping off.

The default templates never mark text safe themselves (rich text arrives as ``Markup`` made by
``markup.py`` after its allowlist and nh3).  An override that writes ``{{ site.title|safe }}``,
``{% autoescape false %}`` or ``Markup(`` would publish author text as raw HTML, so each of
them is a located build error (T001) unless site.yaml opts in with
``allow_unsafe_templates: true``.
"""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, nodes

from .diagnostics import Diagnostic, SourceLocation
from .load import display_path
from .theme import Theme

_MARKUP = re.compile(r"\bMarkup\s*\(")
_SAFE = re.compile(r"\|\s*safe\b|\bfilter\s+safe\b")
_AUTOESCAPE = re.compile(r"\bautoescape\b")


def audit_theme(theme: Theme) -> list[Diagnostic]:
    """T001 for every use of ``|safe``, ``autoescape false`` or ``Markup(`` in the site's
    template overrides (none when the site allows them)."""
    root = theme.override_templates
    if theme.allow_unsafe or root is None or not root.is_dir():
        return []
    env = Environment(autoescape=True)  # parses only
    found: list[Diagnostic] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # not a template Jinja could load either
        found += audit_template(path, text, env)
    return found


def audit_template(path: Path, text: str, env: Environment | None = None) -> list[Diagnostic]:
    env = env or Environment(autoescape=True)
    uses: list[tuple[int, str, re.Pattern]] = []
    try:
        ast = env.parse(text, path.name, str(path))
    except TemplateSyntaxError:
        ast = None  # rendering reports the syntax error; Markup( is still looked for below
    if ast is not None:
        for f in ast.find_all(nodes.Filter):
            if f.name == "safe":
                uses.append((f.lineno, "|safe", _SAFE))
        for m in ast.find_all((nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)):
            for kw in m.options:
                if kw.key == "autoescape" and not (isinstance(kw.value, nodes.Const) and kw.value.value is True):
                    uses.append((m.lineno, "autoescape false", _AUTOESCAPE))
    for m in _MARKUP.finditer(text):
        uses.append((text.count("\n", 0, m.start()) + 1, "Markup(", _MARKUP))
    lines = text.split("\n")
    shown = display_path(path)
    out = []
    for line, what, pattern in sorted(set(uses), key=lambda u: (u[0], u[1])):
        hit = pattern.search(lines[line - 1]) if 0 < line <= len(lines) else None
        out.append(Diagnostic(
            "T001",
            f"テンプレートで {what} が使われています。サイト独自のテンプレートでは、自動エスケープを外して"
            "文字列をそのまま HTML として出力することはできません（本文などに書かれたタグやスクリプトが"
            "そのままページに載るためです）。外してください。どうしても必要な場合は、site.yaml に "
            "allow_unsafe_templates: true と書くと許可されます。",
            SourceLocation(shown, line, hit.start() + 1 if hit else 1)))
    return out
