"""Importing again into an earlier import: edits stop it, `--force` replaces them, `--update`
keeps them (three-way per file, conflicts at `file:line`); an import without modules fails."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.conftest import run_cli

MOD = "modules/canals"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def small_book(folder: Path) -> Path:
    write(folder / "_toc.yml", "format: jb-book\nroot: intro\nchapters:\n  - file: canals/index\n"
          "    sections:\n      - file: canals/locks\n      - file: canals/bridges\n")
    write(folder / "_config.yml", "title: Waterways\n")
    write(folder / "intro.md", "# Waterways\n\nBoats and water.\n")
    write(folder / "canals/index.md", "# Canals\n\nA canal is dug.\n\nIt holds still water.\n")
    write(folder / "canals/locks.md", "# Locks\n\nA lock lifts a boat.\n\nIt has two gates.\n")
    write(folder / "canals/bridges.md", "# Bridges\n\nSome bridges open.\n")
    return folder


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_edited_import_stops_and_force_replaces(tmp_path: Path) -> None:
    book, course = small_book(tmp_path / "book"), tmp_path / "course"
    run_cli("import-book", book, "--out", course, check=0)
    report = (course / "import-report.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((course / MOD / "locks.md").read_bytes()).hexdigest()
    assert f"- `{digest}` `{MOD}/locks.md`" in report  # what it wrote, with hashes
    run_cli("import-book", book, "--out", course, check=0)  # unchanged: replaced quietly
    write(course / MOD / "locks.md", "# Locks\n\nMy own words.\n")
    (course / MOD / "bridges.md").unlink()
    write(course / MOD / "notes.md", "# Notes\n")
    before = tree(course)
    proc = run_cli("import-book", book, "--out", course, check=1)
    assert "was changed since the last import (3 file(s)): " \
        f"{MOD}/bridges.md, {MOD}/locks.md, {MOD}/notes.md" in proc.stderr
    assert "--update brings in the book's changes and keeps yours" in proc.stderr
    assert tree(course) == before  # nothing written
    run_cli("import-book", book, "--out", course, "--force", check=0)
    assert "My own words" not in (course / MOD / "locks.md").read_text(encoding="utf-8")
    assert (course / MOD / "bridges.md").is_file() and not (course / MOD / "notes.md").exists()


def test_update_keeps_the_lecturers_work_and_reports_conflicts(tmp_path: Path) -> None:
    book, course = small_book(tmp_path / "book"), tmp_path / "course"
    run_cli("import-book", book, "--out", course, check=0)
    # the lecturer edits locks.md and index.md and adds a page
    write(course / MOD / "locks.md", "# Locks\n\nA lock lifts a boat.\n\nIt has two doors.\n")
    write(course / MOD / "index.md", "# Canals\n\nA canal is dug by hand.\n\nIt holds still water.\n")
    write(course / MOD / "exercise.md", "# Exercise\n")
    # the book changes index.md (another line) and bridges.md
    write(book / "canals/index.md", "# Canals\n\nA canal is dug.\n\nIt holds calm water.\n")
    write(book / "canals/bridges.md", "# Bridges\n\nSome bridges open, some swing.\n")
    proc = run_cli("import-book", book, "--out", course, "--update", check=0)
    assert "swing" in (course / MOD / "bridges.md").read_text(encoding="utf-8")  # book's
    assert "two doors" in (course / MOD / "locks.md").read_text(encoding="utf-8")  # lecturer's
    assert (course / MOD / "exercise.md").read_text(encoding="utf-8") == "# Exercise\n"
    index = (course / MOD / "index.md").read_text(encoding="utf-8")
    assert "dug by hand" in index and "calm" not in index  # a conflict: left as the lecturer's
    conflict = (f"{MOD}/index.md:3: changed here and in the book since the last import; kept "
                "as you had it — the book's version of line 3: A canal is dug.")
    assert conflict in proc.stderr
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert f"- conflict: {conflict}" in report
    assert f"- kept yours: `{MOD}/exercise.md`" in report
    assert f"- kept yours: `{MOD}/locks.md`" in report
    # the base is now this import: the lecturer's files still count as theirs
    proc = run_cli("import-book", book, "--out", course, check=1)
    assert f"(3 file(s)): {MOD}/exercise.md, {MOD}/index.md, {MOD}/locks.md" in proc.stderr
    proc = run_cli("import-book", book, "--out", course, "--update", check=0)
    assert "conflict" not in proc.stderr and "two doors" in (course / MOD / "locks.md").read_text()


def test_force_and_update_exclude_each_other(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book")
    proc = run_cli("import-book", book, "--out", tmp_path / "c", "--force", "--update", check=2)
    assert "--force and --update exclude each other" in proc.stderr


def test_import_without_hashes_needs_force(tmp_path: Path) -> None:
    book, course = small_book(tmp_path / "book"), tmp_path / "course"
    run_cli("import-book", book, "--out", course, check=0)
    write(course / "import-report.md", "# Import report: book\n")  # as imports before hashes
    proc = run_cli("import-book", book, "--out", course, check=1)
    assert "recorded no file hashes" in proc.stderr
    run_cli("import-book", book, "--out", course, "--force", check=0)


def test_an_import_that_writes_no_module_fails(tmp_path: Path) -> None:
    book = tmp_path / "book"
    write(book / "_toc.yml", "format: jb-book\nroot: welcome\n")
    proc = run_cli("import-book", book, "--out", tmp_path / "course", check=1)
    assert "_toc.yml:2: the TOC names 'welcome', which does not exist" in proc.stderr
    assert "_toc.yml:1: no module was written: none of the pages the TOC names can be read" \
        in proc.stderr
    assert "Nothing was imported." in proc.stderr
    assert not (tmp_path / "course").exists()
