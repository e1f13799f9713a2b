/* pia-site search client: exact substring search over the static n-gram index
 * built by pia_site/search (see its docstrings for the file formats).
 *
 *   window.piaSearch.search(query, {filters, limit, offset, budget})
 *     -> Promise<[{url, title, municipality, form, snippet, highlights, ...}]>
 *        with .more (more results may follow), .checked and .candidates (chunks)
 *
 * filters: {prefecture, municipality (slug), form (全項目評価書 | 重点項目評価書,
 * or 全項目 | 重点項目), jimu (part of the 事務 name), from, to (公表日, YYYY-MM-DD)}.
 * Without a limit every result is returned.  budget: bytes the call may download (files
 * fetched before cost nothing); the search page uses piaSearch.pageBytes per page.  The index is found next to this
 * script (../search/data/), or where the script tag's data-index says.
 * No dependencies; data reaches the page only as DOM text nodes.
 */
(function () {
  "use strict";

  // ---- normalisation: mirrors pia_site/search/normalise.py --------------------------------
  var WS = "\t\n\x0b\x0c\r \x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029\u200b\u200c\u200d\u2060\ufeff";
  var DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63";
  function fold(ch, keepSeparator) {
    if (ch === "\n" && keepSeparator) return ch;
    if (ch === "\u30fc" || WS.indexOf(ch) >= 0) return "";
    if (DASHES.indexOf(ch) >= 0) return "-";
    if (ch === "\u301c") return "~";
    return ch;
  }
  function normaliseMode(s, keepSeparator) {
    var t = String(s).normalize("NFKC").toLowerCase();
    var out = "";
    for (var i = 0; i < t.length; i++) out += fold(t[i], keepSeparator);
    return out;
  }
  function normalise(s) { return normaliseMode(s, false); }

  function fnv1a(gram) {
    var h = 0x811c9dc5;
    for (var ch of gram) { h ^= ch.codePointAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  // Keys of a normalised query (pia_site/search/grams.py): itself up to 3 characters, else its trigrams.
  function queryGrams(q) {
    var cps = Array.from(q).slice(0, 64);
    if (cps.length <= 3) return cps.length ? [cps.join("")] : [];
    var set = {};
    for (var i = 0; i + 2 < cps.length; i++) set[cps[i] + cps[i + 1] + cps[i + 2]] = 1;
    return Object.keys(set).sort();
  }
  // ---- fetching -----------------------------------------------------------------------------
  var script = document.currentScript;
  var base = new URL((script && script.dataset.index) || "../search/data/", script ? script.src : location.href);
  var siteRoot = new URL("../../", base);
  var stats = { requests: 0, bytes: 0 };
  var cache = new Map();
  var rawSize = new Map();  // path -> bytes downloaded

  function load(path) {
    if (!cache.has(path)) {
      var p = fetch(new URL(path, base)).then(function (res) {
        if (!res.ok) throw new Error("search index: " + res.status + " " + path);
        return res.arrayBuffer();
      }).then(function (raw) {
        stats.requests += 1;
        stats.bytes += raw.byteLength;
        rawSize.set(path, raw.byteLength);
        var stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate"));
        return new Response(stream).arrayBuffer();
      });
      p.catch(function () { cache.delete(path); });
      cache.set(path, p);
    }
    return cache.get(path);
  }
  var utf8 = new TextDecoder("utf-8");
  var parsed = new Map();
  function loadJSON(path) {
    if (!parsed.has(path)) {
      var p = load(path).then(function (b) { return JSON.parse(utf8.decode(b)); });
      p.catch(function () { parsed.delete(path); });
      parsed.set(path, p);
    }
    return parsed.get(path);
  }

  var metaPromise = null;
  function meta() {
    if (!metaPromise) {
      metaPromise = loadJSON("meta.z").then(function (m) {
        if (m.format !== 3 || m.norm !== "nfkc-lower-fold-1" || m.hash !== "fnv1a32" || m.gram !== 3) throw new Error("search index: unknown format");
        m.bySlug = new Map();
        m.municipalities.forEach(function (x) { m.bySlug.set(x[0], x); });
        return m;
      });
      metaPromise.catch(function () { metaPromise = null; });
    }
    return metaPromise;
  }
  // The facet columns of every assessment: only for filtered queries and the 事務 suggestions.
  var docsPromise = null;
  function docsTable() {
    if (!docsPromise) {
      docsPromise = Promise.all([meta(), loadJSON("docs.z")]).then(function (r) {
        var m = r[0], t = r[1], first = t.firstChunk, chunkDoc = new Int32Array(m.chunks);
        for (var d = 0; d < first.length; d++) {
          var end = d + 1 < first.length ? first[d + 1] : m.chunks;
          for (var c = first[d]; c < end; c++) chunkDoc[c] = d;
        }
        t.chunkDoc = chunkDoc;
        return t;
      });
      docsPromise.catch(function () { docsPromise = null; });
    }
    return docsPromise;
  }

  // Shard: varint count, then per gram: varint len, UTF-8 bytes, varint (count<<1 | kind), payload.
  var shards = new Map();
  function shard(id) {
    if (!shards.has(id)) {
      shards.set(id, load("g/" + id.toString(16) + ".z").then(function (buf) {
        var b = new Uint8Array(buf), pos = 0, map = new Map();
        function v() { var n = 0, mul = 1, x; do { x = b[pos++]; n += (x & 127) * mul; mul *= 128; } while (x & 128); return n; }
        var n = v();
        for (var i = 0; i < n; i++) {
          var len = v(), gram = utf8.decode(b.subarray(pos, pos + len)); pos += len;
          var head = v(), count = Math.floor(head / 2), ids = new Uint32Array(count);
          if (head & 1) {
            var byte0 = v(), nbytes = v(), k = 0;
            for (var j = 0; j < nbytes; j++) {
              var x = b[pos + j];
              for (var bit = 0; x && bit < 8; bit++, x >>= 1) if (x & 1) ids[k++] = (byte0 + j) * 8 + bit;
            }
            pos += nbytes;
          } else {
            var prev = 0;
            for (var j2 = 0; j2 < count; j2++) { prev += v(); ids[j2] = prev; }
          }
          map.set(gram, ids);
        }
        return map;
      }));
      shards.get(id).catch(function () { shards.delete(id); });
    }
    return shards.get(id);
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++; else if (a[i] > b[j]) j++; else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  // ---- facets -------------------------------------------------------------------------------
  function dateInt(s) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(s || "");
    return m ? +m[1] * 10000 + +m[2] * 100 + +(m[3] || 1) : 0;
  }
  function hasFilters(f) {
    return !!f && Object.keys(f).some(function (k) { return f[k]; });
  }
  function allowedDocs(m, t, f) {
    f = f || {};
    var n = t.form.length, ok = new Uint8Array(n).fill(1), any = false;
    var pref = f.prefecture ? m.prefectures.indexOf(f.prefecture) : -1;
    var muni = -1;
    if (f.municipality) m.municipalities.forEach(function (x, i) { if (x[0] === f.municipality) muni = i; });
    var form = -1;
    if (f.form) m.forms.forEach(function (x, i) { if (x === f.form || x.indexOf(f.form) === 0) form = i; });
    var jimu = f.jimu ? normalise(f.jimu) : "";
    var jimuOk = jimu ? t.jimu.map(function (x) { return normalise(x).indexOf(jimu) >= 0; }) : null;
    var from = f.from ? dateInt(f.from) : 0, to = f.to ? dateInt(f.to) : 0;
    for (var d = 0; d < n; d++) {
      var mi = t.municipality[d], pub = t.published[d];
      if ((f.prefecture && (mi < 0 || m.municipalities[mi][2] !== pref)) ||
          (f.municipality && mi !== muni) ||
          (f.form && t.form[d] !== form) ||
          (jimuOk && !jimuOk[t.jimuOf[d]]) ||
          (from && (!pub || pub < from)) || (to && (!pub || pub > to))) { ok[d] = 0; any = true; }
    }
    return any ? ok : null;
  }

  // ---- snippets -----------------------------------------------------------------------------
  var MARK = /[\p{M}\uff9e\uff9f]/u;
  function simple(c) {  // characters that normalisation leaves as they are
    return (c >= 0x3041 && c <= 0x30fa) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) || c === 0x3001 || c === 0x3002 || c === 0x30fb;
  }
  // Display offsets of normalised offsets, found by normalising the display text segment by
  // segment (a character and the marks that follow it), as far as both limits.  null if the
  // pieces do not add up to the stored normalised text (a browser with other Unicode data).
  function displayMap(text, norm, normUpTo, textUpTo) {
    var starts = [], ends = [], i = 0, n = 0;
    while (i < text.length && (n < normUpTo || i < textUpTo)) {
      var c = text.charCodeAt(i), j = i + 1;
      if (c >= 0xd800 && c <= 0xdbff && j < text.length) j++;
      while (j < text.length && MARK.test(text[j])) j++;
      var piece = (j === i + 1 && simple(c)) ? text[i] : normaliseMode(text.slice(i, j), true);
      if (norm.substr(n, piece.length) !== piece) return null;
      for (var k = 0; k < piece.length; k++) { starts.push(i); ends.push(j); }
      n += piece.length;
      i = j;
    }
    return { starts: starts, ends: ends };
  }
  var WINDOW = 140, BEFORE = 40;
  function snippet(text, norm, q) {
    var first = norm.indexOf(q);
    var map = first >= 0 ? displayMap(text, norm, first + q.length, 0) : null;
    var s = map ? Math.max(0, map.starts[first] - BEFORE) : 0, e = Math.min(text.length, s + WINDOW);
    if (map) map = displayMap(text, norm, first + q.length, e);
    var prefix = s > 0 ? "…" : "", out = prefix + text.slice(s, e).replace(/\n/g, " ") + (e < text.length ? "…" : "");
    var hl = [];
    for (var h = first; map && h >= 0 && h + q.length <= map.starts.length; h = norm.indexOf(q, h + q.length)) {
      var a = map.starts[h], b = map.ends[h + q.length - 1];
      if (a >= s && b <= e) hl.push([a - s + prefix.length, b - s + prefix.length]);
    }
    return { snippet: out, highlights: hl };
  }

  // ---- search -------------------------------------------------------------------------------
  // A page of results stops early once the chunks it would fetch next would take the bytes this
  // call downloaded past the budget (client.py: PAGE_BYTES and the same rule).  Every call checks
  // at least one batch of chunks it had not fetched before, so "more" always makes progress.
  var PAGE_BYTES = 250000, BATCH = 6;
  function search(query, opts) {
    opts = opts || {};
    var q = normalise(query || "");
    var limit = opts.limit == null ? Infinity : opts.limit, offset = opts.offset || 0;
    var budget = opts.budget == null ? Infinity : opts.budget;
    var results = [];
    results.more = false;
    results.query = q;
    results.checked = 0;
    results.candidates = 0;
    results.budgetHit = false;
    if (!q) return Promise.resolve(results);
    var fresh = [];  // files this call downloads
    function note(path) { if (!cache.has(path)) fresh.push(path); }
    function spent() { return fresh.reduce(function (s, p) { return s + (rawSize.get(p) || 0); }, 0); }
    var filtered = hasFilters(opts.filters);
    note("meta.z");
    if (filtered) note("docs.z");
    return Promise.all([meta(), filtered ? docsTable() : null]).then(function (r) {
      var m = r[0], table = r[1];
      var grams = queryGrams(q);
      return Promise.all(grams.map(function (g) {
        var id = fnv1a(g) % m.shards;
        note("g/" + id.toString(16) + ".z");
        return shard(id).then(function (map) { return map.get(g) || new Uint32Array(0); });
      })).then(function (lists) {
        lists.sort(function (a, b) { return a.length - b.length; });
        var cand = Array.from(lists[0]);
        for (var i = 1; i < lists.length && cand.length; i++) cand = intersect(cand, lists[i]);
        var ok = table && allowedDocs(m, table, opts.filters);
        if (ok) cand = cand.filter(function (c) { return ok[table.chunkDoc[c]]; });
        var want = offset + limit, found = 0, next = 0, newChunks = 0, chunkBytes = 0;
        results.candidates = cand.length;
        function done() {
          results.checked = next;
          results.more = results.more || next < cand.length;
          return results;
        }
        function step() {
          if (next >= cand.length || found >= want) return done();
          var size = isFinite(want) ? Math.max(1, Math.min(BATCH, want - found)) : BATCH;  // client.py: the same
          var paths = cand.slice(next, next + size).map(function (c) { return "t/" + c + ".z"; });
          var newPaths = paths.filter(function (p) { return !cache.has(p); });
          if (isFinite(budget) && newChunks && newPaths.length &&
              spent() + newPaths.length * chunkBytes / newChunks > budget) {
            results.budgetHit = true;
            return done();
          }
          fresh.push.apply(fresh, newPaths);
          next += paths.length;
          return Promise.all(paths.map(loadJSON)).then(function (chunks) {
            newChunks += newPaths.length;
            newPaths.forEach(function (p) { chunkBytes += rawSize.get(p) || 0; });
            chunks.forEach(function (ch) {
              var muni = m.bySlug.get(ch.municipality) || ["", "", -1];
              ch.units.forEach(function (u) {
                if (u[4].indexOf(q) < 0) return;
                if (found >= want) { results.more = true; return; }
                found += 1;
                if (found <= offset) return;
                var sn = snippet(u[3], u[4], q);
                results.push({
                  url: new URL(ch.url + "#" + u[0], siteRoot).href,
                  anchor: u[0], title: u[1], section: ch.sections[u[2]],
                  assessment: ch.title, assessmentUrl: new URL(ch.url, siteRoot).href, doc: ch.doc,
                  municipality: muni[1], municipalitySlug: muni[0], prefecture: m.prefectures[muni[2]] || "",
                  form: ch.form, jimu: ch.jimu,
                  published: pubIso(ch.published),
                  snippet: sn.snippet, highlights: sn.highlights
                });
              });
            });
            return step();
          });
        }
        return step();
      });
    });
  }
  function pubIso(n) {
    if (!n) return "";
    var s = String(n);
    return s.slice(0, 4) + "-" + s.slice(4, 6) + "-" + s.slice(6, 8);
  }

  window.piaSearch = { search: search, normalise: normalise, meta: meta, stats: stats, base: base.href, pageBytes: PAGE_BYTES };

  // ---- the search page ----------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function marked(text, ranges) {
    var p = el("p", "snippet"), at = 0;
    ranges.forEach(function (r) {
      if (r[0] < at) return;
      p.appendChild(document.createTextNode(text.slice(at, r[0])));
      p.appendChild(el("mark", null, text.slice(r[0], r[1])));
      at = r[1];
    });
    p.appendChild(document.createTextNode(text.slice(at)));
    return p;
  }
  var PAGE = 20;

  function setupPage() {
    var form = document.getElementById("pia-search");
    if (!form) return;
    var status = document.getElementById("pia-status"), out = document.getElementById("pia-results");
    // #pia-file is shown until this script runs: from file:// the browser refuses the script
    // (its integrity cannot be checked there), and the search index could not be fetched anyway
    var fallback = document.getElementById("pia-file");
    if (location.protocol === "file:") {
      status.textContent = "検索は Web サーバーから開いたときに使えます。下の団体一覧から評価書をご覧ください。";
      return;
    }
    if (fallback) fallback.hidden = true;
    form.hidden = false;
    var input = form.elements.q, seq = 0, timer = 0, shown = 0;
    var fields = ["prefecture", "municipality", "form", "jimu", "from", "to"];

    var jimuField = form.elements.jimu, list = document.getElementById("pia-jimu-list");
    if (jimuField && list) {
      jimuField.addEventListener("focus", function () {  // 事務 suggestions: fetched when wanted
        if (list.childNodes.length) return;
        docsTable().then(function (t) {
          if (list.childNodes.length) return;
          t.jimu.forEach(function (j) { if (j) { var o = el("option"); o.value = j; list.appendChild(o); } });
        }).catch(function () {});
      });
    }

    function filters() {
      var f = {};
      fields.forEach(function (k) { var e = form.elements[k]; if (e && e.value) f[k] = e.value; });
      return f;
    }
    function run(append) {
      var my = ++seq, q = input.value, f = filters();
      var params = new URLSearchParams();
      if (q) params.set("q", q);
      Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
      history.replaceState(null, "", "?" + params.toString());
      if (!append) { shown = 0; }
      if (!normalise(q)) { out.replaceChildren(); status.textContent = ""; return; }
      status.textContent = "検索しています…";
      search(q, { filters: f, offset: shown, limit: PAGE, budget: window.piaSearch.pageBytes }).then(function (res) {
        if (my !== seq) return;
        render(res, append);
      }).catch(function (err) {
        if (my !== seq) return;
        status.textContent = "検索できませんでした（" + err.message + "）。";
      });
    }
    function render(res, append) {
      if (!append) out.replaceChildren();
      var more = document.getElementById("pia-more");
      if (more) more.remove();
      var group = append ? out.lastElementChild : null, list = group ? group.querySelector("ol") : null;
      var firstNew = null;
      res.forEach(function (r) {
        if (!group || group.dataset.doc !== String(r.doc)) {
          group = el("section", "hit-group");
          group.dataset.doc = String(r.doc);
          var h = el("h2"), a = el("a", null, r.assessment);
          a.href = r.assessmentUrl;
          h.appendChild(a);
          group.appendChild(h);
          group.appendChild(el("p", "meta", [r.prefecture + " " + r.municipality, r.form, r.published ? "公表日 " + r.published : ""].filter(Boolean).join("・")));
          list = el("ol", "hits");
          group.appendChild(list);
          out.appendChild(group);
        }
        var li = el("li", "hit"), link = el("a", null, (r.section ? r.section + " › " : "") + r.title);
        link.href = r.url;
        if (!firstNew) firstNew = link;
        li.appendChild(link);
        li.appendChild(marked(r.snippet, r.highlights));
        list.appendChild(li);
      });
      shown += res.length;
      if (append && firstNew) firstNew.focus();  // "さらに表示" is gone: continue at the first new result
      status.textContent = shown === 0 ? "「" + input.value + "」を含む項目は" + (res.more ? "まだ見つかっていません。" : "ありません。")
        : "「" + input.value + "」を含む項目 " + shown + " 件" + (res.more ? "（続きがあります）" : "");
      if (res.budgetHit) {  // the page stopped at its download budget: say how far it looked
        status.textContent += "　検索対象の " + Math.floor(100 * res.checked / res.candidates) + "% を確認しました。";
      }
      if (res.more) {
        var btn = el("button", "more", res.budgetHit ? "続きを検索" : "さらに表示");
        btn.type = "button";
        btn.id = "pia-more";
        btn.addEventListener("click", function () { run(true); });
        out.appendChild(btn);
        if (append && !firstNew) btn.focus();  // nothing new found yet: keep the keyboard on 続きを検索
      }
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); run(false); });
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { run(false); }, 250); });
    form.addEventListener("change", function (e) { if (e.target !== input) { clearTimeout(timer); run(false); } });
    var params = new URLSearchParams(location.search);
    fields.forEach(function (k) { var e = form.elements[k]; if (e && params.get(k)) e.value = params.get(k); });
    if (params.get("q")) { input.value = params.get("q"); run(false); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupPage);
  else setupPage();
})();
