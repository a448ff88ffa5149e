"""What `lcmodules init` and `new` decide in the module's language: slugs, defaults, example text."""

from __future__ import annotations

from lcmodules.core.strings import N_, catalogue_languages, translator

# The slug of the module `lcmodules init` writes (a slug in every catalogue).
FIRST_MODULE = N_("first-module")
# The file name (without .quiz.yml) of the templates' knowledge check.
QUIZ_NAME = N_("knowledge-check")
# The author when neither --author nor the course's `author` names one.
DEFAULT_AUTHOR = N_("Lecturer")
# The text the built-in templates write for the lecturer to replace (the templates use these
# through the `placeholder` variable; validate/placeholder_rules.py warns while any is left).
PLACEHOLDERS: dict[str, str] = {
    "summary": N_("One paragraph about the practice case and what the student learns; shown "
                  "in the catalogue and the LMS."),
    "organisation": N_("Name of the company"),
    "sector": N_("Sector of the company"),
    "objective": N_("The student can …"),
    "case": N_("Describe the practice case here: the company, the problem and the data."),
    "note": N_("A remark the student should not miss."),
}
# Python names in the example notebook, in the module's language (each a Python identifier).
CODE_NAMES: dict[str, str] = {
    "measurements": N_("measurements"),
    "mean": N_("mean"),
    "argument": N_("values"),
}


def first_module_slug(language: str) -> str:
    """The slug of a new course's first module, in the course's language (else English)."""
    return translator(language).gettext(FIRST_MODULE)


def placeholders(language: str) -> dict[str, str]:
    """The templates' placeholder texts in `language`, by key."""
    gettext = translator(language).gettext
    return {key: gettext(msgid) for key, msgid in PLACEHOLDERS.items()}


def placeholder_texts() -> set[str]:
    """Every placeholder text of the built-in templates, in every catalogue's language."""
    return {text for language in catalogue_languages()
            for text in placeholders(language).values()}


def module_variables(slug: str, language: str, *, title: str | None, module_id: str,
                     author: str, organisation: str) -> dict[str, object]:
    """The variables the module templates are rendered with (docs/module-format.md lists them)."""
    gettext = translator(language).gettext
    return {
        "slug": slug,
        "id": module_id,
        "title": title or slug.replace("-", " ").capitalize(),
        "language": language,
        "nl": language.lower().startswith("nl"),  # kept for course templates written before _()
        "author": author or gettext(DEFAULT_AUTHOR),
        "organisation": organisation,
        "quiz_name": gettext(QUIZ_NAME),
        "placeholder": placeholders(language),
        "code": {key: gettext(msgid) for key, msgid in CODE_NAMES.items()},
    }
