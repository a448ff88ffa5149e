"""Which book files become which module's files, and where every label of the book lives."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from lcmodules.importbook.toc import Entry, Group, Toc
from lcmodules.load.document import markdown_parser
from lcmodules.load.references import find_labels
from lcmodules.load.units import slugify

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
LABELS = [
    re.compile(r"^\s*\(([^()\s]+)\)=\s*$", re.M),  # (label)=
    re.compile(r"^\s*:(?:name|label):\s*(\S+)\s*$", re.M),  # :name: of a figure, :label: of math
    re.compile(r"\$\$\s*\(([^()\s]+)\)\s*$", re.M),  # $$ … $$ (label)
]
SHARED = "_shared"


@dataclass
class ModulePlan:
    slug: str
    title: str
    base: str  # the book folder the module's files are laid out from ("" = the book root)
    files: list[Entry]
    line: int


@dataclass
class Plan:
    book: Path
    modules: list[ModulePlan] = field(default_factory=list)
    unit_module: dict[str, ModulePlan] = field(default_factory=dict)  # book file → module
    labels: dict[str, list[ModulePlan]] = field(default_factory=dict)  # label → its modules
    label_files: dict[str, str] = field(default_factory=dict)  # label → first book file with it

    def label_module(self, label: str, here: ModulePlan) -> ModulePlan | None:
        """The module holding `label`: `here` when it has one, else the first that has."""
        found = self.labels.get(label, [])
        return here if here in found else found[0] if found else None

    def dest(self, module: ModulePlan, rel: str) -> str:
        """Where book file `rel` goes inside `module`'s folder."""
        if module.base and not rel.startswith(module.base + "/"):
            return f"{SHARED}/{rel}"
        return rel[len(module.base) + 1:] if module.base else rel


def cell_sources(text: str) -> list[str]:
    """The markdown of a page, or the markdown cells of a notebook."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError:
        return [text]
    if not isinstance(nb, dict):
        return [text]
    return ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else
            str(c.get("source", "")) for c in nb.get("cells", [])
            if c.get("cell_type") == "markdown"]


def file_title(book: Path, rel: str) -> str | None:
    """The first `# heading` of a page or of a notebook's markdown."""
    text = (book / rel).read_text(encoding="utf-8", errors="replace")
    sources = cell_sources(text) if rel.endswith(".ipynb") else [text]
    for source in sources:
        match = HEADING.search(source)
        if match:
            return plain_heading(match.group(1))
    return None


def label_title(book: Path, rel: str, label: str) -> str | None:
    """The heading right after `(label)=` in a page or notebook (what `{ref}` shows)."""
    text = (book / rel).read_text(encoding="utf-8", errors="replace")
    for source in cell_sources(text) if rel.endswith(".ipynb") else [text]:
        match = re.search(rf"^\s*\({re.escape(label)}\)=\s*\n\s*#+\s+(.+?)\s*#*\s*$", source, re.M)
        if match:
            return plain_heading(match.group(1))
    return None


def plain_heading(markdown: str) -> str:
    """A heading's text without its Markdown: `` The `pip` tool `` → `The pip tool` (module
    titles appear in LMS menus and manifests, which show no Markdown)."""
    tokens = markdown_parser().parseInline(markdown.strip())
    children = tokens[0].children or [] if tokens else []
    text = "".join(t.content for t in children if t.type in ("text", "code_inline"))
    return text.strip() or markdown.strip()


def groups(toc: Toc, split: str) -> list[Group]:
    """The root page on its own, then one group per chapter (or per part)."""
    result = [Group(toc.root.title, [Entry(toc.root.path, toc.root.title, toc.root.line)],
                    toc.root.line)] if toc.root else []
    if toc.format == "jb-article":
        if result:
            result[0].entries += [e for _, _, chapters in toc.parts for e in chapters]
        return result
    for caption, line, chapters in toc.parts:
        if split == "parts":
            if chapters:
                result.append(Group(caption, chapters, line))
        else:
            result.extend(Group(c.title, [c], c.line) for c in chapters)
    return result


def make_plan(book: Path, toc: Toc, split: str) -> Plan:
    """The modules to write, named and laid out, with every label of the book."""
    plan = Plan(book)
    used: set[str] = set()
    for group in groups(toc, split):
        files = [e for e in group.files() if e.path not in plan.unit_module]
        if not files:
            continue
        title = group.title or file_title(book, files[0].path) or Path(files[0].path).stem
        slug = base_slug = slugify(title) or slugify(Path(files[0].path).stem) or "module"
        n = 2
        while slug in used:
            slug, n = f"{base_slug}-{n}", n + 1
        used.add(slug)
        folders = [posixpath.dirname(e.path) for e in files]
        base = posixpath.commonpath(folders) if all(folders) else ""
        module = ModulePlan(slug, title, base, files, group.line)
        plan.modules.append(module)
        for entry in files:
            plan.unit_module[entry.path] = module
            text = (book / entry.path).read_text(encoding="utf-8", errors="replace")
            for source in cell_sources(text) if entry.path.endswith(".ipynb") else [text]:
                found = {label for pattern in LABELS for label in pattern.findall(source)}
                for label in sorted(found | find_labels(source)):
                    plan.label_files.setdefault(label, entry.path)
                    holders = plan.labels.setdefault(label, [])
                    if module not in holders:
                        holders.append(module)
    return plan
