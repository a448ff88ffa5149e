"""The course catalogue page: catalogue data → catalog.html through the shared templates."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lcmodules.core.strings import (
    catalogue_languages,
    language_name,
    most_used_language,
    primary,
    translator,
)
from lcmodules.model import Course
from lcmodules.render.assets import FileContent
from lcmodules.render.i18n import format_number, translated
from lcmodules.render.site import STATIC_CATALOG, template_environment

HOURS_PER_EC = 28  # the Dutch norm: one European credit is 28 hours of study

# The catalogue page's strings by key, `t.<key>` in its templates: key → msgid (translations
# in lcmodules/locale/*.po). The built-in templates ask with `_()`; the keys are kept for the
# code and for course templates (templates/html/) that use them. The page is in the course's
# most used language; `catalogue_strings` adds the count, format names and language names.
MESSAGES: dict[str, str] = {
    "catalogue": "Module catalogue", "skip": "Skip to the modules",
    "intro": "Training modules built on real practice cases, ready for your learning "
             "environment: SCORM packages for Brightspace, Canvas, Moodle and Blackboard, "
             "and Jupyter Book sources. A newer version of a module keeps the same LMS "
             "identifier, so when you replace the package in your LMS, learner records stay.",
    "filter": "Filter the modules", "search": "Search",
    "search_hint": "title, case, author…", "language": "Language",
    "all_languages": "All languages", "keyword": "Keyword", "all_keywords": "All keywords",
    "shown": "{shown} of {total} modules shown",
    "no_modules": "This course has no modules yet.", "at_a_glance": "At a glance",
    "version": "Version", "objectives": "Learning objectives", "keywords": "Keywords",
    "details": "Details", "module_id": "Module id", "released": "Released",
    "partner": "Case partner", "authors": "Authors", "license": "Licence",
    "prerequisites": "Prerequisites", "lms_identifier": "LMS identifier",
    "fingerprint": "Fingerprint", "downloads": "Downloads",
    "not_built": "No packages of this version were built yet.", "changelog": "Changelog",
    "whole_course": "The whole course", "course_downloads": "Course-wide downloads",
    "format": "Format", "file": "File", "size": "Size", "sha256": "SHA-256",
    "hours_one": "1 hour (≈ {ec} EC)", "hours": "{hours} hours (≈ {ec} EC)",
    "footer": "The same information as data: {json}. Check a download against its SHA-256 "
              "with {tool} (a folder: its files' {tool} lines, sorted by path). "
              "Made with lcmodules.",
}
# a file smaller than a kilobyte
BYTES = ("{n} byte", "{n} bytes")

# The download formats' names, as lecturers and LMS administrators know them.
FORMAT_LABELS: dict[str, str] = {
    "scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004 4th Edition",
    "imscc": "Common Cartridge", "jupyter-book": "Jupyter Book source",
    "learner-repo": "Learner notebooks (repository tree)",
}


def catalogue_language(data: dict[str, Any]) -> str:
    """The language of the catalogue page: the one most of the course's modules use."""
    return most_used_language(m["language"] for m in data["modules"])


def catalogue_strings(language: str, tags: Iterable[str] = ()) -> dict[str, str]:
    """The catalogue page's strings in `language` (English when it has no catalogue): the
    `MESSAGES` keys, `count_one`/`count` ("{n} modules"), each format's name by its key
    (`imscc`) and `lang_<tag>` for `tags` and the catalogue languages."""
    ngettext = translator(language).ngettext
    table = translated({**MESSAGES, **FORMAT_LABELS}, language)
    table["count_one"] = ngettext("{n} module", "{n} modules", 1).format(n=1)
    table["count"] = ngettext("{n} module", "{n} modules", 2)
    for tag in {*catalogue_languages(), *tags}:
        table[f"lang_{tag}"] = language_label(tag, language)
    return table


def human_size(size: int, language: str) -> str:
    """1536 -> '1.5 KB', 12 -> '12 bytes' (decimal units, as file managers and LMS upload
    forms show them)."""
    if size < 1000:
        return translator(language).ngettext(*BYTES, size).format(n=size)
    value = float(size)
    for unit in ("KB", "MB"):
        value /= 1000
        if value < 1000:
            return f"{format_number(round(value, 1), language)} {unit}"
    return f"{format_number(round(value / 1000, 1), language)} GB"


