"""The MyST fixture module exported as a Jupyter Book: course keys reach `_config.yml`, the book
builds with `jupyter-book build -W`, renders every construct, and axe finds nothing serious."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from lcmodules.export.jupyter_book import build_html

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from bookaxe import axe_problems, book_pages, serve  # noqa: E402

pytestmark = [pytest.mark.book, pytest.mark.slow]

FIXTURE = Path(__file__).parent / "fixtures" / "myst"
COURSE_CONFIG = """\
title: MyST-cursus
author: Lectoraat Test
copyright: "2026"
html:
  favicon: branding/icoon.png
  use_issues_button: false
bibtex_bibfiles:
  - extra/cursus.bib
parse:
  myst_enable_extensions: [linkify]
latex:
  latex_documents:
    targetname: boek.tex
sphinx:
  config:
    html_show_copyright: false
  extra_extensions:
    - sphinx.ext.todo
    - sphinx_inline_tabs
lcmodules:
  modules: [myst]
"""
INLINE_TABS = "\n````{tab} Oven\nDe oven staat aan.\n````\n````{tab} Koelkast\nDe koelkast is dicht.\n````\n"
EXTRA_BIB = "@misc{cursus2022,\n  author = {Mol, Gerrit},\n  title = {Cursusbron},\n  year = {2022}\n}\n"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course around the fixture module, exported and built once (with -W)."""
    from tests.conftest import run_cli

    course = tmp_path_factory.mktemp("mystcourse")
    shutil.copytree(FIXTURE, course / "modules" / "myst")
    with (course / "modules" / "myst" / "pagina.md").open("a", encoding="utf-8") as page:
        page.write(INLINE_TABS)  # sphinx-inline-tabs, an extension the course names
    (course / "_config.yml").write_text(COURSE_CONFIG, encoding="utf-8")
    (course / "branding").mkdir()
    (course / "branding" / "icoon.png").write_bytes((FIXTURE / "img" / "oven.svg").read_bytes())
    (course / "extra").mkdir()
    (course / "extra" / "cursus.bib").write_text(EXTRA_BIB, encoding="utf-8")
    out = course / "dist"
    run_cli("build", course / "modules" / "myst", "--format", "jupyter-book", "--out", out, check=0)
    tree = out / "myst-1.0.0-jupyter-book"
    build_html(tree, ["-W", "--keep-going"])
    return tree


def test_course_keys_reach_the_books_config(book: Path) -> None:
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    assert config["copyright"] == "2026"
    assert config["html"]["favicon"] == "favicon.png" and (book / "favicon.png").is_file()
    assert config["html"]["use_issues_button"] is False
    assert config["bibtex_bibfiles"] == ["_bib/cursus.bib", "bronnen.bib"]
    assert (book / "_bib" / "cursus.bib").read_text(encoding="utf-8") == EXTRA_BIB
    assert config["parse"]["myst_enable_extensions"][-1] == "linkify"
    assert config["latex"] == {"latex_documents": {"targetname": "boek.tex"}}
    assert config["sphinx"]["config"]["html_show_copyright"] is False
    assert config["sphinx"]["config"]["html_math_renderer"] == "lc_mathml"
    assert config["sphinx"]["extra_extensions"] == ["sphinx.ext.todo", "sphinx_inline_tabs"]
    assert config["execute"] == {"execute_notebooks": "off"}
    included = (book / "parts" / "opmerking.md").read_text(encoding="utf-8")
    assert "ingevoegd bestand" in included and "antwoord is 42" not in included  # learner edition


def html(book: Path, name: str) -> str:
    return (book / "_build" / "html" / name).read_text(encoding="utf-8")


def test_the_book_renders_every_construct(book: Path) -> None:
    page = html(book, "pagina.html")
    assert "©" not in page  # html_show_copyright: false reached Sphinx
    assert re.search(r'<link rel="(shortcut )?icon" href="_static/favicon.png"', page)
    assert re.search(r'href="#fig-oven"><span class="std std-numref">Fig\. 1</span>', page)
    assert 'class="caption-number">Tabel 2 </span>' in page
    assert re.search(r"Jansen and de\xa0Vries \[<a [^>]*>2021</a>\]", page)  # author_year
    assert 'class="sd-card' in page and 'class="sd-tab-set' in page and "toggle" in page
    assert "ingevoegd bestand" in page and "Een <strong>vet</strong> woord in reST." in page
    assert "trilling" in page and "Interactieve H5P-oefening" in page
    assert 'class="tab-set' in page and "De koelkast is dicht." in page  # {tab}
    assert re.search(r'<a class="reference internal" href="notebooks/cellen.html">', page)  # {doc}
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in page
    notebook = html(book, "notebooks/cellen.html")
    assert "Codecel tonen" in notebook and "Show code cell" not in notebook
    assert 'href="#fig-cel"' in notebook and "Visser" in notebook
    assert "full-width" in notebook and "thebe-init" in notebook


@pytest.mark.browser
def test_axe_finds_nothing_serious_and_math_is_centred(browser, book: Path) -> None:
    html_dir = book / "_build" / "html"
    pages = book_pages(html_dir)
    assert "pagina.html" in pages and "notebooks/cellen.html" in pages
    outside: list[str] = []
    with serve(html_dir) as base:
        problems = axe_problems(browser, base, pages, outside)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        try:
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
            page.goto(f"{base}/pagina.html")
            box = page.locator("math[display=block]").first.bounding_box()
            column = page.locator("div.math").first.bounding_box()
        finally:
            context.close()
    assert not problems, problems
    assert all("h5p.example.org" in url for url in outside), outside
    assert box and column
    left, right = box["x"] - column["x"], column["x"] + column["width"] - box["x"] - box["width"]
    assert abs(left - right) < 20, (left, right)
