"""The edition step: a module's learner (or teacher) edition, made once, before any exporter."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

from lcmodules.core.diagnostics import InputError, Problem
from lcmodules.core.fsutil import FileContent
from lcmodules.load.links import course_pages
from lcmodules.load.markers import (  # noqa: F401 (re-exported for the renderer and the tests)
    CODE_BEGIN,
    CODE_END,
    MARKDOWN_BEGIN,
    MARKDOWN_END,
    REMOVE_CELL_TAGS,
    REMOVE_INPUT_TAG,
    REMOVE_OUTPUT_TAG,
    cell_tags,
    is_marker,
)
from lcmodules.load.pulled import included_text
from lcmodules.model import Course, Module, Page, Unit
from lcmodules.transform.stubs import code_stub, notebook_language

Edition = Literal["learner", "teacher"]
REMOVE_CELL_TAG = "remove-cell"  # also in the teacher's pages; `solution` only in the learner's
Resources = dict[str, Any]
Preprocessor = Callable[[NotebookNode, Resources], None]

CODE_STUB = code_stub("python")  # ("# YOUR CODE HERE", "raise NotImplementedError()")


def replace_blocks(lines: list[str], begin: str, end: str,
                   stub: Callable[[str], list[str]]) -> list[str]:
    """`lines` with every block from a `begin` marker line to its `end` marker line replaced by
    `stub(begin line)`. An unclosed block runs to the end (a solution never leaks)."""
    out: list[str] = []
    inside = False
    for line in lines:
        if not inside and is_marker(line, begin):
            out.extend(stub(line))
            inside = True
        elif inside:
            if is_marker(line, end):
                inside = False
        else:
            out.append(line)
    return out


def replace_solution_lines(source: str, stub_lines: tuple[str, ...] = CODE_STUB) -> str:
    """Code between BEGIN/END SOLUTION lines → `stub_lines` (the nbgrader stub for Python), at
    the BEGIN line's indentation.

    An unclosed BEGIN replaces everything after it (a solution never leaks).
    """

    def stub(begin_line: str) -> list[str]:
        indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
        return [indent + line for line in stub_lines]

    text = "\n".join(replace_blocks(source.splitlines(), CODE_BEGIN, CODE_END, stub))
    return text + "\n" if source.endswith("\n") and text else text


def remove_markdown_solutions(text: str) -> str:
    """Markdown without its `<!-- BEGIN SOLUTION -->` … `<!-- END SOLUTION -->` blocks."""
    lines = text.splitlines(keepends=True)
    return "".join(replace_blocks(lines, MARKDOWN_BEGIN, MARKDOWN_END, lambda _line: []))


def learner_markdown(text: str, edition: Edition = "learner") -> str:
    """A MyST page's learner edition (its solution blocks removed); the teacher's is unchanged."""
    return text if edition == "teacher" else remove_markdown_solutions(text)


# ---------------------------------------------------------------- preprocessors
# Each takes the notebook (a private copy) and a resources dict shared by the run, and
# changes the notebook in place. Each does one thing, like an nbconvert preprocessor.


def remove_tagged_cells(nb: NotebookNode, resources: Resources) -> None:
    """Cells tagged `solution` or `remove-cell` disappear, outputs and all."""
    nb.cells = [cell for cell in nb.cells if not cell_tags(cell) & REMOVE_CELL_TAGS]


def replace_code_solutions(nb: NotebookNode, resources: Resources) -> None:
    """Code solution regions become the stub of the notebook's language (its comment in the
    module's language, `resources["language"]`); the changed cells are noted in resources."""
    changed: set[int] = resources.setdefault("changed_cells", set())
    stub_lines = code_stub(notebook_language(nb), resources.get("language"))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if any(is_marker(line, CODE_BEGIN) for line in source.splitlines()):
            cell.source = replace_solution_lines(source, stub_lines)
            changed.add(id(cell))


