"""The typed model of a course, its modules, their units and knowledge checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from nbformat import NotebookNode
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from lcmodules.core.slugs import slugify
from lcmodules.core.versions import is_version
from lcmodules.questions.base import Choice, QuestionBase, Strict
from lcmodules.questions.registry import Question, QuestionType

# a quiz's questions are the registry's types (lcmodules/questions/); named here for callers
__all__ = ["Choice", "Question", "QuestionBase", "QuestionType"]

# module.lock's version check (versioning/lock.py); module.yml's is `is_version` (semver)
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# BCP 47 language tag: language[-script][-region][-variant…] (the forms a lecturer writes).
BCP47 = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*$"
)
MODULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*$")
SLUG = re.compile(r"^[a-z0-9-]+$")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SPDX = re.compile(r"^[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+[A-Za-z0-9.+-]+)*$")

UnitKind = Literal["page", "notebook", "quiz"]


# ---------------------------------------------------------------- module.yml


class Author(Strict):
    name: str = Field(min_length=1)
    affiliation: str | None = None
    email: str | None = None
    orcid: str | None = None


class Case(Strict):
    organisation: str | None = None
    sector: str | None = None
    hub: str | None = None
    url: str | None = None
    description: str | None = None


class Prerequisite(Strict):
    id: str
    version: str | None = Field(default=None, description="a version range such as '>=1.0,<2'")


class ContentEntry(Strict):
    """A unit in `contents` written out: its file and a stable id for LMS records."""

    file: str = Field(min_length=1, description="the unit's path in the module folder")
    id: str | None = Field(
        default=None,
        description="stable unit id, kept when the file is renamed (SCORM item identifiers "
                    "derive from it), e.g. verkennen")

    @field_validator("id")
    @classmethod
    def _uid(cls, v: str | None) -> str | None:
        if v is not None and not UNIT_ID.match(v):
            raise ValueError("is not a valid unit id: use lowercase letters, digits and '-', "
                             "starting with a letter or digit, e.g. verkennen")
        return v


def _content_kind(value: Any) -> str:
    return "ContentEntry" if isinstance(value, dict | ContentEntry) else "Path"


# A `contents` entry: a path, or a mapping with `file:` and `id:` (errors name only the form used).
ContentItem = Annotated[
    Annotated[str, Tag("Path")] | Annotated[ContentEntry, Tag("ContentEntry")],
    Discriminator(_content_kind),
]


class ModuleMeta(Strict):
    """The contents of `module.yml`."""

    id: str = Field(description="stable identifier, the same for every version, e.g. lc-ai/my-case")
    title: str = Field(min_length=1)
    version: str = Field(description="semantic version, e.g. 1.2.0")
    language: str = Field(description="BCP 47 language tag, e.g. nl or en")
    summary: str | None = None
    authors: list[Author] = Field(default_factory=list)
    license: str | None = Field(default=None, description="SPDX identifier, e.g. CC-BY-4.0")
    case: Case | None = None
    level: str | None = None
    study_load_hours: float | None = Field(default=None, gt=0)
    learning_objectives: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    prerequisites: list[str | Prerequisite] = Field(
        default_factory=list,
        description="ids of other modules, optionally followed by a version range: 'lc-ai/x >=1.0'",
    )
    contents: list[ContentItem] = Field(
        min_length=1, description="the units, in learner order: a path, or `file:` and `id:`")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not MODULE_ID.match(v):
            raise ValueError(
                "is not a valid module id: use lowercase letters, digits, '.', '_' or '-', "
                "in parts separated by '/', e.g. lc-ai/voorspellend-onderhoud"
            )
        return v

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if not is_version(v):
            raise ValueError("is not a semantic version: write MAJOR.MINOR.PATCH, e.g. 1.0.0")
        return v

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if not BCP47.match(v):
            raise ValueError("is not a BCP 47 language tag: write e.g. nl, en or en-GB")
        return v

    @field_validator("license")
    @classmethod
    def _license(cls, v: str | None) -> str | None:
        if v is not None and not SPDX.match(v):
            raise ValueError("is not an SPDX licence identifier: write e.g. CC-BY-4.0 or MIT")
        return v

    def unit_entries(self) -> list[tuple[str, str | None]]:
        """The units of `contents` as (file, id or None), in learner order."""
        return [(c.file, c.id) if isinstance(c, ContentEntry) else (c, None)
                for c in self.contents]

    def prerequisite_specs(self) -> list[tuple[str, str | None]]:
        """The prerequisites as (module id, version range or None)."""
        result: list[tuple[str, str | None]] = []
        for item in self.prerequisites:
            if isinstance(item, Prerequisite):
                result.append((item.id, item.version))
            else:
                ident, _, rng = item.strip().partition(" ")
                result.append((ident, rng.strip() or None))
        return result


# ---------------------------------------------------------------- *.quiz.yml


class Quiz(Strict):
    """The contents of a `*.quiz.yml` knowledge check."""

    title: str = Field(min_length=1)
    mastery_score: float = Field(default=0.7, description="fraction of points needed to pass, 0..1")
    intro: str | None = None
    questions: list[Question] = Field(min_length=1)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


# ---------------------------------------------------------------- _config.yml


class Repository(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)
    url: str | None = None
    branch: str = "main"
    path_to_book: str | None = None


class LaunchButtons(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)
    binderhub_url: str | None = None
    colab_url: str | None = None
    jupyterhub_url: str | None = None
    notebook_interface: str | None = None


class BuildDefaults(Strict):
    formats: list[str] | None = None
    out: str = "dist"
    edition: Literal["learner", "teacher"] = "learner"
    sco: Literal["single", "per-unit"] = "single"


class ExecuteSettings(Strict):
    timeout: int = Field(default=120, gt=0, description="seconds a single cell may run")
    kernel: str | None = None


class LaunchSettings(Strict):
    """Where Binder, Colab and JupyterHub find the learner editions (the output of
    `lcmodules build --format learner-repo`, published to a branch or repository)."""

    repository: str | None = Field(default=None, description="default: repository.url")
    branch: str | None = Field(default=None, description="default: repository.branch")


class ScormSettings(Strict):
    """How SCORM packages behave in the LMS (docs/scorm.md)."""

    exit_when_complete: Literal["suspend", "normal"] = Field(
        default="suspend",
        description="cmi.exit once the module is complete: 'suspend' keeps the learner's state "
                    "for every return, 'normal' lets the LMS close the attempt")


class LcSettings(Strict):
    organisation: str | None = None
    launch: LaunchSettings = Field(default_factory=LaunchSettings)
    modules: list[str] | None = None
    templates: str = "templates"
    build: BuildDefaults = Field(default_factory=BuildDefaults)
    execute: ExecuteSettings = Field(default_factory=ExecuteSettings)
    scorm: ScormSettings = Field(default_factory=ScormSettings)
    trusted_outputs: bool = Field(
        default=False, description="keep notebook HTML outputs as they are, scripts included "
        "(they run in the LMS page with the learner's login); default: sanitised")
    external_hosts: list[str] = Field(
        default_factory=list, description="hosts pages may load from without a warning "
        "(exact host; '.example.org' also accepts its subdomains)")


# The keys Jupyter Book 1 understands at the top of _config.yml; they are passed through.
JUPYTER_BOOK_KEYS = {
    "title", "author", "copyright", "logo", "exclude_patterns", "only_build_toc_files",
    "execute", "parse", "html", "latex", "bibtex_bibfiles", "launch_buttons", "repository",
    "sphinx", "description", "advanced",
}


class CourseConfig(BaseModel):
    """The contents of the course `_config.yml`: Jupyter Book keys plus `lcmodules:`."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    title: str = "Modules"
    author: str | None = None
    copyright: str | None = None
    logo: str | None = None
    description: str | None = None
    repository: Repository = Field(default_factory=Repository)
    launch_buttons: LaunchButtons = Field(default_factory=LaunchButtons)
    exclude_patterns: list[str] | None = None
    only_build_toc_files: bool | None = None
    execute: dict[str, Any] | None = None
    parse: dict[str, Any] | None = None
    html: dict[str, Any] | None = None
    latex: dict[str, Any] | None = None
    bibtex_bibfiles: list[str] | None = None
    sphinx: dict[str, Any] | None = None
    advanced: dict[str, Any] | None = None
    lcmodules: LcSettings = Field(default_factory=LcSettings)


