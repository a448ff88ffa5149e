"""The `_config.yml` of an exported Jupyter Book: the course's Jupyter Book keys merged with
what lcmodules needs, written with ruamel.yaml; plus the files those keys name."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from lcmodules.core.localext import LocalExtension, local_extensions
from lcmodules.core.strings import N_, translator
from lcmodules.load.bibliography import bib_files
from lcmodules.load.units import slugify
from lcmodules.model import Module

FileContent = bytes | Path
MATHML_EXTENSION = Path(__file__).with_name("jupyter_book_mathml.py")
A11Y_EXTENSION = Path(__file__).with_name("jupyter_book_a11y.py")
MYST_EXTENSIONS = ["colon_fence", "dollarmath", "amsmath", "deflist", "html_image", "substitution"]
# config keys lcmodules needs as they are; the course's values are merged into lists
REQUIRED_LISTS = ("html_static_path", "html_css_files", "html_js_files", "templates_path",
                  "suppress_warnings")
# the theme's search field shows "Search Ctrl+K" but is named "Search" (axe:
# label-content-name-mismatch); the book gets a field whose name is its visible text
SEARCH_FIELD = """<button class="btn search-button-field search-button__button pst-js-only" \
title="{{ _('Search') }}" data-bs-placement="bottom" data-bs-toggle="tooltip">
 <i class="fa-solid fa-magnifying-glass" aria-hidden="true"></i>
 <span class="search-button__default-text">{{ _('Search') }}</span>
</button>
"""
# myst-nb's toggle of a hidden cell; its own "Show code cell {type}" fills in English words
CODE_PROMPTS = {"nb_code_prompt_show": N_("Show code cell"),
                "nb_code_prompt_hide": N_("Hide code cell")}


def yaml_text(data: Any) -> str:
    """YAML for plain data, written by ruamel.yaml; every string is double-quoted, so `off`,
    `no` or `1.0` stay strings for any YAML reader (Jupyter Book reads YAML 1.1)."""
    writer = YAML()
    writer.default_flow_style = False
    writer.width = 4096
    writer.allow_unicode = True
    writer.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    writer.dump(_quoted(data), stream)
    return stream.getvalue()


def _quoted(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _quoted(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_quoted(v) for v in data]
    if isinstance(data, str):
        return DoubleQuotedScalarString(data)
    return data


def bibliography_files(module: Module, prefix: str = "") -> dict[str, FileContent]:
    """The module's `.bib` files at their place in the tree, and the course's
    `bibtex_bibfiles` under `_bib/` (for the course book, the prefix is the module's folder)."""
    root = module.root.resolve()
    files: dict[str, FileContent] = {
        prefix + p.relative_to(root).as_posix(): p for p in bib_files(root)}
    course = module.course
    for name in module.config.bibtex_bibfiles or []:
        path = ((course.root if course else root) / name).resolve()
        if path.is_file():
            files[f"_bib/{slugify(path.stem) or 'refs'}.bib"] = path
    return files


def favicon_file(module: Module) -> Path | None:
    """`html.favicon` of the course's `_config.yml` when it is a file inside the course."""
    name = (module.config.html or {}).get("favicon")
    root = (module.course.root if module.course else module.root).resolve()
    path = (root / str(name)).resolve() if name else None
    return path if path and path.is_file() and path.is_relative_to(root) else None


def course_extensions(module: Module) -> list[LocalExtension]:
    """The course's own Sphinx extensions (`sphinx.local_extensions` of its `_config.yml`)."""
    root = module.course.root if module.course else module.root
    return local_extensions(module.config.sphinx, root)


def support_files(module: Module, static: dict[str, FileContent]) -> dict[str, FileContent]:
    """The course's own Sphinx extensions (at their place), the math extension, the
    accessible search field, lc.css/lc.js and the favicon."""
    files: dict[str, FileContent] = {}
    for extension in course_extensions(module):
        files.update(extension.files())
    files.update({"_ext/lc_mathml.py": MATHML_EXTENSION, "_ext/lc_a11y.py": A11Y_EXTENSION,
                  "_templates/search-button-field.html": SEARCH_FIELD.encode()})
    for name in ("_static/lc.css", "_static/lc.js"):
        if name in static:
            files[name] = static[name]
    favicon = favicon_file(module)
    if favicon is not None:
        files[f"favicon{favicon.suffix.lower()}"] = favicon
    return files


def sphinx_section(module: Module, language: str, cites: bool = False) -> dict[str, Any]:
    """`sphinx:` — the course's extensions (its own too, their folders carried into the tree
    at the same place) and config, with what lcmodules needs on top."""
    course = dict(module.config.sphinx or {})
    lang = language.split("-")[0].lower()
    config: dict[str, Any] = {
        "language": lang, "html_show_sourcelink": False, "myst_heading_anchors": 3,
        **dict(course.get("config") or {}),
        "html_math_renderer": "lc_mathml", "nb_ipywidgets_js": {}, "myst_dmath_double_inline": True,
    }
    required = {"html_static_path": ["_static"], "html_css_files": ["lc.css"],
                "html_js_files": ["lc.js"], "templates_path": ["_templates"],
                # outputs such as application/json have a text/plain twin that the book shows
                # cards with ^^^/+++ (the syntax of Jupyter Book 1's books) stay supported
                "suppress_warnings": ["mystnb.unknown_mime_type", "design.card_legacy"]}
    for key in REQUIRED_LISTS:
        config[key] = list(dict.fromkeys([*required[key], *(config.get(key) or [])]))
    if cites:  # `{cite:t}` as "Author (Year)", like lcmodules' own pages
        config.setdefault("bibtex_reference_style", "author_year")
    gettext = translator(language).gettext
    for key, msgid in CODE_PROMPTS.items():
        config.setdefault(key, gettext(msgid))
    local = {ext.name: ext.rel for ext in course_extensions(module) if ext.rel is not None}
    section: dict[str, Any] = {"local_extensions": {**local, "lc_mathml": "_ext",
                                                    "lc_a11y": "_ext"}, "config": config}
    if course.get("extra_extensions"):
        section["extra_extensions"] = list(course["extra_extensions"])
    return section


def passed_keys(module: Module, bibfiles: list[str]) -> dict[str, Any]:
    """The course's keys Jupyter Book reads as they are: copyright, description, latex,
    advanced, exclude_patterns (added to lcmodules'), parse (extensions added) and the
    bibliography files."""
    config = module.config
    data: dict[str, Any] = {}
    for key in ("copyright", "description", "latex", "advanced"):
        value = getattr(config, key)
        if value:
            data[key] = value
    excluded = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
    data["exclude_patterns"] = list(dict.fromkeys([*excluded, *(config.exclude_patterns or [])]))
    parse = dict(config.parse or {})
    parse["myst_enable_extensions"] = list(dict.fromkeys(
        [*MYST_EXTENSIONS, *(parse.get("myst_enable_extensions") or [])]))
    data["parse"] = parse
    if bibfiles:
        data["bibtex_bibfiles"] = bibfiles
    return data


def html_section(module: Module, repo_button: bool, footer: str) -> dict[str, Any]:
    """`html:` — the course's keys, the footer and the copied favicon."""
    html: dict[str, Any] = {"use_repository_button": repo_button, "home_page_in_navbar": True,
                            "extra_footer": footer, **(module.config.html or {})}
    favicon = favicon_file(module)
    if favicon is not None:
        html["favicon"] = f"favicon{favicon.suffix.lower()}"
    else:
        html.pop("favicon", None)
    return html
