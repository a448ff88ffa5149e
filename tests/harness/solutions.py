"""Lines only the solutions of a course's teacher notebooks hold: what no learner output may show."""

from __future__ import annotations

from pathlib import Path

import nbformat

from lcmodules.transform.learner import CODE_BEGIN, CODE_END, is_marker


def solution_lines(course: Path) -> set[str]:
    """The non-trivial lines only the solutions of the course's teacher notebooks hold: a line
    that also stands outside every solution (a later notebook's setup cell, a page quoting
    it) is not secret."""
    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    for source in sorted((course / "modules").rglob("*.ipynb")):
        for cell in nbformat.read(source, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if is_marker(line, CODE_BEGIN):
                    inside = True
                elif is_marker(line, CODE_END):
                    inside = False
                elif len(line.strip()) > 12:
                    (inside_lines if inside else outside_lines).add(line.strip())
    for page in (course / "modules").rglob("*.md"):
        outside_lines |= {line.strip() for line in page.read_text("utf-8").splitlines()}
    return inside_lines - outside_lines