# ---------------------------------------------------------------- loaded sources


@dataclass
class Page:
    """A MyST Markdown page: its front matter and body."""

    front_matter: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    # the body parsed once (lcmodules.load.document.Document; page_document re-derives it
    # when an edition changed the body)
    document: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Pulled:
    """A file a page pulls in (`{include}`, `{literalinclude}`, a csv-table's `:file:`, a
    `.bib` file), read at load time: the renderer reads these bytes, never the disk."""

    data: bytes
    unit: str | None = None  # the unit (its `contents` path) that first pulls it in
    line: int | None = None  # 1-based line of the reference in that unit's file


@dataclass
class Unit:
    """One entry of a module's `contents`, loaded."""

    index: int  # 0-based position in learner order
    source: Path  # absolute path of the file
    rel: str  # path relative to the module folder, as written in `contents`
    kind: UnitKind
    title: str
    slug: str  # safe ASCII name for built pages, e.g. "02-verkennen"
    uid: str | None = None  # the stable `id:` given in `contents`, if any
    page: Page | None = None
    notebook: NotebookNode | None = None
    quiz: Quiz | None = None
    raw: bytes = b""  # the file's bytes as read (for fingerprints)
    doc: Any = None  # the parsed YAML of a quiz, kept for line numbers
    # a notebook's markdown cells parsed once: cell index → lcmodules.load.document.Document
    documents: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def quiz_name(self) -> str:
        """The quiz file name without `.quiz.yml` (the `data-lc-quiz` hook)."""
        return Path(self.rel).name.removesuffix(".quiz.yml")


