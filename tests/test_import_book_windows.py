"""`import-book` reads Windows separators (`..\\figures\\x.png`) in the TOC and in a page's
references as `/`, with a note each, instead of refusing the chapter."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import run_cli

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a2d5e3a40000000049454e44ae426082")


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def test_windows_separators_are_normalised_with_a_note(tmp_path: Path) -> None:
    book, course = tmp_path / "book", tmp_path / "course"
    write(book / "_toc.yml", "format: jb-book\nroot: intro\nchapters:\n"
          "  - file: grids\\index\n    sections:\n      - file: grids\\sub\\matrix.md\n")
    write(book / "intro.md", "# Grids and matrices\n")
    write(book / "figures/grid.png", PNG)
    write(book / "grids/index.md", "# Grids\n\nSee the [matrix](sub\\matrix.md).\n\n"
          "![A grid](..\\figures\\grid.png)\n\n<img src=\"..\\figures\\grid.png\" alt=\"g\">\n")
    write(book / "grids/sub/matrix.md", "# Matrix\n\n```{figure} ..\\..\\figures\\grid.png\n"
          ":alt: The grid again\n```\n\nBack to {doc}`the grids <..\\index>`.\n")
    run_cli("import-book", book, "--out", course, check=0)
    module = course / "modules" / "grids"
    meta = yaml.safe_load((module / "module.yml").read_text(encoding="utf-8"))
    assert meta["contents"] == ["index.md", "sub/matrix.md"]  # the chapter was not refused
    index = (module / "index.md").read_text(encoding="utf-8")
    assert "[matrix](sub/matrix.md)" in index
    assert "![A grid](_shared/figures/grid.png)" in index
    assert '<img src="_shared/figures/grid.png" alt="g">' in index
    matrix = (module / "sub/matrix.md").read_text(encoding="utf-8")
    assert "```{figure} ../_shared/figures/grid.png" in matrix
    assert "{doc}`the grids <../index>`" in matrix
    assert (module / "_shared/figures/grid.png").read_bytes() == PNG
    report = (course / "import-report.md").read_text(encoding="utf-8")
    for note in ("_toc.yml:4: the path 'grids\\index' has Windows separators; it became "
                 "'grids/index'",
                 "_toc.yml:6: the path 'grids\\sub\\matrix.md' has Windows separators",
                 "grids/index.md:3: the path 'sub\\matrix.md' has Windows separators; it "
                 "became 'sub/matrix.md'",
                 "grids/index.md:5: the path '..\\figures\\grid.png' has Windows separators",
                 "grids/index.md:7: the path '..\\figures\\grid.png' has Windows separators",
                 "grids/sub/matrix.md:3: the path '..\\..\\figures\\grid.png'",
                 "grids/sub/matrix.md:7: the path '..\\index' has Windows separators"):
        assert note in report, note
    proc = run_cli("validate", course, "--json")
    problems = json.loads(proc.stdout)
    assert problems["errors"] == 0, problems["problems"]
