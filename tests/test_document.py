"""The one parse: one markdown-it configuration, pages and cells parsed once at load time,
and every layer (validation, fingerprint, renderer, Jupyter Book export) reading it."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

import lcmodules
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.document import Document, page_document, parse_document
from lcmodules.load.loader import load_module
from lcmodules.load.references import find_references
from lcmodules.model import Module
from lcmodules.render.site import SiteOptions, render_site
from lcmodules.transform.learner import module_edition
from lcmodules.validate.rules import check_module
from lcmodules.versioning.fingerprint import fingerprint_module

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
PRICES = ("# Prijzen\n\nThe oven costs $5 per unit, see [the data sheet](data/sheet.pdf), "
          "and the mount $7 more.\n")


@pytest.fixture()
def module_dir(tmp_path: Path) -> Path:
    """The minimal module with a page where dollar signs are prices, not math."""
    dest = tmp_path / "minimal"
    shutil.copytree(FIXTURE, dest)
    (dest / "prijzen.md").write_text(PRICES, encoding="utf-8")
    yml = dest / "module.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "  - prijzen.md\n", encoding="utf-8")
    return dest


def load(folder: Path) -> tuple[Module, Diagnostics]:
    diag = Diagnostics()
    module = load_module(folder, diag)
    assert module is not None, [p.format() for p in diag.problems]
    return module, diag


def page_unit(module: Module, rel: str = "prijzen.md"):
    return next(u for u in module.units if u.rel == rel)


def test_exactly_one_markdown_it_configuration() -> None:
    package = Path(lcmodules.__file__).parent
    calls = [f"{p.relative_to(package)}:{n}" for p in sorted(package.rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if "MarkdownIt(" in line]
    assert len(calls) == 1 and calls[0].startswith("load/document.py:"), calls


def test_dollar_prices_are_no_math_anywhere() -> None:
    refs = find_references(PRICES)
    assert [(r.kind, r.target, r.line) for r in refs] == [("link", "data/sheet.pdf", 2)]
    types = [c.type for t in parse_document(PRICES).tokens for c in t.children or []]
    assert "math_inline" not in types and "link_open" in types


def test_validation_reports_the_missing_file_behind_the_prices(module_dir: Path) -> None:
    module, diag = load(module_dir)
    check_module(module, diag)
    found = [p.format() for p in diag.problems if "sheet.pdf" in p.format()]
    assert len(found) == 1 and "prijzen.md:3: warning:" in found[0], found  # a dead link
    assert "no such file" in found[0], found
    (module_dir / "data").mkdir()
    (module_dir / "data" / "sheet.pdf").write_bytes(b"%PDF-1.4 one\n")
    module, diag = load(module_dir)
    check_module(module, diag)
    assert not [p for p in diag.problems if "sheet.pdf" in p.format()]


def test_fingerprint_covers_the_linked_file(module_dir: Path) -> None:
    (module_dir / "data").mkdir()
    sheet = module_dir / "data" / "sheet.pdf"
    sheet.write_bytes(b"%PDF-1.4 one\n")
    before = fingerprint_module(load(module_dir)[0])
    assert "data/sheet.pdf" in before.files
    sheet.write_bytes(b"%PDF-1.4 two\n")
    after = fingerprint_module(load(module_dir)[0])
    assert after.digest != before.digest
    assert after.files["data/sheet.pdf"] != before.files["data/sheet.pdf"]


def test_jupyter_book_export_copies_the_linked_file(cli, module_dir: Path, tmp_path: Path) -> None:
    (module_dir / "data").mkdir()
    (module_dir / "data" / "sheet.pdf").write_bytes(b"%PDF-1.4 one\n")
    out = tmp_path / "out"
    cli("build", module_dir, "--format", "jupyter-book", "--out", out, check=0)
    copied = [p for p in out.rglob("sheet.pdf")]
    assert len(copied) == 1 and copied[0].read_bytes() == b"%PDF-1.4 one\n"
    page = next(out.rglob("prijzen.md")).read_text(encoding="utf-8")
    link = re.search(r"\[the data sheet\]\(([^)]+)\)", page)
    assert link and (next(out.rglob("prijzen.md")).parent / link.group(1)).resolve() == copied[0].resolve()


def test_renderer_shows_the_link_and_no_math(module_dir: Path) -> None:
    (module_dir / "data").mkdir()
    (module_dir / "data" / "sheet.pdf").write_bytes(b"%PDF-1.4 one\n")
    site = render_site(load(module_dir)[0], SiteOptions(layout="per-unit"))
    html = next(v for k, v in site.files.items() if k.endswith("prijzen.html"))
    text = html.decode("utf-8") if isinstance(html, bytes) else html.read_text()
    assert re.search(r'<a href="[^"]*sheet\.pdf">the data sheet</a>', text)
    assert "$5 per unit" in text and "<math" not in text.split("Prijzen", 1)[1]


def test_pages_and_cells_are_parsed_at_load_and_survive_pickling(module_dir: Path) -> None:
    module, _ = load(module_dir)
    page = page_unit(module).page
    assert isinstance(page.document, Document) and page.document.text == page.body
    assert page_document(page) is page.document  # no second parse
    assert find_references(page.body)[0].target == "data/sheet.pdf"
    notebook = page_unit(module, "notebooks/verkennen.ipynb")
    markdown = [i for i, c in enumerate(notebook.notebook.cells) if c.cell_type == "markdown"]
    assert sorted(notebook.documents) == markdown
    again = pickle.loads(pickle.dumps(module))
    assert [t.type for t in page_document(page_unit(again).page).tokens] == \
        [t.type for t in page.document.tokens]


def test_rendering_leaves_the_stored_tokens_as_parsed(module_dir: Path) -> None:
    module, _ = load(module_dir)
    document = page_document(page_unit(module).page)
    before = pickle.dumps(document.tokens)
    first = render_site(module, SiteOptions(layout="single")).files["index.html"]
    assert pickle.dumps(document.tokens) == before
    assert render_site(module, SiteOptions(layout="single")).files["index.html"] == first


def test_an_edition_whose_body_changed_is_parsed_again(module_dir: Path) -> None:
    (module_dir / "prijzen.md").write_text(
        PRICES + "\n<!-- BEGIN SOLUTION -->\nSee [the answer](answer.md).\n<!-- END SOLUTION -->\n",
        encoding="utf-8")
    module, _ = load(module_dir)
    source = page_document(page_unit(module).page)
    assert "answer.md" in {r.target for r in find_references(source.text)}
    edition = page_unit(module_edition(module, "learner")).page
    assert edition.body != source.text, "the fixture's solution markers were not recognised"
    document = page_document(edition)
    assert document is not source and document.text == edition.body
    assert "answer.md" not in {r.target for r in find_references(document.text)}


# ---------------------------------------------------------------- item 2: the renderer reads the model

INCLUDING = """# Ingesloten

