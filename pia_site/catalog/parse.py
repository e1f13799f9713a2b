"""Raw catalog data (YAML mappings) → option families, nodes and indexed forms, with the checks
that make a defective catalog file fail loudly (``CatalogError``)."""
from __future__ import annotations

from .nodes import (
    ALL_KINDS, CHANGE_COLUMNS, CONTAINER_KINDS, NODE_FIELDS, SCOPES, CatalogError, Family, Form, Node,
    Option,
)


def _build_families(raw: dict) -> dict[str, Family]:
    out: dict[str, Family] = {}
    for fid, spec in raw.items():
        kind = spec.get("kind")
        if kind not in ("choice", "check"):
            raise CatalogError(f"family {fid}: kind must be choice or check")
        options: list[Option] = []

        def add(items, caption=""):
            for item in items:
                if isinstance(item, str):
                    item = {"text": item}
                unknown = set(item) - {"text", "detail", "suffix", "exclusive"}
                if unknown:
                    raise CatalogError(f"family {fid}: unknown option fields {sorted(unknown)}")
                options.append(Option(str(item["text"]), len(options) + 1, item.get("detail"), item.get("suffix", ""), bool(item.get("exclusive", False)), caption))

        if "groups" in spec:
            for g in spec["groups"]:
                add(g["options"], g.get("caption", ""))
        else:
            add(spec.get("options") or [])
        if not options:
            raise CatalogError(f"family {fid}: no options")
        if len({o.text for o in options}) != len(options):
            raise CatalogError(f"family {fid}: duplicate options")
        aliases = tuple((str(k), str(v)) for k, v in (spec.get("aliases") or {}).items())
        for _, target in aliases:
            if target not in {o.text for o in options}:
                raise CatalogError(f"family {fid}: alias target {target!r} is not an option")
        out[fid] = Family(fid, kind, tuple(options), aliases)
    return out


def _build_node(raw: dict, parent_path: tuple[str, ...], families: dict[str, Family], inherited: bool, where: str) -> Node:
    if not isinstance(raw, dict) or "key" not in raw:
        raise CatalogError(f"{where}: every node needs a key: {raw!r}")
    unknown = set(raw) - NODE_FIELDS
    if unknown:
        raise CatalogError(f"{where}.{raw['key']}: unknown fields {sorted(unknown)}")
    key = str(raw["key"])
    path = parent_path + (key,)
    kind = raw.get("kind") or ("section" if raw.get("children") else "text")
    if kind not in ALL_KINDS:
        raise CatalogError(f"{'.'.join(path)}: unknown kind {kind!r}")
    star = bool(raw.get("star", False))
    important = raw["important"] if "important" in raw else (star or inherited)
    family = None
    if kind in ("choice", "check"):
        fid = raw.get("options")
        if fid not in families:
            raise CatalogError(f"{'.'.join(path)}: unknown option family {fid!r}")
        family = families[fid]
        if family.kind != kind:
            raise CatalogError(f"{'.'.join(path)}: family {fid} is a {family.kind}, node is a {kind}")
    count = raw.get("count") or {}
    # a leaf's own ※ does not pass to its sub-rows; an explicit `important` (or a container's ※) does
    row_inherited = raw["important"] if "important" in raw else inherited
    rows = tuple(_build_node(r, parent_path, families, bool(row_inherited), ".".join(path)) for r in raw.get("rows") or [])
    children = tuple(_build_node(c, path, families, bool(important), ".".join(path)) for c in raw.get("children") or [])
    if children and kind not in CONTAINER_KINDS:
        raise CatalogError(f"{'.'.join(path)}: only containers have children (use rows for sub-rows)")
    node = Node(
        key=key, kind=kind, path=path, label=str(raw.get("label", "")), no=str(raw.get("no", "") or ""),
        star=star, star_note=str(raw.get("star_note", "") or ""), important=bool(important), family=family,
        count_key=str(count.get("key", "")), count_suffix=str(count.get("suffix", "件")), rows=rows,
        children=children, optional=bool(raw.get("optional", False)),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()), text=str(raw.get("text", "") or ""),
        scope=str(raw.get("scope", "document")), source=str(raw.get("source", "") or ""),
        instance_label=str(raw.get("instance_label", "") or ""), max=int(raw.get("max", 0) or 0),
        buckets=tuple(tuple(b) for b in raw.get("buckets") or ()), month=bool(raw.get("month", False)),
        note=str(raw.get("note", "") or ""), role=str(raw.get("role", "") or ""),
        columns=tuple((str(k), str(v)) for k, v in (raw.get("columns") or {}).items()),
    )
    if kind == "changelog" and tuple(k for k, _ in node.columns) != CHANGE_COLUMNS:
        raise CatalogError(f"{node.id}: a changelog needs columns {list(CHANGE_COLUMNS)} (printed headings), in that order")
    if node.scope not in SCOPES:
        raise CatalogError(f"{node.id}: unknown scope {node.scope!r}")
    if node.is_container:
        keys = [m.key for m in node.data_members()]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise CatalogError(f"{node.id}: duplicate data keys {sorted(dup)}")
        if node.count_key and node.count_key not in keys:
            raise CatalogError(f"{node.id}: count key {node.count_key} missing")
    return node


