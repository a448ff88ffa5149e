"""Interface strings of the built pages: the keys templates and code use → their msgid.

The English text of each key is its gettext msgid; the translations are in
lcmodules/locale/<lang>/LC_MESSAGES/lcmodules.po (read by lcmodules.core.strings).
"""

from __future__ import annotations

from lcmodules.core.strings import format_number, interface_language, translator

__all__ = ["MESSAGES", "SCRIPT_KEYS", "format_number", "language_key", "script_strings", "strings"]

# key → msgid (the English text); every msgid is in each catalogue (tests/test_i18n.py)
MESSAGES: dict[str, str] = {
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
}

# the strings lc.js needs in the browser
SCRIPT_KEYS = ("correct", "incorrect", "points", "passed", "not_passed", "score_sent",
               "score_not_sent", "grading_failed")


def language_key(language: str) -> str:
    """The catalogue for a BCP 47 tag: its primary subtag if it has one (nl-BE → nl), else English."""
    return interface_language(language)


def translated(messages: dict[str, str], language: str) -> dict[str, str]:
    """`messages` (key → msgid) in `language`."""
    gettext = translator(language).gettext
    return {key: gettext(msgid) for key, msgid in messages.items()}


def strings(language: str) -> dict[str, str]:
    """Every interface string of the pages in `language`, English filling any gap."""
    return translated(MESSAGES, language)


def script_strings(language: str) -> dict[str, str]:
    """The strings lc.js shows (quiz feedback), for the page's JSON island, and `locale`: the
    interface language, whose `Intl.NumberFormat` writes the numbers."""
    table = strings(language)
    return {**{key: table[key] for key in SCRIPT_KEYS}, "locale": language_key(language)}