def strip_markdown_solutions(nb: NotebookNode, resources: Resources) -> None:
    """Markdown solution blocks are removed; a cell left empty by that is removed too."""
    kept = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and any(
            is_marker(line, MARKDOWN_BEGIN) for line in cell.source.splitlines()
        ):
            cell.source = remove_markdown_solutions(cell.source)
            if not cell.source.strip() and not cell.get("attachments"):
                continue
        kept.append(cell)
    nb.cells = kept


def clear_changed_cells(nb: NotebookNode, resources: Resources) -> None:
    """A cell whose solution was taken out loses its outputs and execution count:
    the output of a solution would give the answer away."""
    changed = resources.get("changed_cells", set())
    for cell in nb.cells:
        if id(cell) in changed:
            cell.outputs = []
            cell.execution_count = None


def clear_removed_outputs(nb: NotebookNode, resources: Resources) -> None:
    """Cells tagged `remove-output` keep their code but lose their outputs."""
    for cell in nb.cells:
        if cell.cell_type == "code" and REMOVE_OUTPUT_TAG in cell_tags(cell):
            cell.outputs = []
            cell.execution_count = None


# `remove-input` needs no step: the cell keeps its source (so the learner's notebook still
# runs), its outputs and its tag; Jupyter Book and lcmodules' renderer show only the outputs.
# `hide-input` / `hide-output` are kept as tags; the renderers fold those parts away.

# The order matters:
# 1. whole cells go first, so no later step works on (or leaks from) a removed cell;
# 2. code solutions are replaced and the changed cells noted …
# 3. … markdown solutions removed (independent of 2, but before anything looks at cell text);
# 4. the noted cells' outputs and counts are cleared (needs 2's notes);
# 5. `remove-output` outputs are cleared last, on the cells that are left.
LEARNER_PREPROCESSORS: tuple[Preprocessor, ...] = (
    remove_tagged_cells,
    replace_code_solutions,
    strip_markdown_solutions,
    clear_changed_cells,
    clear_removed_outputs,
)


def learner_notebook(nb: NotebookNode, edition: Edition = "learner",
                     language: str | None = None) -> NotebookNode:
    """The notebook for `edition`: a new object, the loaded one is never changed.

    The teacher edition is an unchanged copy; the learner edition runs every step of
    `LEARNER_PREPROCESSORS` in order. nbformat 4, its minor version and the cell ids are kept.
    `language` (the module's BCP 47 tag) is the language of the stub's comment.
    """
    result = copy.deepcopy(nb)
    if edition == "teacher":
        return result
    resources: Resources = {"language": language}
    for step in LEARNER_PREPROCESSORS:
        step(result, resources)
    return result


def notebook_bytes(nb: NotebookNode) -> bytes:
    """The notebook as a file: nbformat's JSON (sorted keys) with a trailing newline."""
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


# ---------------------------------------------------------------- presentation tags


def presentation_cells(nb: NotebookNode) -> NotebookNode:
    """A copy of `nb` as a page shows it, in either edition: `remove-cell` cells gone,
    `remove-output` outputs cleared, `remove-input` sources marked for the template
    (`metadata.transient.remove_source`, nbconvert's own flag). `solution` cells are the
    edition's business: the teacher's pages show them."""
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if REMOVE_CELL_TAG not in cell_tags(cell)]
    clear_removed_outputs(nb, {})
    for cell in nb.cells:
        if cell.cell_type == "code" and REMOVE_INPUT_TAG in cell_tags(cell):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    return nb


# ---------------------------------------------------------------- the edition of a module


def page_text(raw: bytes) -> str:
    """A page file's text as load reads it (UTF-8, a BOM dropped, CRLF made LF)."""
    return raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


