"""The book's `author` as module authors: plain text, since Jupyter Book allows HTML there."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from lcmodules.importbook.notes import Notes
from lcmodules.importbook.toc import _line


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(value: str) -> str:
    """The text of an HTML fragment, whitespace collapsed (tags and their attributes gone)."""
    parser = _Text()
    parser.feed(value)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def book_authors(config: dict[str, Any], notes: Notes) -> list[dict[str, str]]:
    """`[{"name": …}]` from the book's `author`; HTML in it (links, licence badges, which the
    book's footer shows) is reduced to its text, with a note."""
    raw = config.get("author")
    if not raw:
        return []
    name = html_text(str(raw)) if "<" in str(raw) else str(raw).strip()
    if name != str(raw).strip():
        notes.warn("_config.yml", _line(config, "author"),
                   f"the book's `author` holds HTML; the modules' author is its text '{name}'",
                   "correct `authors` in each module.yml if that is not a name")
    return [{"name": name}] if name else []