def study_load(hours: float, t: dict[str, str], language: str) -> str:
    """'6 hours (≈ 0.21 EC)': the hours and their share of a European credit (28 h in NL)."""
    ec = hours / HOURS_PER_EC
    credits = format_number(round(ec, 1) if ec >= 0.95 else round(ec, 2), language)
    key = "hours_one" if hours == 1 else "hours"
    return t[key].format(hours=format_number(hours, language), ec=credits)


def language_label(tag: str, language: str) -> str:
    """'Duits (Deutsch)' on a Dutch page: the language's name, and its own name if different;
    a regional tag is added ('Nederlands (nl-BE)')."""
    name = language_name(tag, language)
    own = language_name(tag, tag)
    label = name if own in (name, tag) else f"{name} ({own})"
    return f"{label} ({tag})" if tag != primary(tag) and name != tag else label


def format_label(name: str, language: str) -> str:
    """'Common Cartridge' for `imscc`: a format's name in `language`; unknown names as they are."""
    return translator(language).gettext(FORMAT_LABELS[name]) if name in FORMAT_LABELS else name


def search_text(m: dict[str, Any]) -> str:
    """What the filter's search box looks through, lowercased."""
    case = m["case"] or {}
    parts = [m["title"], m["id"], m["summary"] or "", *m["keywords"], *m["learning_objectives"],
             *(case.get(k) or "" for k in ("organisation", "sector", "hub")),
             *(a["name"] for a in m["authors"])]
    return " ".join(parts).lower()


def case_partner(m: dict[str, Any]) -> str:
    """'organisation, sector, hub' of a module's case, the parts it has."""
    case = m["case"] or {}
    return ", ".join(case[k] for k in ("organisation", "sector", "hub") if case.get(k))


def artifact_href(artifact: dict[str, Any]) -> str:
    return quote(artifact["file"]) + ("/" if artifact["kind"] == "folder" else "")


def render_catalogue(course: Course, data: dict[str, Any]) -> str:
    """catalog.html: the `catalog.html.j2` template (the course's `templates/html/` first)."""
    language = catalogue_language(data)
    modules = data["modules"]
    t = catalogue_strings(language, {m["language"] for m in modules})
    env = template_environment(course, language)
    env.globals.update(
        human_size=lambda size: human_size(size, language),
        study_load=lambda hours: study_load(hours, t, language),
        language_label=lambda tag: language_label(tag, language),
        format_label=lambda name: format_label(name, language),
        search_text=search_text, artifact_href=artifact_href, changelog_blocks=changelog_blocks,
        case_partner=case_partner,
    )
    return env.get_template("catalog.html.j2").render(
        t=t, language=language, course=data["course"], modules=modules,
        course_artifacts=data["course_artifacts"],
        languages=sorted({m["language"] for m in modules}),
        keywords=sorted({k.lower() for m in modules for k in m["keywords"]}),
        anchors={m["id"]: f"m-{m['slug']}" for m in modules},
    )


def catalogue_static(course: Course) -> dict[str, FileContent]:
    """catalog.css and catalog.js, each overridable by the course's `templates/static/`."""
    files: dict[str, FileContent] = {}
    own = course.templates_dir / "static" if course.templates_dir else None
    for name in ("catalog.css", "catalog.js"):
        override = own / name if own is not None else None
        files[name] = override if override is not None and override.is_file() \
            else Path(STATIC_CATALOG / name)
    return files


def changelog_blocks(text: str) -> list[dict[str, Any]]:
    """Changelog text as blocks the template shows: `###` headings, `-`/`*` lists, paragraphs."""
    blocks: list[dict[str, Any]] = []
    open_block: dict[str, Any] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            open_block = None
        elif line.startswith("#"):
            blocks.append({"kind": "heading", "text": line.lstrip("#").strip()})
            open_block = None
        elif line[:2] in ("- ", "* ", "+ "):
            if open_block is None or open_block["kind"] != "list":
                open_block = {"kind": "list", "items": []}
                blocks.append(open_block)
            open_block["items"].append(line[2:].strip())
        elif open_block is not None and open_block["kind"] == "list":
            open_block["items"][-1] += " " + line
        elif open_block is not None:
            open_block["text"] += " " + line
        else:
            open_block = {"kind": "paragraph", "text": line}
            blocks.append(open_block)
    return blocks