def unit_edition(unit: Unit, edition: Edition, language: str | None = None) -> Unit:
    """One unit of the edition: pages and notebooks (parsed form and `raw` bytes alike) are
    the edition's (code stubs in `language`); knowledge checks are what they are."""
    if unit.kind == "page" and unit.page is not None:
        body = learner_markdown(unit.page.body, edition)
        parsed = unit.page.document if body == unit.page.body else None  # parsed once
        page = Page(dict(unit.page.front_matter), body, unit.page.body_line, parsed)
        raw = learner_markdown(page_text(unit.raw), edition).encode("utf-8")
        return dataclasses.replace(unit, page=page, raw=raw)
    if unit.kind == "notebook" and unit.notebook is not None:
        nb = learner_notebook(unit.notebook, edition, language)
        return dataclasses.replace(unit, notebook=nb, raw=notebook_bytes(nb))
    if unit.kind in ("page", "notebook"):  # not loadable: the build never gets here
        return dataclasses.replace(unit, raw=b"")
    return dataclasses.replace(unit)


def module_edition(module: Module, edition: Edition = "learner") -> Module:
    """The module as exporters receive it: every unit in `edition` (a new object; the loaded
    module is not changed), in a course that holds no other module's sources. Already an
    edition: returned as it is."""
    if module.edition is not None:
        return module
    units = [unit_edition(unit, edition, module.meta.language) for unit in module.units]
    course = module.course
    if course is not None:
        # links into the other modules still resolve (load.links.course_pages)
        course = dataclasses.replace(course, modules=[], context=[], pages=course_pages(course))
    return dataclasses.replace(module, units=units, edition=edition, course=course)


def course_edition(course: Course, edition: Edition = "learner") -> Course:
    """The course with every module in `edition` (the modules point at the new course)."""
    edited = dataclasses.replace(course, modules=[])
    edited.modules = [dataclasses.replace(module_edition(m, edition), course=edited)
                      for m in course.modules]
    return edited


def edition_files(module: Module) -> dict[str, FileContent]:
    """Every file of the module folder as the edition has it (module-relative POSIX path →
    content): units from the edition, the other notebooks and pages made into the same
    edition here, other files as they are. Hidden files are left out."""
    if module.edition is None:
        raise ValueError("edition_files needs an edition: call module_edition first")
    units = {unit.source.resolve(): unit for unit in module.units}
    files: dict[str, FileContent] = {}
    for path in sorted(module.root.rglob("*")):
        rel = path.relative_to(module.root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        unit = units.get(path.resolve())
        if unit is not None and unit.kind != "quiz":
            files[rel.as_posix()] = unit.raw
        elif path.suffix == ".ipynb":
            nb = learner_notebook(_read_notebook(path), module.edition, module.meta.language)
            files[rel.as_posix()] = notebook_bytes(nb)
        elif path.suffix == ".md":
            text = learner_markdown(page_text(path.read_bytes()), module.edition)
            files[rel.as_posix()] = text.encode("utf-8")
        else:
            files[rel.as_posix()] = path
    return files


def shipped_file(module: Module, source: Path, edition: Edition) -> FileContent:
    """A file of the module a page refers to (not a unit), as `edition` ships it: a notebook or
    a MyST file without its solutions in the learner's edition, others as load read them (when
    a page pulls them in) or as they are. Every format ships module files through this."""
    pulled = module.pulled.get(source.relative_to(module.root.resolve()).as_posix())
    suffix = source.suffix.lower()
    if suffix == ".md":
        text = included_text(pulled.data if pulled else source.read_bytes())
        return learner_markdown(text, edition).encode("utf-8")
    if suffix == ".ipynb":
        return notebook_file(source, pulled.data if pulled else source.read_bytes(), edition,
                             module.meta.language)
    return pulled.data if pulled else source


def notebook_file(path: Path, data: bytes, edition: Edition,
                  language: str | None = None) -> bytes:
    """A notebook that is not a unit (one a page offers to download, `data` as load read
    `path`) made into `edition`: the learner's has no solutions."""
    if edition == "teacher":
        return data
    return notebook_bytes(learner_notebook(_read_notebook(path, data), edition, language))


def _read_notebook(path: Path, data: bytes | None = None) -> NotebookNode:
    """A notebook that is not a unit (validation never saw it): read it, or say why not."""
    try:
        if data is not None:
            return nbformat.reads(data.decode("utf-8"), as_version=4)
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise InputError([Problem(path, None, f"cannot read this notebook: {exc}",
                                  "fix it, or move it out of the module folder")]) from exc
