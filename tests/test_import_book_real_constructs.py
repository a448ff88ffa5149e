"""Constructs public Jupyter Books carry that Jupyter Book builds with warnings: imported, they
give valid modules (warnings, no errors) that build, pass the schemas and keep their text."""

from __future__ import annotations

import json
import re
import shutil
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


def test_links_into_another_chapter_become_links_to_that_module(course: Path) -> None:
    flow = (course / "modules" / "flow" / "index.md").read_text()
    # every form (page without suffix, label, {doc}, {ref}, {doc} with text) → one link form
    assert ("Cross-chapter forms: [wave page](../waves/index.md), "
            "[the wave label](../waves/index.md#wave-height),\n"
            "[Waves](../waves/index.md), [Wave height](../waves/index.md#wave-height) and "
            "[the waves](../waves/index.md).") in flow
    waves = (course / "modules" / "waves" / "index.md").read_text()
    assert "Back to [the flow chapter](../flow/index.md)." in waves
    # links inside the chapter, suffix-less page and label on a sibling page, stay links
    assert "[the discharge page](discharge)" in flow
    assert "[a stationary reach](stationary)" in flow
    # a link out of the chapter to a file the book lacks became its text
    assert "the lost derivation." in flow and "lost/derivation" not in flow
    report = (course / "import-report.md").read_text()
    assert "flow/index.md:17:" in report and "a dead link" in report
    assert "flow/index.md:10: {ref} 'wave-height' is a label in module 'waves'" in report


def test_a_link_into_a_module_missing_from_the_course_is_an_error(
        course: Path, tmp_path: Path) -> None:
    page = course / "modules" / "waves" / "index.md"
    text = page.read_text()
    page.write_text(text + "\nSee [gone](../nomodule/page.md).\n")
    try:
        found = problems(course)
        assert found["errors"] == 1 and "points outside the module folder" in \
            json.dumps(found["problems"])
    finally:
        page.write_text(text)


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
    # a link into another module: text naming the module, never a dead <a href>
    assert ('<span class="lc-elsewhere">the wave label</span> (Module <em>Waves</em>)') in html
    assert "../waves" not in html
    with zipfile.ZipFile(dist / "waves-1.0.0-scorm2004.zip") as package:
        assert '<span class="lc-elsewhere">the flow chapter</span> (Module <em>Flow</em>)' in \
            package.read("index.html").decode()
    assert "a slide set without its address:\nslides." in html  # the empty {download}: text
    assert 'href=""' not in html


def test_workers_name_the_other_module_as_one_process_does(course: Path, tmp_path: Path) -> None:
    """Built by two worker processes, which inherit the course's pages instead of receiving
    them with each job, the packages are the bytes one process makes: a link into another
    module names that module's title."""
    built = {}
    for jobs in ("1", "2"):
        dist = tmp_path / f"jobs-{jobs}"
        run_cli("build", course, "-f", "scorm2004", "--jobs", jobs, "--no-cache", "--out", dist,
                check=0)
        built[jobs] = {p.name: p.read_bytes() for p in sorted(dist.glob("*.zip"))}
    assert len(built["2"]) == 3 and built["1"] == built["2"]
    with zipfile.ZipFile(tmp_path / "jobs-2" / "flow-1.0.0-scorm2004.zip") as package:
        assert "(Module <em>Waves</em>)" in package.read("index.html").decode()


def test_a_module_gone_is_found_by_the_links_of_a_module_kept_in_the_cache(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model cache keeps a module's checks while its files are unchanged; its links into
    another module depend on that module's files too: once it is gone, validate and build
    find the links that now point out of the folder, as a cold run does."""
    monkeypatch.setenv("LCMODULES_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    assert problems(copy)["errors"] == 0  # flow's checks are stored, waves found
    shutil.rmtree(copy / "modules" / "waves")
    outside = {(Path(p["file"]).name, p["line"]) for p in problems(copy)["problems"]
               if "points outside the module folder" in p["message"]}
    assert outside == {("index.md", 9), ("index.md", 10)}
    build = run_cli("build", copy, "-f", "scorm2004", "--out", tmp_path / "dist", check=1)
    assert "flow/index.md:9: '../waves/index.md' points outside the module folder" in \
        build.stdout + build.stderr


def _links(html: str) -> list[str]:
    """The internal links of the page's article (not its navigation)."""
    article = html[html.index("<article"):html.index("</article>")]
    return re.findall(r'<a class="reference internal" href="([^"]+)"', article)


@pytest.mark.book
def test_the_course_book_links_into_the_other_chapter(course: Path, tmp_path: Path) -> None:
    """The real `jupyter-book build` of the course's book: each link into another chapter
    goes to that module's page (and its label's element); a module's own book has text."""
    dist = tmp_path / "dist"
    run_cli("build", course, "-f", "jupyter-book", "--html", "--out", dist, check=0)
    site = dist / "river-book-jupyter-book" / "_build" / "html"
    page = site / "flow" / "index.html"
    hrefs = [h for h in _links(page.read_text()) if "waves/" in h]
    assert sorted(set(hrefs)) == ["../waves/index.html", "../waves/index.html#wave-height"], hrefs
    assert len(hrefs) == 5
    for href in hrefs:
        path, _, anchor = href.partition("#")
        target = (page.parent / path).resolve()
        assert target.is_file(), href
        assert not anchor or f'id="{anchor}"' in target.read_text(), href
    back = _links((site / "waves" / "index.html").read_text())
    assert "../flow/index.html" in back
    own = (dist / "flow-1.0.0-jupyter-book" / "index.md").read_text()
    assert "the wave label (Module *Waves*)" in own and "../waves" not in own
