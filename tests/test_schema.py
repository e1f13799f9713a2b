"""The generated JSON Schema accepts every content file and rejects broken ones."""
import json

import jsonschema
import pytest

from pia_site.catalog import find_form
from pia_site.load import load_document
from pia_site.schema import all_schemas, form_schema

from support import REPO, as_editor_sees_it, scaffold_text, write




def content_files():
    return sorted(p for p in (REPO / "content").glob("*/*.yaml") if p.name != "municipality.yaml")


def schema_for(doc_data):
    kind = {"重点項目評価書": "juten", "全項目評価書": "zenkoumoku"}[doc_data["form"]]
    return form_schema(find_form(kind, doc_data["edition"]))


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.parent.name + "/" + p.name)
def test_every_content_file_passes_its_schema(path):
    doc, diags = load_document(path)
    assert not diags
    data = as_editor_sees_it(doc.root)
    errors = list(jsonschema.Draft7Validator(schema_for(data)).iter_errors(data))
    assert errors == [], [f"{list(e.path)}: {e.message[:120]}" for e in errors[:5]]


def test_content_exists():
    assert content_files()


def test_broken_file_fails_the_schema(tmp_path):
    path = content_files()[0]
    doc, _ = load_document(path)
    data = as_editor_sees_it(doc.root)
    schema = schema_for(data)
    data["cover"]["nmae"] = "x"
    data["basic_info"]["jimu"]["subjects"] = "たくさん"
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(data))
    paths = sorted(tuple(e.path) for e in errors)
    assert ("cover",) in paths and ("basic_info", "jimu", "subjects") in paths


def test_scaffold_passes_and_carries_japanese_titles(tmp_path):
    for kind, edition in (("juten", "令和6年10月"), ("zenkoumoku", "令和7年5月")):
        p = write(tmp_path / f"{kind}.yaml", scaffold_text(kind, edition))
        doc, _ = load_document(p)
        data = as_editor_sees_it(doc.root)
        schema = form_schema(find_form(kind, edition))
        assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []
    s = form_schema(find_form("juten", "令和6年10月"))
    subjects = s["properties"]["basic_info"]["properties"]["jimu"]["properties"]["subjects"]
    assert subjects["title"] == "③対象人数"
    assert "10万人以上30万人未満" in subjects["anyOf"][0]["enum"]


def test_schema_files_are_deterministic():
    a, b = all_schemas(), all_schemas()
    assert a == b and set(a) == {"juten-h26-04.schema.json", "juten-r06-10.schema.json", "kiso-h26-04.schema.json",
                                    "zenkoumoku-h26-04.schema.json", "zenkoumoku-h30-05.schema.json", "zenkoumoku-r07-05.schema.json"}
    json.loads(a["juten-r06-10.schema.json"])
