"""The course `_config.yml` as Jupyter Book will read it: Sphinx extensions it cannot load."""

from __future__ import annotations

import importlib.util
import posixpath
import re

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.extensions import install_hint
from lcmodules.core.localext import local_extensions
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


def check_local_extensions(course: Course, diag: Diagnostics) -> None:
    """`sphinx.local_extensions` whose code is not in the course: the Jupyter Book export
    carries each folder, so `build --html` stops on a missing one. Only files are looked at:
    lcmodules never imports a course's code (docs/security.md)."""
    if not course.has_config_file:
        return
    config_file = course.root / "_config.yml"
    text = config_file.read_text(encoding="utf-8") if config_file.is_file() else ""
    for ext in local_extensions(course.config.sphinx, course.root):
        found = re.search(rf"^\s*['\"]?{re.escape(ext.name)}['\"]?\s*:", text, re.M)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        if ext.folder is None:
            diag.warning(config_file, line, f"the folder '{ext.path}' of the Sphinx extension "
                         f"'{ext.name}' is not one inside the course: the Jupyter Book export "
                         "cannot carry it and leaves it out",
                         "move the extension into the course and name its folder relative to "
                         "_config.yml")
        elif ext.module_file is None:
            where = posixpath.join(ext.path, ext.name.replace(".", "/"))
            diag.warning(config_file, line, f"the Sphinx extension '{ext.name}' is missing: "
                         f"neither '{where}.py' nor '{where}/__init__.py' is in the course, so "
                         "`build --html` will stop on it",
                         "copy the extension into the course (import-book does), or remove it "
                         "from sphinx.local_extensions")
