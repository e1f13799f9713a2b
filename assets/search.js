/* pia-site search client: exact substring search over the static n-gram index
 * built by pia_site/search (see its docstrings for the file formats).
 *
 *   window.piaSearch.search(query, {filters, limit, offset, budget})
 *     -> Promise<[{url, title, municipality, form, snippet, highlights, match, ...}]>
 *        with .more (more results may follow), .checked and .candidates (chunks)
 *   window.piaSearch.item(kind, itemNo, {filters, limit, offset, budget})
 *     -> the same, for every answer to one item written in words (the compare pages)
 *
 * filters: {match ("form": the form's wording 様式の文言 | "answer": the body's answer 記載内容),
 * prefecture, municipality (slug), form (全項目評価書 | 重点項目評価書, or 全項目 | 重点項目),
 * jimu (part of the 事務 name), from, to (公表日, YYYY-MM-DD), state (作成中 | 意見聴取中 | 公表 | 終了 | 再評価で置き換え)}.
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
  // meta.z and docs.z are whole files; every other blob is read from a pack (p/<n>.bin): its place
  // comes with its page of blobs.idx (one range request, kept), then its bytes; blobs wanted at
  // once that lie back to back in a pack come in one range request.  A server that ignores Range sends the whole file, which is then kept and
  // sliced.
  var script = document.currentScript;
  var base = new URL((script && script.dataset.index) || "../search/data/", script ? script.src : location.href);
  var siteRoot = new URL("../../", base);
  var stats = { requests: 0, bytes: 0 };
  var cache = new Map();  // name -> Promise of the parsed file or blob
  var rawSize = new Map();  // name -> bytes downloaded for it
  var whole = new Map();  // path -> Promise<Uint8Array> where ranges were not served
  var parsed = new Map();  // chunk name -> its parsed JSON

  function got(name, n) { stats.bytes += n; rawSize.set(name, (rawSize.get(name) || 0) + n); }
  function ignore() {}
  // Not through a Blob: Chromium copies every Blob's bytes to its browser process.
  function inflate(bytes) {
    var ds = new DecompressionStream("deflate"), w = ds.writable.getWriter();
    w.write(bytes).catch(ignore);
    w.close().catch(ignore);
    return new Response(ds.readable).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function fail(res, path) { throw new Error("search index: " + res.status + " " + path); }
  function range(path, start, end) {  // -> {data, bytes}
    if (whole.has(path)) return whole.get(path).then(function (b) { return { data: b.subarray(start, end), bytes: 0 }; });
    // The query names the range: Chromium's HTTP cache lets one request per URL through at a time,
    // so ranges of one pack under the same URL would come one after another.
    var url = new URL(path + "?r=" + start + "-" + end, base);
    return fetch(url, { headers: { Range: "bytes=" + start + "-" + (end - 1) } }).then(function (res) {
      stats.requests += 1;
      if (res.status === 206) return res.arrayBuffer().then(function (b) { return { data: new Uint8Array(b), bytes: b.byteLength }; });
      if (!res.ok) fail(res, path);
      var all = res.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      whole.set(path, all);
      all.catch(function () { whole.delete(path); });
      return all.then(function (b) { return { data: b.subarray(start, end), bytes: b.byteLength }; });
    });
  }
  function once(name, make) {
    if (!cache.has(name)) {
      var p = make();
      p.catch(function () { cache.delete(name); });
      cache.set(name, p);
    }
    return cache.get(name);
  }
  var utf8 = new TextDecoder("utf-8");
  function loadJSON(path) {
    return once(path, function () {
      return fetch(new URL(path, base)).then(function (res) {
        if (!res.ok) fail(res, path);
        stats.requests += 1;
        return res.arrayBuffer();
      }).then(function (raw) { got(path, raw.byteLength); return inflate(raw); })
        .then(function (b) { return JSON.parse(utf8.decode(b)); });
    });
  }
  // Blobs' inflated bytes (null: none), cached by name (g/<shard>, t/<chunk>, d/<page>).  A page of
  // blobs.idx (pia_site/search/pack.py) places meta.tablePage blobs: the pack of its first blob and
  // where it starts, then each blob's length (3 bytes), back to back.  A table page's bytes count
  // for the first blob that needed it (client.py: IndexReader._entry).
  var tablePages = new Map();  // page -> Promise<{pack, offsets, lengths, bytes, owner}>
  function tablePage(per, p, owner) {
    if (!tablePages.has(p)) {
      var size = 8 + 3 * per;
      var t = range("blobs.idx", p * size, (p + 1) * size).then(function (r) {
        var b = r.data, n = b.length >= 8 ? Math.floor((b.length - 8) / 3) : 0;
        var offsets = new Float64Array(n), lengths = new Uint32Array(n), pack = 0, off = 0;
        if (n) {
          var v = new DataView(b.buffer, b.byteOffset, 8);
          pack = v.getUint32(0); off = v.getUint32(4);
        }
        for (var i = 0; i < n; i++) {
          var len = b[8 + 3 * i] * 65536 + b[9 + 3 * i] * 256 + b[10 + 3 * i];
          offsets[i] = off; lengths[i] = len; off += len;
        }
        return { pack: pack, offsets: offsets, lengths: lengths, bytes: r.bytes, owner: owner };
      });
      t.catch(function () { tablePages.delete(p); });
      tablePages.set(p, t);
    }
    return tablePages.get(p);
  }
  function blobs(list) {  // [[name, id], ...] -> Promise<[Uint8Array | null, ...]>
    var todo = [];
    list.forEach(function (x) {
      if (cache.has(x[0])) return;
      var d = { name: x[0], id: x[1] };
      d.promise = new Promise(function (resolve, reject) { d.resolve = resolve; d.reject = reject; });
      d.promise.catch(function () { cache.delete(d.name); });
      cache.set(d.name, d.promise);
      todo.push(d);
    });
    var wanted = list.map(function (x) { return cache.get(x[0]); });
    if (todo.length) fetchBlobs(todo).catch(function (e) { todo.forEach(function (d) { d.reject(e); }); });
    return Promise.all(wanted);
  }
  function fetchBlobs(todo) {
    var per = 0;
    return meta().then(function (m) {
      per = m.tablePage;
      return Promise.all(todo.map(function (d) { return tablePage(per, Math.floor(d.id / per), d.name); }));
    }).then(function (pages) {
      var want = [];
      todo.forEach(function (d, i) {
        var p = pages[i], at = d.id % per;
        d.paid = p.owner === d.name ? p.bytes : 0;
        d.n = 0;
        if (at < p.lengths.length) { d.pack = p.pack; d.off = p.offsets[at]; d.n = p.lengths[at]; }
        if (d.n) want.push(d); else { got(d.name, d.paid); d.resolve(null); }
      });
      want.sort(function (a, b) { return a.pack - b.pack || a.off - b.off; });
      var runs = [];
      want.forEach(function (d) {
        var r = runs[runs.length - 1];
        if (r && r.pack === d.pack && r.end === d.off) { r.items.push(d); r.end += d.n; }
        else runs.push({ pack: d.pack, start: d.off, end: d.off + d.n, items: [d] });
      });
      return Promise.all(runs.map(function (r) {
        return range("p/" + r.pack + ".bin", r.start, r.end).then(function (res) {
          var exact = res.bytes === r.end - r.start;  // else the whole pack, counted once
          r.items.forEach(function (d, i) {
            got(d.name, d.paid + (exact ? d.n : i ? 0 : res.bytes));
            inflate(res.data.subarray(d.off - r.start, d.off - r.start + d.n)).then(d.resolve, d.reject);
          });
        });
      }));
    });
  }
  function blob(name, id) {
    return blobs([[name, id]]).then(function (b) { return b[0]; });
  }
  function blobJSON(name, id) {
    return blob(name, id).then(function (b) { return JSON.parse(utf8.decode(b)); });
  }

  var metaPromise = null;
  function meta() {
    if (!metaPromise) {
      metaPromise = loadJSON("meta.z").then(function (m) {
        if (m.format !== 7 || m.norm !== "nfkc-lower-fold-1" || m.hash !== "fnv1a32" || m.gram !== 3) throw new Error("search index: unknown format");
        m.bySlug = new Map();
        m.municipalities.forEach(function (x) { m.bySlug.set(x[0], x); });
        return m;
      });
      metaPromise.catch(function () { metaPromise = null; });
    }
    return metaPromise;
  }
  // The facet columns of every assessment: for filtered queries, form hits and the 事務 suggestions.
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
  function docRow(m, d) {
    var page = Math.floor(d / m.docPage);
    return blobJSON("d/" + page, m.blobs[3] + page).then(function (p) { return p.docs[d % m.docPage]; });
  }
  // The anchor of a form unit in a document (pia_site/search/slots.py: resolve), null if not printed.
  function resolve(template, parts, ids) {
    var segs = template.split("."), out = [];
    if (parts.indexOf(segs[0]) < 0) return null;
    for (var i = 0; i < segs.length; i++) {
      if (segs[i] !== "*") { out.push(segs[i]); continue; }
      var v = ids[segs.slice(0, i).join(".")];
      if (v === undefined) { if (i === 1) return null; v = "1"; }
      out.push(v);
    }
    return out.join(".");
  }

  // Shard: varint count, then per gram: varint len, UTF-8 bytes, varint (count<<1 | kind), payload.
  // Only the grams a query asks for are decoded: a shard holds hundreds, some of them bitmaps.
  var shards = new Map(), utf8out = new TextEncoder();
  function shard(m, id) {
    if (!shards.has(id)) {
      shards.set(id, blob("g/" + id, m.blobs[2] + id).then(function (b) { return new Shard(b); }));
      shards.get(id).catch(function () { shards.delete(id); });
    }
    return shards.get(id);
  }
  function Shard(b) { this.b = b; this.found = new Map(); }
  Shard.prototype.get = function (gram) {
    if (this.found.has(gram)) return this.found.get(gram);
    var b = this.b, pos = 0, key = utf8out.encode(gram), ids = new Uint32Array(0);
    function v() { var n = 0, mul = 1, x; do { x = b[pos++]; n += (x & 127) * mul; mul *= 128; } while (x & 128); return n; }
    function same(at) {
      for (var i = 0; i < key.length; i++) if (b[at + i] !== key[i]) return false;
      return true;
    }
    var n = b ? v() : 0;
    for (var i = 0; i < n; i++) {
      var len = v(), at = pos; pos += len;
      var head = v(), count = Math.floor(head / 2), hit = len === key.length && same(at);
      if (head & 1) {
        var byte0 = v(), nbytes = v();
        if (hit) {
          ids = new Uint32Array(count);
          for (var j = 0, k = 0; j < nbytes; j++) {
            var x = b[pos + j];
            for (var bit = 0; x && bit < 8; bit++, x >>= 1) if (x & 1) ids[k++] = (byte0 + j) * 8 + bit;
          }
          break;
        }
        pos += nbytes;
      } else if (hit) {
        ids = new Uint32Array(count);
        for (var j2 = 0, prev = 0; j2 < count; j2++) { prev += v(); ids[j2] = prev; }
        break;
      } else {
        for (var j3 = 0; j3 < count; j3++) while (b[pos++] & 128);
      }
    }
    this.found.set(gram, ids);
    return ids;
  };

  // The ids in both sorted lists; a gallop through the longer one when it is much longer.
  function intersect(a, b) {
    if (a.length > b.length) { var t = a; a = b; b = t; }
    var out = new Uint32Array(a.length), n = 0, j = 0;
    if (b.length > 8 * a.length) {
      for (var i = 0; i < a.length && j < b.length; i++) {
        var x = a[i], step = 1;
        while (j + step < b.length && b[j + step] < x) { j += step; step *= 2; }
        var lo = j, hi = Math.min(j + step, b.length - 1);
        while (lo < hi) { var mid = (lo + hi) >> 1; if (b[mid] < x) lo = mid + 1; else hi = mid; }
        j = lo;
        if (b[j] === x) out[n++] = x;
      }
    } else {
      for (var k = 0; k < a.length && j < b.length;) {
        if (a[k] < b[j]) k++; else if (a[k] > b[j]) j++; else { out[n++] = a[k]; k++; j++; }
      }
    }
    return out.subarray(0, n);
  }

  // ---- facets -------------------------------------------------------------------------------
  function dateInt(s) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(s || "");
    return m ? +m[1] * 10000 + +m[2] * 100 + +(m[3] || 1) : 0;
  }
  var FACETS = ["prefecture", "municipality", "form", "jimu", "from", "to", "state"];
  function hasFilters(f) {
    return !!f && FACETS.some(function (k) { return f[k]; });
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
    var state = f.state ? m.states.indexOf(f.state) : -1;
    for (var d = 0; d < n; d++) {
      var mi = t.municipality[d], pub = t.published[d];
      if ((f.prefecture && (mi < 0 || m.municipalities[mi][2] !== pref)) ||
          (f.municipality && mi !== muni) ||
          (f.form && t.form[d] !== form) ||
          (jimuOk && !jimuOk[t.jimuOf[d]]) ||
          (from && (!pub || pub < from)) || (to && (!pub || pub > to)) ||
          (f.state && (state < 0 || t.state[d] !== state))) { ok[d] = 0; any = true; }
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
  function mark(c) {  // whether the UTF-16 unit c may be a mark (MARK, for the rest)
    if (c < 0x300 || (c >= 0x3041 && c <= 0x3098) || (c >= 0x309b && c <= 0x30fa) || (c >= 0x4e00 && c <= 0x9fff)) return false;
    return MARK.test(String.fromCharCode(c));
  }
  function displayMap(text, norm, normUpTo, textUpTo) {
    var starts = [], ends = [], i = 0, n = 0, len = text.length;
    while (i < len && (n < normUpTo || i < textUpTo)) {
      var c = text.charCodeAt(i), j = i + 1;
      if (c >= 0xd800 && c <= 0xdbff && j < len) j++;
      while (j < len && mark(text.charCodeAt(j))) j++;
      if (j === i + 1 && simple(c)) {  // most characters: themselves
        if (norm.charCodeAt(n) !== c) return null;
        starts.push(i); ends.push(j);
        n += 1;
        i = j;
        continue;
      }
      var piece = normaliseMode(text.slice(i, j), true);
      if (norm.substr(n, piece.length) !== piece) return null;
      for (var k = 0; k < piece.length; k++) { starts.push(i); ends.push(j); }
      n += piece.length;
      i = j;
    }
    return { starts: starts, ends: ends };
  }
  var WINDOW = 140, BEFORE = 40;
  function snippet(text, norm, q) {
    if (!q) return { snippet: text.slice(0, WINDOW).replace(/\n/g, " ") + (text.length > WINDOW ? "…" : ""), highlights: [] };
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
  var PAGE_BYTES = 250000, BATCH = 20, MAX_BATCH = 20;
  // Chunks to read next for a page that still needs `need` results: BATCH at first, then as many
  // as the hits per chunk so far say it takes, at most MAX_BATCH (client.py: batch_size).
  function batchSize(need, found, checked) {
    if (!checked) return Math.max(1, Math.min(BATCH, need));
    if (!found) return MAX_BATCH;
    return Math.max(1, Math.min(MAX_BATCH, Math.ceil(need * checked / found)));
  }
  function newResults(q) {
    var results = [];
    results.more = false;
    results.query = q;
    results.checked = 0;
    results.candidates = 0;
    results.budgetHit = false;
    return results;
  }
  function search(query, opts) {
    opts = opts || {};
    var q = normalise(query || "");
    var match = (opts.filters || {}).match;
    var results = newResults(q);
    if (!q) return Promise.resolve(results);
    var fresh = [];  // blobs and files this call downloads
    var filtered = hasFilters(opts.filters);
    note(fresh, "meta.z");
    if (filtered) note(fresh, "docs.z");
    return Promise.all([meta(), filtered ? docsTable() : null]).then(function (r) {
      var m = r[0], table = r[1];
      var grams = queryGrams(q);
      return Promise.all(grams.map(function (g) {
        var id = fnv1a(g) % m.shards;
        note(fresh, "g/" + id);
        return shard(m, id).then(function (sh) { return sh.get(g); });
      })).then(function (lists) {
        lists.sort(function (a, b) { return a.length - b.length; });
        var cand = lists[0];
        for (var i = 1; i < lists.length && cand.length; i++) cand = intersect(cand, lists[i]);
        if (match === "form") cand = cand.filter(function (c) { return c >= m.chunks; });
        else if (match === "answer") cand = cand.filter(function (c) { return c < m.chunks; });
        return scan(m, table, cand, q, function (u) { return u[4].indexOf(q) >= 0; }, opts, results, fresh);
      });
    });
  }
  // Every answer to one item written in words (its position in the form kind's item table, as the
  // compare page gives it), in site order: the chunks listed under the item's key (grams.item_gram:
  // "\n", then the kind's and the item's numbers as supplementary-plane characters), the units that
  // carry the item's number (client.py: ``item``).
  function item(kind, itemNo, opts) {
    opts = opts || {};
    var results = newResults("");
    var fresh = [];
    var filtered = hasFilters(opts.filters);
    note(fresh, "meta.z");
    if (filtered) note(fresh, "docs.z");
    return Promise.all([meta(), filtered ? docsTable() : null]).then(function (r) {
      var m = r[0], table = r[1], k = (m.itemKinds || []).indexOf(kind);
      if (k < 0) return results;
      var key = "\n" + String.fromCodePoint(0x10000 + k) + String.fromCodePoint(0x10000 + itemNo);
      var id = fnv1a(key) % m.shards;
      note(fresh, "g/" + id);
      return shard(m, id).then(function (sh) {
        var cand = Array.from(sh.get(key)).filter(function (c) { return c < m.chunks; });
        return scan(m, table, cand, "", function (u) { return u.length > 5 && u[5] === itemNo; }, opts, results, fresh);
      });
    });
  }
  function note(fresh, name) { if (!cache.has(name)) fresh.push(name); }
  // Read the candidate chunks in order, a batch at a time within the budget, and keep the units
  // ``wanted`` picks; a form chunk's units containing ``q`` expand to their documents.
  function scan(m, table, cand, q, wanted, opts, results, fresh) {
    var limit = opts.limit == null ? Infinity : opts.limit, offset = opts.offset || 0;
    var budget = opts.budget == null ? Infinity : opts.budget;
    function spent() { return fresh.reduce(function (s, p) { return s + (rawSize.get(p) || 0); }, 0); }
    var ok = table && allowedDocs(m, table, opts.filters);
    if (ok) cand = cand.filter(function (c) { return c >= m.chunks || ok[table.chunkDoc[c]]; });
    var want = offset + limit, found = 0, next = 0, newChunks = 0, chunkBytes = 0;
    results.candidates = cand.length;
    function done() {
      results.checked = next;
      results.more = results.more || next < cand.length;
      return results;
    }
    function push(hit, text, norm) {
      var sn = snippet(text, norm, q);
      hit.snippet = sn.snippet;
      hit.highlights = sn.highlights;
      results.push(hit);
    }
    function answers(ch) {
      var muni = m.bySlug.get(ch.municipality) || ["", "", -1];
      ch.units.forEach(function (u) {
        if (!wanted(u)) return;
        if (found >= want) { results.more = true; return; }
        found += 1;
        if (found <= offset) return;
        push({
          url: new URL(ch.url + "#" + u[0], siteRoot).href, match: "answer",
          anchor: u[0], title: u[1], section: ch.sections[u[2]],
          assessment: ch.title, assessmentUrl: new URL(ch.url, siteRoot).href,
          municipality: muni[1], municipalitySlug: muni[0], prefecture: m.prefectures[muni[2]] || "",
          form: ch.form, jimu: ch.jimu, published: pubIso(ch.published), state: ch.state || ""
        }, u[3], u[4]);
      });
    }
    // A unit of the form's wording: one result per document on its edition (client.py: _form_hits).
    function formHits(ch, t) {
      var units = ch.units.filter(function (u) { return u[4].indexOf(q) >= 0; });
      if (!units.length) return Promise.resolve();
      var docs = [];
      t.edition.forEach(function (e, d) { if (e === ch.edition && (!ok || ok[d])) docs.push(d); });
      var u = 0, k = 0;
      function step() {
        for (; u < units.length; u++, k = 0) {
          if (k < docs.length) {
            if (found >= want) { results.more = true; return Promise.resolve(); }
            var d = docs[k++], unit = units[u];
            note(fresh, "d/" + Math.floor(d / m.docPage));
            return docRow(m, d).then(function (row) {
              var anchor = resolve(unit[0], row[6], row[7]);
              if (anchor !== null) {
                found += 1;
                if (found > offset) {
                  var muni = m.bySlug.get(row[2]) || ["", "", -1];
                  push({
                    url: new URL(row[0] + "#" + anchor, siteRoot).href, match: "form",
                    anchor: anchor, title: unit[1], section: ch.sections[unit[2]],
                    assessment: row[1], assessmentUrl: new URL(row[0], siteRoot).href,
                    municipality: muni[1], municipalitySlug: muni[0], prefecture: m.prefectures[muni[2]] || "",
                    form: row[3], jimu: row[4], published: pubIso(row[5]), state: m.states[row[8]] || ""
                  }, unit[3], unit[4]);
                }
              }
              return step();
            });
          }
        }
        return Promise.resolve();
      }
      return step();
    }
    function step() {
      if (next >= cand.length || found >= want) return done();
      var size = isFinite(want) ? batchSize(want - found, found, next) : BATCH;  // client.py: the same
      var ids = Array.from(cand.slice(next, next + size));  // cand may be a typed array: ids map to names
      var newNames = ids.map(function (c) { return "t/" + c; }).filter(function (p) { return !cache.has(p); });
      if (isFinite(budget) && newChunks && newNames.length) {
        // as many of the batch as the bytes left pay for (client.py: affordable)
        var left = budget - spent(), per = chunkBytes / newChunks, cost = 0, fits = 0;
        for (; fits < ids.length; fits++) {
          if (!cache.has("t/" + ids[fits])) { cost += per; if (cost > left) break; }
        }
        if (!fits) {
          results.budgetHit = true;
          return done();
        }
        ids = ids.slice(0, fits);
        newNames = ids.map(function (c) { return "t/" + c; }).filter(function (p) { return !cache.has(p); });
      }
      fresh.push.apply(fresh, newNames);
      next += ids.length;
      var forms = ids.some(function (c) { return c >= m.chunks; });
      if (forms) note(fresh, "docs.z");
      var chunks = blobs(ids.map(function (c) { return ["t/" + c, c]; })).then(function (bs) {
        return bs.map(function (b, i) {  // parsed once (a query again, or the next page, reads them again)
          var name = "t/" + ids[i];
          if (!parsed.has(name)) parsed.set(name, JSON.parse(utf8.decode(b)));
          return parsed.get(name);
        });
      });
      return Promise.all([chunks, forms ? docsTable() : null]).then(function (r) {
        newChunks += newNames.length;
        newNames.forEach(function (p) { chunkBytes += rawSize.get(p) || 0; });
        var chain = Promise.resolve();
        r[0].forEach(function (ch, i) {
          chain = chain.then(function () {
            if (ids[i] < m.chunks) { answers(ch); return null; }
            return formHits(ch, r[1]);
          });
        });
        return chain.then(step);
      });
    }
    return step();
  }
  function pubIso(n) {
    if (!n) return "";
    var s = String(n);
    return s.slice(0, 4) + "-" + s.slice(4, 6) + "-" + s.slice(6, 8);
  }

  window.piaSearch = { search: search, item: item, normalise: normalise, meta: meta, stats: stats, base: base.href, pageBytes: PAGE_BYTES };

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
    var fields = ["match", "prefecture", "municipality", "form", "jimu", "from", "to", "state"];

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
        if (!group || group.dataset.doc !== r.assessmentUrl) {  // one group per assessment
          group = el("section", "hit-group");
          group.dataset.doc = r.assessmentUrl;
          var h = el("h2"), a = el("a", null, r.assessment);
          a.href = r.assessmentUrl;
          h.appendChild(a);
          group.appendChild(h);
          group.appendChild(el("p", "meta", [r.prefecture + " " + r.municipality, r.form, r.state && r.state !== "公表" ? r.state : "", r.published ? "公表日 " + r.published : ""].filter(Boolean).join("・")));
          list = el("ol", "hits");
          group.appendChild(list);
          out.appendChild(group);
        }
        var li = el("li", "hit"), link = el("a", null, (r.section ? r.section + " › " : "") + r.title);
        link.href = r.url;
        if (!firstNew) firstNew = link;
        li.appendChild(link);
        li.appendChild(el("span", "match match-" + r.match, r.match === "form" ? "様式の文言" : "記載内容"));
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

  // ---- a compare page of an item written in words (templates/compare.html) ---------------------
  // Each body's answer with a snippet, 20 at a time, from the search index by item; a prefecture
  // select narrows the list.  Without JavaScript, or from file://, the page keeps its link to the
  // search page (#pia-compare-fallback).
  function setupCompare() {
    var box = document.getElementById("pia-compare");
    if (!box || location.protocol === "file:") return;
    var fallback = document.getElementById("pia-compare-fallback");
    var list = document.getElementById("pia-compare-list"), status = document.getElementById("pia-compare-status");
    var more = document.getElementById("pia-compare-more"), pref = document.getElementById("pia-compare-prefecture");
    var kind = box.dataset.kind, itemNo = +box.dataset.item, shown = 0, seq = 0;
    box.hidden = false;
    if (fallback) fallback.hidden = true;
    function load(append) {
      var my = ++seq;
      if (!append) { shown = 0; list.replaceChildren(); }
      more.hidden = true;
      status.textContent = "記載を読み込んでいます…";
      var filters = pref.value ? { prefecture: pref.value } : {};
      item(kind, itemNo, { filters: filters, offset: shown, limit: PAGE, budget: PAGE_BYTES }).then(function (res) {
        if (my !== seq) return;
        var first = null;
        res.forEach(function (r) {
          var li = el("li", "compare-answer"), a = el("a", null, r.prefecture + " " + r.municipality + "　" + r.assessment);
          a.href = r.url;
          if (!first) first = a;
          li.appendChild(a);
          if (r.section) li.appendChild(el("span", "meta", "（" + r.section + " › " + r.title + "）"));
          li.appendChild(el("p", "snippet", r.snippet));
          list.appendChild(li);
        });
        list.start = 1;
        shown += res.length;
        if (append && first) first.focus();
        status.textContent = shown ? "記載 " + shown + " 件を表示しています" + (res.more ? "（続きがあります）。" : "。")
          : (res.more ? "記載はまだ見つかっていません。" : "記載のある評価書はありません。");
        more.hidden = !res.more;
        more.textContent = res.budgetHit && !res.length ? "続きを読み込む" : "次の " + PAGE + " 件";
      }).catch(function (err) {
        if (my !== seq) return;
        status.textContent = "記載を読み込めませんでした（" + err.message + "）。";
        if (fallback) fallback.hidden = false;
      });
    }
    more.addEventListener("click", function () { load(true); });
    pref.addEventListener("change", function () { load(false); });
    load(false);
  }
  function setup() { setupPage(); setupCompare(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
