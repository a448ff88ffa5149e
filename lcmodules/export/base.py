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
    # what the build's record holds for this course: given to exporters that consume "artifacts"
    artifacts: list[Artifact] = field(default_factory=list)


@dataclass(frozen=True)
class Artifact:
    """One artifact in the build record: the format and module (None: course-wide) it is of."""

    format: str
    module: str | None  # the module's slug
    path: Path


class Exporter(ABC):
    """One output format. Module exporters write one artifact per module; course
    exporters (a collection book, a catalogue) write one for the whole course. Both receive
    the edition the build made (`Module.edition` set: solutions already out)."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    # What the exporter needs besides the edition (docs/internals.md, "Exporter API"):
    # "artifacts": run after every exporter that does not, and get `options.artifacts`;
    # "sources": get the loaded sources instead of the edition (metadata only, e.g. fingerprints).
    consumes: ClassVar[tuple[str, ...]] = ()

    def artifact_name(self, module: Module) -> str:
        """`<slug>-<version>-<format>.zip` (the spec's naming)."""
        return f"{module.slug}-{module.meta.version}-{self.name}.zip"

    def export_module(self, module: Module, options: BuildOptions) -> list[Path]:
        """Write this format's artifact for one module; return the paths written."""
        return []

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        """Write this format's course-wide artifact, if it has one."""
        return []
