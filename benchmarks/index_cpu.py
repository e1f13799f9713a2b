"""The parent's CPU for the search index during a real build: ``pia_site build`` with the index
calls timed by ``time.process_time`` (this process only; the workers are other processes).

    PYTHONPATH=. .venv/bin/python benchmarks/index_cpu.py build --content DIR --out OUT -j2 --no-cache -v

Prints one line ``TIMED {json}`` on stderr at the end: CPU seconds in ``IndexBuilder.add`` (of
which ``PostingsSpill.add``: the runs sorted and written while the workers run), in
``IndexBuilder.finish`` (of which ``PostingsSpill.merge``), the parent's user and system CPU
(``os.times``) and the load average.  Run old and new code alternately: the machine is shared.
Not a test: nothing here asserts.
"""
from __future__ import annotations

import json
import os
import sys
import time

from pia_site.search import builder, spill

ACC = {"builder.add": 0.0, "spill.add": 0.0, "builder.finish": 0.0, "spill.merge": 0.0}


def _timed(name, f):
    def w(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            ACC[name] += time.process_time() - t
    return w


def _timed_gen(name, f):
    def w(*a, **k):
        g = f(*a, **k)
        while True:
            t = time.process_time()
            try:
                x = next(g)
            except StopIteration:
                return
            finally:
                ACC[name] += time.process_time() - t
            yield x
    return w


builder.IndexBuilder.add = _timed("builder.add", builder.IndexBuilder.add)
builder.IndexBuilder.finish = _timed_gen("builder.finish", builder.IndexBuilder.finish)
spill.PostingsSpill.add = _timed("spill.add", spill.PostingsSpill.add)
spill.PostingsSpill.merge = _timed("spill.merge", spill.PostingsSpill.merge)

if __name__ == "__main__":  # (the workers' forkserver imports this file again)
    from pia_site.cli import main

    rc = main(sys.argv[1:])
    t = os.times()
    out = {k: round(v, 2) for k, v in ACC.items()}
    out.update(parent_user=round(t.user, 2), parent_sys=round(t.system, 2), load=[round(x, 2) for x in os.getloadavg()])
    print("TIMED", json.dumps(out), file=sys.stderr)
    raise SystemExit(rc)
