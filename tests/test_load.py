"""Loading sources into the typed model."""

from __future__ import annotations

import shutil
from pathlib import Path

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from lcmodules.load.references import find_references
from lcmodules.load.units import ascii_slug, unit_slug

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def test_loads_module_and_units(tmp_path: Path) -> None:
    diag = Diagnostics()
    [course] = load_paths([MINIMAL], diag)
    assert diag.ok, diag.problems
    [module] = course.modules
    assert module.slug == "minimal"
    assert module.meta.id == "test/minimal"
    assert [u.kind for u in module.units] == ["page", "notebook", "quiz"]
    page, notebook, quiz = module.units
    assert page.title == "De casus" and page.page is not None and page.page.body_line == 4
    assert notebook.title == "Verkennen" and notebook.notebook is not None
    assert quiz.quiz is not None and quiz.quiz.total_points == 5 and quiz.quiz_name == "toets"
    assert [u.slug for u in module.units] == ["01-case", "02-verkennen", "03-toets"]


def test_example_course_loads_in_listed_order(repo: Path) -> None:
    diag = Diagnostics()
    [course] = load_paths([repo], diag)
    assert diag.ok, [p.format() for p in diag.problems]
    from ruamel.yaml import YAML

    listed = YAML(typ="safe").load((repo / "_config.yml").read_text())["lcmodules"]["modules"]
    assert [m.slug for m in course.modules] == listed
    assert len(course.modules) >= 3
    assert {m.meta.language[:2] for m in course.modules} >= {"nl", "en"}
    assert course.config.launch_buttons.binderhub_url


def test_module_inside_a_course_gets_the_course_config(repo: Path, tmp_path: Path) -> None:
    diag = Diagnostics()
    first = sorted((repo / "modules").iterdir())[0]
    [course] = load_paths([first], diag)
    assert course.root == repo and course.has_config_file
    assert [m.slug for m in course.modules] == [first.name]


def test_safe_slugs() -> None:
    assert ascii_slug("Casus één: Ovens & Sensoren") == "casus-een-ovens-sensoren"
    assert unit_slug(0, "notebooks/01 Verkennen.ipynb") == "01-01-verkennen"
    assert unit_slug(11, "kennischeck.quiz.yml") == "12-kennischeck"


def test_find_references_in_every_form() -> None:
    text = (
        "![alt](a.png) and [link](b.md#x)\n"
        "[web](https://example.org) [mail](mailto:x@y)\n\n"
        "```{figure} img/c.svg\n:alt: C\n\nCaption\n```\n\n"
        ":::{note}\nInside ![](d.png)\n:::\n\n"
        '<img src="e.png" alt="E">\n\n'
        "{download}`data <data/f.csv>`\n"
    )
    refs = [(r.line, r.kind, r.target, r.alt) for r in find_references(text)]
    assert (0, "image", "a.png", "alt") in refs
    assert (0, "link", "b.md#x", None) in refs
    assert (3, "figure", "img/c.svg", "C") in refs
    assert (10, "image", "d.png", "") in refs
    assert (13, "image", "e.png", "E") in refs
    assert (15, "download", "data/f.csv", None) in refs


def test_loading_never_changes_sources(tmp_path: Path) -> None:
    dest = tmp_path / "minimal"
    shutil.copytree(MINIMAL, dest)
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    load_paths([dest], Diagnostics())
    assert before == {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