@dataclass
class Module:
    """A module folder: its metadata and units, and the course around it if any."""

    root: Path
    slug: str
    meta: ModuleMeta
    units: list[Unit]
    course: Course | None = None
    doc: Any = None  # the parsed module.yml, kept for line numbers
    # "learner"/"teacher" once transform.learner.module_edition made it; None: loaded sources
    edition: Literal["learner", "teacher"] | None = None
    # True once a build released the units' sources (modelcache.release); build re-acquires them
    released: bool = False
    # what the pages pull in, read at load (lcmodules.load.pulled): module-relative path → file
    pulled: dict[str, Pulled] = field(default_factory=dict, repr=False, compare=False)
    # what the module rules found of its links out of the folder: (folder of the page, link
    # target) → a page of another module? Its checks depend on those files too: the model
    # cache reuses them only while every answer still holds (load.links.links_still_resolve)
    links_outside: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False,
                                                       compare=False)

    @property
    def module_file(self) -> Path:
        return self.root / "module.yml"

    @property
    def quizzes(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "quiz"]

    @property
    def notebooks(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "notebook"]

    @property
    def config(self) -> CourseConfig:
        return self.course.config if self.course else CourseConfig()


@dataclass(frozen=True)
class CoursePage:
    """A unit of a course's module as a link from another module names it."""

    slug: str  # the module's folder name
    title: str  # the module's title
    page: str  # the unit's path in the module folder (POSIX)


@dataclass
class Course:
    """A course repository (or a lone module folder, with a default config)."""

    root: Path
    config: CourseConfig
    modules: list[Module] = field(default_factory=list)
    has_config_file: bool = False
    # the course's other modules when only some were asked for: seen by the rules that look
    # across modules (unique ids, prerequisites), never built or reported on
    context: list[Module] = field(default_factory=list)
    # every unit of every module as links from another module see it (resolved source path →
    # CoursePage): kept by an edition, whose course holds no other module (load/links.py)
    pages: dict[Path, CoursePage] | None = None

    @property
    def all_modules(self) -> list[Module]:
        return self.modules + self.context

    @property
    def slug(self) -> str:
        """A name for course-wide artifacts that does not depend on where the course is checked
        out: the repository's name, else the title, as a safe ASCII slug; a module folder
        built on its own is named after itself."""
        if not self.has_config_file and len(self.modules) == 1:
            return self.modules[0].slug

        url = (self.config.repository.url or "").rstrip("/").removesuffix(".git")
        name = url.rsplit("/", 1)[-1] if url else ""
        return slugify(name or self.config.title) or "course"

    @property
    def logo_file(self) -> Path | None:
        """The `logo` of _config.yml when it is a file inside the course, else None."""
        if not self.config.logo:
            return None
        path = (self.root / self.config.logo).resolve()
        return path if path.is_file() and path.is_relative_to(self.root.resolve()) else None

    @property
    def templates_dir(self) -> Path | None:
        path = self.root / self.config.lcmodules.templates
        return path if path.is_dir() else None

    def module_by_id(self, module_id: str) -> Module | None:
        return next((m for m in self.all_modules if m.meta.id == module_id), None)
