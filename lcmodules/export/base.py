"""What every exporter is given and must provide."""

from __future__ import annotations

from abc import ABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from lcmodules.model import Course, Module

Edition = Literal["learner", "teacher"]
ScoMode = Literal["single", "per-unit"]


@dataclass
class BuildOptions:
    """The choices of one `lcmodules build` run, shared by every exporter."""

    out: Path
    edition: Edition = "learner"
    sco: ScoMode = "single"
    html: bool = False  # jupyter-book: also run `jupyter-book build`
    execute: bool = False
    jobs: int = 1
    formats: list[str] = field(default_factory=list)


class Exporter(ABC):
    """One output format. Module exporters write one artifact per module; course
    exporters (a collection book, a catalogue) write one for the whole course."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    def artifact_name(self, module: Module) -> str:
        """`<slug>-<version>-<format>.zip` (the spec's naming)."""
        return f"{module.slug}-{module.meta.version}-{self.name}.zip"

    def export_module(self, module: Module, options: BuildOptions) -> list[Path]:
        """Write this format's artifact for one module; return the paths written."""
        return []

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        """Write this format's course-wide artifact, if it has one."""
        return []
