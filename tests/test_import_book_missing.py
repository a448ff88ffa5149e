"""Files a book refers to but does not have (images, media, included files): imported, every
chapter is still a valid module; each is a warning at `file:line`, and the pages show the alt
text, caption or a note in its place."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import run_cli

PAGE = """\
# Pumps

![A pump that is not there](img/missing.png)

```{figure} img/gone.png
:name: fig-gone

The figure's caption stays.
```

```{image} img/lost.svg
:alt: A lost sketch
```

<img src="img/away.png" alt="An HTML image">

<video controls poster="thumb.jpg"></video>

```{include} parts/absent.md
```

See {numref}`fig-gone`.
"""


def make_book(root: Path) -> Path:
    """A two-chapter book of our own whose first chapter lacks its images and an include."""
    book = root / "book"
    (book / "pumps").mkdir(parents=True)
    (book / "valves").mkdir()
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: pumps/index\n"
        "    sections:\n      - file: pumps/lab\n  - file: valves/index\n", encoding="utf-8")
    (book / "_config.yml").write_text("title: Pumps and valves\n", encoding="utf-8")
    (book / "intro.md").write_text("# Pumps and valves\n\nA small book.\n", encoding="utf-8")
    (book / "pumps" / "index.md").write_text(PAGE, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lab\n\n![The lab set-up](setup.jpg)"),
                nbformat.v4.new_code_cell("print(1)")]
    nbformat.write(nb, book / "pumps" / "lab.ipynb")
    (book / "valves" / "index.md").write_text("# Valves\n\nThey open and close.\n",
                                               encoding="utf-8")
    return book


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("missing")
    out = root / "course"
    run_cli("import-book", make_book(root), "--out", out, check=0)
    return out


def test_missing_files_are_warnings_and_every_chapter_is_valid(course: Path) -> None:
    found = json.loads(run_cli("validate", course, "--json").stdout)
    assert found["modules"] == 3 and found["errors"] == 0, found["problems"]
    warned = {(Path(p["file"]).name, p["line"], p["message"]) for p in found["problems"]
              if p["severity"] == "warning"}
    shows = "does not exist: the page shows its alt text or caption instead (a missing image)"
    for line, name in ((3, "img/missing.png"), (5, "img/gone.png"), (11, "img/lost.svg"),
                       (15, "img/away.png"), (17, "thumb.jpg")):
        assert ("index.md", line, f"image '{name}' {shows}") in warned, warned
    assert any(p[0] == "lab.ipynb" and "cell 1: image 'setup.jpg'" in p[2] for p in warned)
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "pumps/index.md:3: 'img/missing.png' does not exist in the book" in report
    assert "pumps/index.md:19: 'parts/absent.md' (an {include}) does not exist in the book; " \
        "a note in its place says so" in report


def test_a_missing_include_becomes_a_visible_note(course: Path) -> None:
    page = (course / "modules" / "pumps" / "index.md").read_text(encoding="utf-8")
    assert ":::{note}\nThe book includes `parts/absent.md` here, a file it does not have.\n:::" \
        in page
    assert "{include}" not in page


def test_the_pages_show_the_text_in_place_of_the_missing_files(
        course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run_cli("build", course, "-f", "scorm2004", "-f", "jupyter-book", "--out", dist, check=0)
    with zipfile.ZipFile(dist / "pumps-1.0.0-scorm2004.zip") as package:
        html = package.read("index.html").decode()
        names = package.namelist()
    for shown in ("A pump that is not there", "A lost sketch", "An HTML image",
                  "The lab set-up"):
        assert f'<span class="lc-missing-image">{shown}</span>' in html
    assert "The figure&#x27;s caption stays." in html or "The figure's caption stays." in html
    assert "<video controls>" in html and "thumb.jpg" not in html
    assert not [n for n in names if n.endswith((".png", ".jpg", ".svg"))
                and "static" not in n], names
    book = (dist / "pumps-1.0.0-jupyter-book" / "index.md").read_text(encoding="utf-8")
    assert '<span class="lc-missing-image">A pump that is not there</span>' in book
    assert "(fig-gone)=" in book and "The figure's caption stays." in book
    assert "img/" not in book and "thumb.jpg" not in book


@pytest.mark.book
def test_the_course_book_builds_without_missing_file_warnings(
        course: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    proc = run_cli("build", course, "-f", "jupyter-book", "--html", "--out", dist, check=0)
    assert "Traceback" not in proc.stderr
    site = dist / "pumps-and-valves-jupyter-book" / "_build" / "html" / "pumps" / "index.html"
    assert "A pump that is not there" in site.read_text(encoding="utf-8")
    log = proc.stdout + proc.stderr
    assert "image file not readable" not in log and "not found" not in log.lower(), log
