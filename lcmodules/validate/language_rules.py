"""A module's language without interface strings: a warning that names the fallback."""

from __future__ import annotations

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.strings import FALLBACK, catalogue_languages, has_catalogue, language_name
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module


def check_language(module: Module, diag: Diagnostics) -> None:
    """Warn when `language` has no catalogue in lcmodules/locale: the pages fall back to English."""
    tag = module.meta.language
    if has_catalogue(tag):
        return
    known = ", ".join(catalogue_languages())
    line, col = node_line(module.doc, ("language",))
    diag.warning(
        module.module_file, line,
        f"there are no interface strings in {language_name(tag, 'en')} ({tag}); pages use "
        f"{language_name(FALLBACK, 'en')}",
        f"write `language:` as one of {known}, or add the strings for {tag} "
        "(docs/rendering.md, \"Adding a language\")", col)
