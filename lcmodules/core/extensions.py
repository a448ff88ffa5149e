"""Which pip package provides a Sphinx extension, and how to say so to the author."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

# Extension modules and the pip package that provides them, where the TeachBooks books use them
# or the name is not the module's with `_` as `-`; any other: the module name normalised.
KNOWN: dict[str, str] = {
    "sphinx_grasple": "teachbooks-sphinx-grasple",  # PyPI has no sphinx-grasple
    "jupyterbook_patches": "jupyterbook-patches",
    "download_link_replacer": "download-link-replacer",
    "sphinx_image_inverter": "sphinx-image-inverter",
    "teachbooks_questions": "teachbooks-questions",
    "notfound": "sphinx-notfound-page",
    "hoverxref": "sphinx-hoverxref",
}
NAMESPACES = ("sphinxcontrib", "sphinxext")  # sphinxcontrib.bibtex → sphinxcontrib-bibtex
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): lowercase, runs of `-_.` as `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def guessed_distribution(extension: str) -> str:
    """The pip package that most likely provides the Sphinx extension module `extension`."""
    top, _, rest = extension.partition(".")
    if top == "sphinx" and rest.startswith("ext"):
        return "sphinx"
    if top in NAMESPACES and rest:
        return f"{top}-{normalise(rest.split('.')[0])}"
    if top in KNOWN:
        return KNOWN[top]
    installed = importlib.metadata.packages_distributions().get(top)
    return installed[0] if installed else normalise(top)


def requirement_line(extension: str, folder: Path) -> tuple[int, str] | None:
    """The line of `folder/requirements.txt` that plausibly installs `extension` (its name, or a
    URL ending in it, normalised), as (line number, the line)."""
    path = folder / "requirements.txt"
    if not path.is_file():
        return None
    wanted = normalise(guessed_distribution(extension))
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        name = REQUIREMENT_NAME.match(text)
        if (name and normalise(name.group(1)) == wanted and "://" not in name.group(0)) or \
                re.search(rf"(?:^|[/@=\s]){re.escape(wanted)}(?:-git)?(?:$|[^a-z0-9-])",
                          normalise(text)):
            return n, text
    return None


def install_hint(extension: str, folder: Path | None = None) -> str:
    """How to install what provides `extension`: from the course's requirements.txt when a line
    there provides it, else the package it most likely is."""
    found = requirement_line(extension, folder) if folder is not None else None
    if found:
        return (f"`pip install -r requirements.txt` (its line {found[0]}, `{found[1]}`, "
                "provides it)")
    return f"install the pip package that provides it (most likely `pip install " \
           f"{guessed_distribution(extension)}`)"
