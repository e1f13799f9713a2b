"""Build progress: the tiny interface a long build reports through.

``build.build(..., progress=p)`` and ``build.check(..., progress=p)`` call, in this order:

* ``p.on_start(total, stage)`` when a stage begins (``total`` steps; 0 when the number is not known
  beforehand). A new ``on_start`` ends the stage before it, so stage timings need no other call.
* ``p.advance(n=1)`` when ``n`` steps of the current stage are done (an assessment validated, a page
  written, an assessment through a worker of the pool...). Only ever from the thread that runs the
  build (a process pool's results are collected there).

The caller that started the build calls ``p.finish(summary)`` once, when the build is over (also after a
failure, with ``summary=""``), so that a terminal bar is cleared before anything else is printed.

``NULL_PROGRESS`` does nothing and is the default. The renderers (a bar on a terminal, periodic lines
elsewhere) are the command line's: ``cli/progress_view.py``.
"""
from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def on_start(self, total: int, stage: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self, summary: str = "") -> None: ...


class NullProgress:
    """Reports nothing."""

    def on_start(self, total: int, stage: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, summary: str = "") -> None:
        pass


NULL_PROGRESS = NullProgress()

# The stage names build.py reports (Japanese: they are shown to the author).
STAGE_LOAD = "読み込み"
STAGE_VALIDATE = "検査"
STAGE_ASSESSMENTS = "評価書ごとの検査と生成"
STAGE_SEARCH = "検索索引"
STAGE_PAGES = "ページの生成と書き出し"
