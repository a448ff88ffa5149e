"""Validate: the rules a loaded course and its modules must satisfy, one module per concern."""

from __future__ import annotations

from lcmodules.cache.models import reused_checks
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.model import Course, Module
from lcmodules.validate import (
    book_rules,
    course_rules,
    language_rules,
    markdown_rules,
    notebook_rules,
    placeholder_rules,
    quiz_rules,
    reference_rules,
    safety_rules,
)
from lcmodules.validate.output_rules import check_outputs
from lcmodules.validate.size_rules import check_sizes

# Each rule reads the model and reports to `diag`; loading already reported syntax and schema
# errors, so rules only see what loaded.
MODULE_RULES = [
    language_rules.check_language,
    notebook_rules.check_solution_markers,
    reference_rules.check_references,
    quiz_rules.check_quizzes,
    placeholder_rules.check_placeholders,
    check_outputs,
    check_sizes,
    markdown_rules.check_markdown,
    safety_rules.check_links,
    safety_rules.check_content,
]
COURSE_RULES = [
    course_rules.check_unique_ids,
    course_rules.check_prerequisites,
    book_rules.check_sphinx_extensions,
    book_rules.check_local_extensions,
]


def check_module(module: Module, diag: Diagnostics) -> None:
    """Run the module rules on one module."""
    for rule in MODULE_RULES:
        rule(module, diag)


def validate_courses(courses: list[Course], diag: Diagnostics) -> None:
    """Run every rule on every module and course."""
    for course in courses:
        for module in course.modules:
            if reused_checks(module, diag):  # unchanged since a build checked it
                continue
            check_module(module, diag)
        for rule in COURSE_RULES:
            rule(course, diag)
