"""The build pipeline: validated modules through every requested exporter into the output folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lcmodules.export import BuildOptions, Exporter, available_formats, get_exporter
from lcmodules.model import Course

# Formats whose exporter reads what the others wrote (the catalogue lists the packages) run last.
RUNS_LAST = ("catalog",)

Progress = Callable[[str, str], None]  # (what, status) -> None


@dataclass
class BuildResult:
    artifacts: list[Path] = field(default_factory=list)


def ordered_formats(formats: list[str]) -> list[str]:
    first = [f for f in formats if f not in RUNS_LAST]
    return first + [f for f in RUNS_LAST if f in formats]


def default_formats(courses: list[Course]) -> list[str]:
    for course in courses:
        if course.config.lcmodules.build.formats:
            return list(course.config.lcmodules.build.formats)
    return available_formats()


def run_build(courses: list[Course], options: BuildOptions,
              progress: Progress | None = None) -> BuildResult:
    """Export every module of every course in every format of `options.formats`."""
    result = BuildResult()
    exporters: list[Exporter] = [get_exporter(name) for name in ordered_formats(options.formats)]
    note = progress or (lambda what, status: None)
    for exporter in exporters:
        for course in courses:
            for module in course.modules:
                note(f"{module.slug} → {exporter.name}", "start")
                result.artifacts.extend(exporter.export_module(module, options))
                note(f"{module.slug} → {exporter.name}", "done")
            written = exporter.export_course(course, options)
            if written:
                note(f"course → {exporter.name}", "done")
            result.artifacts.extend(written)
    return result
