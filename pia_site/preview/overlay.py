"""What the live preview adds to served pages: its own script (livereload client, generation
check, overlay close button) and the error overlay shown while the content has errors."""
from __future__ import annotations

import html
from pathlib import Path

from ..diagnostics import Diagnostic, SourceLocation, display_path, format_diagnostics

STATUS_PATH = "/__pia__/status"
PREVIEW_JS_PATH = "/__pia__/preview.js"
OVERLAY_ID = "pia-error-overlay"

# The preview's own script, served as a file: the pages' Content-Security-Policy allows
# scripts from the site's origin only ('self'), never inline ones.  It loads livereload's
# client, checks the page's generation (livereload's message can be lost: it may reach a page
# that is still navigating; this check cannot), and wires the overlay's close button.
PREVIEW_JS = """(function () {
  var me = document.currentScript;
  var port = window.location.port || (window.location.protocol === "https:" ? 443 : 80);
  var live = document.createElement("script");
  live.src = "/livereload.js?port=" + port;
  document.head.appendChild(live);
  var g = parseInt(me ? me.getAttribute("data-generation") : "", 10);
  function check() {
    fetch("%(status)s?page=" + encodeURIComponent(location.pathname), {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (s.page > g) { location.reload(); } else { setTimeout(check, 1000); } })
      .catch(function () { setTimeout(check, 2000); });
  }
  if (!isNaN(g)) { setTimeout(check, 1000); }
  function wireOverlay() {
    var overlay = document.getElementById("%(overlay)s");
    var close = overlay && overlay.querySelector("button[data-pia-close]");
    if (close) { close.addEventListener("click", function () { overlay.remove(); }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", wireOverlay); } else { wireOverlay(); }
})();
""" % {"status": STATUS_PATH, "overlay": OVERLAY_ID}


def preview_script(generation: int | None) -> str:
    """The tag injected into every served page: the preview script (an external file, allowed
    by the pages' CSP), with the page's generation (see ``PreviewServer.page_generation``)."""
    gen = f' data-generation="{int(generation)}"' if generation is not None else ""
    return f'<script src="{PREVIEW_JS_PATH}"{gen}></script>'


def exception_diagnostic(exc: BaseException) -> Diagnostic:
    """A build that failed with an exception (a template error, a broken catalog) as a diagnostic."""
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None) or ""
    line = getattr(exc, "lineno", None) or 0
    where = display_path(Path(filename)) if filename else "(build)"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return Diagnostic("X001", f"ビルド中にエラーが起きました（{type(exc).__name__}: {message}）。", SourceLocation(where, line, 0))


def overlay_html(diagnostics: list[Diagnostic]) -> str:
    """The overlay shown over every page while the content has errors (the errors only:
    warnings do not stop a build, and ``pia-site check`` lists them)."""
    errors = [d for d in diagnostics if d.is_error]
    text = html.escape(format_diagnostics(errors))
    return (
        f'<div id="{OVERLAY_ID}" role="alertdialog" aria-modal="true" aria-labelledby="{OVERLAY_ID}-title" lang="ja" '
        'style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.82);'
        'padding:2rem 1rem;font:16px/1.6 system-ui,sans-serif">'
        '<div style="max-width:60rem;margin:0 auto;background:#fff;color:#1a1a1a;border-top:.5rem solid #b00020;'
        'padding:1.25rem 1.5rem;box-shadow:0 .5rem 2rem rgba(0,0,0,.4)">'
        f'<h2 id="{OVERLAY_ID}-title" style="margin:0 0 .5rem;font-size:1.3rem;color:#b00020">'
        f'コンテンツにエラーがあります（{len(errors)} 件）</h2>'
        '<p style="margin:0 0 1rem">ビルドを中止し、最後に正しくビルドできたサイトを表示しています。'
        '下の箇所を直して保存すると、自動で再表示します。</p>'
        f'<pre style="white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding:1rem;background:#f6f6f6;'
        f'border:1px solid #ccc;font:14px/1.6 ui-monospace,monospace">{text}</pre>'
        '<p style="margin:1rem 0 0"><button type="button" data-pia-close="">'
        '閉じる（前回のページを見る）</button></p>'
        '</div></div>'
    )


def overlay_page(diagnostics: list[Diagnostic]) -> str:
    """A page of its own when there is no good build to lay the overlay over."""
    return ('<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<title>ビルドエラー — pia-site</title>\n</head>\n<body>\n<main>\n<h1>pia-site プレビュー</h1>\n'
            + overlay_html(diagnostics) + '\n</main>\n</body>\n</html>\n')


def inject_overlay(page: str, overlay: str) -> str:
    i = page.rfind("</body>")
    return page[:i] + overlay + page[i:] if i >= 0 else page + overlay
