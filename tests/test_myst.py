"""MyST coverage: the reference parser, every supported construct on our pages, and warnings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from lcmodules.load.references import Reference, find_references
from lcmodules.render.markdown import Context, rewrite_html_refs
from lcmodules.render.site import Site, SiteOptions, render_site
from lcmodules.validate.rules import validate_courses

FIXTURE = Path(__file__).parent / "fixtures" / "myst"


# ---------------------------------------------------------------- the reference parser


def test_html_is_read_by_a_parser_not_a_pattern() -> None:
    text = ("<img src=img/x.png alt=Oven>\n"
            "<p>\n<video poster='p.jpg' src=\"v.mp4\"></video>\n"
            '<picture><source srcset="a.webp 1x, b.webp 2x"></picture>\n'
            '<object data="o.pdf"></object> <script src="s.js"></script>\n'
            '<link rel="stylesheet" href="c.css"><link rel="author" href="me.html">\n'
            '<a href="https://example.org">x</a><iframe src="https://h5p.example.org/1"></iframe>\n</p>')
    refs = {(r.target, r.tag, r.embeds, r.line) for r in find_references(text)}
    assert refs == {
        ("img/x.png", "img", True, 0), ("p.jpg", "video", True, 2), ("v.mp4", "video", True, 2),
        ("a.webp", "source", True, 3), ("b.webp", "source", True, 3), ("o.pdf", "object", True, 4),
        ("s.js", "script", True, 4), ("c.css", "link", True, 5), ("me.html", "link", False, 5),
        ("https://example.org", "a", False, 6), ("https://h5p.example.org/1", "iframe", True, 6),
    }
    image = next(r for r in find_references(text) if r.tag == "img")
    assert image == Reference(0, "image", "img/x.png", "Oven", "img", True)
    frame = next(r for r in find_references(text) if r.tag == "iframe")
    assert frame.alt is None and frame.title == ""  # an untitled frame is no image without alt


def test_markdown_directives_and_roles_have_tags() -> None:
    text = ("(doel)=\n# Kop\n\n![Een oven](img/o.png) [tekst](doel) [ander](b.md) {download}`d.csv`\n\n"
            "```{figure} img/f.png\n:target: https://example.org\n\nBijschrift\n```\n\n"
            "```{include} deel.md\n```\n\n```{csv-table} T\n:file: data/t.csv\n```\n\n"
            "````{card} Kaart\n:img-top: img/k.png\n:img-alt: Kaartbeeld\n:link: les.md\n\nTekst\n````\n")
    refs = {(r.kind, r.target, r.tag, r.embeds) for r in find_references(text, 10)}
    assert refs == {
        ("image", "img/o.png", "img", True), ("label", "doel", "a", False),
        ("link", "b.md", "a", False), ("download", "d.csv", "download", False),
        ("figure", "img/f.png", "figure", True), ("link", "https://example.org", "figure", False),
        ("include", "deel.md", "include", False), ("include", "data/t.csv", "csv-table", False),
        ("image", "img/k.png", "card", True), ("link", "les.md", "card", False),
    }
    assert min(r.line for r in find_references(text, 10)) == 13


def test_raw_html_resources_are_rewritten_from_parsed_tags(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"png")  # a missing image would become its alt text

    class Upper:
        def link(self, base: Path, target: str) -> str:
            return "L:" + target

        def source(self, base: Path, target: str) -> str:
            return "S:" + target

    ctx = Context(base=tmp_path, linker=Upper())
    html = '<p class=x><img src=a.png alt="A &amp; B"> <a href=b.md>b</a><br/></p>'
    assert rewrite_html_refs(html, ctx) == (
        '<p class=x><img src="S:a.png" alt="A &amp; B"> <a href="L:b.md">b</a><br/></p>')


# ---------------------------------------------------------------- rendered pages


@pytest.fixture(scope="module")
def site() -> Site:
    diag = Diagnostics()
    courses = load_paths([FIXTURE], diag)
    validate_courses(courses, diag)
    # the H5P frame is the fixture's one external resource: named, never an error
    others = [p.format() for p in diag.problems if "loads from h5p.example.org" not in p.message]
    assert not others, others
    assert any(p.severity == "warning" for p in diag.problems)
    return render_site(courses[0].modules[0], SiteOptions(layout="per-unit"))


def page(site: Site, name: str) -> str:
    content = site.files[name]
    return content.decode("utf-8") if isinstance(content, bytes) else content.read_text()


def test_numbered_figures_tables_equations_and_resolved_references(site: Site) -> None:
    html = page(site, "01-pagina.html")
    assert re.search(r'<figure class="lc-figure lc-align-center" id="fig-oven">\s*<img src="files/img/oven.svg" '
                     r'alt="De oven in de fabriek." width="200">\s*<figcaption>\s*<p><span class="lc-caption-number">'
                     r"Figuur 1:</span> De oven in de fabriek.</p>", html)
    assert '<a href="#fig-oven">Figuur 1</a>' in html
    assert '<a href="#sec-inleiding">Inleiding</a>' in html  # {ref} takes the heading's title
    assert '<a href="#sec-inleiding">de inleiding</a>' in html  # [text](label)
    assert '<a href="02-cellen.html">het notebook</a>' in html  # {doc}
    assert '<a href="#eq-energie">(1)</a>' in html and '<a href="#eq-dollar">(2)</a>' in html
    assert '<div class="lc-math" id="eq-energie"><span class="lc-eqno">(1)</span><math' in html
    assert '<div class="lc-math" id="eq-dollar"><span class="lc-eqno">(2)</span><math' in html
    assert '<a href="#tab-grenzen">Tabel 2</a>' in html


def test_citations_and_bibliography_in_the_module_language(site: Site) -> None:
    html = page(site, "01-pagina.html")
    assert '<a class="lc-cite" href="#bib-jansen2021">Jansen en de Vries (2021)</a>' in html
    assert '(<a class="lc-cite" href="#bib-pietersen2019">Pietersen et al., 2019</a>)' in html
    bib = html[html.index('<section class="lc-bibliography"'):]
    assert bib.index('id="bib-jansen2021"') < bib.index('id="bib-pietersen2019"')
    assert "Carla Pietersen, Dirk Bakker, en Eva Smit." in bib
    assert "<em>Onderhoud voorspellen met data</em>" in bib
    assert "visser2020" not in bib  # only what the page cites


def test_design_constructs_work_without_script(site: Site) -> None:
    html = page(site, "01-pagina.html")
    card = html[html.index('<div class="lc-card">'):]
    assert re.match(r'<div class="lc-card">\s*<div class="lc-card-header">\s*<p>Header van de kaart</p>\s*</div>\s*'
                    r'<div class="lc-card-body">\s*<p class="lc-card-title"><a href="https://example.org/kaart">'
                    r"Een kaart</a></p>\s*<p>De inhoud van de kaart.</p>\s*</div>\s*"
                    r'<div class="lc-card-footer">\s*<p>Voettekst van de kaart</p>', card)
    grid = html[html.index('<div class="lc-grid">'):]
    assert '<p class="lc-card-title"><a href="#fig-oven">Eerste kaart</a></p>' in grid
    assert grid.index("Eerste kaart") < grid.index("Tweede kaart") < grid.index('<div class="lc-tab-set">')
    assert re.search(r'<div class="lc-tab-set">\s*<details open class="lc-tab-item"><summary>Python</summary>'
                     r'\s*<p>Code in Python.</p>\s*</details>\s*<details class="lc-tab-item"><summary>R</summary>', html)
    assert '<details class="lc-dropdown"><summary>Meer uitleg</summary>' in html
    assert '<details class="lc-toggle"><summary>Toon inhoud</summary>\n<p>Verborgen door een toggle.</p>' in html
    assert '<div class="lc-admonition lc-warning" role="note">\n<p class="lc-admonition-title">Let op de temperatuur' in html


def test_tables_include_rst_and_frames(site: Site) -> None:
    html = page(site, "01-pagina.html")
    assert ('<caption><span class="lc-caption-number">Tabel 1:</span> Sensoren</caption>\n'
            '<tr><th scope="col">Sensor</th><th scope="col">Eenheid</th></tr>\n'
            "<tr><td>temperatuur</td><td>°C</td></tr>") in html
    assert "<tr><td>trilling</td><td>mm/s</td><td>4.5</td></tr>" in html  # from data/grenzen.csv
    assert '<tr><th scope="col">naam</th><th scope="col">waarde</th></tr>' in html
    assert "een <strong>ingevoegd bestand</strong>" in html
    assert '<img src="files/img/oven.svg" alt="Schets van de oven uit het ingevoegde bestand">' in html
    assert re.search(r'<div class="lc-rst">\s*<p>Een <strong>vet</strong> woord in reST.</p>\s*<ul', html)
    assert '<iframe src="https://h5p.example.org/h5p/embed/1" title="Interactieve H5P-oefening"' in html


def test_notebook_markdown_and_cell_tags(site: Site) -> None:
    html = page(site, "02-cellen.html")
    assert '<span class="lc-caption-number">Figuur 1:</span> De oven in een notebook.' in html
    assert '<a href="#fig-cel">Figuur 1</a>' in html and '<a href="#eq-cel">(1)</a>' in html  # across cells
    assert '<a class="lc-cite" href="#bib-visser2020">Visser (2020)</a>' in html
    assert '<li id="bib-visser2020">' in html
    assert '<details open class="lc-tab-item"><summary>Een</summary>' in html
    assert 'lc-code-cell lc-tag-thebe-init' in html and 'lc-code-cell lc-tag-full-width' in html
    assert re.search(r'lc-tag-hide-input">\s*<details class="lc-input lc-folded"><summary>Code tonen', html)
    assert re.search(r'lc-tag-hide-output">.*?<details class="lc-outputs lc-folded"><summary>Uitvoer tonen',
                     html, re.S)


def test_included_files_are_in_the_edition_built() -> None:
    diag = Diagnostics()
    module = load_paths([FIXTURE], diag)[0].modules[0]
    learner = render_site(module, SiteOptions(layout="per-unit"))
    teacher = render_site(module, SiteOptions(layout="per-unit", edition="teacher"))
    assert "ingevoegd bestand" in page(learner, "01-pagina.html")
    assert "antwoord is 42" not in page(learner, "01-pagina.html")
    assert "antwoord is 42" in page(teacher, "01-pagina.html")


# ---------------------------------------------------------------- nothing silent


BAD_PAGE = """# Kop