```{include} parts/deel.md
```

```{csv-table} Metingen
:file: data/metingen.csv
:header-rows: 1
```

Zie {cite:t}`bakker2020`.

```{bibliography}
```
"""


@pytest.fixture()
def including_dir(module_dir: Path) -> Path:
    """The module with a page that includes MyST, a CSV file and cites a .bib entry."""
    (module_dir / "parts").mkdir()
    (module_dir / "parts" / "deel.md").write_text("Ingesloten tekst EERSTE.\n", encoding="utf-8")
    (module_dir / "data").mkdir()
    (module_dir / "data" / "metingen.csv").write_text("t,temp\n0,180\n", encoding="utf-8")
    (module_dir / "refs.bib").write_text(
        "@book{bakker2020, author = {Bakker, Anna}, title = {Ovens}, year = {2020},"
        " publisher = {Uitgever}}\n", encoding="utf-8")
    (module_dir / "ingesloten.md").write_text(INCLUDING, encoding="utf-8")
    yml = module_dir / "module.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "  - ingesloten.md\n", encoding="utf-8")
    return module_dir


def _included_html(module: Module) -> str:
    site = render_site(module, SiteOptions(layout="per-unit"))
    found = next(v for k, v in site.files.items() if k.endswith("ingesloten.html"))
    return found.decode("utf-8") if isinstance(found, bytes) else found.read_text()


def test_load_reads_what_pages_pull_in(including_dir: Path) -> None:
    module, diag = load(including_dir)
    assert sorted(module.pulled) == ["data/metingen.csv", "parts/deel.md", "refs.bib"]
    assert module.pulled["parts/deel.md"].data == b"Ingesloten tekst EERSTE.\n"
    assert (module.pulled["parts/deel.md"].unit, module.pulled["parts/deel.md"].line) == \
        ("ingesloten.md", 3)


def test_rendering_reads_the_model_not_the_disk(including_dir: Path) -> None:
    module, _ = load(including_dir)
    (including_dir / "parts" / "deel.md").write_text("Ingesloten tekst TWEEDE.\n", encoding="utf-8")
    (including_dir / "data" / "metingen.csv").unlink()
    (including_dir / "refs.bib").unlink()
    html = _included_html(module)
    assert "EERSTE" in html and "TWEEDE" not in html
    assert re.search(r"<td[^>]*>180</td>", html)
    assert "Bakker (2020)" in html and "Ovens" in html
    again = _included_html(load(including_dir)[0])  # a new load sees the files as they are now
    assert "TWEEDE" in again and "180" not in again and "Bakker (2020)" not in again


def test_fingerprint_covers_included_files_as_loaded(including_dir: Path) -> None:
    before = fingerprint_module(load(including_dir)[0])
    assert {"parts/deel.md", "data/metingen.csv", "refs.bib"} <= set(before.files)
    (including_dir / "parts" / "deel.md").write_text("Ingesloten tekst TWEEDE.\n", encoding="utf-8")
    module = load(including_dir)[0]
    after = fingerprint_module(module)
    assert after.files["parts/deel.md"] != before.files["parts/deel.md"]
    (including_dir / "parts" / "deel.md").write_text("changed on disk after loading\n", encoding="utf-8")
    assert fingerprint_module(module) == after  # the fingerprint is of what was loaded


# ---------------------------------------------------------------- item 3: MyST link semantics

INTRO = """# Inleiding

