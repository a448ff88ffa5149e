"""Citations: `{cite}`, `{cite:p}`, `{cite:t}` and `{bibliography}`, formatted with pybtex."""

from __future__ import annotations

from html import escape
from typing import Any

from pybtex.backends.html import Backend
from pybtex.database import BibliographyData, Entry
from pybtex.style.formatting.plain import Style
from pybtex.style.template import names, sentence

from lcmodules.core.strings import translator
from lcmodules.load.bibliography import cite_keys
from lcmodules.load.units import slugify

# msgids (lcmodules/locale): the word between the last two names, the list's name
AND = "and"
HEADING = "References"


class LocalStyle(Style):
    """pybtex's plain style with the word between names in the module's language."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.word = translator(language).gettext(AND)

    def format_names(self, role: str, as_sentence: bool = True) -> Any:
        listed = names(role, sep=", ", sep2=f" {self.word} ", last_sep=f", {self.word} ")
        return sentence[listed] if as_sentence else listed


def bib_id(key: str, prefix: str = "") -> str:
    """The id of a bibliography entry on the page."""
    return f"{prefix}bib-{slugify(key) or 'entry'}"


def _names(entry: Entry, language: str) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(p.prelast_names + p.last_names) for p in persons]
    if not last:
        return entry.fields.get("title", "?")
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} {translator(language).gettext(AND)} {last[1]}"
    return f"{last[0]} et al."


def in_text(data: BibliographyData, role: str, content: str, language: str, prefix: str) -> str:
    """One cite role as HTML: `Author (Year)` for cite:t, `(Author, Year)` otherwise; `data`:
    the module's bibliography as load read it."""
    parts = []
    for key in cite_keys(content):
        entry = data.entries.get(key)
        if entry is None:
            parts.append(f'<span class="lc-cite-missing">[{escape(key)}?]</span>')
            continue
        names, year = escape(_names(entry, language)), escape(entry.fields.get("year", "n.d."))
        text = f"{names} ({year})" if role == "cite:t" else f"{names}, {year}"
        parts.append(f'<a class="lc-cite" href="#{bib_id(key, prefix)}">{text}</a>')
    if role == "cite:t":
        return ", ".join(parts)
    return "(" + "; ".join(parts) + ")"


def bibliography(data: BibliographyData, keys: list[str], everything: bool, language: str,
                 prefix: str) -> str:
    """The entries cited on the page (or all with `:all:`), formatted by pybtex's plain style."""
    wanted = list(data.entries) if everything else [k for k in dict.fromkeys(keys) if k in data.entries]
    if not wanted:
        return ""
    entries = [data.entries[k] for k in wanted]
    backend = Backend()
    items = []
    for formatted in LocalStyle(language).format_entries(entries):
        text = formatted.text.render(backend)
        items.append(f'<li id="{bib_id(formatted.key, prefix)}">{text}</li>')
    heading = translator(language).gettext(HEADING)
    return (f'<section class="lc-bibliography" aria-label="{escape(heading)}">\n<ul>\n'
            + "\n".join(items) + "\n</ul>\n</section>\n")
