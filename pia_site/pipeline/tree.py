"""The content folder read as ``load.load_content`` reads it, except the assessment files: they
become ``Job``s for the workers, and their load diagnostics take their place in the same order
when the results are in (``Tree.load_diagnostics``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import content_tree, urls
from ..diagnostics import Diagnostic
from ..load import SourceDocument, load_document
from .summary import Result
from .worker import Job


@dataclass
class Folder:
    slug: str
    entries: list = field(default_factory=list)  # Diagnostic lists and job numbers, in load order
    municipality: SourceDocument | None = None
    municipality_bytes: bytes | None = None
    municipality_path: Path | None = None
    jobs: list[int] = field(default_factory=list)


@dataclass
class Tree:
    root: Path
    head: list[Diagnostic]  # the content folder's entries and site.yaml, in load order
    site: SourceDocument | None
    site_bytes: bytes | None
    folders: list[Folder]
    jobs: list[Job]  # every assessment file, in content order

    def load_diagnostics(self, results: list[Result]) -> list[Diagnostic]:
        out = list(self.head)
        for f in self.folders:
            for e in f.entries:
                out += results[e].load if isinstance(e, int) else e
        return out

    def url_order(self) -> list[int]:
        """Job numbers in the order of their pages' URLs (the order the search index is fed)."""
        return sorted(range(len(self.jobs)), key=lambda i: (urls.assessment_page(self.jobs[i].municipality, self.jobs[i].path.stem), i))


def read_tree(root: Path) -> Tree:
    if not root.is_dir():
        return Tree(root, [content_tree.no_content(root)], None, None, [], [])
    top = content_tree.scan_top(root)
    head: list[Diagnostic] = list(top.diagnostics)
    site = site_bytes = None
    if top.site is not None:
        site, d = load_document(top.site)
        head += d
        site_bytes = _bytes(top.site)
    else:
        head += content_tree.site_missing(root, top.diagnostics)
    folders, jobs = [], []
    for path in top.folders:
        scan = content_tree.scan_folder(path, root)
        folder = Folder(path.name, [list(scan.diagnostics)])
        for f in scan.files:
            if content_tree.is_municipality(f):
                doc, d = load_document(f)
                folder.entries.append(d)
                folder.municipality, folder.municipality_bytes = doc, _bytes(f)  # .yaml and .yml: the last one wins
                folder.municipality_path = f
            else:
                folder.entries.append(len(jobs))
                folder.jobs.append(len(jobs))
                jobs.append(Job(f, path.name))
        if folder.municipality is None:
            folder.entries.append(content_tree.municipality_missing(path, scan.diagnostics))
        folders.append(folder)
    return Tree(root, head, site, site_bytes, folders, jobs)


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