def _apply_patches(raw: dict, patches: list[dict], families_raw: dict) -> None:
    for patch in patches:
        if "node" in patch and patch.get("remove"):
            _remove_raw(raw["parts"], patch["node"].split("."))
        elif "node" in patch:
            target = _find_raw(raw["parts"], patch["node"].split("."))
            target.update(patch.get("set") or {})
        elif "family" in patch:
            fam = families_raw[patch["family"]]
            rep = patch["replace_option"]
            lists = [g["options"] for g in fam["groups"]] if "groups" in fam else [fam["options"]]
            hits = 0
            for opts in lists:
                for i, o in enumerate(opts):
                    text = o if isinstance(o, str) else o.get("text")
                    if text == rep["from"]:
                        opts[i] = rep["to"] if isinstance(o, str) else {**o, "text": rep["to"]}
                        hits += 1
            if hits != 1:
                raise CatalogError(f"patch {patch}: option not found")
            aliases = fam.setdefault("aliases", {})
            aliases[rep["from"]] = rep["to"]
        else:
            raise CatalogError(f"unknown patch {patch}")


def _find_raw(nodes: list[dict], keys: list[str]) -> dict:
    for n in nodes:
        if n.get("key") == keys[0]:
            if len(keys) == 1:
                return n
            return _find_raw((n.get("children") or []) + (n.get("rows") or []), keys[1:])
        for r in n.get("rows") or []:
            if r.get("key") == keys[0]:
                return _find_raw([r], keys)
    raise CatalogError(f"patch target {'.'.join(keys)} not found")


def _remove_raw(nodes: list[dict], keys: list[str]) -> None:
    """Drop the node at ``keys`` (a child or a row) from the raw tree."""
    parent_nodes = nodes if len(keys) == 1 else None
    if parent_nodes is None:
        parent = _find_raw(nodes, keys[:-1])
        lists = [parent.get("children") or [], parent.get("rows") or []]
    else:
        lists = [parent_nodes]
    for lst in lists:
        for i, n in enumerate(lst):
            if n.get("key") == keys[-1]:
                del lst[i]
                return
    raise CatalogError(f"patch target {'.'.join(keys)} not found")


def _index(form: Form) -> None:
    parents: dict[str, Node] = {}

    def visit(node: Node, parent: Node | None):
        if node.id in form.nodes and form.nodes[node.id] is not node:
            raise CatalogError(f"{form.id}: duplicate node id {node.id}")
        form.nodes[node.id] = node
        if parent is not None:
            parents[node.id] = parent
        for r in node.rows:
            visit(r, node)
        for c in node.children:
            visit(c, node)

    for p in form.parts:
        visit(p, None)
    object.__setattr__(form, "_parents", parents)
