"""The content tree's paths: links leaving their folder (E013), names that are not read
(E014), and generated-path collisions (L002), reported alike by check, build and the preview."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pia_site import content_tree, render
from pia_site.build import build, check
from pia_site.diagnostics import DiagnosticsError, format_diagnostics, has_errors
from pia_site.preview.incremental import IncrementalBuilder
from pia_site.link import link_site
from pia_site.model import Municipality, SiteConfig
from pia_site.preview.watch import WatchTargets
from pia_site.theme import Theme
from pia_site.write import write_site

from support import MUNI_YAML, make_content, scaffold_text, tree_bytes, write

SECRET = "SECRET-OUTSIDE-THE-SITE"


@pytest.fixture(scope="module")
def assessment_text() -> str:
    return scaffold_text()


@pytest.fixture
def content(tmp_path, assessment_text) -> Path:
    return make_content(tmp_path, {"keijidosha-fuka": assessment_text})


@pytest.fixture
def secret(tmp_path) -> Path:
    return write(tmp_path / "outside" / "secret.txt", f"{SECRET}\n")


def _at(diags, code: str) -> list[str]:
    return sorted(Path(d.location.path).as_posix() for d in diags if d.code == code)


def _published(out: Path) -> bool:
    return out.exists() and any(SECRET.encode() in data for data in tree_bytes(out).values())


def _use_theme(content: Path) -> None:
    """site.yaml names the folder beside the content as the theme folder (its templates/, assets/)."""
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "theme_dir: ..\n", encoding="utf-8")


def _cli_build(content: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pia_site", "build", "--content", str(content), "--out", str(out)],
                          capture_output=True, text=True)


# -- links leaving their folder ----------------------------------------------------------------
def test_a_content_file_linking_outside_is_an_error_and_is_not_read(content, secret, tmp_path):
    link = content / "koshigaya" / "passwd.yaml"
    link.symlink_to(secret)
    diags = check(content)
    assert _at(diags, "E013") == [link.as_posix()]
    assert all(d.is_error for d in diags if d.code == "E013")
    assert not [d for d in diags if d.location.path == secret.as_posix()]  # the target is never read
    with pytest.raises(DiagnosticsError):
        build(content, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_content_folder_linking_outside_is_an_error_and_is_not_read(content, tmp_path, assessment_text):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "municipality.yaml", MUNI_YAML)
    write(elsewhere / "leak.yaml", assessment_text)
    (content / "leak").symlink_to(elsewhere, target_is_directory=True)
    diags = check(content)
    assert _at(diags, "E013") == [(content / "leak").as_posix()]
    assert not [d for d in diags if "elsewhere" in d.location.path or d.location.path.startswith((content / "leak").as_posix() + "/")]


def test_a_link_inside_the_content_folder_is_an_ordinary_alias(content):
    (content / "koshigaya" / "alias.yaml").symlink_to(Path("keijidosha-fuka.yaml"))
    diags = check(content)
    assert not _at(diags, "E013") and not has_errors(diags)


@pytest.mark.parametrize("where", ["templates", "assets"])
def test_a_theme_file_linking_outside_is_an_error_and_never_published(content, secret, tmp_path, where):
    name = "partials/footer.html" if where == "templates" else "style.css"
    _use_theme(content)
    link = content.parent / where / name
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    diags = check(content)
    assert _at(diags, "E013") == [link.as_posix()]
    r = _cli_build(content, tmp_path / "out")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "E013" in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_theme_folder_linking_outside_is_reported(content, secret, tmp_path):
    _use_theme(content)
    (content.parent / "assets").mkdir()
    (content.parent / "assets" / "img").symlink_to(secret.parent, target_is_directory=True)
    assert _at(check(content), "E013") == [(content.parent / "assets" / "img").as_posix()]


def test_the_template_loader_and_the_asset_copy_never_follow_a_link_outside(tmp_path, secret):
    """The last guards, below the E013 that stops build and check first."""
    templates = tmp_path / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "footer.html").symlink_to(secret)
    env = render.make_environment(Theme(tmp_path))
    source = env.loader.get_source(env, "partials/footer.html")[0]
    assert SECRET not in source  # the package's own footer
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "leak.css").symlink_to(secret)
    (assets / "dir").symlink_to(secret.parent, target_is_directory=True)
    write(assets / "ok.css", "body{}\n")
    report = write_site({"index.html": "<p>x</p>"}, tmp_path / "out", Theme(tmp_path).asset_files())
    assert (tmp_path / "out" / "assets" / "ok.css").is_file() and report.pages == 1
    assert not (tmp_path / "out" / "assets" / "leak.css").exists()
    assert not _published(tmp_path / "out")


# -- names that are not read ------------------------------------------------------------------
@pytest.mark.parametrize("name, says", [("a.YAML", "拡張子は小文字"), ("..yaml", "「.」で始まる"), ("b.Yml", "拡張子は小文字")])
def test_a_yaml_like_name_that_is_not_read_is_a_located_warning(content, assessment_text, tmp_path, name, says):
    write(content / "koshigaya" / name, assessment_text.replace("title:", f"# {SECRET}\ntitle:", 1))
    diags = check(content)
    found = [d for d in diags if d.code == "E014"]
    assert [d.location.path for d in found] == [(content / "koshigaya" / name).as_posix()]
    assert not found[0].is_error and says in found[0].message
    assert not has_errors(diags)
    build(content, tmp_path / "out")  # a warning does not stop the build


def test_yaml_beside_site_yaml_is_a_warning(content):
    write(content / "koshigaya.yaml", "name: x\n")
    write(content / "Site.yml", "title: x\n")
    assert _at(check(content), "E014") == [(content / "Site.yml").as_posix(), (content / "koshigaya.yaml").as_posix()]


def test_editor_lock_files_and_other_files_are_not_warned_about(content):
    (content / "koshigaya" / ".#keijidosha-fuka.yaml").symlink_to("user@host.123")  # Emacs' lock
    write(content / "koshigaya" / "notes.txt", "memo\n")
    write(content / "_drafts" / "x.YAML", "a: 1\n")
    assert not _at(check(content), "E014")


# -- generated-path collisions ----------------------------------------------------------------
@pytest.mark.parametrize("folder", ["search", "changes", "assets", "compare"])
def test_a_municipality_named_like_a_generated_path_is_l002_in_check_and_stops_build_cleanly(content, tmp_path, folder):
    write(content / folder / "municipality.yaml", MUNI_YAML)
    diags = check(content)
    assert _at(diags, "L002") == [(content / folder / "municipality.yaml").as_posix()]
    r = _cli_build(content, tmp_path / "out")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "L002" in r.stderr and f"{folder}/municipality.yaml" in r.stderr
    assert not (tmp_path / "out").exists()


def test_an_assessment_named_changes_collides_inside_its_municipality(content, assessment_text):
    write(content / "koshigaya" / "changes.yaml", assessment_text)
    assert _at(check(content), "L002") == [(content / "koshigaya" / "changes.yaml").as_posix()]


def test_x_yaml_beside_x_yml_is_l002_at_the_second(content, assessment_text, tmp_path):
    write(content / "koshigaya" / "keijidosha-fuka.yml", assessment_text)
    diags = check(content)
    assert _at(diags, "L002") == [(content / "koshigaya" / "keijidosha-fuka.yml").as_posix()]
    assert "keijidosha-fuka.yaml" in next(d.message for d in diags if d.code == "L002")
    r = _cli_build(content, tmp_path / "out")
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_names_that_differ_only_in_case_are_errors_and_build_stops_cleanly(content, assessment_text, tmp_path):
    """On Linux both folders can exist; on Windows and macOS they are one.  The slug rule
    (lower case) already refuses the upper-case one, so the clash never reaches the pages."""
    write(content / "Koshigaya" / "municipality.yaml", MUNI_YAML)
    write(content / "koshigaya" / "Keijidosha-fuka.yaml", assessment_text)
    diags = check(content)
    assert _at(diags, "V003") == [(content / "Koshigaya" / "municipality.yaml").as_posix(),
                                  (content / "koshigaya" / "Keijidosha-fuka.yaml").as_posix()]
    r = _cli_build(content, tmp_path / "out")
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_link_site_compares_slugs_without_case_and_keeps_the_first():
    config = SiteConfig("t")
    first = Municipality("koshigaya", "越谷市", "埼玉県", "112224", (), "content/koshigaya/municipality.yaml")
    second = Municipality("KOSHIGAYA", "越谷市", "埼玉県", "112224", (), "content/KOSHIGAYA/municipality.yaml")
    site, diags = link_site(config, [first, second], [])
    assert site is None and [d.location.path for d in diags] == ["content/KOSHIGAYA/municipality.yaml"]
    site, diags = link_site(config, [first], [])
    assert site is not None and site.municipalities == (first,) and diags == []


# -- one assembly: the preview reports what check reports ---------------------------------------
def test_the_preview_reports_collisions_names_and_links_as_check_does(content, assessment_text, secret, tmp_path):
    builder = IncrementalBuilder(content, tmp_path / "out")
    assert builder.update().ok
    before = tree_bytes(tmp_path / "out")
    changed = [write(content / "search" / "municipality.yaml", MUNI_YAML), content / "search",
               write(content / "koshigaya" / "a.YAML", assessment_text),
               write(content / "koshigaya" / "keijidosha-fuka.yml", assessment_text)]
    (content / "koshigaya" / "pw.yaml").symlink_to(secret)
    changed.append(content / "koshigaya" / "pw.yaml")
    targets = WatchTargets.for_site(content, tmp_path / "out")
    assert all(targets.relevant(p, p.is_dir()) for p in changed)
    result = builder.update(changed)
    expected = check(content)
    assert {d.code for d in expected} >= {"L002", "E013", "E014"}
    assert not result.ok and format_diagnostics(result.diagnostics) == format_diagnostics(expected)
    assert tree_bytes(tmp_path / "out") == before
    # the same from a full rescan
    fresh = IncrementalBuilder(content, tmp_path / "out2").update()
    assert not fresh.ok and format_diagnostics(fresh.diagnostics) == format_diagnostics(expected)
    # fixed one by one, the preview follows
    for p in changed[::-1]:
        if p.is_symlink() or p.is_file():
            p.unlink()
    (content / "search").rmdir()
    result = builder.update(changed)
    assert result.ok and format_diagnostics(result.diagnostics) == format_diagnostics(check(content))
    assert not {d.code for d in result.diagnostics} & {"L002", "E013", "E014"}


def test_the_preview_reports_a_theme_link_outside_as_check_does(content, secret, tmp_path):
    _use_theme(content)
    builder = IncrementalBuilder(content, tmp_path / "out")
    assert builder.update().ok
    link = content.parent / "assets" / "style.css"
    link.parent.mkdir()
    link.symlink_to(secret)
    result = builder.update([link.parent, link])
    assert not result.ok and _at(result.diagnostics, "E013") == [link.as_posix()]
    assert not _published(tmp_path / "out")
    link.unlink()
    assert builder.update([link]).ok


def test_content_tree_is_the_one_definition_of_the_shape(content):
    scan = content_tree.scan_top(content)
    assert scan.site == content / "site.yaml" and scan.folders == (content / "koshigaya",)
    files = content_tree.scan_folder(content / "koshigaya", content).files
    assert [f.name for f in files] == ["keijidosha-fuka.yaml", "municipality.yaml"]
    assert content_tree.assessment_files(content) == [content / "koshigaya" / "keijidosha-fuka.yaml"]
    assert not content_tree.ID_RE.match("Search") and content_tree.ID_RE.match("search")
