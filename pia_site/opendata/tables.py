"""The site-wide open-data files from the per-assessment records: assessments.csv,
changes.csv, the JSON Schemas of the forms and datapackage.json (Frictionless Data Package).

CSV: UTF-8 with a byte-order mark (so Excel opens it as UTF-8), CRLF line ends (RFC 4180),
Japanese headings, ISO dates; rows in a fixed order (団体コード, 団体, 評価書番号, file name)."""
from __future__ import annotations

import csv
import io
import json
from typing import BinaryIO, Iterable

from ..model import SiteConfig
from ..schema import all_schemas
from .records import DATA_DIR, SCHEMA_DIR, DataRecord

ASSESSMENTS_CSV = f"{DATA_DIR}/assessments.csv"
CHANGES_CSV = f"{DATA_DIR}/changes.csv"
DATAPACKAGE = f"{DATA_DIR}/datapackage.json"

# (heading, Frictionless type, description)
ASSESSMENT_FIELDS = (
    ("団体名", "string", "評価書を公表した地方公共団体"),
    ("全国地方公共団体コード", "string", "6桁（検査数字を含む）"),
    ("都道府県", "string", ""),
    ("評価実施機関名", "string", "表紙の評価実施機関名"),
    ("評価書の種類", "string", "全項目評価書・重点項目評価書など"),
    ("様式", "string", "様式の番号"),
    ("様式の版", "string", "様式の改正時期"),
    ("評価書番号", "string", ""),
    ("評価書名", "string", ""),
    ("状態", "string", "作成中・意見聴取中・公表・終了・置き換え"),
    ("公表日", "date", "ISO 8601（空欄: 未記載）"),
    ("事務の終了日", "date", "ISO 8601（空欄: 終了していない）"),
    ("評価書のURL", "string", ""),
    ("変更箇所のURL", "string", "変更箇所がない評価書は空欄"),
    ("データ（JSON）のURL", "string", "評価書の全項目。様式の JSON Schema に従う"),
    ("JSON SchemaのURL", "string", ""),
)
CHANGE_FIELDS = (
    ("団体名", "string", ""),
    ("全国地方公共団体コード", "string", ""),
    ("評価書番号", "string", ""),
    ("評価書名", "string", ""),
    ("行", "integer", "変更箇所の表の何行目か（1から）"),
    ("変更日", "date", "記載どおり（空欄: 日付のない行）"),
    ("改訂日", "date", "この行が属する改訂の日付（続きの行は前の行の日付。空欄: 今回の改訂）"),
    ("項目", "string", "記載どおり"),
    ("変更前の記載", "string", "記載どおり（Markdown）"),
    ("変更後の記載", "string", "記載どおり（Markdown）"),
    ("提出時期", "string", "事前・事後"),
    ("提出時期に係る説明", "string", ""),
    ("対象箇所ID", "string", "評価書のページ内の位置（複数は改行区切り）"),
    ("様式の項目ID", "string", "様式（カタログ）上の項目。団体をまたいで同じ項目を比べるときに使う"),
    ("対象箇所", "string", "様式に印刷された見出しと項目名（部 › 節 › 項目）"),
    ("対象箇所のURL", "string", ""),
    ("変更箇所のURL", "string", ""),
)


def csv_bytes(headings: Iterable[str], rows: Iterable[tuple[str, ...]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(list(headings))
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _schema(fields) -> dict:
    return {"fields": [{"name": n, "type": t, **({"description": d} if d else {})} for n, t, d in fields]}


def datapackage(config: SiteConfig, count: int) -> dict:
    return {
        "profile": "data-package",
        "name": "pia-site-open-data",
        "title": f"{config.title} 特定個人情報保護評価書データ",
        **({"homepage": f"{config.base_url}/{DATA_DIR}/index.html"} if config.base_url else {}),
        "description": f"{count} 件の特定個人情報保護評価書の一覧、変更箇所、評価書ごとの全項目（JSON）。",
        "licenses": [{"title": config.data_license, **({"path": config.data_license_url} if config.data_license_url else {})}],
        "resources": [
            {"name": "assessments", "path": "assessments.csv", "title": "評価書の一覧", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8-sig", "schema": _schema(ASSESSMENT_FIELDS)},
            {"name": "changes", "path": "changes.csv", "title": "変更箇所", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8-sig", "schema": _schema(CHANGE_FIELDS)},
        ],
    }


def _csv(out: BinaryIO, headings: Iterable[str]):
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write("\ufeff")
    w = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(list(headings))
    return text, w


def write_tables(ordered: Iterable[DataRecord], assessments: BinaryIO, changes: BinaryIO) -> int:
    """assessments.csv and changes.csv (the bytes ``csv_bytes`` makes) written to two binary
    files in one pass over the records, already in ``sort_key`` order, so that only one record
    is in memory at a time; the number of records."""
    a, aw = _csv(assessments, (f[0] for f in ASSESSMENT_FIELDS))
    c, cw = _csv(changes, (f[0] for f in CHANGE_FIELDS))
    n = 0
    for r in ordered:
        aw.writerow(r.assessment)
        cw.writerows(r.changes)
        n += 1
    for t in (a, c):
        t.flush()
        t.detach()  # the files stay open: they are the caller's
    return n


def site_files(config: SiteConfig, count: int) -> dict[str, bytes]:
    """``{data/datapackage.json, data/schema/*.json: bytes}`` of a site with ``count`` assessments."""
    out = {DATAPACKAGE: (json.dumps(datapackage(config, count), ensure_ascii=False, indent=1) + "\n").encode("utf-8")}
    for name, text in all_schemas().items():
        out[f"{SCHEMA_DIR}/{name}"] = text.encode("utf-8")
    return out


def site_open_data(config: SiteConfig, records: Iterable[DataRecord]) -> dict[str, bytes]:
    """``{data/assessments.csv, data/changes.csv, data/datapackage.json, data/schema/*.json: bytes}``
    (in memory; the build writes the tables with ``write_tables`` straight into its output)."""
    ordered = sorted(records, key=lambda r: r.sort_key)
    a, c = io.BytesIO(), io.BytesIO()
    n = write_tables(ordered, a, c)
    return {ASSESSMENTS_CSV: a.getvalue(), CHANGES_CSV: c.getvalue(), **site_files(config, n)}
