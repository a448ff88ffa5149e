"""IMS Common Cartridge 1.1 exporter: static pages, notebooks and QTI quizzes an LMS imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lcmodules.core.diagnostics import Diagnostics, InputError, Problem
from lcmodules.core.fsutil import write_zip
from lcmodules.core.slugs import ascii_slug
from lcmodules.export.base import BuildOptions, Exporter
from lcmodules.export.imscc_manifest import (
    ASSESSMENT,
    WEBCONTENT,
    CartridgeMeta,
    Item,
    Person,
    Resource,
    build_manifest,
)
from lcmodules.export.imscc_qti import assessment_xml, cartridge_problems
from lcmodules.export.xmlmeta import manifest_identifier, xml_id
from lcmodules.model import Course, Module, Unit
from lcmodules.render.i18n import format_number, strings

if TYPE_CHECKING:
    from lcmodules.render.site import Site

MANIFEST = "imsmanifest.xml"
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>\s*", re.I | re.S)
PAGE_SCRIPT = "_static/lc.js"  # the quiz and navigation script: a cartridge page needs none

FileContent = bytes | Path


@dataclass
class ModuleParts:
    """One module inside a cartridge: its files (under `<slug>/`), its folder item, resources."""

    files: dict[str, FileContent] = field(default_factory=dict)
    item: Item | None = None
    resources: list[Resource] = field(default_factory=list)


def cartridge_check(module: Module, diag: Diagnostics) -> None:
    """Report what a cartridge cannot hold of this module's quizzes (errors and warnings)."""
    for unit in module.quizzes:
        diag.problems.extend(cartridge_problems(unit))


def static_page(html: bytes, dropped: dict[str, str]) -> bytes:
    """A page that needs no script: scripts removed, links to quiz pages (which are QTI
    assessments in a cartridge, not pages) reduced to their text."""
    text = SCRIPT.sub("", html.decode("utf-8"))
    for page in dropped:
        link = re.compile(rf'<a\b[^>]*\bhref="{re.escape(page)}(?:#[^"]*)?"[^>]*>(.*?)</a>', re.S)
        text = link.sub(r"\1", text)
    return text.encode("utf-8")


def _site(module: Module, options: BuildOptions) -> Site:
    """The rendered edition: one page per unit, no navigation (the LMS's own structure).
    The one place this exporter asks for the edition."""
    from lcmodules.render.site import SiteOptions, render_site

    return render_site(module, SiteOptions(edition=options.edition, layout="per-unit", nav=False))


def module_key(module: Module) -> str:
    return manifest_identifier(module.meta.id, prefix="")


def module_parts(module: Module, options: BuildOptions) -> ModuleParts:
    """Render one module and describe it as cartridge resources under the folder `<slug>/`."""
    problems = [p for u in module.quizzes for p in cartridge_problems(u) if p.severity == "error"]
    if problems:
        raise InputError(problems)
    site = _site(module, options)
    prefix = f"{module.slug}/"
    key = module_key(module)
    quiz_pages = {site.unit_pages[u.index]: u.title for u in module.quizzes}
    parts = ModuleParts()
    for name, content in site.files.items():
        if name in quiz_pages or name == PAGE_SCRIPT:
            continue
        if name.endswith(".html") and not isinstance(content, Path):
            content = static_page(content, quiz_pages)
        parts.files[prefix + name] = content
    shared = Resource(xml_id("res", f"{key}-shared"), WEBCONTENT, [])
    own: set[str] = set()  # files of a resource of their own: pages, notebooks, quizzes
    children: list[Item] = []
    table = strings(module.meta.language)
    for unit in module.units:
        # stable across versions and unique in a course: module id + the unit's path
        ident = xml_id("x", f"{key}-{ascii_slug(unit.rel)}")[2:]
        if unit.kind == "quiz":
            name = f"{prefix}quizzes/{unit.slug}.xml"
            own.add(name)
            parts.files[name] = assessment_xml(unit, f"qti-{ident}", module.meta.language)
            parts.resources.append(Resource(f"res-{ident}", ASSESSMENT, [name]))
            children.append(Item(f"itm-{ident}", unit.title, f"res-{ident}"))
            continue
        page = prefix + site.unit_pages[unit.index]
        own.add(page)
        res = Resource(f"res-{ident}", WEBCONTENT, [page], page, [shared.identifier])
        parts.resources.append(res)
        children.append(Item(f"itm-{ident}", unit.title, res.identifier))
        if unit.kind == "notebook":
            children.append(_notebook_item(unit, prefix, ident, table, res, parts, own))
    shared.files = sorted(n for n in parts.files if n not in own)
    parts.resources.append(shared)
    parts.item = Item(xml_id("mod", key), module.meta.title, None, children)
    return parts


