"""The course `_config.yml` as Jupyter Book will read it: Sphinx extensions it cannot load."""

from __future__ import annotations

import importlib.util
import re

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.extensions import install_hint
from lcmodules.model import Course


def installed(extension: str) -> bool:
    """True when Python can import the Sphinx extension `extension` (a dotted module name)."""
    try:
        return importlib.util.find_spec(extension) is not None
    except (ImportError, ValueError):
        return False


def check_sphinx_extensions(course: Course, diag: Diagnostics) -> None:
    """`sphinx.extra_extensions` that are not installed: the Jupyter Book export carries them,
    so `build --html` stops on them (pages and packages build without them)."""
    if not course.has_config_file or not isinstance(course.config.sphinx, dict):
        return
    names = course.config.sphinx.get("extra_extensions") or []
    config_file = course.root / "_config.yml"
    text = config_file.read_text(encoding="utf-8") if config_file.is_file() else ""
    for name in [str(n) for n in names if isinstance(n, str)]:
        if installed(name):
            continue
        found = re.search(rf"^\s*-\s*['\"]?{re.escape(name)}['\"]?\s*(#.*)?$", text, re.M)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        diag.warning(config_file, line,
                     f"Sphinx extension '{name}' is not installed: `build --html` of the "
                     "Jupyter Book export will stop on it",
                     f"{install_hint(name, course.root)}, or remove it from "
                     "sphinx.extra_extensions")
