"""A module's bibliography: every `.bib` file inside the module folder, read with pybtex."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pybtex.database import BibliographyData, parse_string
from pybtex.scanner import PybtexError


def cite_keys(content: str) -> list[str]:
    """The keys of a cite role: `a,b` or `a; b`."""
    return [k.strip() for k in content.replace(";", ",").split(",") if k.strip()]


def bib_files(root: Path) -> list[Path]:
    """The module's `.bib` files, sorted by path (hidden folders and build output skipped)."""
    found = []
    for path in sorted(root.rglob("*.bib")):
        rel = path.relative_to(root).parts
        if not any(part.startswith((".", "_build")) for part in rel):
            found.append(path)
    return found


def load_bibliography(root: Path) -> tuple[BibliographyData, list[tuple[Path, str]]]:
    """Every entry of the module's `.bib` files (the first file wins a duplicate key), and the
    files pybtex could not read with why."""
    files = bib_files(root)
    stamps = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load(stamps)


@lru_cache(maxsize=32)
def _load(stamps: tuple[tuple[Path, int, int], ...]) -> tuple[BibliographyData, list[tuple[Path, str]]]:
    data = BibliographyData()
    problems: list[tuple[Path, str]] = []
    for path, _, _ in stamps:
        try:
            part = parse_string(path.read_text(encoding="utf-8"), "bibtex")
        except (PybtexError, UnicodeDecodeError) as exc:
            problems.append((path, str(exc)))
            continue
        for key, entry in part.entries.items():
            if key not in data.entries:
                data.add_entry(key, entry)
    return data, problems