(begrippen)=
## Begrippen

```{figure} ../img/oven.svg
:name: fig-oven
:alt: Oven

De oven.
```

$$ E = mc^2 $$ (eq-energie)
"""

LINKS = """# Verwijzingen

## Mijn kop

[a](intro) [b](intro.md) [c](../notebooks/verkennen)
[d](begrippen) [e](#begrippen) [f](#mijn-kop)
[g](intro.md#inleiding) {doc}`intro` {doc}`de inleiding <intro>`
{ref}`begrippen` {numref}`fig-oven` {eq}`eq-energie`
[x](nergens)
[y](#nergens)
{ref}`onbekend`
[z](intro.md#geen-kop)
"""


def link_course(tmp_path: Path, anchors: int | None) -> Path:
    """A course whose module has pages in a folder that link in every MyST form."""
    course = tmp_path / "course"
    module = course / "modules" / "minimal"
    shutil.copytree(FIXTURE, module)
    config = "title: Cursus\n" + (f"parse:\n  myst_heading_anchors: {anchors}\n" if anchors else "")
    (course / "_config.yml").write_text(config, encoding="utf-8")
    (module / "pages").mkdir()
    (module / "pages" / "intro.md").write_text(INTRO, encoding="utf-8")
    (module / "pages" / "links.md").write_text(LINKS, encoding="utf-8")
    yml = module / "module.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "  - pages/intro.md\n  - pages/links.md\n",
                   encoding="utf-8")
    return course


def load_course_module(course: Path) -> tuple[Module, Diagnostics]:
    from lcmodules.load.loader import load_paths

    diag = Diagnostics()
    courses = load_paths([course], diag)
    return courses[0].modules[0], diag


def link_problems(course: Path) -> list[str]:
    module, diag = load_course_module(course)
    check_module(module, diag)
    return [p.format() for p in diag.problems if "links.md" in p.format()]


def test_dead_links_are_warnings_at_their_line(tmp_path: Path) -> None:
    found = link_problems(link_course(tmp_path, 2))
    assert len(found) == 4, found
    assert all("warning" in p for p in found), found
    for line, what in ((9, "'nergens'"), (10, "'#nergens'"), (11, "onbekend"), (12, "geen-kop")):
        assert any(f"links.md:{line}" in p and what in p for p in found), (line, found)


def test_heading_anchors_need_myst_heading_anchors(tmp_path: Path) -> None:
    found = link_problems(link_course(tmp_path, None))
    assert any("links.md:6" in p and "'#mijn-kop'" in p and "myst_heading_anchors" in p
               for p in found), found
    assert any("links.md:7" in p and "intro.md#inleiding" in p for p in found), found
    assert not any("begrippen" in p for p in found), found  # a label, not a heading anchor
    assert len(found) == 6, found


@pytest.mark.parametrize("layout", ["per-unit", "single"])
def test_resolved_links_point_at_the_right_page_and_anchor(tmp_path: Path, layout: str) -> None:
    module, _ = load_course_module(link_course(tmp_path, 2))
    site = render_site(module, SiteOptions(layout=layout))
    intro = next(u for u in module.units if u.rel == "pages/intro.md")
    links = next(u for u in module.units if u.rel == "pages/links.md")
    notebook = next(u for u in module.units if u.kind == "notebook")
    if layout == "single":
        html = site.files["index.html"].decode("utf-8")

        def page(unit, anchor=""):
            return f"#u{unit.index}-{anchor}" if anchor else f"#unit-{unit.index}"
    else:
        html = site.files[site.unit_pages[links.index]].decode("utf-8")

        def page(unit, anchor=""):
            return site.unit_pages[unit.index] + (f"#{anchor}" if anchor else "")
    here = f"u{links.index}-" if layout == "single" else ""
    expected = {
        "a": page(intro), "b": page(intro), "c": page(notebook),
        "d": page(intro, "begrippen"), "e": page(intro, "begrippen"),
        "f": f"#{here}mijn-kop", "g": page(intro, "inleiding"), "x": "nergens",
    }
    for text, href in expected.items():
        assert re.search(rf'<a href="{re.escape(href)}">{text}</a>', html), (text, href)
    assert f'<a href="{page(intro)}">intro</a>' in html
    assert f'<a href="{page(intro)}">de inleiding</a>' in html
    assert f'<a href="{page(intro, "begrippen")}">Begrippen</a>' in html
    assert f'<a href="{page(intro, "fig-oven")}">De oven.</a>' in html
    assert f'href="{page(intro, "eq-energie")}"' in html
    intro_html = html if layout == "single" else site.files[site.unit_pages[intro.index]].decode()
    for anchor in ("begrippen", "inleiding", "fig-oven", "eq-energie"):
        ident = f"u{intro.index}-{anchor}" if layout == "single" else anchor
        assert f'id="{ident}"' in intro_html, anchor


@pytest.mark.book
@pytest.mark.slow
def test_jupyter_book_resolves_the_same_links(cli, tmp_path: Path) -> None:
    """The export keeps the links as written; jupyter-book resolves them to the same places."""
    course = link_course(tmp_path, 2)
    links = course / "modules" / "minimal" / "pages" / "links.md"
    links.write_text("\n".join(LINKS.splitlines()[:8]) + "\n", encoding="utf-8")  # no dead links
    out = tmp_path / "out"
    cli("build", course / "modules" / "minimal", "--format", "jupyter-book", "--out", out,
        "--html", check=0)
    html_dir = next(out.glob("*-jupyter-book")) / "_build" / "html"
    html = (html_dir / "pages" / "links.html").read_text(encoding="utf-8")
    expected = {"a": "intro.html", "b": "intro.html", "c": "../notebooks/verkennen.html",
                "d": "intro.html#begrippen", "e": "intro.html#begrippen", "f": "#mijn-kop",
                "g": "intro.html#inleiding"}
    for text, href in expected.items():
        assert re.search(rf'href="{re.escape(href)}"[^>]*>(<span[^>]*>)?{text}<', html), (text, href)
