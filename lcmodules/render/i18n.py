"""Interface strings of the built pages in the module's language (Dutch and English)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content",
        "contents": "Contents",
        "next": "Next",
        "previous": "Previous",
        "version": "Version",
        "license": "Licence",
        "authors": "Authors",
        "module": "Module",
        "unit_of": "Part {n} of {total}",
        "check": "Check answers",
        "correct": "Correct",
        "incorrect": "Incorrect",
        "points": "{points} of {max} points",
        "passed": "Passed",
        "not_passed": "Not passed",
        "answer_hint": "Your answer",
        "numeric_hint": "A number, e.g. 2.5 (a decimal comma is fine too)",
        "true": "True",
        "false": "False",
        "position_n": "Position {n}",
        "choose_item": "(choose an item)",
        "score_sent": "Your score was sent to the learning environment.",
        "score_not_sent": "Your score could not be sent to the learning environment.",
        "grading_failed": "Your answers could not be checked; try again.",
        "download_notebook": "Download notebook",
        "open_binder": "Open in Binder",
        "open_colab": "Open in Colab",
        "open_jupyterhub": "Open in JupyterHub",
        "show_code": "Show code",
        "show_output": "Show output",
        "kind_page": "Page",
        "kind_notebook": "Notebook",
        "kind_quiz": "Knowledge check",
        "mastery": "You need {percent} % of the points to pass.",
        "figure": "Figure",
        "table": "Table",
        "figure_output": "Figure made by the code above",
        "pager": "Previous and next part",
        "point_one": "1 point",
        "points_n": "{n} points",
        "feedback": "Explanation",
        "summary": "Summary",
        "objectives": "Learning objectives",
        "study_load": "Study load",
        "hours": "{hours} hours",
        "case": "Practice case",
        "case_partner": "Case partner",
        "sector": "Sector",
        "hub": "Hub",
        "level": "Level",
        "prerequisites": "Prerequisites",
        "keywords": "Keywords",
        "none": "none",
        "note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important",
        "caution": "Caution", "danger": "Danger", "hint": "Hint", "seealso": "See also",
        "attention": "Attention", "error": "Error",
    },
    "nl": {
        "skip": "Naar de inhoud",
        "contents": "Inhoud",
        "next": "Volgende",
        "previous": "Vorige",
        "version": "Versie",
        "license": "Licentie",
        "authors": "Auteurs",
        "module": "Module",
        "unit_of": "Onderdeel {n} van {total}",
        "check": "Antwoorden controleren",
        "correct": "Goed",
        "incorrect": "Niet goed",
        "points": "{points} van {max} punten",
        "passed": "Geslaagd",
        "not_passed": "Niet geslaagd",
        "answer_hint": "Je antwoord",
        "numeric_hint": "Een getal, bijvoorbeeld 2,5 (een punt mag ook)",
        "true": "Waar",
        "false": "Niet waar",
        "position_n": "Plaats {n}",
        "choose_item": "(kies een onderdeel)",
        "score_sent": "Je score is doorgegeven aan de leeromgeving.",
        "score_not_sent": "Je score kon niet worden doorgegeven aan de leeromgeving.",
        "grading_failed": "Je antwoorden konden niet worden gecontroleerd; probeer het opnieuw.",
        "download_notebook": "Notebook downloaden",
        "open_binder": "Openen in Binder",
        "open_colab": "Openen in Colab",
        "open_jupyterhub": "Openen in JupyterHub",
        "show_code": "Code tonen",
        "show_output": "Uitvoer tonen",
        "kind_page": "Pagina",
        "kind_notebook": "Notebook",
        "kind_quiz": "Kennischeck",
        "mastery": "Je hebt {percent} % van de punten nodig om te slagen.",
        "figure": "Figuur",
        "table": "Tabel",
        "figure_output": "Figuur gemaakt door de code hierboven",
        "pager": "Vorig en volgend onderdeel",
        "point_one": "1 punt",
        "points_n": "{n} punten",
        "feedback": "Toelichting",
        "summary": "Samenvatting",
        "objectives": "Leerdoelen",
        "study_load": "Studielast",
        "hours": "{hours} uur",
        "case": "Praktijkcasus",
        "case_partner": "Casuspartner",
        "sector": "Sector",
        "hub": "Hub",
        "level": "Niveau",
        "prerequisites": "Voorkennis",
        "keywords": "Trefwoorden",
        "none": "geen",
        "note": "Opmerking", "tip": "Tip", "warning": "Waarschuwing", "important": "Belangrijk",
        "caution": "Let op", "danger": "Gevaar", "hint": "Hint", "seealso": "Zie ook",
        "attention": "Aandacht", "error": "Fout",
    },
}

FALLBACK = "en"

# the strings lc.js needs in the browser
SCRIPT_KEYS = ("correct", "incorrect", "points", "passed", "not_passed", "score_sent",
               "score_not_sent", "grading_failed")


def language_key(language: str) -> str:
    """The table for a BCP 47 tag: its primary subtag if known (nl-BE → nl), else English."""
    primary = language.split("-")[0].lower()
    return primary if primary in STRINGS else FALLBACK


def strings(language: str) -> dict[str, str]:
    """Every interface string in `language`, English filling any gap."""
    return {**STRINGS[FALLBACK], **STRINGS[language_key(language)]}


def script_strings(language: str) -> dict[str, str]:
    """The strings lc.js shows (quiz feedback), for the page's JSON island."""
    table = strings(language)
    return {key: table[key] for key in SCRIPT_KEYS}


def format_number(value: float, language: str) -> str:
    """A number as a reader of `language` writes it: 1.5 → '1,5' in Dutch; 2.0 → '2'."""
    text = f"{value:g}" if value != int(value) else str(int(value))
    return text.replace(".", ",") if language_key(language) == "nl" else text
