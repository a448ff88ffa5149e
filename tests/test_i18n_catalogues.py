"""The gettext catalogues: the same msgids in nl, en and de, every msgid the code uses, Babel formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lcmodules.core.strings import (
    catalogue_languages,
    catalogue_path,
    format_date,
    format_decimal,
    format_number,
    has_catalogue,
    interface_language,
    translator,
)
from lcmodules.render import catalog, i18n

PACKAGE = Path(i18n.__file__).resolve().parents[1]
LANGUAGES = ("de", "en", "nl")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def po(language: str) -> dict[str, str]:
    with catalogue_path(language).open("rb") as handle:
        catalog_ = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog_ if m.id}


def used_msgids() -> set[str]:
    """Every msgid the code asks for: the key registries and `_()`/`gettext()` calls."""
    found = set(i18n.MESSAGES.values()) | set(catalog.MESSAGES.values())
    methods = [("**.py", "python"), ("**/templates/**.j2", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=methods, keywords={"_": None, "gettext": None,
                                                          "ngettext": (1, 2)}):
        found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def test_there_are_catalogues_for_dutch_english_and_german() -> None:
    assert catalogue_languages() == LANGUAGES


def test_the_catalogues_hold_the_same_msgids_and_translate_each() -> None:
    tables = {language: po(language) for language in LANGUAGES}
    english = set(tables["en"])
    for language, table in tables.items():
        assert set(table) == english, (language, set(table) ^ english)
        empty = [msgid for msgid, text in table.items() if not text.strip()]
        assert empty == [], (language, empty)
        for msgid, text in table.items():  # a translation keeps every placeholder
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), \
                (language, msgid, text)


def test_every_msgid_the_code_uses_is_in_the_catalogues() -> None:
    used = used_msgids()
    assert len(used) > 90
    for language in LANGUAGES:
        missing = sorted(used - set(po(language)))
        assert missing == [], (language, missing)


def test_the_german_catalogue_is_german() -> None:
    table = po("de")
    same = [m for m, text in table.items() if text == m]
    # names and words German shares with English only (Version, Format, Hub …)
    assert len(same) < len(table) // 5, same
    assert translator("de").gettext("Next") == "Weiter"


def test_a_language_without_catalogue_falls_back_to_english() -> None:
    assert not has_catalogue("fr") and interface_language("fr-CA") == "en"
    assert has_catalogue("nl-BE") and interface_language("de-AT") == "de"
    assert translator("fr").gettext("Next") == "Next"
    assert translator("nl-BE").gettext("Next") == "Volgende"
    assert translator("nl").gettext("a text no catalogue has") == "a text no catalogue has"


def test_plural_forms_come_from_the_catalogue_header() -> None:
    for language in LANGUAGES:
        t = translator(language)
        assert t.ngettext("x", "xs", 1) == "x" and t.ngettext("x", "xs", 2) == "xs"


@pytest.mark.parametrize(("language", "number", "decimal", "date"), [
    ("nl", "1,5", "12.345,5", "6 december 2026"),
    ("en", "1.5", "12,345.5", "December 6, 2026"),
    ("de", "1,5", "12.345,5", "6. Dezember 2026"),
    ("fr", "1.5", "12,345.5", "December 6, 2026"),
])
def test_numbers_and_dates_follow_the_locale(language: str, number: str, decimal: str,
                                             date: str) -> None:
    assert format_number(1.5, language) == number
    assert format_number(2.0, language) == "2" and format_number(1234, language) == "1234"
    assert format_decimal(12345.5, language) == decimal
    assert format_date(dt.date(2026, 12, 6), language) == date
