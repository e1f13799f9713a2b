"""The corpus of ``peers.py``: N synthetic assessments as pia-site YAML, and the same texts as
Markdown for Hugo and MkDocs, written to disk one assessment at a time (memory does not grow with N).

* Bases: the two sample assessments of ``content/`` (重点項目 keijidosha-fuka, 全項目 kokuho-fuka-shuno),
  alternately, read with pia-site's strict loader.
* Texts: every free-text value is rewritten by ``synthetic.Rewriter`` from the sentence pool of
  ``synthetic.sentence_pool`` (the samples' long texts and the seed documents of
  ``tests/fixtures/seeds``), lengthened by ``scale`` so that an assessment holds about ``chars``
  characters of text on average (the figure is measured and written to ``corpus.json``). Which values
  are free text is found once per base by validating: a value whose rewriting is a validation error
  (a choice, a date, a count, a check item) is kept as it is; so are the keys that identify things
  (ids, 変更箇所 items and targets, dates).
* Municipalities: ``per_municipality`` assessments each, unique names and valid codes.
* Markdown: per assessment one page, its title, then the same values under headings made from the
  YAML keys; per municipality a listing page; a home page listing the municipalities (Hugo lists
  sections itself, so it gets the assessment pages and _index.md section pages).

Deterministic for a given seed.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import NAME_KANJI, PREFECTURES, SUFFIXES, TOPICS, KATAKANA, Rewriter, check_digit, sentence_pool  # noqa: E402

BASES = ("koshigaya/keijidosha-fuka.yaml", "saitama/kokuho-fuka-shuno.yaml")
SEEDS = REPO / "tests" / "fixtures" / "seeds"
FIXED_KEYS = {"form", "edition", "id", "no", "line", "date", "item", "target", "timing", "published", "number", "files",
              "start", "end", "source_line"}
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SAFE_BLOCK = re.compile(r"^[^\x00-\x08\x0b-\x1f\x7f\r\ufeff\u2028\u2029]*$")

Tree = Any  # dict[str, Tree] | list[Tree] | str | None


# -- YAML in and out ---------------------------------------------------------------------------
def read_tree(path: Path) -> Tree:
    """A sample assessment as plain dicts, lists and strings, through pia-site's strict loader."""
    from pia_site.yaml_strict import YMap, YSeq, parse_yaml

    root, diags = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert root is not None and not any(d.is_error for d in diags), diags

    def plain(n):
        if isinstance(n, YMap):
            return {k.value: plain(v) for k, v in n.entries}
        if isinstance(n, YSeq):
            return [plain(v) for v in n.items]
        return n.value

    return plain(root)


