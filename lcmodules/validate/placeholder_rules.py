"""Text the `lcmodules new` templates wrote for the lecturer to replace: a warning until it is."""

from __future__ import annotations

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module
from lcmodules.scaffold.texts import placeholder_texts

HINT = "replace the template's example text with your own"


def check_placeholders(module: Module, diag: Diagnostics) -> None:
    """Warn where module.yml or a page still holds the templates' placeholder text."""
    texts = placeholder_texts()
    meta = module.meta
    fields: list[tuple[tuple[object, ...], str | None]] = [(("summary",), meta.summary)]
    if meta.case is not None:
        fields.append((("case", "organisation"), meta.case.organisation))
        fields.append((("case", "sector"), meta.case.sector))
    fields += [(("learning_objectives", i), text) for i, text in enumerate(meta.learning_objectives)]
    for loc, value in fields:
        if value is not None and " ".join(value.split()) in texts:
            line, col = node_line(module.doc, loc)
            diag.warning(module.module_file, line,
                         f"'{_dotted(loc)}' still holds the placeholder text '{value}'", HINT, col)
    for unit in module.units:
        if unit.page is None:
            continue
        for offset, text in enumerate(unit.page.body.splitlines()):
            if text.strip() and text.strip() in texts:
                diag.warning(unit.source, unit.page.body_line + offset,
                             f"the page still holds the placeholder text '{text.strip()}'", HINT)


def _dotted(loc: tuple[object, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p)
                   for i, p in enumerate(loc))
