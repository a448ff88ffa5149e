"""A small course of our own for the LTI tests: two modules, each a case page and a quiz."""

from __future__ import annotations

from pathlib import Path

CONFIG = """title: LTI test course
author: lcmodules tests
lcmodules:
  organisation: Test school
  modules: [alpha, beta]
"""

MODULE = """id: lc-test/{slug}
title: {title}
version: 1.0.0
language: en
summary: A tiny module for the LTI tests.
authors:
  - name: Test Author
license: CC-BY-4.0
contents:
  - case.md
  - check.quiz.yml
"""

CASE = """# {title}

{text}
"""

QUIZ = """title: Check of {title}
mastery_score: 0.5
questions:
  - id: pick
    type: single
    prompt: Which is right?
    points: 2
    choices:
      - text: Wrong one.
      - text: Right one.
        correct: true
  - id: truth
    type: true-false
    prompt: The sky is green.
    answer: false
  - id: number
    type: numeric
    prompt: What is 1 / 4?
    answer: 0.25
    tolerance: 0.001
"""


def write_course(root: Path) -> Path:
    """The course folder with modules alpha and beta (never released)."""
    (root / "modules").mkdir(parents=True)
    (root / "_config.yml").write_text(CONFIG, "utf-8")
    for slug in ("alpha", "beta"):
        folder = root / "modules" / slug
        folder.mkdir()
        title = f"Module {slug}"
        (folder / "module.yml").write_text(MODULE.format(slug=slug, title=title), "utf-8")
        (folder / "case.md").write_text(CASE.format(title=title, text=f"First text of {slug}."),
                                        "utf-8")
        (folder / "check.quiz.yml").write_text(QUIZ.format(title=title), "utf-8")
    return root


def change_text(root: Path, slug: str, text: str) -> None:
    """Change a module's case page (the next release carries it)."""
    case = root / "modules" / slug / "case.md"
    case.write_text(CASE.format(title=f"Module {slug}", text=text), "utf-8")


def loaded_modules(root: Path) -> list:  # type: ignore[type-arg]
    """The course's modules, loaded and validated (raises on any problem)."""
    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    diag = Diagnostics()
    courses = load_paths([root], diag)
    validate_courses(courses, diag)
    assert diag.ok, [p.format() for p in diag.problems]
    return [m for c in courses for m in c.modules]
