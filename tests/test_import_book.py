"""`lcmodules import-book` on fixture books of our own: the course it writes, what it reports,
that it never changes the book, and that the result validates, builds and plays."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from tests.conftest import run_cli

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

BOOKS = Path(__file__).parent / "fixtures" / "books"
GREENHOUSE = BOOKS / "greenhouse"
CLIMATE = "measuring-the-climate"
Imported = tuple[Path, str, dict[str, str]]  # the course, the console output, the book's hashes


def tree(folder: Path) -> dict[str, str]:
    """Every file below `folder` → the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The greenhouse book imported once (the book's bytes taken before)."""
    before = tree(GREENHOUSE)
    out = tmp_path_factory.mktemp("import") / "course"
    proc = run_cli("import-book", GREENHOUSE, "--out", out, check=0)
    return out, proc.stderr, before


def module_yml(course: Path, slug: str) -> dict:
    return yaml.safe_load((course / "modules" / slug / "module.yml").read_text(encoding="utf-8"))


def test_book_unchanged_and_import_again_identical(imported: Imported, tmp_path: Path) -> None:
    course, _, before = imported
    first = tree(course)
    run_cli("import-book", GREENHOUSE, "--out", course, check=0)  # an earlier import: replaced
    assert tree(course) == first
    run_cli("import-book", GREENHOUSE, "--out", tmp_path / "again", check=0)
    assert tree(tmp_path / "again") == first
    assert tree(GREENHOUSE) == before


def test_one_module_per_chapter_following_the_toc(imported: Imported) -> None:
    course = imported[0]
    config = yaml.safe_load((course / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == [
        "sensing-in-the-greenhouse", CLIMATE, "watering-the-crop", "harvest"]
    climate = module_yml(course, CLIMATE)
    assert climate["contents"] == ["index.md", "sensors.md", "deep/calibration.md",
                                   "analysis.ipynb"]
    assert climate["id"] == "sensing-in-the-greenhouse/measuring-the-climate"
    assert (climate["version"], climate["language"], climate["license"]) == (
        "1.0.0", "en", "CC-BY-SA-4.0")
    assert climate["authors"] == [{"name": "Tess Tuinder"}]
    watering = module_yml(course, "watering-the-crop")
    assert watering["title"] == "Watering the crop"  # the TOC's title wins over the heading
    assert watering["contents"] == ["index.md", "legacy.ipynb", "extra/a-drip.md",
                                    "extra/b-sprinklers.md"]  # the glob, sorted


def test_shared_and_leading_slash_files_are_copied_and_rewritten(imported: Imported) -> None:
    module = imported[0] / "modules" / CLIMATE
    assert (module / "_shared/figures/sensor.png").read_bytes() == \
        (GREENHOUSE / "figures/sensor.png").read_bytes()
    assert "](_shared/figures/sensor.png)" in (module / "index.md").read_text(encoding="utf-8")
    sensors = (module / "sensors.md").read_text(encoding="utf-8")
    assert "```{figure} _shared/figures/layout.svg" in sensors  # was /figures/layout.svg
    assert "[readings](../_shared/data/readings.csv)" in \
        (module / "deep/calibration.md").read_text(encoding="utf-8")
    nb = json.loads((module / "analysis.ipynb").read_text(encoding="utf-8"))
    assert "pd.read_csv('_shared/data/readings.csv')" in "".join(nb["cells"][1]["source"])
    assert (module / "references.bib").is_file()  # the module cites
    watering = imported[0] / "modules" / "watering-the-crop"
    page = (watering / "index.md").read_text(encoding="utf-8")
    assert '<img src="_shared/figures/sensor.png"' in page
    assert not (imported[0] / "modules" / "harvest" / "_shared").exists()


def test_labels_within_a_module_stay_and_across_modules_link_to_that_module(
        imported: Imported) -> None:
    module = imported[0] / "modules"
    index = (module / CLIMATE / "index.md").read_text(encoding="utf-8")
    assert "{numref}`fig-layout`" in index  # same module: left for the renderer
    assert "the [watering chapter](../watering-the-crop/index.md#irrigation-start)" in index
    sensors = (module / CLIMATE / "sensors.md").read_text(encoding="utf-8")
    assert "{ref}`first chapter <climate-start>`" in sensors
    assert "is in [Watering the crop](../watering-the-crop/index.md)." in sensors
    watering = (module / "watering-the-crop" / "index.md").read_text(encoding="utf-8")
    assert "{eq}`eq-water`" in watering
    assert "[the climate chapter](../measuring-the-climate/index.md#climate-start)" in watering


def test_course_config_keeps_the_book_keys(imported: Imported) -> None:
    course = imported[0]
    text = (course / "_config.yml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["title"] == "Sensing in the Greenhouse"
    assert config["repository"]["url"] == "https://github.com/example-school/greenhouse-book"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["bibtex_bibfiles"] == ["references.bib"] and (course / "references.bib").is_file()
    assert config["sphinx"]["config"]["html_show_copyright"] is False
    assert config["execute"]["execute_notebooks"] == "off"  # still a string for YAML 1.1 readers
    assert config["logo"] == "logo.png" and (course / "logo.png").is_file()
    assert "google_analytics_id" not in config


def test_report_names_what_was_not_carried(imported: Imported) -> None:
    course, stderr, _ = imported
    report = (course / "import-report.md").read_text(encoding="utf-8")
    for line in ("_config.yml:24: the key 'google_analytics_id'",
                 "_toc.yml:19: the link 'https://example.org/more-reading'",
                 "climate/index.md:5: {ref} 'irrigation-start' is a label in module "
                 "'watering-the-crop'",
                 "irrigation/index.md:9: the link to 'climate-start' goes to module",
                 "climate/analysis.ipynb:20: cell 2: the code's path '../data/readings.csv'"):
        assert line in report, report
        assert line in stderr
    assert "Licence: CC-BY-SA-4.0" in report


def test_validate_gives_warnings_only(imported: Imported) -> None:
    course = imported[0]
    proc = run_cli("validate", course, cwd=course, check=0)
    assert "0 errors, 4 warnings in 4 modules" in proc.stderr
    assert "modules/measuring-the-climate/sensors.md:10: warning: image " in proc.stderr
    assert "3 cell(s) without an id" in proc.stderr
    assert proc.stderr.count("without an id") == 1  # one warning per file
    assert "application/vnd.jupyter.widget-view+json needs a running notebook" in proc.stderr
    # the Plotly output: its JSON and its HTML need script; one warning names both
    assert ("cell 3: output of type application/vnd.plotly.v1+json, text/html with a script "
            "(left out: LMS pages run no author scripts) needs a running notebook") in proc.stderr
    run_cli("validate", "--strict", course, cwd=course, check=1)
    data = json.loads(run_cli("validate", "--json", "--strict", course, cwd=course).stdout)
    assert (data["errors"], data["warnings"], data["ok"]) == (0, 4, False)


def test_refuses_a_folder_that_is_not_an_earlier_import(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    proc = run_cli("import-book", GREENHOUSE, "--out", out, check=1)
    assert "is not empty and is not an earlier import" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    before = tree(GREENHOUSE)
    proc = run_cli("import-book", GREENHOUSE, "--out", GREENHOUSE / "course", check=1)
    assert "lies inside the book" in proc.stderr and tree(GREENHOUSE) == before
    run_cli("import-book", GREENHOUSE, "--out", tmp_path / "x", "--split", "pages", check=2)


def test_split_parts_and_options(tmp_path: Path) -> None:
    out = tmp_path / "parts"
    run_cli("import-book", GREENHOUSE, "--out", out, "--split", "parts", "--language", "nl",
            "--id-prefix", "lc-kas", check=0)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == ["sensing-in-the-greenhouse", "measuring", "acting"]
    acting = module_yml(out, "acting")
    assert acting["id"] == "lc-kas/acting" and acting["language"] == "nl"
    assert acting["contents"][-1] == "harvest.md" and "irrigation/index.md" in acting["contents"]
    # the label harvest.md points at is in the other part's module now
    assert "see [Measuring the climate](../measuring/index.md#climate-start)." in \
        (out / "modules/acting/harvest.md").read_text()  # a {ref} without text: its heading
    measuring = (out / "modules/measuring/index.md").read_text(encoding="utf-8")
    assert "[watering chapter](../acting/irrigation/index.md#irrigation-start)" in measuring


def test_article_becomes_one_module(tmp_path: Path) -> None:
    out = tmp_path / "article"
    run_cli("import-book", BOOKS / "article", "--out", out, check=0)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == ["bodem"]
    meta = module_yml(out, "bodem")
    assert meta["contents"] == ["index.md", "parts/method.md", "parts/result.md"]
    assert (meta["language"], meta["license"]) == ("nl", "MIT")
    assert "{ref}`methode`" in (out / "modules/bodem/parts/result.md").read_text(encoding="utf-8")
    run_cli("validate", "--strict", out, check=0)


@pytest.mark.browser
def test_imported_module_builds_and_plays(imported: Imported, browser: Browser,
                                          tmp_path: Path) -> None:
    course = imported[0]
    from lcmodules.build import run_build
    from lcmodules.export.registry import BuildOptions

    courses = scormtest.load(course / "modules" / CLIMATE)
    options = BuildOptions(out=tmp_path / "dist", formats=["scorm2004", "jupyter-book"],
                           html=True)
    artifacts = run_build(courses, options).artifacts
    package = next(p for p in artifacts if p.name.endswith("scorm2004.zip"))
    book = next(p for p in artifacts if p.name.endswith("-jupyter-book"))
    assert (book / "_shared/figures/sensor.png").is_file()
    assert (book / "_build/html/sensors.html").is_file()  # `jupyter-book build` ran
    with zipfile.ZipFile(package) as zf:
        page = zf.read("index.html").decode("utf-8")
    for fragment in ('alt="Hand-drawn temperature curve"', 'alt="A pink square"', ".gif\"",
                     ".webp\"", ".pdf\" download", "lc-output-json", "lc-output-markdown",
                     "IntSlider(value=3)",
                     "Interactive output (application/vnd.plotly.v1+json, text/html)",
                     "<math"):
        assert fragment in page, fragment
    assert "Plotly.newPlot" not in page
    root = scormtest.unpack(package, tmp_path / "pkg" / "climate")
    context = browser.new_context()
    errors: list[str] = []
    try:
        with scormtest.harness_server(root.parent) as (base, _):
            tab = context.new_page()
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(f"{base}/harness/lms.html?v=2004&launch=/pkg/climate/index.html")
            frame = tab.frame_locator("#sco")
            frame.locator("main[data-lc-unit]:not([hidden])").first.wait_for()
            for _ in range(3):
                frame.locator("[data-lc-nav=next]").click()
            shown = "main[data-lc-unit='3']:not([hidden])"
            frame.locator(f"{shown} img[alt='A cyan square']").wait_for()
            tab.evaluate("document.getElementById('sco').src = 'about:blank'")
            tab.wait_for_function("window.lmsRecord !== undefined")
            record = tab.evaluate("window.lmsRecord")
    finally:
        context.close()
    values = {c["args"][0]: c["args"][1] for c in record["calls"] if c["fn"] == "SetValue"}
    assert values["cmi.completion_status"] == "completed"
    assert errors == []


def test_book_without_parts_and_what_cannot_be_carried(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "a").mkdir(parents=True)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: start\nchapters:\n  - file: a/one\n    sections:\n"
        "      - file: a/old.rst\n      - file: a/gone\n  - file: two.md\n", encoding="utf-8")
    (book / "start.md").write_text("# Start\n\nHello.\n", encoding="utf-8")
    (book / "a/one.md").write_text("# One\n\n(same)=\n"
                                   "Text {ref}`same`, [it](same) and {ref}`nowhere`.\n\n"
                                   "![Outside](../../secret.png)\n", encoding="utf-8")
    (book / "a/old.rst").write_text("Old\n===\n", encoding="utf-8")
    (book / "two.md").write_text("# Two\n\n(same)=\nAgain {ref}`same`, [here](same).\n",
                                 encoding="utf-8")
    (book / "LICENSE").write_text("All rights reserved by nobody in particular.\n")
    out = tmp_path / "course"
    proc = run_cli("import-book", book, "--out", out, check=0)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == ["start", "one", "two"]
    assert config["title"] == "Course"  # the book had no _config.yml
    assert module_yml(out, "one")["contents"] == ["one.md"]
    assert "license" not in module_yml(out, "one")
    for line in ("book/_toc.yml:6: 'a/old.rst' is not a page lcmodules reads",
                 "book/_toc.yml:7: the TOC names 'a/gone', which does not exist",
                 "book/a/one.md:4: {ref} 'nowhere': no such label in the book",
                 "book/a/one.md:6: '../../secret.png' lies outside the book",
                 "book/LICENSE:1: the licence is not one lcmodules recognises"):
        assert line in proc.stderr, proc.stderr
    # a label both modules define stays within each
    assert "{ref}`same`, [here](same)." in (out / "modules/two/two.md").read_text(encoding="utf-8")
    assert "two.md:4" not in proc.stderr
    assert "{ref}`same`, [it](same)" in (out / "modules/one/one.md").read_text(encoding="utf-8")
    assert "a/one.md:4: '" not in proc.stderr  # [it](same) names a label, not a file
    assert not (tmp_path / "secret.png").exists()
    run_cli("import-book", tmp_path / "nothing-here", "--out", tmp_path / "c2", check=2)
    (tmp_path / "empty").mkdir()
    proc = run_cli("import-book", tmp_path / "empty", "--out", tmp_path / "c3", check=1)
    assert "the book has no _toc.yml" in proc.stderr and not (tmp_path / "c3").exists()
    (tmp_path / "empty" / "_toc.yml").write_text("format: jb-book\nroot: [start\n")
    proc = run_cli("import-book", tmp_path / "empty", "--out", tmp_path / "c3", check=1)
    assert "empty/_toc.yml:3: _toc.yml cannot be read" in proc.stderr
