"""The interface strings: gettext catalogues (lcmodules/locale/*.po) and locale formatting via Babel."""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "lcmodules"
FALLBACK = "en"


def catalogue_path(language: str) -> Path:
    """Where the .po file of a primary language subtag lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue_languages() -> tuple[str, ...]:
    """The primary subtags that have a catalogue, sorted ('de', 'en', 'nl')."""
    return tuple(sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


def primary(language: str) -> str:
    """The primary subtag of a BCP 47 tag, lowercased: 'nl-BE' → 'nl'."""
    return language.replace("_", "-").split("-")[0].lower()


def has_catalogue(language: str) -> bool:
    """True when `language` (any BCP 47 tag) has interface strings of its own."""
    return primary(language) in catalogue_languages()


def interface_language(language: str) -> str:
    """The catalogue a module in `language` uses: its primary subtag, else English."""
    return primary(language) if has_catalogue(language) else FALLBACK


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def most_used_language(languages: Iterable[str]) -> str:
    """The interface language of a page about several modules (the catalogue, serve's list,
    the learner repository's README): the one most of `languages` use, else English; a tie
    goes to the first seen."""
    counts = Counter(interface_language(tag) for tag in languages)
    return counts.most_common(1)[0][0] if counts else FALLBACK


def translator(language: str) -> gettext.NullTranslations:
    """gettext/ngettext (with the language's plural forms) for `language`; English as fallback.

    The .po file is read at first use and kept; a message missing from it reads as its msgid
    (the English text).
    """
    return _translations(interface_language(language))


def N_(message: str) -> str:
    """Marks `message` as a msgid (for the extractor and the catalogue test) where it is
    translated later; returns it unchanged."""
    return message


def babel_locale(language: str) -> str:
    """The Babel locale used to format numbers and dates: the interface language."""
    return interface_language(language)


def format_number(value: float, language: str) -> str:
    """A number as a reader of `language` writes it inline, without grouping: 1.5 → '1,5' (nl)."""
    from babel.numbers import format_decimal as babel_decimal

    if value == int(value):
        return str(int(value))
    return babel_decimal(value, format="0.######", locale=babel_locale(language))


def format_decimal(value: float, language: str, digits: int = 2) -> str:
    """A grouped number with at most `digits` decimals: 12345.5 → '12.345,5' (nl), '12,345.5' (en)."""
    from babel.numbers import format_decimal as babel_decimal

    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return babel_decimal(value, format=pattern, locale=babel_locale(language))


def format_date(value: dt.date, language: str, style: str = "long") -> str:
    """A date in `language`: 6 December 2026 / 6 december 2026 / 6. Dezember 2026."""
    from babel.dates import format_date as babel_date

    return babel_date(value, format=style, locale=babel_locale(language))


def language_name(language: str, in_language: str) -> str:
    """The name of `language` in `in_language` ('de' in nl → 'Duits', 'fr' in fr → 'français'),
    from Babel's locale data, which knows more languages than the catalogues; the tag if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        named = Locale.parse(primary(language))
    except (UnknownLocaleError, ValueError):
        return language
    try:
        return named.get_display_name(Locale.parse(primary(in_language))) or language
    except (UnknownLocaleError, ValueError):
        return named.get_display_name(babel_locale(in_language)) or language
