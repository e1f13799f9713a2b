"""One assessment file, start to finish: load → validate → link → render its pages (the
assessment page and its 変更箇所 page) → the personal-data guard over its YAML and its page
bytes → its search document, made from the very view the page was rendered from.  Pages go
straight into the staging tree; the parent keeps only the small ``Result``.

The worker sees the assessment and the small shared context (``Shared``: the validated site
settings, the municipality records, the theme): nothing of other assessments, so its result
can be cached by the hash of exactly those inputs (``cache``)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment

from .. import guard
from ..diagnostics import has_errors
from ..link import link_assessment
from ..load import load_document
from ..model import Municipality, Site, SiteConfig
from ..compare import compare_record
from ..opendata import assessment_open_data
from ..render import assessment_page_specs, make_environment, render_with, template_deps
from ..search.builder import prepare
from ..search.units import Doc, doc_from_view
from ..theme import Theme
from ..validate import validate_assessment
from ..write import put_file
from .cache import Cache
from .summary import Result, Summary


@dataclass(frozen=True)
class Shared:
    """What every assessment's work needs besides its own file (sent once to each process)."""

    config: SiteConfig | None  # None: site.yaml has errors (check only, nothing is rendered)
    municipalities: dict[str, Municipality]  # the valid records, by folder
    theme: Theme
    allow: frozenset[str]  # the guard's allowlist
    render: bool  # False for ``check``
    stage: Path | None = None  # the staging tree pages are written into
    cache: Cache | None = None
    key_base: str = ""  # the hash of everything besides the file and its municipality.yaml (``cache.key_base``)
    municipality_keys: dict[str, str] | None = None  # folder -> hash of its municipality.yaml
    run: str = ""  # one build (the templates are compiled once per build and process, never reused by the next)
    index: bool = False  # send the search document cut into chunks for the index (``search.prepare``)


@dataclass(frozen=True)
class Job:
    path: Path
    municipality: str  # the folder's name
    partners: tuple = ()  # summary.Summary of the documents its page links to (partner.py); not cached


_env: tuple[tuple, Environment, object] | None = None


def _environment(shared: Shared) -> tuple[Environment, object]:
    """One Jinja environment per build and process (a template edited between two builds in
    one process, as under ``serve``, is read again)."""
    global _env
    key = (shared.run, shared.theme)
    if _env is None or _env[0] != key or not shared.run:
        env = make_environment(shared.theme)
        _env = (key, env, template_deps(env))
    return _env[1], _env[2]


def process(job: Job, shared: Shared) -> Result:
    raw = None
    if shared.render:  # what the pages are made from: its digest goes with the result (``run.Inputs``)
        try:
            raw = job.path.read_bytes()
        except OSError:
            pass  # gone meanwhile: the worker's own read reports it
    source = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    key = None
    if shared.cache is not None and raw is not None and not job.partners:
        key = job_key(job, shared, raw)
        hit = shared.cache.get(key)
        if hit is not None and (shared.stage is None or shared.cache.place(hit, shared.stage)):
            return _for_index(replace(hit, source_digest=source), shared)
    result, pages = _work(job, shared)
    result = replace(result, source_digest=source, key=key or "")
    if shared.stage is not None:
        for path, data in pages:
            if job.partners:  # written before without its partner links, maybe as a link to a cached page
                (shared.stage / path).unlink(missing_ok=True)
            put_file(shared.stage, path, data)
    if key is not None and pages:
        shared.cache.put(key, result, pages)  # with its search document as it is
    return _for_index(result, shared)


def _for_index(result: Result, shared: Shared) -> Result:
    """The result as the parent takes it: the search document cut into chunks here, in parallel,
    when the parent builds the index."""
    if shared.index and isinstance(result.doc, Doc):
        return replace(result, doc=prepare(result.doc))
    return result


def job_key(job: Job, shared: Shared, data: bytes) -> str:
    """The cache key of an assessment whose file holds ``data``."""
    h = hashlib.sha256(shared.key_base.encode())
    h.update(str(job.path).encode() + b"\0" + job.municipality.encode() + b"\0")
    h.update((shared.municipality_keys or {}).get(job.municipality, "").encode() + b"\0")
    h.update(data)
    return h.hexdigest()


def _work(job: Job, shared: Shared) -> tuple[Result, list[tuple[str, bytes]]]:
    doc, load_diags = load_document(job.path)
    a, checks = validate_assessment(doc, job.municipality)
    if a is not None:
        a, more = link_assessment(a)
        checks = checks + more
    findings = tuple(guard.scan_document(doc, shared.allow))
    summary = Summary.of(a) if a is not None else None
    m = shared.municipalities.get(job.municipality)
    base = Result(doc.path, tuple(load_diags), tuple(checks), findings, summary=summary)
    if not shared.render or a is None or m is None or shared.config is None or has_errors(load_diags + checks):
        return base, []
    site = Site(shared.config, (m,), (a,) + tuple(p.assessment() for p in job.partners))
    env, closure = _environment(shared)
    scanner = guard.OutputScanner(shared.allow)
    pages, search_doc = [], None
    for spec in assessment_page_specs(site, a, closure):
        context = spec.context()
        html = render_with(site, env, spec, context)
        scanner.page(spec.path, html)
        if search_doc is None and spec.template == "assessment.html":
            search_doc = doc_from_view(a, context["view"])
        pages.append((spec.path, html.encode("utf-8")))
    data, record = assessment_open_data(shared.config, m, a)  # data/assessments/…json: written and cached like a page
    for path in sorted(data):
        scanner.file(path, data[path])
        pages.append((path, data[path]))
    return Result(doc.path, base.load, base.checks, findings, tuple(scanner.findings), summary, search_doc,
                  tuple((p, len(d)) for p, d in pages),
                  tuple(hashlib.sha256(d).hexdigest() for _, d in pages), data=record,
                  compare=compare_record(a, m)), pages
