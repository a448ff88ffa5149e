"""Rewriting one page's references for its new place: files copied in, labels and documents
of other modules turned into text that names that module."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lcmodules.importbook.notes import Notes
from lcmodules.importbook.plan import ModulePlan, Plan, file_title, label_title
from lcmodules.importbook.toc import UNIT_SUFFIXES
from lcmodules.load.document import markdown_parser, parse_document
from lcmodules.load.pulled import directive_files
from lcmodules.load.references import find_references, is_local

ROLE = re.compile(r"\{(ref|numref|doc|eq)\}`([^`]+)`")
LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^()\s]+)\)")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
CODE_PATH = re.compile(r"""["']([^"'\n]+\.[A-Za-z0-9]{1,5})["']""")
MISSING_INCLUDE = {  # the note that stands in for an included file the book lacks
    "en": "The book includes `{path}` here, a file it does not have.",
    "nl": "Het boek neemt hier `{path}` op, een bestand dat het niet heeft.",
    "de": "Das Buch bindet hier `{path}` ein, eine Datei, die ihm fehlt.",
}
# Places a path stands in MyST (link/image target, HTML src/href, a file directive's argument,
# a {doc}/{download} role) — group "path" — where a Windows author may have written `\`.
BACKSLASH_PATHS = [
    re.compile(r"\]\((?P<path>[^()\s]*\\[^()\s]*)\)"),
    re.compile(r"\b(?:src|href)=([\"'])(?P<path>[^\"'\n]*\\[^\"'\n]*)\1"),
    re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{(?:figure|image|include|literalinclude|download)\}"
               r"[ \t]+(?P<path>\S*\\\S*)", re.M),
    re.compile(r"\{(?:doc|download)\}`(?:[^`<]*<)?(?P<path>[^`<>]*\\[^`<>]*)>?`"),
]


@dataclass
class Rewriter:
    """Rewrites the markdown of book file `src`, which goes into `module`."""

    plan: Plan
    module: ModulePlan
    src: str
    notes: Notes
    language: str = "en"
    copies: set[str] = field(default_factory=set)  # book files to copy into the module
    cell: int | None = None  # the notebook cell being rewritten (1-based), if any
    crossing: set[str] = field(default_factory=set)  # link targets written into other modules

    # ------------------------------------------------------------ paths

    def book_path(self, target: str) -> str | None:
        """The book-relative path a reference names (leading '/' = the book root)."""
        path = unquote(urlsplit(target).path)
        joined = path[1:] if path.startswith("/") else posixpath.join(
            posixpath.dirname(self.src), path)
        norm = posixpath.normpath(joined)
        return None if norm.startswith("../") or norm == ".." else norm

    def new_target(self, rel: str, target: str, keep_suffix: bool = True) -> str:
        """`target` rewritten to point from this file's new place to `rel`'s new place."""
        here = posixpath.dirname(self.plan.dest(self.module, self.src))
        there = self.plan.dest(self.module, rel)
        if not keep_suffix:
            there = there.rsplit(".", 1)[0]
        new = posixpath.relpath(there, here or ".")
        parts = urlsplit(target)
        return new + (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else "")

    def is_book_file(self, rel: str) -> bool:
        """True for a file of the book (a symlink leading out of the book is not one)."""
        path = self.plan.book / rel
        return path.is_file() and path.resolve().is_relative_to(self.plan.book.resolve())

    def unit_for(self, rel: str | None) -> str | None:
        """The page of the TOC that `rel` names, with or without its suffix."""
        if rel is None:
            return None
        if rel in self.plan.unit_module:
            return rel
        return next((rel + s for s in UNIT_SUFFIXES if rel + s in self.plan.unit_module), None)

    def _dead_outside(self, target: str) -> bool:
        """True for a link to a file the book lacks, outside the module's folder (kept, it
        would escape the module: Jupyter Book only warns of it)."""
        rel = self.book_path(target)
        if rel is None or not urlsplit(target).path or target.lstrip("#") in self.plan.labels:
            return False
        base = self.module.base
        inside = not base or rel == base or rel.startswith(base + "/")
        return not inside and not self.is_book_file(rel)

    def elsewhere(self, text: str, other: ModulePlan, rel: str, fragment: str = "") -> str:
        """What a reference into another module becomes: a Markdown link to that module's page
        (`../<slug>/<page>#fragment`), which the course's Jupyter Book follows and a package
        shows as text naming the module (lcmodules.load.links.LinkIndex.elsewhere)."""
        here = posixpath.join(self.module.slug, posixpath.dirname(self.plan.dest(self.module, self.src)))
        there = posixpath.join(other.slug, self.plan.dest(other, rel))
        target = posixpath.relpath(there, here) + (f"#{fragment}" if fragment else "")
        self.crossing.add(target)
        shown = text or (fragment and label_title(self.plan.book, rel, fragment)) \
            or file_title(self.plan.book, rel) or other.title
        return f"[{shown}](<{target}>)" if " " in target else f"[{shown}]({target})"

    # ------------------------------------------------------------ the passes

    def rewrite(self, text: str, line: int = 1, cell: int | None = None) -> str:
        """`text` (starting at book line `line`, or notebook cell `cell` whose JSON starts at
        `line`) with every reference fitted to its new place."""
        self.cell = cell
        text = self._separators(text, line)
        text = LINK.sub(lambda m: self._link(m, text, line), text)  # links first: the roles
        text = ROLE.sub(lambda m: self._role(m, text, line), text)  # may become links
        return self._files(text, line)

    def _separators(self, text: str, line: int) -> str:
        """Windows separators in the paths of references become `/` (as Jupyter Book on
        Windows reads them), each with a note."""
        for pattern in BACKSLASH_PATHS:
            text = pattern.sub(functools.partial(self._separator, text=text, line=line), text)
        return text

    def _separator(self, match: re.Match[str], text: str, line: int) -> str:
        path = match.group("path")
        if "://" in path:
            return match.group(0)
        new = path.replace("\\", "/")
        self._note(self._where(text, match.start(), line), f"the path '{path}' has Windows "
                   f"separators; it became '{new}'", "")
        start, end = match.start("path") - match.start(), match.end("path") - match.start()
        return match.group(0)[:start] + new + match.group(0)[end:]

    def _where(self, text: str, pos: int, line: int) -> int:
        return line if self.cell else line + text.count("\n", 0, pos)

    def _note(self, line: int, message: str, hint: str) -> None:
        prefix = f"cell {self.cell}: " if self.cell else ""
        self.notes.warn(self.src, line, prefix + message, hint)

    def _role(self, match: re.Match[str], text: str, line: int) -> str:
        """A `{ref}`/`{numref}`/`{eq}`/`{doc}` role, kept or turned into text."""
        role, content = match.group(1), match.group(2)
        explicit = EXPLICIT.match(content)
        shown, target = (explicit.group(1), explicit.group(2)) if explicit else ("", content)
        at = self._where(text, match.start(), line)
        if role == "doc":
            rel = self.unit_for(self.book_path(target))
            other = self.plan.unit_module.get(rel) if rel else None
            if not rel or other is None:
                self._note(at, f"{{doc}} '{target}' is not a page of the book's TOC",
                                "the role was kept as it is; correct or remove it")
                return match.group(0)
            if other is self.module:
                new = self.new_target(rel, target, keep_suffix=False)
                return f"{{doc}}`{shown} <{new}>`" if shown else f"{{doc}}`{new}`"
            self._note(at, f"{{doc}} '{target}' is in module '{other.slug}'; it became a "
                       "link to that module's page (text naming the module in its packages)", "")
            return self.elsewhere(shown, other, rel)
        other = self.plan.label_module(target, self.module)
        if other is None:
            self._note(at, f"{{{role}}} '{target}': no such label in the book",
                            "the role was kept as it is; correct the label")
            return match.group(0)
        if other is self.module:
            return match.group(0)
        self._note(at, f"{{{role}}} '{target}' is a label in module '{other.slug}'; it became "
                   "a link to its page (text naming the module in its packages)", "")
        return self.elsewhere(shown.replace("%s", "").strip(), other,
                              self.plan.label_files.get(target, other.files[0].path), target)

    def _link(self, match: re.Match[str], text: str, line: int) -> str:
        """A markdown link to a page or label of another module becomes text."""
        shown, target = match.group(1), match.group(2)
        if not is_local(target):
            return match.group(0)
        label = target.lstrip("#")
        rel = self.unit_for(self.book_path(target))
        other = (self.plan.unit_module.get(rel) if rel
                 else self.plan.label_module(label, self.module))
        if other is None and self._dead_outside(target):
            self._note(self._where(text, match.start(), line),
                       f"the link to '{target}' leads out of the module to a file the book does "
                       "not have; it became its text (a dead link)", "link to a page of the book")
            return shown
        if other is None or other is self.module:
            return match.group(0)
        self._note(self._where(text, match.start(), line),
                   f"the link to '{target}' goes to module '{other.slug}'; it became a link to "
                   "that module's page (text naming the module in its packages)", "")
        if rel:
            return self.elsewhere(shown, other, rel, unquote(urlsplit(target).fragment))
        return self.elsewhere(shown, other, self.plan.label_files.get(label, other.files[0].path),
                              label)

    def _files(self, text: str, line: int) -> str:
        """Files the text refers to: copied into the module, the reference pointed at the copy."""
        lines, gone = text.split("\n"), dict[int, str]()  # gone: includes the book lacks
        for ref in find_references(text):
            if ref.kind == "label" or not is_local(ref.target) or ref.target.startswith("#") \
                    or ref.target in self.crossing:
                continue  # a label of this text, a web address, an anchor, another module
            rel = self.book_path(ref.target)
            at = line if self.cell else line + ref.line
            if rel is None:
                self._note(at, f"'{ref.target}' lies outside the book",
                                "copy the file into the module by hand")
                continue
            unit = self.unit_for(rel)
            if unit is not None:  # a page of this module (other modules were made text)
                rel = unit if unit == rel else None
                if rel is None:
                    continue
            elif not self.is_book_file(rel) and ref.kind == "include":
                gone[ref.line] = ref.target
                self._note(at, f"'{ref.target}' (an {{{ref.tag}}}) does not exist in the book; "
                           "a note in its place says so", "add the file to the module and "
                           "put the directive back, or remove the note")
                continue
            elif not self.is_book_file(rel):
                if ref.kind != "link" or ref.target.lstrip("#") not in self.plan.labels:
                    self._note(at, f"'{ref.target}' does not exist in the book",
                                    "add the file to the module or remove the reference")
                continue
            else:
                self.copies.add(rel)
            new = self.new_target(rel, ref.target)
            if new != ref.target:
                lines = _replace(lines, ref.line, ref.target, new)
        lines = self._directive_files(text, lines, line)
        return "\n".join(_without_missing(lines, gone, self.language)) if gone else "\n".join(lines)

    def _directive_files(self, text: str, lines: list[str], line: int) -> list[str]:
        """A file of the book that a directive of a book extension names (`{custom_download_link}
        ./x.ipynb`, `load.pulled.directive_files`) is copied into the module, with a note, and
        the argument pointed at the copy."""
        for ref in directive_files(parse_document(text)):
            rel = self.book_path(ref.target)
            if rel is None or not self.is_book_file(rel):
                continue  # not a file: the argument is something else
            other = self.plan.unit_module.get(rel)
            at = line if self.cell else line + ref.line
            if other is not None and other is not self.module:
                self._note(at, f"'{ref.target}' that {{{ref.tag}}} names is a page of module "
                           f"'{other.slug}'; it was kept as it is", "copy the file into this "
                           "module by hand if the directive needs it")
                continue
            if other is None:
                self.copies.add(rel)
                self._note(at, f"'{ref.target}' that {{{ref.tag}}} names was copied into the "
                           "module (the Jupyter Book export carries it)", "")
            new = self.new_target(rel, ref.target)
            if new != ref.target:
                lines = _replace(lines, ref.line, ref.target, new)
        return lines

    def code_files(self, code: str, line: int) -> str:
        """Files that notebook code names by a relative path are copied in; a path that
        leads outside the module's folder is rewritten to the copy."""
        def fix(match: re.Match[str]) -> str:
            target = match.group(1)
            rel = self.book_path(target)
            if target.startswith(("/", "http")) or rel is None \
                    or not self.is_book_file(rel):
                return match.group(0)
            self.copies.add(rel)
            new = self.new_target(rel, target)
            if new == target:
                return match.group(0)
            self._note(line, f"the code's path '{target}' became '{new}' (the file was copied "
                       "into the module)", "check the code still runs")
            quote = match.group(0)[0]
            return f"{quote}{new}{quote}"

        return CODE_PATH.sub(fix, code)


def _without_missing(lines: list[str], gone: dict[int, str], language: str) -> list[str]:
    """Lines with each top-level `{include}`/`{literalinclude}`/csv-table block whose file the
    book lacks (`gone`: its first line → path) replaced by a note saying so: Jupyter Book only
    warns of it, and lcmodules refuses a missing include (docs/module-format.md)."""
    text = "\n".join(lines)
    word = MISSING_INCLUDE.get(language.split("-")[0], MISSING_INCLUDE["en"])
    for token in reversed(markdown_parser().parse(text)):
        if token.type in ("fence", "colon_fence") and token.map and token.map[0] in gone:
            path = gone[token.map[0]]
            lines[token.map[0]:token.map[1]] = [":::{note}", word.format(path=path), ":::"]
    return lines


def _replace(lines: list[str], index: int, old: str, new: str) -> list[str]:
    """Replace `old` by `new` on line `index`, or in the first later line that has it."""
    for i in range(index, len(lines)):
        for pattern in (f"({old})", f"({old} ", f'"{old}"', f"'{old}'", f" {old}"):
            if pattern in lines[i]:
                lines[i] = lines[i].replace(pattern, pattern.replace(old, new), 1)
                return lines
    return lines
