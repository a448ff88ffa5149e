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
from lcmodules.render import catalog, citations, directives, i18n, numbering, outputs
from lcmodules.transform import learner, stubs
from lcmodules.versioning import changelog

PACKAGE = Path(i18n.__file__).resolve().parents[1]
LANGUAGES = ("de", "en", "nl")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def po(language: str) -> dict[str, str]:
    with catalogue_path(language).open("rb") as handle:
        catalog_ = read_po(handle, locale=language)
    # a plural message by its singular msgid, its forms on separate lines
    return {(m.id if isinstance(m.id, str) else m.id[0]):
            (m.string if isinstance(m.string, str) else "\n".join(m.string))
            for m in catalog_ if m.id}


def extracted() -> list[str | tuple[str, ...]]:
    """The messages of every `_()`, `N_()`, `gettext()` and `ngettext()` call in lcmodules and
    its templates, the scaffold's included (Babel's extractors)."""
    methods = [("**.py", "python"), ("**/templates/**.j2", "jinja2"), ("scaffold/**.j2", "jinja2")]
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    return [message for _file, _line, message, _comments, _context
            in extract_from_dir(str(PACKAGE), method_map=methods, keywords=keywords)]


def used_msgids() -> set[str]:
    """Every msgid the code asks for: the key registries and the extracted calls (a plural
    message by its singular)."""
    found = {*i18n.MESSAGES.values(), *catalog.MESSAGES.values(), *catalog.FORMAT_LABELS.values(),
             changelog.TITLE, changelog.INTRO, changelog.FORMAT, changelog.CHANGED,
             stubs.YOUR_CODE, stubs.NOT_DONE, *outputs.NOTES.values(), directives.SHOW,
             *numbering.NUMBER_WORDS.values(), citations.AND, citations.HEADING}
    found.update(m if isinstance(m, str) else m[0] for m in extracted())
    return {m for m in found if m}


def used_plurals() -> set[tuple[str, ...]]:
    return {m for m in extracted() if isinstance(m, tuple)}


def test_there_are_catalogues_for_dutch_english_and_german() -> None:
    assert catalogue_languages() == LANGUAGES


def test_the_catalogues_hold_the_same_msgids_and_translate_each() -> None:
    tables = {language: po(language) for language in LANGUAGES}
    english = set(tables["en"])
    for language, table in tables.items():
        assert set(table) == english, (language, set(table) ^ english)
        empty = [msgid for msgid, text in table.items() if not all(text.split("\n"))]
        assert empty == [], (language, empty)
        for msgid, text in table.items():  # a translation keeps every placeholder
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), \
                (language, msgid, text)


def missing(table: dict[str, str]) -> list[str]:
    """The msgids the code uses that a catalogue (msgid → text) lacks."""
    return sorted(used_msgids() - set(table))


def test_every_msgid_the_code_uses_is_in_the_catalogues() -> None:
    assert len(used_msgids()) > 90
    for language in LANGUAGES:
        assert missing(po(language)) == [], language


def test_a_catalogue_without_a_message_the_code_uses_fails() -> None:
    table = po("de")
    for msgid in ("Show code cell", "Which formula gives the mean?", "{n} error"):
        del table[msgid]  # the book's toggle, the scaffold's quiz, serve's count (a plural)
    assert missing(table) == ["Show code cell", "Which formula gives the mean?", "{n} error"]


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


def test_plural_messages_have_their_forms_in_every_catalogue() -> None:
    plurals = used_plurals()
    assert ("{n} module", "{n} modules") in plurals
    assert translator("de").ngettext("{n} module", "{n} modules", 1) == "{n} Modul"
    assert translator("de").ngettext("{n} module", "{n} modules", 3) == "{n} Module"
    for language in LANGUAGES:
        for singular, plural in plurals:
            t = translator(language)
            for n in (1, 2):
                assert "{n}" in t.ngettext(singular, plural, n), (language, singular, n)


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


@pytest.mark.parametrize(("language", "comment"), [
    ("nl", "# JOUW CODE HIER"), ("de-AT", "# IHR CODE HIER"), ("en", "# YOUR CODE HERE"),
    ("fr", "# YOUR CODE HERE")])
def test_the_code_stub_speaks_the_module_language(language: str, comment: str) -> None:
    source = "x = 1\n    ### BEGIN SOLUTION\n    y = 2\n    ### END SOLUTION\n"
    stub = stubs.code_stub("python", language)
    assert learner.replace_solution_lines(source, stub) == \
        f"x = 1\n    {comment}\n    raise NotImplementedError()\n"


@pytest.mark.parametrize(("language", "words"), [
    ("nl", ("# Wijzigingen", "Alle noemenswaardige", "### Gewijzigd")),
    ("de", ("# Änderungen", "Alle nennenswerten", "### Geändert")),
    ("en", ("# Changelog", "All notable changes", "### Changed"))])
def test_a_new_changelog_speaks_the_module_language(language: str, words: tuple[str, ...]) -> None:
    text = changelog.add_entry(None, "1.0.0", "2026-12-06", "Eerste versie", language)
    for word in words:
        assert word in text
    assert changelog.parse_changelog(text)[0].version == "1.0.0"
    # a release note goes under the translated heading of what [Unreleased] collected
    again = changelog.add_entry(text.replace("## [1.0.0]", f"## [Unreleased]\n\n{words[2]}\n\n"
                                             "- a\n\n## [1.0.0]"), "1.1.0", "2026-12-07", "b",
                                language)
    assert changelog.parse_changelog(again)[0].text == f"{words[2]}\n\n- b\n- a"


@pytest.mark.parametrize(("language", "bar"), [
    ("de", ("Alle Module", "Ausgabe für Lernende", "1 Fehler, 2 Warnungen")),
    ("nl", ("Alle modules", "Editie voor studenten", "1 fout, 2 waarschuwingen")),
    ("fr", ("All modules", "Learner edition", "1 error, 2 warnings"))])
def test_serve_speaks_the_module_language(language: str, bar: tuple[str, ...]) -> None:
    from lcmodules.serve.server import environment

    panel = environment(language).get_template("panel.html.j2").render(
        generation=1, title=None, slug="m", edition="learner", page="", errors=1, warnings=2,
        problems=[{"severity": "error", "where": "quiz.yml:3", "message": "m", "hint": ""}])
    for words in bar:
        assert words in panel


@pytest.mark.parametrize(("language", "show", "hide"), [
    ("nl", "Codecel tonen", "Codecel verbergen"), ("de-CH", "Codezelle anzeigen", "Codezelle ausblenden"),
    ("en", "Show code cell", "Hide code cell"), ("fr", "Show code cell", "Hide code cell")])
def test_the_book_toggles_code_cells_in_the_module_language(
        tmp_path: Path, language: str, show: str, hide: str) -> None:
    import sys

    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.export.jupyter_book_config import sphinx_section
    from lcmodules.load.loader import load_paths

    sys.path.insert(0, str(Path(__file__).parent / "harness"))
    import scormtest

    scormtest.write_module(tmp_path)
    module = load_paths([tmp_path / "testmodule"], Diagnostics())[0].modules[0]
    config = sphinx_section(module, language)["config"]
    assert (config["nb_code_prompt_show"], config["nb_code_prompt_hide"]) == (show, hide)
