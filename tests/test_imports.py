"""The shape of pia_site/: no import cycle, and no module over MAX_LINES lines unless it is a state
machine named in LONG_MODULES.

The import graph is read from the source with ``ast``: every ``import`` and ``from … import`` in a
module counts, at the top level or inside a function, absolute or relative. An edge goes to the
module named (``from pia_site.changelog import resolve_rows`` is an edge to the package
``pia_site.changelog``; ``from .table import parse_table`` to ``….changelog.table``; ``from . import
table`` to ``….changelog.table`` when that is a module). Python also runs the parent packages'
``__init__`` on the way; those implicit edges are not counted, so that a package may re-export its
submodules.
"""
from __future__ import annotations

import ast
from pathlib import Path

from support import REPO

PACKAGE = REPO / "pia_site"
MAX_LINES = 450

# State machines, allowed to be long because splitting them would scatter one set of states.
# Each entry says which machine it is; remove an entry when the module is split below MAX_LINES.
LONG_MODULES = {
    # the importer's segmenter: parts/files/blocks, label lines, slots, lines without a label
    "importer/segment.py": "segmenter",
    # the change-log resolver's descent through the catalog tree, token by token
    "changelog/descend.py": "changelog descent",
}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """``{module: {imported module in the package, …}}`` for every .py file under ``root``."""
    files = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}

    def known(name: str) -> str | None:
        """The module itself, or the nearest enclosing module or package that exists."""
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]  # the package relative imports start from
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from pkg import sub` imports the submodule pkg.sub when there is one
                targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in files else prefix for alias in node.names]
            for target in targets:
                target = known(target) if target.split(".")[0] == root.name else None
                if target and target != name:
                    graph[name].add(target)
    return graph


def knots(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:  # the package is small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(components)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle ``[a, b, …, a]`` per knot."""
    return [_a_cycle(graph, comp) for comp in knots(graph)]


def _a_cycle(graph: dict[str, set[str]], comp: list[str]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component (breadth first)."""
    start, members = comp[0], set(comp)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in came_from:
                    came_from[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle in the component {comp}")


# ---------------------------------------------------------------------------
# the walker itself, on a made-up package

def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for rel, text in {"__init__.py": "", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_walker_sees_relative_absolute_and_function_level_imports(tmp_path):
    root = _package(tmp_path, {
        "a.py": "import os\nfrom .b import x\n",
        "b.py": "def f():\n    from pkg.sub import c\n    return c\n",
        "sub/__init__.py": "from . import c\nfrom .c import y\n",
        "sub/c.py": "from ..a import z\nimport pkg.b as b\nimport yaml\n",
        "d.py": "from pkg import a, sub\n",
    })
    assert import_graph(root) == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.sub.c"},
        "pkg.sub": {"pkg.sub.c"},
        "pkg.sub.c": {"pkg.a", "pkg.b"},
        "pkg.d": {"pkg.a", "pkg.sub"},
    }


def test_a_cycle_through_a_function_level_import_is_found_and_printed(tmp_path):
    root = _package(tmp_path, {
        "a.py": "from .b import x\n",
        "b.py": "from .c import y\n",
        "c.py": "def late():\n    from pkg.a import z\n",
        "d.py": "from . import a\n",
    })
    assert cycles(import_graph(root)) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    (root / "c.py").write_text("def late():\n    import json\n", encoding="utf-8")
    assert cycles(import_graph(root)) == []


# ---------------------------------------------------------------------------
# pia_site/

def test_pia_site_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "pia_site.build" in graph and graph["pia_site.build"], "the walker found no imports in pia_site/"
    found = knots(graph)
    assert found == [], "import cycles in pia_site/:\n" + "\n".join(
        f"  {' -> '.join(_a_cycle(graph, comp))}  (modules in this knot: {', '.join(comp)})" for comp in found)


def test_no_module_is_longer_than_the_limit_unless_it_is_a_listed_state_machine():
    lengths = {p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
               for p in sorted(PACKAGE.rglob("*.py"))}
    stale = sorted(set(LONG_MODULES) - set(lengths))
    assert stale == [], f"LONG_MODULES names modules that do not exist: {stale}"
    too_long = {rel: n for rel, n in lengths.items() if n > MAX_LINES and rel not in LONG_MODULES}
    assert too_long == {}, f"modules over {MAX_LINES} lines (split them, or list a state machine in LONG_MODULES): {too_long}"
