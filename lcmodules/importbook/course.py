"""The course `_config.yml` and each `module.yml` of an imported book, written with ruamel.yaml."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from lcmodules.importbook.notes import Notes
from lcmodules.model import CourseConfig

# The book keys a course keeps: every key of the course config except lcmodules' own section.
KEPT = [name for name in CourseConfig.model_fields if name != "lcmodules"]
DROPPED_QUIETLY = {"language"}  # used for the modules' language instead


def dump(data: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def book_language(config: dict) -> str | None:
    """The book's language: a top-level `language`, else `sphinx.config.language`."""
    value = config.get("language")
    if not value:
        value = ((config.get("sphinx") or {}).get("config") or {}).get("language")
    return str(value).replace("_", "-") if value else None


def course_config(book_config: dict, modules: list[str], notes: Notes) -> str:
    """The course `_config.yml`: the book's Jupyter Book keys, in the book's order, plus the list
    of modules."""
    result = CommentedMap()
    for key, value in book_config.items():
        line = book_config.lc.key(key)[0] + 1 if hasattr(book_config, "lc") else None
        if key in KEPT:
            result[key] = value
        elif key not in DROPPED_QUIETLY:
            notes.warn("_config.yml", line, f"the key '{key}' has no place in an lcmodules course "
                       "and was left out", "see docs/import-book.md for the keys a course keeps")
    if "title" not in result:
        result["title"] = "Course"
    result["lcmodules"] = CommentedMap([("modules", list(modules))])
    return dump(result)


def module_yml(meta: dict[str, Any]) -> str:
    return dump(CommentedMap((k, v) for k, v in meta.items() if v not in (None, [], "")))
