"""Rules for text left from `lcmodules new`: the templates' sample sentences are warnings."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jinja2 import Environment, TemplateError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from lcmodules.diagnostics import Diagnostics
from lcmodules.load.units import notebook_cell_lines
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module

MARK = "lc0placeholder0mark"  # stands for the lecturer's own values when the templates render
SAMPLE = {"slug": "x", "id": "x/x", "title": MARK, "language": "en", "author": MARK,
          "organisation": MARK, "quiz_name": "x"}
META_FIELDS = (("summary",), ("learning_objectives",), ("case", "organisation"), ("case", "sector"))
MESSAGE = "placeholder text from `lcmodules new` is still here: '{text}'"
HINT = "replace it with the module's own text"


def _prose(line: str) -> bool:
    """A sentence a lecturer is meant to replace (not markup, a formula or a table row)."""
    text = line.strip()
    return (len(text) >= 12 and " " in text and MARK not in text
            and not text.startswith(("|", "#", ":", "`", "-", "{", "$", "<", "---")))


@functools.cache
def placeholders(templates: Path | None) -> frozenset[str]:
    """Every sample sentence the module templates write, in Dutch and in English."""
    from lcmodules.scaffold import template_files

    env = Environment(autoescape=False)
    found: set[str] = set()
    for rel, source in sorted(template_files(templates).items()):
        for nl in (True, False):
            try:
                text = env.from_string(source.read_text(encoding="utf-8")).render(**SAMPLE, nl=nl)
            except (TemplateError, UnicodeDecodeError, OSError):
                continue
            found |= set(_sentences(rel, text))
    return frozenset(found)


def _sentences(rel: str, text: str) -> list[str]:
    if rel.endswith(".ipynb.j2"):
        try:
            cells = json.loads(text).get("cells", [])
        except (json.JSONDecodeError, AttributeError):
            return []
        text = "\n".join("".join(c.get("source", "")) for c in cells
                         if c.get("cell_type") == "markdown")
    elif rel.endswith("module.yml.j2"):
        try:
            doc = YAML(typ="safe").load(text) or {}
        except YAMLError:
            return []
        values: list[object] = [doc.get("summary"), *(doc.get("learning_objectives") or []),
                                *((doc.get("case") or {}).values())]
        return [str(v).strip() for v in values if isinstance(v, str) and MARK not in v]
    elif not rel.endswith(".md.j2"):
        return []
    return [line.strip() for line in text.splitlines() if _prose(line)]


def check_placeholders(module: Module, diag: Diagnostics) -> None:
    """A warning for every sample sentence of the templates still in the module."""
    known = placeholders(module.course.templates_dir if module.course else None)
    for loc in META_FIELDS:
        value = module.doc
        for key in loc:
            value = value.get(key) if isinstance(value, dict) else None
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, str) and item.strip() in known:
                where = (*loc, i) if isinstance(value, list) else loc
                diag.warning(module.module_file, node_line(module.doc, where)[0],
                             MESSAGE.format(text=item.strip()), HINT)
    for unit in module.units:
        if unit.page is not None:
            for n, line in enumerate(unit.page.body.splitlines()):
                if line.strip() in known:
                    diag.warning(unit.source, unit.page.body_line + n,
                                 MESSAGE.format(text=line.strip()), HINT)
        if unit.notebook is not None:
            lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
            for n, cell in enumerate(unit.notebook.cells):
                hits = [t.strip() for t in cell.source.splitlines() if t.strip() in known] \
                    if cell.cell_type == "markdown" else []
                for text in hits:
                    diag.warning(unit.source, lines[n] if n < len(lines) else None,
                                 f"cell {n + 1}: " + MESSAGE.format(text=text), HINT)
