"""Live preview: everything ``serve`` needs and ``build`` does not.

``watch`` (file events, debounced) → ``incremental`` (``sources``: reload the changed YAML and
assemble the site; ``page_index``: re-render only the pages whose inputs changed; write only the
changed files) → ``serve`` (HTTP, livereload, the diagnostics overlay).
"""