```{onbekend} iets
Tekst.
```

Een rol {foo}`bar` en $\\frac{1}{$ hier.

::::{note}
:::{nogonbekend}
:::
::::
"""


def warnings_of(module_dir: Path) -> list[str]:
    diag = Diagnostics()
    validate_courses(load_paths([module_dir], diag), diag)
    assert diag.ok, [p.format() for p in diag.errors]
    return [f"{p.file.name}:{p.line}: {p.message}" for p in diag.sorted() if p.severity == "warning"]


def test_warnings_at_the_right_lines(tmp_path: Path) -> None:
    module = tmp_path / "m"
    shutil.copytree(FIXTURE, module)
    page_text = (module / "pagina.md").read_text(encoding="utf-8")
    unclosed = len((BAD_PAGE + page_text).splitlines()) + 2
    (module / "pagina.md").write_text(BAD_PAGE + page_text + "\n```python\nprint('open')\n",
                                      encoding="utf-8")
    nb = json.loads((module / "notebooks/cellen.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = ("Tekst\n\n$$\n\\sqrt{\n$$\n\n{cite}`bestaatniet`\n\n"
                                '<iframe src="https://h5p.example.org/2"></iframe>\n')
    (module / "notebooks/cellen.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    found = warnings_of(module)
    expected = [
        ("pagina.md:3: unknown directive '{onbekend}'", "plain text will appear instead"),
        ("pagina.md:7: latex2mathml cannot convert this math", "shown as LaTeX source in <code>"),
        ("pagina.md:7: unsupported role '{foo}'", "shown as code"),
        ("pagina.md:10: unknown directive '{nogonbekend}'", "nothing will appear"),
        (f"pagina.md:{unclosed}: the fence '```' opened here is never closed", "shown as its content"),
        ("cellen.ipynb:10: cell 2, line 3: latex2mathml cannot convert", "<code>"),
        ("cellen.ipynb:10: cell 2, line 7: citation 'bestaatniet' is not in the module's .bib",
         "'[bestaatniet?]' appears instead"),
        ("cellen.ipynb:10: cell 2, line 9: <iframe> 'https://h5p.example.org/2' has no title",
         "unnamed frame"),
        ("cellen.ipynb:10: cell 2: <iframe> loads from h5p.example.org", "internet"),
        ("pagina.md:", "<iframe> loads from h5p.example.org"),
    ]
    for start, middle in expected:
        assert any(w.startswith(start) and middle in w for w in found), (start, found)
    assert len(found) == len(expected), found


def test_bad_math_is_shown_as_source_never_dropped(tmp_path: Path) -> None:
    from lcmodules.render.markdown import renderer

    html = renderer().render("Som $\\frac{1}{$ klaar.\n\n$$\n\\sqrt{\n$$\n", Context())
    assert '<code class="lc-math-error">\\frac{1}{</code>' in html
    assert '<pre class="lc-math-error">\\sqrt{</pre>' in html
