from pia_site import catalog as cat


def test_all_three_editions_load():
    ids = {f.id for f in cat.all_forms()}
    assert {"juten/令和6年10月", "zenkoumoku/平成30年5月", "zenkoumoku/令和7年5月"} <= ids


def test_form_order_matches_the_official_documents():
    juten = cat.find_form("juten", "令和6年10月")
    assert [p.printed for p in juten.parts if p.no in ("I", "II", "III", "IV", "V")] == ["I 基本情報", "II 特定個人情報ファイルの概要", "III リスク対策", "IV 開示請求、問合せ", "V 評価実施手続"]
    zen = cat.find_form("zenkoumoku", "平成30年5月")
    assert [p.no for p in zen.parts if p.no in ("I", "II", "III", "IV", "V", "VI")] == ["I", "II", "III", "IV", "V", "VI"]
    assert len(juten.part("risk_measures").children) == 10  # III has ten parts in 様式3


def test_star_rule_and_its_exceptions():
    juten = cat.find_form("juten", "令和6年10月")
    zen = cat.find_form("zenkoumoku", "平成30年5月")
    assert juten.part("risk_measures").star and juten.part("risk_measures").star_note == "(7. ②を除く。)"
    assert not juten.nodes["risk_measures.storage.risk.serious_incident"].important
    assert juten.nodes["risk_measures.storage.risk.sufficiency"].important
    # ②事務の内容 carries ※ in 様式4 only
    assert zen.nodes["basic_info.jimu.description"].star
    assert not juten.nodes["basic_info.jimu.description"].star


def test_every_choice_and_check_names_a_family_with_options():
    for form in cat.all_forms():
        for node in form.walk():
            if node.kind in ("choice", "check"):
                assert node.family is not None and node.family.options, node.id


def test_every_node_has_a_printed_label():
    for form in cat.all_forms():
        for node in form.walk():
            if node.kind not in ("fixed",):
                assert node.label, f"{form.id} {node.id}"


def test_groups_allow_twenty_slots():
    zen = cat.find_form("zenkoumoku", "平成30年5月")
    groups = [n for n in zen.walk() if n.kind == "group" and n.instance_label in ("システム", "委託事項", "提供先", "移転先")]
    assert len(groups) == 4 and all(g.max == 20 for g in groups)


def test_reiwa7_edition_differs_only_by_patches():
    h30 = cat.find_form("zenkoumoku", "平成30年5月")
    r07 = cat.find_form("zenkoumoku", "令和7年5月")
    assert [n.id for n in h30.walk()] == [n.id for n in r07.walk()]
    fam_old, fam_new = h30.families["C-主な記録項目"], r07.families["C-主な記録項目"]
    assert "4情報(氏名、性別、生年月日、住所)" in fam_old.texts
    assert "5情報(氏名、氏名の振り仮名、性別、生年月日、住所)" in fam_new.texts
    # old value migrates through the alias table
    assert fam_new.canonical("4情報(氏名、性別、生年月日、住所)") == "5情報(氏名、氏名の振り仮名、性別、生年月日、住所)"


def test_form_names_and_aliases():
    assert cat.form_kind("全項目評価書") == "zenkoumoku"
    assert cat.form_kind("重点項目") == "juten"
    assert cat.form_kind("計画管理書") is None
