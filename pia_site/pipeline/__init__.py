"""The per-assessment pipeline: each assessment file is loaded, validated, linked, rendered,
scanned by the personal-data guard and turned into its search document in one pass
(``worker``), in a process pool (``pool``), its result kept in a persistent cache
(``cache``); only a small ``summary`` of each stays in memory for the site-wide pages, which
``run`` renders at the end, with the search index, before the new tree is swapped in; its
open-data and compare records wait on disk (``spill``) for the site-wide step.

    run: scan the tree, site.yaml and municipality.yaml → jobs → pool(worker) ⇄ cache
         → summaries → site-wide pages, search index, guard verdict → write.Staging.commit
"""
from .run import BuildResult, run_build, run_check

__all__ = ["BuildResult", "run_build", "run_check"]
