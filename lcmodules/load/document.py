"""The one parse of MyST Markdown: THE markdown-it configuration and the parsed `Document`.

Every layer that reads Markdown (references, MyST problems, validation, fingerprints, the
renderer, the Jupyter Book export, import-book) reads the tokens of a `Document` made here,
so they can never disagree about what a page contains.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from lcmodules.model import Page, Unit

# documents parsed lately, by text: a caller that holds only the text (a rule given
# `page.body`) gets the document load made; bounded, so memory stays flat as a course grows
RECENT = 256
_recent: OrderedDict[str, Document] = OrderedDict()
_lock = threading.Lock()  # `serve` renders in threads


@cache
def markdown_parser() -> MarkdownIt:
    """THE markdown-it parser of lcmodules (the only one): CommonMark with raw HTML, tables,
    strikethrough, front matter, colon fences, footnotes, dollar math (`$5 … $7` is no math),
    MyST roles, targets and blocks, definition lists and `{#id .class}` block attributes."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(colon_fence_plugin).use(footnote_plugin)
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    md.use(myst_role_plugin).use(myst_block_plugin).use(deflist_plugin)
    md.use(attrs_plugin, spans=False)
    return md


@dataclass(eq=False)
class Document:
    """One piece of MyST Markdown parsed once: its text and token stream.

    `derived` holds what other modules compute from the tokens (references, labels …) and
    `nested` the documents of directive bodies, so each is worked out once per document.
    Line numbers in tokens are 0-based within `text`. Renderers must not change the tokens.
    """

    text: str
    tokens: list[Token]
    nested: dict[str, Document] = field(default_factory=dict, repr=False)
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def body(self, text: str) -> Document:
        """The document of a directive body inside this one (parsed once, kept here)."""
        found = self.nested.get(text)
        if found is None:
            found = self.nested[text] = parse_document(text)
        return found

    def __getstate__(self) -> dict[str, Any]:
        # what is derived is re-derived after unpickling (it may hold unpicklable things)
        return {"text": self.text, "tokens": self.tokens, "nested": self.nested, "derived": {}}


def parse_document(text: str) -> Document:
    """The parsed document of `text` (a recent parse of the same text is reused)."""
    with _lock:
        found = _recent.get(text)
        if found is not None:
            _recent.move_to_end(text)
            return found
    return remember(Document(text, markdown_parser().parse(text, {})))


def remember(document: Document) -> Document:
    """Make `document` the one `parse_document` answers for its text (e.g. one unpickled)."""
    with _lock:
        _recent[document.text] = document
        _recent.move_to_end(document.text)
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return document


def page_document(page: Page) -> Document:
    """The parse of a page's body: the one load made, or (for an edition whose body
    changed) a new one, stored on the page."""
    document = page.document
    if not isinstance(document, Document) or document.text != page.body:
        document = page.document = parse_document(page.body)
    return remember(document)


def cell_document(unit: Unit, index: int, source: str) -> Document:
    """The parse of markdown cell `index` of a notebook unit (kept on the unit)."""
    document = unit.documents.get(index)
    if not isinstance(document, Document) or document.text != source:
        document = unit.documents[index] = parse_document(source)
    return remember(document)


def parse_unit(unit: Unit) -> None:
    """Parse a loaded page's body and a notebook's markdown cells into the model, once."""
    unit_documents(unit)


def cell_text(source: str | list[str]) -> str:
    """A cell's source as one string (nbformat may keep it as a list of lines)."""
    return "".join(source) if isinstance(source, list) else source


def unit_documents(unit: Unit) -> list[tuple[int | None, Document]]:
    """The parsed Markdown of a unit: (None, the page body) or (cell index, a markdown
    cell's document) for each markdown cell of a notebook, in order."""
    found: list[tuple[int | None, Document]] = []
    if unit.page is not None:
        found.append((None, page_document(unit.page)))
    for index, cell in enumerate(unit.notebook.cells if unit.notebook is not None else []):
        if cell.cell_type == "markdown":
            found.append((index, cell_document(unit, index, cell_text(cell.source))))
    return found
