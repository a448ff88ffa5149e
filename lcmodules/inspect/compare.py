"""Will replacing one package (SCORM or Common Cartridge) with another keep the learners'
records? (`inspect --against`)"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcmodules.core.versions import VersionError, compare
from lcmodules.inspect.cartridge import CartridgeReport, CcItem, inspect_cartridge, is_cartridge
from lcmodules.inspect.package import Finding, Item, Report, Severity, inspect_package

AnyReport = Report | CartridgeReport


@dataclass
class Tracked:
    """An item an LMS keeps learner records for: it launches a resource."""

    identifier: str
    title: str
    launch: str | None


@dataclass
class Comparison:
    """NEW against OLD: identities, items kept / removed / added, launch changes, findings."""

    new: AnyReport
    old: AnyReport
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    launch_changed: list[dict[str, str | None]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when replacing OLD with NEW keeps every learner record."""
        return not any(f.severity == "error" for f in self.findings)

    def add(self, severity: Severity, code: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(severity, code, message, hint))

    def to_json(self) -> dict[str, Any]:
        def side(r: AnyReport) -> dict[str, Any]:
            return {"path": r.path, "identifier": r.identifier, "format": package_format(r),
                    "scorm_version": getattr(r, "scorm_version", None),
                    "version": getattr(r, "version", None), "errors": len(r.errors)}

        return {
            "new": side(self.new), "old": side(self.old),
            "kept": self.kept, "removed": self.removed, "added": self.added,
            "launch_changed": self.launch_changed,
            "findings": [vars(f) for f in self.findings],
            "ok": self.ok,
        }


def package_format(report: AnyReport) -> str | None:
    """"SCORM 2004 …", "Common Cartridge 1.1", or None when it could not be told."""
    if isinstance(report, CartridgeReport):
        return f"Common Cartridge {report.cc_version}" if report.cc_version else None
    return f"SCORM {report.scorm_version}" if report.scorm_version else None


def tracked_items(report: AnyReport) -> dict[str, Tracked]:
    """Every item that launches something (an LMS keeps records for it), by identifier: in a
    SCORM package every organisation's items with a resource; in a cartridge every item with
    a resource (launching the resource's href, or the resource itself: a QTI assessment)."""
    found: dict[str, Tracked] = {}
    if isinstance(report, CartridgeReport):
        hrefs = {r.identifier: r.href or r.identifier for r in report.resources}

        def walk_cc(items: list[CcItem]) -> None:
            for item in items:
                if item.resource:
                    found.setdefault(item.identifier, Tracked(
                        item.identifier, item.title, hrefs.get(item.resource, item.resource)))
                walk_cc(item.children)

        walk_cc(report.items)
        return found

    def walk(items: list[Item]) -> None:
        for item in items:
            if item.identifierref:
                found.setdefault(item.identifier,
                                 Tracked(item.identifier, item.title, item.launch))
            walk(item.children)

    for org in report.organizations:
        walk(org.items)
    return found


def inspect_any(path: str | Path) -> AnyReport:
    """The report of a cartridge or of a SCORM package, whichever `path` is."""
    return inspect_cartridge(path) if is_cartridge(path) else inspect_package(path)


def compare_packages(new: str | Path, old: str | Path) -> Comparison:
    """Compare two SCORM packages (zips or manifests) or two cartridges, anyone's; never
    raises for bad input."""
    result = Comparison(inspect_any(new), inspect_any(old))
    for label, report in (("NEW", result.new), ("OLD", result.old)):
        if report.errors:
            first = report.errors[0]
            result.add("error", "package-errors",
                       f"{label} ({report.path}) has {len(report.errors)} error(s), e.g. "
                       f"{first.message}", f"run `lcmodules inspect {report.path}` for all of them")
    if not (tracked_items(result.new) and tracked_items(result.old)):
        return result
    _identity(result)
    _items(result)
    return result


def _identity(result: Comparison) -> None:
    """Manifest identifier, SCORM version and module versions of the two packages."""
    new, old = result.new, result.old
    if package_format(new) != package_format(old):
        result.add("error", "scorm-version-changed",
                   f"OLD is {package_format(old)}, NEW is {package_format(new)}: the records "
                   "of the old one (its CMI data, its quiz attempts) do not carry over to the "
                   "new one", f"build NEW as {package_format(old)}, or add it as a new activity")
    if new.identifier != old.identifier:
        result.add("warning", "identifier-changed",
                   f"the manifest identifier changed from '{old.identifier}' to "
                   f"'{new.identifier}'",
                   "Moodle matches items alone, but an LMS that keys packages by manifest "
                   "identifier may treat NEW as another package")
    new_version, old_version = getattr(new, "version", None), getattr(old, "version", None)
    if new_version and old_version and new_version == old_version:
        result.add("info", "same-version", f"both packages say version {new_version}")
    elif new_version and old_version and _older(new_version, old_version):
        result.add("warning", "older", f"NEW ({new_version}) is older than OLD ({old_version})",
                   "check that the two packages are not swapped")


def _older(a: str, b: str) -> bool:
    """True when version `a` is lower than `b` (semantic versions; otherwise not compared)."""
    try:
        return compare(a, b) < 0
    except VersionError:
        return False


def _items(result: Comparison) -> None:
    """Which tracked items stay, go or come, and whether a kept one launches another page."""
    new, old = tracked_items(result.new), tracked_items(result.old)
    result.kept = [i for i in old if i in new]
    result.removed = [i for i in old if i not in new]
    result.added = [i for i in new if i not in old]
    for ident in result.removed:
        hint = "keep the item's identifier in NEW"
        if ident.startswith("itm-") and ident != "itm-module":
            hint += f" (an lcmodules module: give the unit `id: {ident[4:]}` in contents)"
        result.add("error", "item-removed",
                   f"item '{ident}' ({old[ident].title}) is not in NEW: an LMS that matches "
                   "items by identifier (Moodle does) deletes every learner's record of it",
                   hint)
    for ident in result.kept:
        if old[ident].launch != new[ident].launch:
            result.launch_changed.append(
                {"identifier": ident, "old": old[ident].launch, "new": new[ident].launch})
            result.add("warning", "launch-changed",
                       f"item '{ident}' launches {new[ident].launch} instead of "
                       f"{old[ident].launch}",
                       "records are kept; the learner's saved place may not fit the new page")
    for ident in result.added:
        result.add("info", "item-added", f"item '{ident}' ({new[ident].title}) is new in NEW")
