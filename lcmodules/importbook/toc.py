"""Reading a Jupyter Book 1 `_toc.yml` (jb-book and jb-article) into modules to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from lcmodules.importbook.notes import Notes, yaml_error_line, yaml_problem

UNIT_SUFFIXES = (".md", ".ipynb")
OTHER_SUFFIXES = (".rst", ".myst", ".Rmd", ".py")


@dataclass
class Entry:
    """One TOC entry that became a file of the course, with its nested sections."""

    path: str  # book-relative POSIX path of the file, suffix included
    title: str | None
    line: int
    children: list[Entry] = field(default_factory=list)

    def flat(self) -> list[Entry]:
        """This entry and every section below it, in reading order."""
        return [self] + [e for child in self.children for e in child.flat()]


@dataclass
class Group:
    """What becomes one module: a chapter, a part, the root page or a whole article."""

    title: str | None
    entries: list[Entry]
    line: int

    def files(self) -> list[Entry]:
        return [e for entry in self.entries for e in entry.flat()]


@dataclass
class Toc:
    format: str
    root: Entry | None
    parts: list[tuple[str | None, int, list[Entry]]]  # (caption, line, chapters)


def _line(node: Any, key: str | int | None = None) -> int:
    try:
        if key is None:
            return node.lc.line + 1
        return (node.lc.key(key)[0] if isinstance(key, str) else node.lc.item(key)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return 1


def read_toc(book: Path, notes: Notes) -> Toc | None:
    """The book's `_toc.yml`, or None (with a note) when it cannot be read."""
    path = book / "_toc.yml"
    if not path.is_file():
        notes.error("_toc.yml", None, "the book has no _toc.yml",
                    "point at a Jupyter Book 1 folder (with _config.yml and _toc.yml)")
        return None
    try:
        doc = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        notes.error("_toc.yml", yaml_error_line(exc),
                    f"_toc.yml cannot be read: {yaml_problem(exc)}",
                    "fix the YAML")
        return None
    if not isinstance(doc, dict) or "root" not in doc:
        notes.error("_toc.yml", 1, "_toc.yml has no `root`", "Jupyter Book 1 needs `root: <file>`")
        return None
    fmt = str(doc.get("format", "jb-book"))
    if fmt not in ("jb-book", "jb-article"):
        notes.error("_toc.yml", _line(doc, "format"), f"unknown TOC format '{fmt}'",
                    "lcmodules imports `jb-book` and `jb-article`")
        return None
    reader = _Reader(book, notes, _listed(doc))
    root = reader.entry({"file": doc["root"]}, _line(doc, "root"))
    parts: list[tuple[str | None, int, list[Entry]]] = []
    if fmt == "jb-article":
        parts.append((None, _line(doc), reader.entries(doc.get("sections") or [])))
    elif doc.get("parts"):
        for i, part in enumerate(doc["parts"]):
            parts.append((part.get("caption"), _line(doc["parts"], i),
                          reader.entries(part.get("chapters") or [])))
    else:
        parts.append((None, _line(doc), reader.entries(doc.get("chapters") or [])))
    return Toc(fmt, root, parts)


def _listed(doc: Any) -> set[str]:
    """Every `file:` named anywhere in the TOC (a glob leaves these out, as Jupyter Book does)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.add(node["file"].strip("/"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


class _Reader:
    def __init__(self, book: Path, notes: Notes, listed: set[str]) -> None:
        self.book, self.notes, self.listed = book, notes, listed

    def entries(self, items: Any) -> list[Entry]:
        result: list[Entry] = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            line = _line(items, i)
            if isinstance(item, dict) and "glob" in item:
                result.extend(self.glob(str(item["glob"]), line))
                continue
            entry = self.entry(item, line)
            if entry is not None:
                result.append(entry)
        return result

    def entry(self, item: Any, line: int) -> Entry | None:
        """One `file:` entry with its sections; `url:` and unreadable entries are noted."""
        if not isinstance(item, dict):
            self.notes.warn("_toc.yml", line, "a TOC entry that is not `file:`, `glob:` or `url:` "
                            "was left out", "write it as `- file: path`")
            return None
        if "url" in item:
            self.notes.warn("_toc.yml", line, f"the link '{item['url']}' in the TOC was left out",
                            "add it as a link on a page of the module if learners need it")
            return None
        found = self.find(str(item.get("file", "")), line)
        children: list[Entry] = []
        for key in ("sections", "chapters"):
            children += self.entries(item.get(key) or [])
        for sub in item.get("subtrees") or []:
            children += self.entries(sub.get("entries") or [])
        if found is None and children:
            # the entry's own page is missing: its first section stands in for it, so the
            # chapter (and its title) still holds every section
            first = children[0]
            self.notes.warn("_toc.yml", line, f"'{first.path}' stands in for the missing page "
                            "of this entry, with the entry's other sections after it",
                            "add the page to the book if the chapter needs an opening page")
            return Entry(first.path, item.get("title") or first.title, line,
                         first.children + children[1:])
        return None if found is None else Entry(found, item.get("title"), line, children)

    def separators(self, name: str, line: int) -> str:
        """A TOC path with Windows separators, as `/` (noted)."""
        if "\\" not in name:
            return name
        new = name.replace("\\", "/")
        self.notes.warn("_toc.yml", line, f"the path '{name}' has Windows separators; it "
                        f"became '{new}'", "")
        return new

    def find(self, name: str, line: int) -> str | None:
        """The file a TOC name means (suffix optional), if lcmodules can read it."""
        name = self.separators(name, line).strip().lstrip("/")
        candidates = [name] if Path(name).suffix in UNIT_SUFFIXES + OTHER_SUFFIXES else []
        candidates += [name + s for s in UNIT_SUFFIXES + OTHER_SUFFIXES]
        for candidate in candidates:
            path = self.book / candidate
            if path.is_file() and path.resolve().is_relative_to(self.book.resolve()):
                if Path(candidate).suffix in UNIT_SUFFIXES:
                    return candidate
                self.notes.warn("_toc.yml", line, f"'{candidate}' is not a page lcmodules reads "
                                "(*.md or *.ipynb); it was left out",
                                "convert it to MyST Markdown or a notebook (e.g. with jupytext)")
                return None
        self.notes.warn("_toc.yml", line, f"the TOC names '{name}', which does not exist",
                        "correct the TOC; the entry was left out")
        return None

    def glob(self, pattern: str, line: int) -> list[Entry]:
        """The pages a `glob:` matches, sorted, without those the TOC names elsewhere."""
        pattern = self.separators(pattern, line).strip().lstrip("/")
        matches = set()
        for suffix in ("", *UNIT_SUFFIXES):
            for path in self.book.glob(pattern + suffix):
                rel = path.relative_to(self.book).as_posix()
                if path.is_file() and path.suffix in UNIT_SUFFIXES \
                        and rel.rsplit(".", 1)[0] not in self.listed and rel not in self.listed:
                    matches.add(rel)
        if not matches:
            self.notes.warn("_toc.yml", line, f"`glob: {pattern}` matches no page", "")
        return [Entry(rel, None, line) for rel in sorted(matches)]
