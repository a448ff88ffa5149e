"""SCORM 1.2 and SCORM 2004 4th Edition exporters: a rendered module, a tracker and a manifest in one zip."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from lcmodules.core.diagnostics import InputError, Problem
from lcmodules.core.fsutil import write_zip
from lcmodules.export.base import BuildOptions, Exporter
from lcmodules.export.scorm_manifest import (
    PackagePlan,
    Sco,
    ScormVersion,
    build_manifest,
    quiz_mastery,
)
from lcmodules.model import Module
from lcmodules.versioning.identities import sco_keys

STATIC = Path(__file__).resolve().parent / "static"
TRACKER = "_static/lc-scorm.js"
TRACKER_CONFIG = "_static/lc-scorm-config.js"
MANIFEST = "imsmanifest.xml"
# A file name every LMS and file system accepts: lowercase ASCII parts, no `..`, no leading dot.
SAFE_PART = re.compile(r"^[a-z0-9_][a-z0-9._-]*$")
# Characters an LMS keeps in cmi.suspend_data: SCORM 1.2 allows 4,096, SCORM 2004 64,000;
# the tracker stays below these limits (a margin for LMSs that count bytes).
SUSPEND_LIMIT = {"1.2": 4000, "2004": 64000}


def tracker_config(module: Module, version: ScormVersion, per_unit: bool) -> bytes:
    """`_static/lc-scorm-config.js`: what the tracker must know that lc.js does not tell it."""
    mastery: dict[str, float] = {}
    whole = quiz_mastery(u.quiz for u in module.quizzes if u.quiz)
    if whole is not None:
        mastery[""] = whole
    for unit in module.quizzes:
        if unit.quiz is not None:
            value = quiz_mastery([unit.quiz])
            if value is not None:
                mastery[unit.quiz_name] = value
    config = {
        "scorm": version,
        "mode": "per-unit" if per_unit else "single",
        "mastery": mastery,
        "suspendLimit": SUSPEND_LIMIT[version],
        "exitWhenComplete": module.config.lcmodules.scorm.exit_when_complete,
    }
    text = json.dumps(config, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return (
        "/* lcmodules: settings of the SCORM tracker for this package (generated). */\n"
        f"window.lcScormConfig = {text};\n"
    ).encode()


def check_names(module: Module, names: list[str]) -> None:
    """Fail loudly on a file name an LMS could mangle, or two names that clash ignoring case."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        if not name.isascii() or not all(SAFE_PART.match(p) for p in parts):
            problems.append(Problem(
                module.root, None,
                f"file name '{name}' is not safe in a SCORM package",
                "use lowercase ASCII letters, digits, '-', '_' and '.' in file and folder names",
            ))
        folded = name.casefold()
        if folded in seen and seen[folded] != name:
            problems.append(Problem(
                module.root, None,
                f"files '{seen[folded]}' and '{name}' differ only in case",
                "rename one of them: LMSs on case-insensitive storage would mix them up",
            ))
        seen.setdefault(folded, name)
    if MANIFEST in names:
        problems.append(Problem(module.root, None, f"the rendered site holds a file '{MANIFEST}'",
                                "rename it: that name is reserved for the package manifest"))
    if problems:
        raise InputError(problems)


class ScormExporter(Exporter):
    """Shared by both SCORM versions; subclasses set `name` and `version`."""

    version: ClassVar[ScormVersion]

    def export_module(self, module: Module, options: BuildOptions) -> list[Path]:
        target = Path(options.out) / self.artifact_name(module)
        entries = self.package_entries(module, options)
        write_zip(target, entries.items())
        return [target]

    def package_entries(self, module: Module, options: BuildOptions) -> dict[str, bytes | Path]:
        """Every file of the package (site-relative name → content), manifest included."""
        from lcmodules.render.site import SiteOptions, render_site

        per_unit = options.sco == "per-unit"
        extra: dict[str, bytes | Path] = {
            TRACKER: STATIC / "lc-scorm.js",
            TRACKER_CONFIG: tracker_config(module, self.version, per_unit),
        }
        site = render_site(module, SiteOptions(
            edition=options.edition,
            layout="per-unit" if per_unit else "single",
            nav=not per_unit,
            head_scripts=[TRACKER_CONFIG, TRACKER],
            extra_files=dict(extra),
        ))
        files: dict[str, bytes | Path] = dict(site.files)
        for name, content in extra.items():
            files.setdefault(name, content)
        names = sorted(files)
        check_names(module, names)
        plan = self.plan(module, site, names, per_unit)
        files[MANIFEST] = build_manifest(plan, self.version)
        return files

    def plan(self, module: Module, site: object, names: list[str], per_unit: bool) -> PackagePlan:
        title_of = {u.index: u.title for u in module.units}
        if not per_unit:
            pages: list[str] = list(getattr(site, "pages", []) or [])
            launch = "index.html" if "index.html" in names else (pages[0] if pages else names[0])
            mastery = quiz_mastery(u.quiz for u in module.quizzes if u.quiz)
            sco = Sco(key="module", title=module.meta.title, href=launch, files=names,
                      mastery=mastery)
            return PackagePlan(module=module, scos=[sco])
        unit_pages: Mapping[int, str] = getattr(site, "unit_pages", {}) or {}
        keys = sco_keys(module.units)
        scos: list[Sco] = []
        for unit in module.units:
            page = unit_pages.get(unit.index)
            if page is None:
                continue
            mastery = quiz_mastery([unit.quiz]) if unit.kind == "quiz" and unit.quiz else None
            scos.append(Sco(key=keys[unit.index], title=title_of[unit.index], href=page,
                            files=[page], mastery=mastery))
        own = {s.href for s in scos}
        shared = [n for n in names if n not in own]
        return PackagePlan(module=module, scos=scos, shared_files=shared, per_unit=True)


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    version = "1.2"
    description = "SCORM 1.2 package (zip) for any LMS"


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    version = "2004"
    description = "SCORM 2004 4th Edition package (zip)"
