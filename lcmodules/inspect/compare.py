"""Will replacing one SCORM package with another keep the learners' records? (`inspect --against`)"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcmodules.core.versions import VersionError, compare
from lcmodules.inspect.package import Finding, Item, Report, Severity, inspect_package


@dataclass
class Tracked:
    """An item an LMS keeps learner records for: it launches a resource."""

    identifier: str
    title: str
    launch: str | None


@dataclass
class Comparison:
    """NEW against OLD: identities, items kept / removed / added, launch changes, findings."""

    new: Report
    old: Report
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
        def side(r: Report) -> dict[str, Any]:
            return {"path": r.path, "identifier": r.identifier, "scorm_version": r.scorm_version,
                    "version": r.version, "errors": len(r.errors)}

        return {
            "new": side(self.new), "old": side(self.old),
            "kept": self.kept, "removed": self.removed, "added": self.added,
            "launch_changed": self.launch_changed,
            "findings": [vars(f) for f in self.findings],
            "ok": self.ok,
        }


def tracked_items(report: Report) -> dict[str, Tracked]:
    """Every item of every organisation that launches something, by identifier."""
    found: dict[str, Tracked] = {}

    def walk(items: list[Item]) -> None:
        for item in items:
            if item.identifierref:
                found.setdefault(item.identifier,
                                 Tracked(item.identifier, item.title, item.launch))
            walk(item.children)

    for org in report.organizations:
        walk(org.items)
    return found


def compare_packages(new: str | Path, old: str | Path) -> Comparison:
    """Compare two SCORM packages (zips or manifests, anyone's); never raises for bad input."""
    result = Comparison(inspect_package(new), inspect_package(old))
    for label, report in (("NEW", result.new), ("OLD", result.old)):
        if report.errors:
            first = report.errors[0]
            result.add("error", "package-errors",
                       f"{label} ({report.path}) has {len(report.errors)} error(s), e.g. "
                       f"{first.message}", f"run `lcmodules inspect {report.path}` for all of them")
    if not (result.new.organizations and result.old.organizations):
        return result
    _identity(result)
    _items(result)
    return result


def _identity(result: Comparison) -> None:
    """Manifest identifier, SCORM version and module versions of the two packages."""
    new, old = result.new, result.old
    if new.scorm_version != old.scorm_version:
        result.add("error", "scorm-version-changed",
                   f"OLD is SCORM {old.scorm_version}, NEW is SCORM {new.scorm_version}: the "
                   "records of the old version (its CMI data) do not carry over to the new one",
                   f"build NEW as SCORM {old.scorm_version}, or add it as a new activity")
    if new.identifier != old.identifier:
        result.add("warning", "identifier-changed",
                   f"the manifest identifier changed from '{old.identifier}' to "
                   f"'{new.identifier}'",
                   "Moodle matches items alone, but an LMS that keys packages by manifest "
                   "identifier may treat NEW as another package")
    if new.version and old.version and new.version == old.version:
        result.add("info", "same-version", f"both packages say version {new.version}")
    elif new.version and old.version and _older(new.version, old.version):
        result.add("warning", "older", f"NEW ({new.version}) is older than OLD ({old.version})",
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