def _notebook_item(unit: Unit, prefix: str, ident: str, table: dict[str, str], page: Resource,
                   parts: ModuleParts, own: set[str]) -> Item:
    """The learner notebook as a downloadable file of its own, next to its page."""
    name = f"{prefix}notebooks/{unit.slug}.ipynb"
    res = Resource(f"res-{ident}-ipynb", WEBCONTENT, [name], name)
    own.add(name)
    parts.resources.append(res)
    page.dependencies.append(res.identifier)
    return Item(f"itm-{ident}-ipynb", f"{unit.title} ({table['download_notebook'].lower()}, "
                                     ".ipynb)", res.identifier)


def module_meta(module: Module) -> CartridgeMeta:
    meta = module.meta
    table = strings(meta.language)
    facts = [f"{table['version']} {meta.version}"]
    if meta.study_load_hours:
        hours = table["hours"].format(hours=format_number(meta.study_load_hours, meta.language))
        facts.append(f"{table['study_load']}: {hours}")
    rights = None
    if meta.license:
        holders = ", ".join(a.name for a in meta.authors)
        rights = meta.license + (f" — {holders}" if holders else "")
    return CartridgeMeta(
        identifier=meta.id, title=meta.title, language=meta.language,
        descriptions=[d for d in (meta.summary, " · ".join(facts)) if d],
        keywords=list(meta.keywords),
        authors=[Person(a.name, a.affiliation, a.email) for a in meta.authors],
        rights=rights, objectives=list(meta.learning_objectives), level=meta.level,
    )


def course_meta(course: Course) -> CartridgeMeta:
    config = course.config
    language = course.modules[0].meta.language if course.modules else "en"
    organisation = config.lcmodules.organisation or config.author
    return CartridgeMeta(
        identifier=course.slug, title=config.title, language=language,
        descriptions=[d for d in (config.description,) if d],
        authors=[Person(organisation)] if organisation else [],
        rights=config.copyright,
    )


def write_cartridge(target: Path, identifier: str, meta: CartridgeMeta,
                    parts: list[ModuleParts]) -> None:
    files: dict[str, FileContent] = {}
    resources: list[Resource] = []
    for part in parts:
        files.update(part.files)
        resources.extend(part.resources)
    files[MANIFEST] = build_manifest(identifier, meta, [p.item for p in parts if p.item],
                                     resources)
    write_zip(target, files.items())


class ImsccExporter(Exporter):
    """`<slug>-<version>-imscc.imscc` per module and `<course-slug>-imscc.imscc` per course."""

    name = "imscc"
    description = "IMS Common Cartridge 1.1 (pages, notebooks, QTI quizzes) for Brightspace, " \
                  "Canvas and Moodle"

    def artifact_name(self, module: Module) -> str:
        return f"{module.slug}-{module.meta.version}-{self.name}.imscc"

    def check_module(self, module: Module, diag: Diagnostics) -> None:
        """What this format cannot hold of the module, reported before anything is built."""
        cartridge_check(module, diag)

    def export_module(self, module: Module, options: BuildOptions) -> list[Path]:
        target = Path(options.out) / self.artifact_name(module)
        write_cartridge(target, manifest_identifier(module.meta.id), module_meta(module),
                        [module_parts(module, options)])
        return [target]

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        if not course.has_config_file or not course.modules:
            return []
        problems: list[Problem] = []
        parts: list[ModuleParts] = []
        for module in course.modules:
            try:
                parts.append(module_parts(module, options))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems)
        target = Path(options.out) / f"{course.slug}-{self.name}.imscc"
        write_cartridge(target, manifest_identifier(course.slug, prefix="lcc-"),
                        course_meta(course), parts)
        return [target]
