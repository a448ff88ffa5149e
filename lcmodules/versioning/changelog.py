"""A module's CHANGELOG.md in Keep a Changelog style: reading entries, adding a release."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lcmodules.core.strings import translator

# the header of a new CHANGELOG.md and the heading of a release note, in the module's language
TITLE = "Changelog"
INTRO = "All notable changes to this module are documented in this file."
FORMAT = ("The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n"
          "and this module adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).")
CHANGED = "Changed"


def header(language: str = "en") -> str:
    """The header of a new CHANGELOG.md in `language` (Keep a Changelog's words)."""
    _ = translator(language).gettext
    return f"# {_(TITLE)}\n\n{_(INTRO)}\n\n{_(FORMAT)}\n"


def changed_heading(language: str = "en") -> str:
    """`### Changed`, in `language`."""
    return f"### {translator(language).gettext(CHANGED)}"

HEADING2 = re.compile(r"^##(?!#)\s*(.*?)\s*$")
VERSION_HEADING = re.compile(
    r"^\[?v?(?P<version>\d+\.\d+\.\d+[0-9A-Za-z.+-]*?)\]?"
    r"(?:\s*[-–—]\s*(?P<date>\d{4}-\d{2}-\d{2}))?(?P<rest>.*)$"
)
UNRELEASED = re.compile(r"^\[?unreleased\]?\s*$", re.I)
FENCE = re.compile(r"^\s*(```|~~~)")
LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+")
SUBHEADING = re.compile(r"^###(?!#)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Entry:
    """One released version in a changelog (`line` is 1-based, of its heading)."""

    version: str
    date: str | None
    text: str
    line: int
    yanked: bool = False

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"version": self.version, "date": self.date, "text": self.text}
        if self.yanked:
            data["yanked"] = True
        return data


@dataclass
class _Section:
    title: str
    start: int  # index of the heading line
    end: int  # index after the last line of the section


def _sections(lines: list[str]) -> list[_Section]:
    """The `## ` sections of a Markdown text, ignoring headings inside code fences."""
    sections: list[_Section] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        match = FENCE.match(line)
        if match:
            fence = None if fence == match.group(1) else (fence or match.group(1))
            continue
        if fence:
            continue
        heading = HEADING2.match(line)
        if heading:
            if sections:
                sections[-1].end = i
            sections.append(_Section(heading.group(1), i, len(lines)))
    return sections


def _body(lines: list[str], section: _Section) -> str:
    body = lines[section.start + 1: section.end]
    while body and LINK_DEFINITION.match(body[-1]) or body and not body[-1].strip():
        body.pop()
    return "\n".join(body).strip("\n")


def _to_lf(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_changelog(text: str) -> list[Entry]:
    """The released entries of a changelog, in file order (newest first by convention)."""
    lines = _to_lf(text).split("\n")
    entries = []
    for section in _sections(lines):
        match = VERSION_HEADING.match(section.title)
        if not match:
            continue
        entries.append(Entry(
            version=match.group("version"),
            date=match.group("date"),
            text=_body(lines, section).strip(),
            line=section.start + 1,
            yanked="yanked" in match.group("rest").lower(),
        ))
    return entries


def read_changelog(module_root: Path) -> list[Entry]:
    """The entries of `<module>/CHANGELOG.md`; empty when there is none."""
    path = Path(module_root) / "CHANGELOG.md"
    if not path.is_file():
        return []
    return parse_changelog(path.read_bytes().decode("utf-8", "replace"))


def format_note(note: str, language: str = "en") -> str:
    """The body of a new entry: the note under `### Changed` (in `language`) as a list item,
    or the note as it is when it already has `### …` headings or is a list."""
    note = _to_lf(note).strip()
    lines = note.split("\n")
    if any(SUBHEADING.match(line) for line in lines):
        return note
    if not re.match(r"^[-*+]\s", lines[0]):
        lines = ["- " + lines[0]] + [("  " + line) if line.strip() else "" for line in lines[1:]]
    return changed_heading(language) + "\n\n" + "\n".join(lines)


def format_entry(version: str, date: str, note: str, language: str = "en") -> str:
    """`## [1.3.0] - 2026-11-24` and the note (no trailing blank line)."""
    return f"## [{version}] - {date}\n\n{format_note(note, language)}"


def _merge_unreleased(note_body: str, unreleased: str, language: str = "en") -> str:
    """Fold what the lecturer collected under [Unreleased] into the release entry."""
    if not unreleased.strip():
        return note_body
    lines = unreleased.split("\n")
    items = note_body.split("\n")
    changed = changed_heading(language)
    if note_body.startswith(changed + "\n\n"):
        items = items[2:]
        names = {"changed", changed[4:].lower()}
        for i, line in enumerate(lines):
            heading = SUBHEADING.match(line)
            if heading and heading.group(1).lower() in names:
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                return "\n".join(lines[:i + 1] + [""] + items + lines[j:])
        return unreleased + "\n\n" + note_body
    return note_body + "\n\n" + unreleased


def add_entry(existing: str | None, version: str, date: str, note: str,
              language: str = "en") -> str:
    """The changelog with a new release entry, newest first.

    Created with the standard header (in `language`) when `existing` is None. The entry goes above the
    first released version (below `## [Unreleased]`, whose content moves into the entry).
    Line endings and a byte-order mark of the existing file are kept.
    """
    if existing is None:
        return header(language) + "\n" + format_entry(version, date, note, language) + "\n"
    crlf = "\r\n" in existing
    bom = existing.startswith("\ufeff")
    lines = _to_lf(existing).split("\n")
    sections = _sections(lines)
    unreleased = next((s for s in sections if UNRELEASED.match(s.title)), None)
    body = format_note(note, language)
    if unreleased is not None:
        moved = _body(lines, unreleased)
        body = _merge_unreleased(body, moved, language)
        if moved:
            # keep the heading (and trailing link definitions), drop the moved lines
            section = lines[unreleased.start + 1: unreleased.end]
            keep: list[str] = []
            while section and (LINK_DEFINITION.match(section[-1]) or not section[-1].strip()):
                line = section.pop()
                if line.strip():
                    keep.insert(0, line)
            lines[unreleased.start + 1: unreleased.end] = [""] + keep + ([""] if keep else [])
            sections = _sections(lines)
    entry = f"## [{version}] - {date}\n\n{body}".split("\n")
    first = next((s for s in sections if VERSION_HEADING.match(s.title)), None)
    if first is not None:
        before = lines[: first.start]
        if before and before[-1].strip():
            before.append("")
        new = before + entry + [""] + lines[first.start:]
    else:
        at = len(lines)
        while at > 0 and (not lines[at - 1].strip() or LINK_DEFINITION.match(lines[at - 1])):
            at -= 1
        tail = [line for line in lines[at:] if line.strip()]
        new = lines[:at] + ["", *entry] + ([""] + tail if tail else [])
    text = "\n".join(new).rstrip("\n") + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + text
