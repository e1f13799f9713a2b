/* pia-site: in-page navigation for long documents (assessment and 変更箇所 pages).
 * - A link to an item inside a folded section opens the sections around it (Chromium also does
 *   this by itself for <details>, and for find-in-page; other browsers need this script).
 * - The "#" link of an item copies the item's address, and says so.
 * - On a phone the parts start folded, except the one a link landed in.
 * - Printing opens every folded section.
 * No inline script anywhere: the Content-Security-Policy allows only the site's own files (script-src 'self'). */
(function () {
  "use strict";

  function target() {
    var id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it as written */ }
    return id ? document.getElementById(id) : null;
  }

  function openAround(el) {
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === "DETAILS" && !d.open) d.open = true;
    }
  }

  function reveal() {
    var el = target();
    if (!el) return;
    var closed = false;
    for (var d = el.parentElement; d; d = d.parentElement) {
      if (d.tagName === "DETAILS" && !d.open) closed = true;
    }
    openAround(el);
    if (closed) el.scrollIntoView();
  }

  var status = null;
  function say(text) {
    if (!status) return;
    status.textContent = text;
    window.clearTimeout(say.timer);
    say.timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.pl");
    if (!a || !navigator.clipboard || !window.isSecureContext) return;
    var url = a.href;
    navigator.clipboard.writeText(url).then(function () {
      say("この項目へのリンクをコピーしました: " + url);
    }, function () { /* no permission: the link still works */ });
  });

  // print every folded section (Chromium prints closed <details> closed; the CSS can't open them)
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details.fold:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  // On a phone the parts start folded (the contents above them, each part one tap away), except
  // the one a link landed in.  Without this script every part stays open.
  function foldOnPhones() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
    var el = target();
    Array.prototype.forEach.call(document.querySelectorAll(".doc-body > section > details.fold"), function (d) {
      if (!el || !d.contains(el)) d.open = false;
    });
  }

  function start() {
    // a live region present before anything is said in it, so screen readers announce the copy
    status = document.createElement("p");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    document.body.appendChild(status);
    foldOnPhones();
    reveal();
  }

  window.addEventListener("hashchange", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
