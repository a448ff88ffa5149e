"""Labels on a page: `(name)=` targets, named figures, tables and labelled equations, numbered
per page in document order, so `{ref}`, `{numref}`, `{eq}` and `[text](name)` resolve."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from lcmodules.core.strings import translator
from lcmodules.load.bibliography import cite_keys
from lcmodules.load.document import Document
from lcmodules.load.myst import CODE_DIRECTIVES, parse_directive
from lcmodules.load.units import slugify

TABLE_DIRECTIVES = ("list-table", "csv-table", "table")
# the word before a number, by label kind: key → msgid (lcmodules/locale)
NUMBER_WORDS = {"figure": "Figure", "table": "Table", "equation": "Equation"}


@dataclass
class Label:
    """Where a label points: its element id, what it is, its number (0 if none), its title."""

    ident: str
    kind: str  # "figure", "table", "equation", "section", "target"
    number: int = 0
    title: str = ""


@dataclass
class Numbering:
    """The labels of one page and the running counters used while it is rendered."""

    labels: dict[str, Label] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    cited: list[str] = field(default_factory=list)
    scanned: bool = False

    def next(self, kind: str) -> int:
        """The number of the next figure/table/equation rendered."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]


def number_word(kind: str, language: str) -> str:
    """`Figure`/`Figuur` … for a numbered reference, in the page's language."""
    msgid = NUMBER_WORDS.get(kind)
    return translator(language).gettext(msgid) if msgid else kind.title()


def _inline_text(token: Token | None) -> str:
    if token is None or token.type != "inline":
        return ""
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


class _Scanner:
    def __init__(self, numbering: Numbering, prefix: str) -> None:
        self.numbering, self.prefix = numbering, prefix
        self.counts: dict[str, int] = {}

    def add(self, name: str, kind: str, title: str, numbered: bool = False) -> None:
        number = 0
        if numbered:
            self.counts[kind] = number = self.counts.get(kind, 0) + 1
        if name:
            self.numbering.labels.setdefault(
                name, Label(self.prefix + slugify(name), kind, number, title.strip()))

    def scan(self, document: Document) -> None:
        tokens = document.tokens
        for index, token in enumerate(tokens):
            if token.type == "myst_target":
                after = next((i for i in range(index + 1, len(tokens))
                              if tokens[i].type != "myst_line_comment"), None)
                heading = after is not None and tokens[after].type == "heading_open"
                title = _inline_text(tokens[after + 1]) if after is not None and heading else ""
                self.add(token.content, "section" if heading else "target", title)
            elif token.type == "math_block_label":
                self.add(token.info, "equation", "", numbered=True)
            elif token.type in ("fence", "colon_fence"):
                self.directive(document, token)
            elif token.type == "inline":
                self.roles(token.children or [])

    def directive(self, document: Document, token: Token) -> None:
        d = parse_directive(token.info, token.content)
        if d is None or d.name in CODE_DIRECTIVES:
            return
        name = d.options.get("name", "")
        if d.name == "figure":
            self.add(name, "figure", d.body.strip().split("\n\n")[0], numbered=True)
        elif d.name == "math":
            if d.options.get("label"):
                self.add(d.options["label"], "equation", "", numbered=True)
        elif d.name in TABLE_DIRECTIVES:
            self.add(name, "table", d.argument, numbered=bool(d.argument))
        elif name:
            self.add(name, "target", d.argument)
        if d.name not in ("math", "csv-table", "raw", "eval-rst", "bibliography"):
            self.scan(document.body(d.body))

    def roles(self, children: Iterable[Token]) -> None:
        for child in children:
            if child.type == "myst_role" and str(child.meta.get("name", "")).startswith("cite"):
                self.numbering.cited.extend(cite_keys(child.content))


def scan_labels(numbering: Numbering, documents: Iterable[Document], prefix: str) -> None:
    """Collect the labels and citations of a page's (or notebook's) parsed Markdown, once."""
    if numbering.scanned:
        return
    scanner = _Scanner(numbering, prefix)
    for document in documents:
        scanner.scan(document)
    numbering.scanned = True
