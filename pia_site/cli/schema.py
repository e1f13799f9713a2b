"""`pia-site schema`: write the JSON Schemas (one per form and edition) for editors."""
from __future__ import annotations

import sys
from pathlib import Path

from ..schema import all_schemas

DEFAULT_DIR = Path("content") / "_schema"


def cmd_schema(args) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(all_schemas().items()):
        tmp = out / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out / name)
        print(out / name)
    print("VS Code の YAML 拡張機能は、ファイル先頭の `# yaml-language-server: $schema=…` でこのスキーマを使います。", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("schema", help="エディタ補完用の JSON Schema を書き出す")
    p.add_argument("--out", type=Path, default=DEFAULT_DIR, help=f"出力先（既定: {DEFAULT_DIR}）")
    p.set_defaults(func=cmd_schema)
