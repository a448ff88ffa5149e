"""A module's bibliography: every `.bib` file inside the module folder, read with pybtex."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from pybtex.database import BibliographyData, parse_string
from pybtex.scanner import PybtexError

from lcmodules.model import Pulled


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


def read_bibliography(root: Path, pulled: Mapping[str, Pulled]
                      ) -> tuple[BibliographyData, list[tuple[Path, str]]]:
    """Every entry of the module's `.bib` files as load read them (`Module.pulled`; the first
    file wins a duplicate key), and the files pybtex could not read with why."""
    files = tuple((rel, found.data) for rel, found in sorted(pulled.items())
                  if rel.lower().endswith(".bib"))
    data, problems = _parse(files)
    return data, [(root / rel, why) for rel, why in problems]


@lru_cache(maxsize=32)
def _parse(files: tuple[tuple[str, bytes], ...]) -> tuple[BibliographyData, list[tuple[str, str]]]:
    data = BibliographyData()
    problems: list[tuple[str, str]] = []
    for rel, raw in files:
        try:
            part = parse_string(raw.decode("utf-8"), "bibtex")
        except (PybtexError, UnicodeDecodeError) as exc:
            problems.append((rel, str(exc)))
            continue
        for key, entry in part.entries.items():
            if key not in data.entries:
                data.add_entry(key, entry)
    return data, problems