def _scalar(s: str | None, indent: int) -> str:
    if s is None:
        return ""
    if "\n" in s and s[0] not in " \t\n" and SAFE_BLOCK.match(s) and not s.endswith("\n\n"):
        pad = " " * (indent + 2)
        head = "|" if s.endswith("\n") else "|-"
        body = "\n".join(pad + ln if ln else "" for ln in s.rstrip("\n").split("\n"))
        return f" {head}\n{body}"
    return " " + json.dumps(s, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def _key(k: str) -> str:
    return k if PLAIN_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def emit(tree: Tree, indent: int = 0) -> list[str]:
    """YAML lines of a mapping or sequence (block style)."""
    pad = " " * indent
    out: list[str] = []
    items = tree.items() if isinstance(tree, dict) else ((None, v) for v in tree)
    for k, v in items:
        lead = f"{pad}{_key(k)}:" if k is not None else f"{pad}-"
        if isinstance(v, (dict, list)) and v:
            if k is None:  # "- " then the first line of the nested block on the same line
                nested = emit(v, indent + 2)
                out.append(f"{pad}- {nested[0].lstrip()}")
                out.extend(nested[1:])
            else:
                out.append(lead)
                out.extend(emit(v, indent + 2))
        elif isinstance(v, (dict, list)):
            out.append(f"{lead} {'{}' if isinstance(v, dict) else '[]'}")
        else:
            out.append(lead + _scalar(v, indent))
    return out


def yaml_text(tree: Tree) -> str:
    return "\n".join(emit(tree)) + "\n"


# -- which values are free text ------------------------------------------------------------------
def leaves(tree: Tree, path: tuple = ()) -> Iterator[tuple[tuple, str | None]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, path + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from leaves(v, path + (i,))
    else:
        yield path, tree


def _set(tree: Tree, path: tuple, value: str) -> None:
    for p in path[:-1]:
        tree = tree[p]
    tree[path[-1]] = value


def _candidate(path: tuple, value: str | None) -> bool:
    return bool(value) and len(value) >= 20 and not any(isinstance(p, str) and p in FIXED_KEYS for p in path)


def _leaf_locations(text: str) -> list[tuple[int, int]]:
    """(line, column) of every leaf scalar of the emitted YAML, in ``leaves`` order."""
    from pia_site.yaml_strict import YMap, YSeq, parse_yaml

    root, _ = parse_yaml(text, "probe.yaml")
    out: list[tuple[int, int]] = []

    def walk(n):
        if isinstance(n, YMap):
            for _, v in n.entries:
                walk(v)
        elif isinstance(n, YSeq):
            for v in n.items:
                walk(v)
        else:
            out.append((n.loc.line, n.loc.column))

    walk(root)
    return out


def free_text_paths(base: Tree, pool: list[str], rounds: int = 8) -> set[tuple]:
    """The leaves of ``base`` that may be rewritten without a validation error."""
    from pia_site.build import check

    allowed = {p for p, v in leaves(base) if _candidate(p, v)}
    rnd = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="pia-peers-probe-") as tmp:
        content = Path(tmp) / "content"
        (content / "probe").mkdir(parents=True)
        (content / "site.yaml").write_text("title: probe\n", encoding="utf-8")
        (content / "probe" / "municipality.yaml").write_text('name: 見本市\nprefecture: 東京都\ncode: "139998"\n', encoding="utf-8")
        for _ in range(rounds):
            tree = json.loads(json.dumps(base))
            rw = Rewriter(rnd, pool, "見本市", ["株式会社テスト"])
            for p, v in leaves(base):
                if p in allowed:
                    _set(tree, p, _force_rewrite(rw, v))
            text = yaml_text(tree)
            (content / "probe" / "a.yaml").write_text(text, encoding="utf-8")
            errors = [d for d in check(content) if d.is_error]
            if not errors:
                return allowed
            where = {loc: p for loc, (p, _) in zip(_leaf_locations(text), leaves(tree))}
            bad = {where.get((d.location.line, d.location.column)) for d in errors}
            bad.discard(None)
            if not bad:
                raise RuntimeError("validation errors not at a value: " + "; ".join(str(d) for d in errors[:3]))
            allowed -= bad
    raise RuntimeError("could not find the free-text values of a base assessment")


def _force_rewrite(rw: Rewriter, value: str) -> str:
    for _ in range(20):  # Rewriter keeps about a third of the texts as they are: probe with a rewritten one
        out = rw.text(value)
        if out != value:
            return out
    return value


# -- the corpus -------------------------------------------------------------------------------------
class ScaledRewriter(Rewriter):
    """``synthetic.Rewriter`` with texts ``scale`` times as long on average."""

    def __init__(self, rnd, pool, muni, vendors, scale: float):
        super().__init__(rnd, pool, muni, vendors)
        self.scale = scale

    def text(self, s: str) -> str:
        out = super().text(s)
        if self.scale == 1.0 or out == s:  # kept as it is (short, a list or a table, or by chance)
            return out
        extra = int(len(out) * (self.scale - 1.0))
        parts = [out]
        while extra > 0:
            p = self.rnd.choice(self.pool)
            if len(p) > extra and self.rnd.random() >= extra / len(p):
                break  # the last sentence is added with the odds that make the mean addition exact
            parts.append(p)
            extra -= len(p)
        return "".join(parts).replace("<", "＜").replace(">", "＞")


def text_chars(tree: Tree) -> int:
    return sum(len(v) for _, v in leaves(tree) if v)


def markdown(tree: Tree, title: str) -> str:
    """The same values as Markdown: headings from the YAML keys, values as paragraphs."""
    out = [f"# {title}", ""]

    def walk(node, path: list[str], depth: int):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    out.extend([f"{'#' * min(6, depth)} {k}", ""])
                    walk(v, path + [k], depth + 1)
                elif v:
                    out.extend([f"**{k}**", "", v, ""])
        elif isinstance(node, list):
            for i, v in enumerate(node, 1):
                if isinstance(v, (dict, list)):
                    walk(v, path + [str(i)], depth)
                elif v:
                    out.extend([f"- {v}" if "\n" not in v else v, ""])

    walk(tree, [], 2)
    return "\n".join(out) + "\n"


class Corpus:
    """Writes the three trees of one N: ``yaml/content``, ``hugo`` and ``mkdocs``."""

    def __init__(self, root: Path, n: int, chars: int = 64_000, seed: int = 20261203, per_municipality: int = 6):
        self.root, self.n, self.chars, self.seed, self.per = root, n, chars, seed, per_municipality
        self.bases = [read_tree(REPO / "content" / b) for b in BASES]
        texts = [v for b in self.bases for _, v in leaves(b) if v and len(v) >= 20]
        self.pool = sentence_pool(texts, SEEDS)
        self.free = [free_text_paths(b, self.pool) for b in self.bases]

    def assessment(self, rnd: random.Random, i: int, muni: str, scale: float) -> tuple[Tree, str]:
        b = i % len(self.bases)
        tree = json.loads(json.dumps(self.bases[b]))
        vendors = ["株式会社" + "".join(rnd.choice(KATAKANA) for _ in range(rnd.randint(3, 6))) for _ in range(3)]
        rw = ScaledRewriter(rnd, self.pool, muni, vendors, scale)
        for p, v in leaves(self.bases[b]):
            if p in self.free[b]:
                _set(tree, p, rw.text(v))
        jimu = f"{rnd.choice(TOPICS)}に関する事務"
        form = tree["form"]
        title = f"{jimu} {form}"
        tree["cover"].update(number=str(i // 1000 + 1), title=title, assessor=f"{muni}長",
                             published=f"{rnd.randint(2015, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}")
        tree["basic_info"]["jimu"]["name"] = jimu
        return tree, title

    def calibrate(self, trials: int = 24) -> float:
        """The ``scale`` that gives ``chars`` characters per assessment on average (from trial documents)."""
        # the mean characters grow linearly with the scale (ScaledRewriter adds len × (scale - 1) on average)
        lo, hi = 1.0, 2.0
        mean = {}
        for scale in (lo, hi):
            rnd = random.Random(self.seed + 1)
            mean[scale] = sum(text_chars(self.assessment(rnd, i, "見本市", scale)[0]) for i in range(trials)) / trials
        return max(1.0, lo + (self.chars - mean[lo]) * (hi - lo) / max(1.0, mean[hi] - mean[lo]))

    def write(self, jobs: int | None = None) -> dict:
        """Write the corpus (municipalities in a pool of ``jobs`` processes; the result does not depend on it)."""
        if self.root.exists():
            shutil.rmtree(self.root)
        yaml_root, hugo, mk = self.root / "yaml" / "content", self.root / "hugo", self.root / "mkdocs"
        for d in (yaml_root, hugo / "content", hugo / "layouts" / "_default", mk / "docs"):
            d.mkdir(parents=True)
        _hugo_scaffold(hugo)
        (mk / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        (yaml_root / "site.yaml").write_text("title: 特定個人情報保護評価書（ベンチマーク）\nseireki: after\n", encoding="utf-8")
        self.scale = self.calibrate()
        rnd = random.Random(self.seed)
        self.names: list[str] = []
        seen: set[str] = set()
        for _ in range((self.n + self.per - 1) // self.per):
            while True:
                name = "".join(rnd.sample(NAME_KANJI, rnd.choice((2, 2, 3)))) + rnd.choice(SUFFIXES)
                if name not in seen:
                    break
            seen.add(name)
            self.names.append(name)
        total_chars = yaml_bytes = md_bytes = 0
        home: list[str] = ["# 特定個人情報保護評価書（ベンチマーク）", ""]
        global _CORPUS
        _CORPUS = self
        jobs = jobs or os.cpu_count() or 1
        with multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else _Serial() as pool:
            for m, (chars, yb, mb) in enumerate(pool.imap(_write_municipality, range(len(self.names)), chunksize=4)):
                total_chars, yaml_bytes, md_bytes = total_chars + chars, yaml_bytes + yb, md_bytes + mb
                home.append(f"- [{self.names[m]}](m{m:05d}/index.md)")
        _CORPUS = None
        (mk / "docs" / "index.md").write_text("\n".join(home) + "\n", encoding="utf-8")
        info = {"n": self.n, "seed": self.seed, "scale": round(self.scale, 4), "target_chars": self.chars,
                "chars_per_assessment": round(total_chars / self.n), "yaml_bytes": yaml_bytes, "markdown_bytes": md_bytes,
                "municipalities": len(self.names), "bases": list(BASES)}
        (self.root / "corpus.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return info

    def write_municipality(self, m: int) -> tuple[int, int, int]:
        """Municipality ``m`` and its assessments in the three trees; (characters, YAML bytes, Markdown bytes)."""
        yaml_root, hugo, mk = self.root / "yaml" / "content", self.root / "hugo", self.root / "mkdocs"
        rnd = random.Random(f"{self.seed}:{m}")  # per municipality: the same corpus whatever the pool
        name, slug = self.names[m], f"m{m:05d}"
        five = f"{m % 47 + 1:02d}{201 + m // 47:03d}"
        (yaml_root / slug).mkdir()
        (yaml_root / slug / "municipality.yaml").write_text(
            f'name: {name}\nprefecture: {PREFECTURES[m % 47]}\ncode: "{five}{check_digit(five)}"\nbodies: [{name}長]\n', encoding="utf-8")
        (hugo / "content" / slug).mkdir()
        (mk / "docs" / slug).mkdir()
        (hugo / "content" / slug / "_index.md").write_text(f"---\ntitle: \"{name}\"\n---\n", encoding="utf-8")
        listing = [f"# {name}", ""]
        chars = yaml_bytes = md_bytes = 0
        for i in range(m * self.per, min(self.n, (m + 1) * self.per)):
            tree, title = self.assessment(rnd, i, name, self.scale)
            text = yaml_text(tree)
            (yaml_root / slug / f"a{i:05d}.yaml").write_text(text, encoding="utf-8")
            md = markdown(tree, title)
            (hugo / "content" / slug / f"a{i:05d}.md").write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n" + md,
                                                                encoding="utf-8")
            (mk / "docs" / slug / f"a{i:05d}.md").write_text(md, encoding="utf-8")
            listing.append(f"- [{title}](a{i:05d}.md)")
            chars += text_chars(tree)
            yaml_bytes += len(text.encode("utf-8"))
            md_bytes += len(md.encode("utf-8"))
        (mk / "docs" / slug / "index.md").write_text("\n".join(listing) + "\n", encoding="utf-8")
        return chars, yaml_bytes, md_bytes


_CORPUS: Corpus | None = None  # the corpus being written, inherited by the forked pool


def _write_municipality(m: int) -> tuple[int, int, int]:
    return _CORPUS.write_municipality(m)


class _Serial:
    """A pool of one: the same ``imap`` in this process."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def imap(self, fn, items, chunksize=1):
        return map(fn, items)


HUGO_TOML = """\
baseURL = "http://localhost/"
languageCode = "ja"
defaultContentLanguage = "ja"
hasCJKLanguage = true
title = "特定個人情報保護評価書（ベンチマーク）"
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = true  # raw HTML in values passes through, as in MkDocs (pia-site sanitises it)
"""
HUGO_BASEOF = """\
<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body>
<nav><a href="{{ "/" | relURL }}">{{ site.Title }}</a></nav>
<main data-pagefind-body>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""
HUGO_SINGLE = """{{ define "main" }}<article>{{ .Content }}</article>{{ end }}\n"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n"""
MKDOCS_YML = """\
site_name: 特定個人情報保護評価書（ベンチマーク）
docs_dir: docs
theme:
  name: mkdocs
  locale: ja
plugins:
  - search:
      lang: ja
nav:
  - index.md
"""


def _hugo_scaffold(hugo: Path) -> None:
    (hugo / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    layouts = hugo / "layouts" / "_default"
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
