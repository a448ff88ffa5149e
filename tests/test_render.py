"""The renderer: MyST pages, notebooks and quizzes into one self-contained site."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from lcmodules.model import Course, Module
from lcmodules.render.assets import safe_part, safe_path
from lcmodules.render.i18n import language_key, strings
from lcmodules.render.markdown import Context, mathml, renderer
from lcmodules.render.site import Site, SiteOptions, module_info, render_site
from lcmodules.validate.rules import validate_courses

FIXTURE = Path(__file__).parent / "fixtures" / "render"
SAFE = re.compile(r"^[a-z0-9_][a-z0-9._/-]*$")


def load(root: Path) -> Course:
    diag = Diagnostics()
    courses = load_paths([root], diag)
    validate_courses(courses, diag)
    assert diag.ok, "\n".join(p.format() for p in diag.errors)
    return courses[0]


@pytest.fixture(scope="module")
def fixture_course() -> Course:
    return load(FIXTURE)


@pytest.fixture(scope="module")
def en(fixture_course: Course) -> Module:
    return fixture_course.modules[0]


@pytest.fixture(scope="module")
def nl(fixture_course: Course) -> Module:
    return fixture_course.modules[1]


@pytest.fixture(scope="module")
def site(en: Module) -> Site:
    return render_site(en, SiteOptions())


def text(site: Site, name: str) -> str:
    content = site.files[name]
    data = content.read_bytes() if isinstance(content, Path) else content
    return data.decode("utf-8")


def unit_html(page: str, index: int) -> str:
    match = re.search(rf'<main [^>]*data-lc-unit="{index}"[^>]*>(.*?)</main>', page, re.S)
    assert match, f"no unit {index}"
    return match.group(1)


# ---------------------------------------------------------------- the site


def test_single_layout_holds_every_unit_in_index_html(site: Site, en: Module) -> None:
    assert site.pages == ["index.html"]
    assert site.unit_pages == {0: "index.html", 1: "index.html", 2: "index.html"}
    page = text(site, "index.html")
    mains = re.findall(r"<main [^>]*>", page)
    assert len(mains) == len(en.units)
    assert 'id="unit-0"' in mains[0] and "hidden" not in mains[0]
    assert all(" hidden" in m for m in mains[1:])


def test_per_unit_layout_writes_a_page_per_unit(en: Module) -> None:
    site = render_site(en, SiteOptions(layout="per-unit"))
    assert site.pages == ["01-intro.html", "02-analyse.html", "03-check.html"]
    assert site.unit_pages == {0: "01-intro.html", 1: "02-analyse.html", 2: "03-check.html"}
    first = text(site, "01-intro.html")
    assert first.count("<main ") == 1 and 'data-lc-unit="0"' in first
    assert 'href="02-analyse.html" data-lc-nav-unit="1"' in first
    assert re.search(r'data-lc-nav="next"[^>]*href="02-analyse.html"', first)
    assert 'href="02-analyse.html">the analysis</a>' in first
    assert 'href="#figures-and-tables"' in first and 'id="figures-and-tables"' in first


def test_page_chrome(site: Site, en: Module) -> None:
    page = text(site, "index.html")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<a class="lc-skip" href="#lc-content">' in page
    assert 'id="lc-content"' in page
    assert "Predictive maintenance demo" in page and "1.2.0" in page
    for index in range(3):
        assert f'data-lc-nav-unit="{index}"' in page
    assert page.count('data-lc-nav="prev"') == 1 and page.count('data-lc-nav="next"') == 1
    footer = page[page.index("<footer"):]
    for expected in ("lc-test/demo-en", "1.2.0", "CC-BY-4.0", "A. Lecturer"):
        assert expected in footer


def test_one_shared_stylesheet_and_script(site: Site) -> None:
    page = text(site, "index.html")
    assert '<link rel="stylesheet" href="_static/lc.css">' in page
    assert '<script src="_static/lc.js" defer></script>' in page
    assert "<style" not in page.split("</head>")[0]
    assert "_static/lc.css" in site.files and "_static/lc.js" in site.files


def test_module_info_json_matches_the_tracker_contract(site: Site, en: Module) -> None:
    page = text(site, "index.html")
    raw = re.search(r'<script type="application/json" id="lc-module">(.*?)</script>', page).group(1)
    info = json.loads(raw)
    assert info == module_info(en)
    assert info["module"] == {"id": "lc-test/demo-en", "version": "1.2.0",
                              "title": "Predictive maintenance demo", "language": "en"}
    assert [u["kind"] for u in info["units"]] == ["page", "notebook", "quiz"]
    assert info["units"][2]["quiz"] == "check" and info["units"][0]["quiz"] is None
    quiz = info["quizzes"]["check"]
    assert quiz["maxPoints"] == 6 and quiz["mastery"] == 0.6
    assert quiz["questions"][1] == {"id": "signals", "type": "multiple", "points": 2,
                                    "interaction": "choice"}


def test_head_scripts_come_before_lc_js_and_extra_files_are_added(en: Module) -> None:
    site = render_site(en, SiteOptions(head_scripts=["_static/lc-scorm.js"],
                                       extra_files={"_static/lc-scorm.js": b"window.lcTracker = null;"}))
    page = text(site, "index.html")
    assert page.index('src="_static/lc-scorm.js"') < page.index('src="_static/lc.js"')
    assert site.files["_static/lc-scorm.js"] == b"window.lcTracker = null;"
    with pytest.raises(ValueError):
        render_site(en, SiteOptions(extra_files={"Upper Case.JS": b""}))


def test_nav_off_leaves_out_toc_and_pager(en: Module) -> None:
    page = text(render_site(en, SiteOptions(nav=False)), "index.html")
    assert "data-lc-nav" not in page
    assert 'data-lc-unit="2"' in page


# ---------------------------------------------------------------- markdown


def test_headings_get_ids_prefixed_per_unit(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<h1 id="u0-the-case-an-oven-that-fails">' in unit
    assert '<h2 id="u0-figures-and-tables">' in unit
    assert 'href="#u0-figures-and-tables"' in unit


def test_admonitions_in_both_forms(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert re.search(r'<div class="lc-admonition lc-note" role="note">\s*<p class="lc-admonition-title">Note</p>'
                     r"\s*<p>A note written as a fenced directive.</p>", unit)
    assert re.search(r'class="lc-admonition lc-warning"[^>]*>\s*<p class="lc-admonition-title">Warning</p>'
                     r"\s*<p>Hot\nOvens are hot: a colon-fenced warning with <strong>bold</strong>", unit)
    assert re.search(r'class="lc-admonition lc-tip"[^>]*>\s*<p class="lc-admonition-title">Own title</p>', unit)


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important", "caution", "danger", "hint", "seealso"])
def test_every_admonition_kind_has_a_translated_title(kind: str) -> None:
    md = renderer()
    html_en = md.render(f":::{{{kind}}}\nBody.\n:::\n", Context(language="en"))
    html_nl = md.render(f"```{{{kind}}}\nBody.\n```\n", Context(language="nl"))
    assert f'class="lc-admonition lc-{kind}"' in html_en and f'class="lc-admonition lc-{kind}"' in html_nl
    assert f">{strings('en')[kind]}</p>" in html_en and f">{strings('nl')[kind]}</p>" in html_nl


def test_figure_and_image_directives(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert re.search(r'<figure class="lc-figure">\s*<img src="files/img/oven-foto.png" alt="A photo of the oven" '
                     r'width="300">\s*<figcaption>\s*<p><span class="lc-caption-number">Figure 1:</span> '
                     r'The oven in the bakery.</p>', unit)
    assert '<img src="files/img/oven-foto.png" alt="The oven again">' in unit
    assert site.files["files/img/oven-foto.png"] == FIXTURE / "modules/demo-en/img/Oven Foto.png"


def test_tables_use_classes_not_inline_styles(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<th scope="col" class="lc-align-right">Value</th>' in unit
    assert '<td class="lc-align-right">230</td>' in unit
    assert "<s>struck</s>" in unit


def test_code_is_highlighted_with_classes(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<div class="highlight lc-code" data-lang="python">' in unit
    assert '<span class="k">def</span>' in unit
    assert "style=" not in unit.split('<div class="highlight')[1].split("</div>")[0]
    assert ".lc-site .highlight .k {" in text(site, "_static/lc.css")


def test_footnotes(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<a href="#fn-u0-1" id="fnref-u0-1">[1]</a>' in unit
    assert re.search(r'<li id="fn-u0-1" class="footnote-item"><p>The footnote text.', unit)
    assert unit.count('class="footnotes"') == 1


def test_math_becomes_mathml_at_build_time(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>T</mi></mrow></math>' in unit
    assert "<mfrac>" in unit and "&#x02211;" in unit  # \frac and \sum in the display block
    assert "$" not in re.sub(r"<[^>]+>", "", unit)
    assert "mathjax" not in text(site, "index.html").lower()


def test_unreadable_latex_is_shown_as_code_not_an_error() -> None:
    assert mathml(r"\frac{1}{", display=True).startswith('<pre class="lc-math-error">')


def test_links_to_units_files_and_the_web(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 0)
    assert '<a href="#unit-1">the analysis</a>' in unit
    assert '<a href="#unit-2">the check</a>' in unit
    assert '<a href="files/data/meetgegevens-ovens-e.csv">measurements</a>' in unit
    assert '<a href="https://example.org/">the web</a>' in unit
    csv = FIXTURE / "modules/demo-en/data/Meetgegevens ovens é.csv"
    assert site.files["files/data/meetgegevens-ovens-e.csv"] == csv
    notebook_unit = unit_html(text(site, "index.html"), 1)
    assert '<a href="#unit-0">the case</a>' in notebook_unit


def test_markdown_solutions_are_not_in_the_learner_site(site: Site, en: Module) -> None:
    page = text(site, "index.html")
    assert "PAGE-SECRET-ANSWER" not in page and "NB-MD-SECRET" not in page
    teacher = text(render_site(en, SiteOptions(edition="teacher")), "index.html")
    assert "SOLUTION-CODE-SECRET" in teacher and "TAGGED-SOLUTION-SECRET" in teacher


# ---------------------------------------------------------------- notebooks


def test_notebook_outputs_of_every_type(site: Site, en: Module) -> None:
    unit = unit_html(text(site, "index.html"), 1)
    assert '<pre class="lc-output lc-stream">hello\n</pre>' in unit
    assert '<table class="dataframe"><tbody><tr><th>a</th></tr>' in unit  # sanitised, kept
    assert re.search(r'<div class="lc-output lc-output-latex">\s*<div class="lc-math"><math[^>]*display="block"', unit)
    assert "<msqrt>" in unit
    assert '<pre class="lc-output lc-output-json">{\n  "a": [' in unit
    assert "<strong>bold output</strong>" in unit
    assert '<span class="ansi-red-fg">ZeroDivisionError</span>: division by zero &lt;b&gt;' in unit
    assert '<h1 id="u1-analysing-the-oven-data">' in unit


def test_output_images_extracted_with_content_hash_names(site: Site, en: Module) -> None:
    nb = en.units[1].notebook
    png = base64.b64decode(nb.cells[3].outputs[0].data["image/png"])
    svg = nb.cells[4].outputs[0].data["image/svg+xml"].encode()
    png_name = f"_assets/{hashlib.sha256(png).hexdigest()[:16]}.png"
    svg_name = f"_assets/{hashlib.sha256(svg).hexdigest()[:16]}.svg"
    assert site.files[png_name] == png and site.files[svg_name] == svg
    unit = unit_html(text(site, "index.html"), 1)
    assert f'src="{png_name}"' in unit and f'src="{svg_name}"' in unit
    assert 'alt="A blue square"' in unit  # a meaningful text/plain is the alt text
    assert 'alt="Figure made by the code above"' in unit  # "<Figure size …>" is not
    assert "base64" not in unit


def test_presentation_tags(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 1)
    assert "REMOVE-INPUT-OUTPUT" in unit and "REMOVE-INPUT-SOURCE" not in unit
    assert "REMOVE-OUTPUT-SOURCE" in unit and "REMOVED-OUTPUT-TEXT" not in unit
    assert re.search(r'<details class="lc-input lc-folded"><summary>Show code</summary>\s*<div class="highlight'
                     r'[^"]*"[^>]*><pre><span></span><code><span class="nb">print</span><span class="p">\(</span>'
                     r"<span class=\"s1\">'HIDE-INPUT-SOURCE'", unit)
    assert re.search(r'<details class="lc-outputs lc-folded"><summary>Show output</summary>\s*<pre[^>]*>'
                     r"HIDE-OUTPUT-OUTPUT", unit)
    assert "REMOVED-CELL-SECRET" not in unit


def test_solutions_are_not_in_the_page_nor_the_download(site: Site) -> None:
    page = text(site, "index.html")
    notebook = text(site, "notebooks/02-analyse.ipynb")
    for secret in ("SOLUTION-CODE-SECRET", "SOLUTION-OUTPUT-SECRET", "TAGGED-SOLUTION-SECRET",
                   "REMOVED-CELL-SECRET", "NB-MD-SECRET"):
        assert secret not in page and secret not in notebook
    assert "# YOUR CODE HERE" in page and "raise NotImplementedError()" in notebook


def test_download_link_and_learner_notebook(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 1)
    assert '<a class="lc-button" href="notebooks/02-analyse.ipynb" download data-lc-download>Download notebook</a>' in unit
    nb = nbformat.reads(text(site, "notebooks/02-analyse.ipynb"), as_version=4)
    nbformat.validate(nb)
    assert text(site, "notebooks/02-analyse.ipynb").endswith("}\n")
    tags = [c.metadata.get("tags") for c in nb.cells]
    assert ["remove-input"] in tags and ["hide-input"] in tags


def test_launch_buttons_from_the_course_config(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 1)
    path = "modules/demo-en/notebooks/analyse.ipynb"
    assert (f'href="https://mybinder.org/v2/gh/example-hogeschool/lc-fixture/main?labpath={path}"'
            in unit)
    assert (f'href="https://colab.research.google.com/github/example-hogeschool/lc-fixture/blob/main/{path}"'
            in unit)
    assert ('href="https://hub.example.nl/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F'
            "example-hogeschool%2Flc-fixture&amp;urlpath=lab%2Ftree%2Flc-fixture%2Fmodules%2Fdemo-en%2F"
            'notebooks%2Fanalyse.ipynb&amp;branch=main"' in unit)
    assert unit.count('target="_blank" rel="noopener noreferrer"') == 3


def test_no_launch_buttons_without_a_github_repository(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    config = root / "_config.yml"
    config.write_text(config.read_text().replace("https://github.com/", "https://gitlab.com/"))
    module = load(root).modules[0]
    unit = unit_html(text(render_site(module), "index.html"), 1)
    assert "lc-launch" not in unit and "Download notebook" in unit


# ---------------------------------------------------------------- quizzes


def test_quiz_form_carries_the_automation_hooks(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 2)
    assert unit.count('data-lc-quiz="check"') == 1
    assert re.search(r'<form class="lc-quiz" data-lc-quiz="check"', unit)
    radios = re.findall(r'<input type="radio" id="[^"]+" name="metric" value="(\d+)">', unit)
    assert radios == ["0", "1"]
    boxes = re.findall(r'<input type="checkbox" id="[^"]+" name="signals" value="(\d+)">', unit)
    assert boxes == ["0", "1", "2"]
    assert re.findall(r'<input type="radio" id="[^"]+" name="enough" value="(\w+)">', unit) == ["true", "false"]
    assert re.search(r'<input type="text" id="[^"]+" name="threshold"[^>]*inputmode="decimal"', unit)
    assert re.search(r'<input type="text" id="[^"]+" name="model"', unit)
    assert '<button type="submit" class="lc-button" data-lc-quiz-submit>Check answers</button>' in unit
    assert '<div class="lc-quiz-result" data-lc-quiz-result role="status" aria-live="polite"></div>' in unit


def test_quiz_is_accessible_markup(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 2)
    assert unit.count("<fieldset") == 5 and unit.count("<legend>") == 5
    for input_id in re.findall(r'<input [^>]*id="([^"]+)"', unit):
        assert f'<label for="{input_id}">' in unit


def test_quiz_prompts_render_inline_myst_and_math(site: Site) -> None:
    unit = unit_html(text(site, "index.html"), 2)
    assert "Which metric suits <em>rare</em> failures?" in unit
    assert re.search(r"Above which temperature <math[^>]*><mrow><mi>T</mi></mrow></math> \(°C\)", unit)


def test_quiz_answer_key_in_the_page(site: Site) -> None:
    page = text(site, "index.html")
    raw = re.search(r'<script type="application/json" data-lc-quiz-key="check">(.*?)</script>', page).group(1)
    key = json.loads(raw)
    by_id = {q["id"]: q for q in key["questions"]}
    assert by_id["metric"]["expected"] == {"choices": [1]}
    assert by_id["signals"]["expected"] == {"choices": [0, 2]}
    assert by_id["enough"]["expected"] == {"answer": False, "tolerance": 0}
    assert by_id["threshold"]["expected"] == {"answer": 230.5, "tolerance": 5}
    assert by_id["model"]["expected"] == {"answers": ["random forest", "randomforest"]}
    assert by_id["metric"]["feedback"] == "With rare failures accuracy says little."
    assert by_id["metric"]["choiceFeedback"] == ["Accuracy hides rare failures.", ""]


# ---------------------------------------------------------------- languages


def test_dutch_module_gets_dutch_interface(nl: Module) -> None:
    page = text(render_site(nl), "index.html")
    assert '<html lang="nl">' in page
    for phrase in ("Volgende", "Vorige", "Inhoud", "Antwoorden controleren", "Waar", "Niet waar",
                   "Naar de inhoud", "Licentie"):
        assert phrase in page, phrase
    i18n = json.loads(re.search(r'id="lc-i18n">(.*?)</script>', page).group(1))
    assert i18n["points"] == "{points} van {max} punten" and i18n["passed"] == "Geslaagd"
    assert "Next" not in page and "Check answers" not in page


def test_english_and_fallback_languages() -> None:
    assert language_key("nl-BE") == "nl" and language_key("en-GB") == "en" and language_key("fr") == "en"
    assert strings("fr")["next"] == "Next" and strings("nl-NL")["next"] == "Volgende"
    assert set(strings("nl")) == set(strings("en"))


# ---------------------------------------------------------------- branding


def test_course_templates_override_file_by_file(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    (root / "templates/html").mkdir(parents=True)
    (root / "templates/static").mkdir(parents=True)
    unit_template = (Path(__file__).parent.parent / "lcmodules/render/templates/unit.html.j2").read_text()
    (root / "templates/html/unit.html.j2").write_text(unit_template.replace(
        '<div class="lc-unit-body">', '<div class="lc-unit-body brand-unit">'))
    nb_template = Path(__file__).parent.parent / "lcmodules/render/templates/nbconvert/lc/index.html.j2"
    (root / "templates/html/nbconvert/lc").mkdir(parents=True)
    (root / "templates/html/nbconvert/lc/index.html.j2").write_text(
        nb_template.read_text().replace('<div class="lc-notebook">', '<div class="lc-notebook brand-nb">'))
    (root / "templates/static/lc.css").write_text("/* brand */\n")
    (root / "templates/static/Logo Hoge School.SVG").write_text("<svg/>")
    site = render_site(load(root).modules[0])
    page = text(site, "index.html")
    assert page.count('<div class="lc-unit-body brand-unit">') == 3
    assert "Check answers" in page  # quiz.html.j2 still comes from lcmodules
    assert '<div class="lc-notebook brand-nb">' in page
    assert text(site, "_static/lc.css") == "/* brand */\n"
    assert site.files["_static/logo-hoge-school.svg"] == root / "templates/static/Logo Hoge School.SVG"
    assert "_static/lc.js" in site.files


# ---------------------------------------------------------------- names and determinism


def test_every_file_name_is_safe_and_unique_ignoring_case(site: Site, en: Module) -> None:
    for layout in ("single", "per-unit"):
        names = list(render_site(en, SiteOptions(layout=layout)).files)
        assert all(SAFE.match(n) and n.isascii() for n in names), names
        assert len({n.lower() for n in names}) == len(names)
        assert names == sorted(names)


def test_safe_names() -> None:
    assert safe_part("Meetgegevens ovens é.CSV") == "meetgegevens-ovens-e.csv"
    assert safe_path("data/Één map/Bestand (1).png") == "data/een-map/bestand-1.png"
    assert safe_path("../x/./y.txt") == "x/y.txt"


def test_rendering_twice_gives_identical_bytes(en: Module, nl: Module) -> None:
    def snapshot(site: Site) -> dict[str, bytes]:
        return {n: c.read_bytes() if isinstance(c, Path) else c for n, c in site.files.items()}

    for module in (en, nl):
        for layout in ("single", "per-unit"):
            first = snapshot(render_site(module, SiteOptions(layout=layout)))
            second = snapshot(render_site(module, SiteOptions(layout=layout)))
            assert first == second


def test_pages_load_nothing_from_elsewhere(site: Site) -> None:
    for name in site.pages:
        page = text(site, name)
        assert not re.search(r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?//', page)
        assert "@import" not in page and "fonts.googleapis" not in page
    css = text(site, "_static/lc.css")
    assert "url(" not in css and "@import" not in css


def test_rendering_does_not_change_the_loaded_module(en: Module) -> None:
    before = nbformat.writes(en.units[1].notebook)
    render_site(en, SiteOptions())
    assert nbformat.writes(en.units[1].notebook) == before


def test_ansi_colours_become_classes_never_inline_styles() -> None:
    from lcmodules.render.notebook import ansi_to_html

    html = ansi_to_html("\x1b[1;38;5;28mok\x1b[0m \x1b[48;2;250;0;0mbg\x1b[0m \x1b[31m<b>\x1b[0m")
    assert html == ('<span class="ansi-bold ansi-green-fg">ok</span> <span class="ansi-red-bg">bg</span> '
                    '<span class="ansi-red-fg">&lt;b&gt;</span>')
    assert "style=" not in html


def test_external_resources_in_output_html_are_dropped() -> None:
    from lcmodules.render.notebook import offline_html

    html = ('<script src="https://cdn.example.org/x.js"></script><b>kept</b>'
            '<link rel="stylesheet" href="//cdn.example.org/x.css"><script>var inline = 1;</script>')
    assert offline_html(html) == "<b>kept</b><script>var inline = 1;</script>"
