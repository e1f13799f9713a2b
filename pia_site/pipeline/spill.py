"""The big per-assessment records of a build, kept on disk instead of in the parent's memory.

Each worker's ``Result`` carries the assessment's open-data record (``opendata.DataRecord``:
its rows of assessments.csv and changes.csv, with every change row's before/after texts) and
its compare record (``compare.CompareRecord``, with a line per comparable spot).  Kept for every
assessment until the site-wide step, they made the parent grow with the site (≈0.2 MB per
assessment).  ``Records.keep`` appends them to one file in a temporary folder as each result
arrives and returns the result without them; the site-wide step reads them back one at a time,
in the order the in-memory lists had: the open-data records sorted by their sort key (content
order among equals), the compare records in content order.  The parent keeps per assessment
only the sort key, the compare record's cover facts and two file offsets.

The file is the build's own (in a folder only this user can read) and is read back through the
cache's unpickler, which builds pia-site's data classes and nothing else."""
from __future__ import annotations

import io
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from ..compare import CompareRecord
from ..opendata import DataRecord
from .cache import load_data
from .summary import Result

FILE = "records.pickle"


class Records:
    def __init__(self, folder: Path):
        self._file = open(Path(folder) / FILE, "w+b")
        self._data: dict[int, tuple[tuple, int]] = {}  # job -> (sort key, offset)
        self._compare: dict[int, tuple[CompareRecord, int]] = {}  # job -> (record without answers, offset)
        self._answer_at: dict[tuple[str, str], int] = {}  # (folder, slug) -> offset, made by ``compare``

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "Records":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _put(self, obj) -> int:
        self._file.seek(0, io.SEEK_END)
        at = self._file.tell()
        pickle.dump(obj, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        return at

    def _get(self, at: int):
        self._file.seek(at)
        return load_data(self._file)

    def keep(self, job: int, r: Result) -> Result:
        """Put away the records of job number ``job`` (those of an earlier result of the same job
        are forgotten); ``r`` without them."""
        self._data.pop(job, None)
        self._compare.pop(job, None)
        if r.data is not None:
            self._data[job] = (r.data.sort_key, self._put(r.data))
        if r.compare is not None:
            self._compare[job] = (replace(r.compare, answers=""), self._put(r.compare.answers))
        return replace(r, data=None, compare=None) if r.data is not None or r.compare is not None else r

    def data_count(self) -> int:
        return len(self._data)

    def data(self) -> Iterator[DataRecord]:
        """The open-data records, sorted by ``DataRecord.sort_key`` (``opendata.site_open_data``'s order)."""
        for job in sorted(sorted(self._data), key=lambda j: self._data[j][0]):
            yield self._get(self._data[job][1])

    def compare(self) -> list[CompareRecord]:
        """The compare records in content order, without their answers (``answers`` gives them)."""
        self._answer_at = {(r.municipality, r.slug): at for r, at in self._compare.values()}
        return [self._compare[j][0] for j in sorted(self._compare)]

    def answers(self, record: CompareRecord) -> str:
        """The answers of a record ``compare`` returned, read from the file."""
        return self._get(self._answer_at[(record.municipality, record.slug)])
