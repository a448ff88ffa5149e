"""Constructs public Jupyter Books carry that Jupyter Book builds with warnings: imported, they
give valid modules (warnings, no errors) that build, pass the schemas and keep their text."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SCHEMAS, run_cli

RIVER = Path(__file__).parent / "fixtures" / "books" / "riverbook"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The river book imported once."""
    out = tmp_path_factory.mktemp("river") / "course"
    run_cli("import-book", RIVER, "--out", out, check=0)
    return out


def problems(course: Path) -> dict:
    return json.loads(run_cli("validate", course, "--json").stdout)


def test_every_chapter_is_valid_and_the_dead_links_are_warnings(course: Path) -> None:
    found = problems(course)
    assert found["modules"] == 3 and found["errors"] == 0, found["problems"]
    warned = {(Path(p["file"]).name, p["line"], p["message"]) for p in found["problems"]}
    assert ("index.md", 12, "link 'projectsite.io': no such file (a dead link)") in warned
    assert ("index.md", 13, "link 'old_tutorial.ipynb': no such file (a dead link)") in warned
    assert ("index.md", 14, "a {download} role names no file (empty target)") in warned


def test_a_missing_file_behind_a_link_is_a_warning_but_an_escape_stays_an_error(
        course: Path) -> None:
    page = course / "modules" / "waves" / "index.md"
    text = page.read_text()
    page.write_text(text + "\nSee [the secret](../../../secret.md).\n")
    try:
        found = problems(course)
        assert found["errors"] == 1, found["problems"]
        assert "points outside the module folder" in json.dumps(found["problems"])
    finally:
        page.write_text(text)


def test_links_into_another_chapter_become_text_naming_the_module(course: Path) -> None:
    flow = (course / "modules" / "flow" / "index.md").read_text()
    for form in ("wave page (module *Waves*)", "the wave label (module *Waves*)",
                 "forms: wave page (module *Waves*), the wave label (module *Waves*),\n"
                 "module *Waves*, module *Waves* and the waves (module *Waves*)."):
        assert form in flow
    assert "../waves" not in flow and "wave-height" not in flow
    # links inside the chapter, suffix-less page and label on a sibling page, stay links
    assert "[the discharge page](discharge)" in flow
    assert "[a stationary reach](stationary)" in flow
    # a link out of the chapter to a file the book lacks became its text
    assert "the lost derivation." in flow and "lost/derivation" not in flow
    report = (course / "import-report.md").read_text()
    assert "flow/index.md:17:" in report and "a dead link" in report


def test_the_modules_build_and_pass_the_schemas(course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_cli("build", course, "-f", "scorm2004", "-f", "imscc", "--out", dist, check=0)
    packages = sorted(p for p in dist.iterdir() if p.suffix in (".zip", ".imscc"))
    assert len(packages) >= 6, packages
    for package in packages:
        report = json.loads(run_cli("inspect", package, "--schemas", SCHEMAS, "--json",
                                    check=0).stdout)
        assert not [p for p in report.get("problems", []) if p.get("severity") == "error"], \
            (package.name, report.get("problems"))
    with zipfile.ZipFile(dist / "flow-1.0.0-scorm2004.zip") as package:
        html = package.read("index.html").decode()
    assert '<a href="#u1-stationary">a stationary reach</a>' in html
    assert "a slide set without its address:\nslides." in html  # the empty {download}: text
    assert 'href=""' not in html
