"""Output-level scan: what is actually published.

Pages and feeds are read as a browser would (character references decoded), as
text segments: the text of each block element, joined across inline elements, and
every attribute value (``title=``, ``alt=``, ``href=``, ``data-*``, ``<meta content>``)
on its own.  Search-index files are zlib-inflated first; JSON is read string by string.
Only findings are kept, so the scan works on pages one at a time as they are written.
"""
from __future__ import annotations

import csv
import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .patterns import Kind, may_match, scan_text
from .segments import markup_segments

TEXT_SUFFIXES = (".html", ".htm", ".xml", ".json", ".js", ".css", ".txt", ".svg", ".csv", ".md")


@dataclass(frozen=True, slots=True)
class OutputFinding:
    kind: Kind
    value: str
    shown: str
    path: str  # output path, relative to the output folder


def _json_strings(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _json_strings(v)


def _zlib_streams(data: bytes) -> Iterator[bytes]:
    """The inflated blobs of a file of concatenated zlib streams (a search-index pack)."""
    mv, pos = memoryview(data), 0
    while pos < len(data):
        d, out = zlib.decompressobj(), []
        while not d.eof:
            if pos >= len(data):
                raise zlib.error("truncated stream")
            piece = mv[pos:pos + 65536]
            out.append(d.decompress(piece))
            pos += len(piece) - len(d.unused_data)
        yield b"".join(out)


def _blob_segments(data: bytes) -> list[str]:
    try:
        return list(_json_strings(json.loads(data.decode("utf-8"))))
    except (UnicodeDecodeError, ValueError):
        return _shard_grams(data)


def data_segments(path: str, data: bytes) -> list[str]:
    """Text segments of any output file; [] for a file that holds no text (an image)."""
    if path.endswith(".bin"):
        try:
            return [seg for blob in _zlib_streams(data) for seg in _blob_segments(blob)]
        except zlib.error:
            return [data.decode("utf-8", errors="replace")]
    if path.endswith(".z"):
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        try:
            return list(_json_strings(json.loads(data.decode("utf-8"))))
        except (UnicodeDecodeError, ValueError):
            return _shard_grams(data)
    if not path.lower().endswith(TEXT_SUFFIXES):
        return []
    text = data.decode("utf-8", errors="replace")
    if path.lower().endswith((".html", ".htm", ".xml", ".svg")):
        return markup_segments(text)
    if path.lower().endswith(".json"):
        try:
            return list(_json_strings(json.loads(text)))
        except ValueError:
            pass
    if path.lower().endswith(".csv"):  # each cell, as the JSON's strings: a site's changes.csv is 100 MB and more
        try:
            return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row if cell]
        except csv.Error:
            pass
    return [text]


def _shard_grams(data: bytes) -> list[str]:
    """The grams of a postings shard (binary), their postings skipped; the raw bytes as text if
    it is not one."""
    from ..search.postings import shard_grams

    try:
        return shard_grams(data)
    except ValueError:  # not a shard: read whatever text it holds
        return [data.decode("utf-8", errors="replace")]


def scan_segments(path: str, segments: list[str], allow: frozenset[str],
                  seen: set[tuple[Kind, str]] | None = None, scanned: set[str] | None = None) -> list[OutputFinding]:
    """The findings in a file's segments, each (kind, value) once; ``seen``: those already found
    in the file's earlier segments (a file read in parts), updated; ``scanned``: the texts
    ``scan_text`` read there, updated.  A text read before is not read again: its matches are
    in ``seen`` already, so it would add nothing."""
    out: list[OutputFinding] = []
    seen = set() if seen is None else seen
    scanned = set() if scanned is None else scanned
    for i in may_match(segments):  # scan_text finds nothing in the others
        text = segments[i]
        if text in scanned:
            continue
        scanned.add(text)
        for m in scan_text(text, allow):
            if (m.kind, m.value) not in seen:
                seen.add((m.kind, m.value))
                out.append(OutputFinding(m.kind, m.value, m.shown, path))
    return out


def scan_file(task: tuple[str, Path, frozenset[str]]) -> list[OutputFinding]:
    """The findings in an output file on disk: (its output path, where it is, the allowlist);
    a module-level function, for a process pool."""
    path, source, allow = task
    return scan_segments(path, data_segments(path, Path(source).read_bytes()), allow)


class OutputScanner:
    """Collects findings from output files as they pass; holds no page text."""

    def __init__(self, allow: frozenset[str]):
        self.allow = allow
        self.findings: list[OutputFinding] = []

    def page(self, path: str, text: str) -> None:
        if path.lower().endswith((".html", ".htm", ".xml", ".svg")):
            self.findings += scan_segments(path, markup_segments(text), self.allow)
        else:
            self.findings += scan_segments(path, data_segments(path, text.encode("utf-8")), self.allow)

    def file(self, path: str, data: bytes) -> None:
        self.findings += scan_segments(path, data_segments(path, data), self.allow)

    def csv_file(self, path: str, source: Path, batch: int = 50_000) -> None:
        """A CSV file on disk (``path``: its output path), read as ``file`` reads it, cell by
        cell, ``batch`` cells at a time: a site's changes.csv is too large to hold whole."""
        found: list[OutputFinding] = []
        seen: set[tuple[Kind, str]] = set()
        scanned: set[str] = set()  # the texts scan_text read (few: those may_match lets through)
        try:
            with open(source, encoding="utf-8", errors="replace", newline="") as f:
                cells: list[str] = []
                for row in csv.reader(f):
                    cells += [cell for cell in row if cell]
                    if len(cells) >= batch:
                        found += scan_segments(path, cells, self.allow, seen, scanned)
                        cells = []
                found += scan_segments(path, cells, self.allow, seen, scanned)
        except csv.Error:  # not CSV after all: as ``file`` reads it, whole
            found = scan_segments(path, data_segments(path, source.read_bytes()), self.allow)
        self.findings += found
