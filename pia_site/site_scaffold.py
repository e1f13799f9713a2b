"""`pia-site new [DIR]`: the files of a new site that builds, as text (written by ``cli/new.py``).

    DIR/content/site.yaml                         the site's settings (title, 和暦 options)
    DIR/content/mihon/municipality.yaml           an example municipality (見本市; to be replaced)
    DIR/content/mihon/<name>.yaml                 a scaffold of the form (``scaffold.py``): every item empty
    DIR/content/_schema/*.schema.json             editor completion (written by the command)

The example municipality's code has a valid check digit and is no real municipality's (13999x:
東京都 has no 999), so the site builds with warnings only (the scaffold's empty items).
"""
from __future__ import annotations

from .catalog import Form
from .content_tree import MUNICIPALITY_FILE, SITE_FILE
from .scaffold import scaffold

EXAMPLE_MUNICIPALITY = "mihon"
EXAMPLE_CODE = "139998"  # 13999 + check digit 8 (validate.municipality.code_check_digit)

SITE_YAML = """\
# サイトの設定（pia-site new が作成）。書ける項目: title, description, base_url, gannen, seireki,
# empty_buckets, theme_dir, personal_data_allow（README の「Content layout」を参照）
title: 特定個人情報保護評価書 公開サイト
description: 特定個人情報保護評価書を、様式どおりの項目で閲覧できるサイトです。
# 西暦の併記: after（和暦の後ろ）・before・none
seireki: after
"""

MUNICIPALITY_YAML = f"""\
# 見本の団体です（pia-site new が作成）。フォルダ名 {EXAMPLE_MUNICIPALITY}/ を団体の名前（半角英小文字。例: koshigaya）に
# 変え、団体名・都道府県・全国地方公共団体コード（6 桁、引用符で囲む）を書き換えてください
name: 見本市
prefecture: 東京都
code: "{EXAMPLE_CODE}"
bodies: [見本市長]
"""


def site_yaml() -> str:
    return SITE_YAML


def new_site_files(form: Form, name: str, schema_url: str) -> dict[str, str]:
    """Relative path (below the content folder) → text, in the order they are written."""
    return {
        SITE_FILE: SITE_YAML,
        f"{EXAMPLE_MUNICIPALITY}/{MUNICIPALITY_FILE}": MUNICIPALITY_YAML,
        f"{EXAMPLE_MUNICIPALITY}/{name}.yaml": scaffold(form, schema_url),
    }
