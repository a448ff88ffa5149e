"""Versioning: fingerprints, module.lock, status, releases and changelogs — helpers for exporters.

Exporters that show a module's version history use `changelog_entries` and `released_on`;
the catalogue also uses `module_fingerprint`. Everything here reads files only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lcmodules.model import Module

__all__ = [
    "changelog_entries",
    "module_fingerprint",
    "read_module_lock",
    "released_on",
]


def _root(module: Module | Path) -> Path:
    return module.root if isinstance(module, Module) else Path(module)


def changelog_entries(module: Module | Path) -> list[dict[str, Any]]:
    """The released entries of the module's CHANGELOG.md, newest first as written:
    `[{"version": "1.3.0", "date": "2026-11-24" | None, "text": "### Changed\\n\\n- …"}]`
    (plus `"yanked": True` for a yanked release). Empty when there is no changelog;
    `## [Unreleased]` is left out. `module` is a loaded Module or a module folder."""
    from lcmodules.versioning.changelog import read_changelog

    return [entry.to_json() for entry in read_changelog(_root(module))]


def released_on(module: Module) -> str | None:
    """The date (YYYY-MM-DD) of the module's current version in its changelog, if any."""
    return next((e["date"] for e in changelog_entries(module)
                 if e["version"] == module.meta.version), None)


def module_fingerprint(module: Module) -> str:
    """'sha256:<hex>' over the module's normalised sources (see docs/versioning.md)."""
    from lcmodules.versioning.fingerprint import fingerprint_module

    return fingerprint_module(module).digest


def read_module_lock(module: Module | Path) -> dict[str, Any] | None:
    """The module's `module.lock` as a dict, or None when it was never released.
    Raises lcmodules.diagnostics.InputError when the lock cannot be read."""
    from lcmodules.versioning.lock import read_lock

    lock = read_lock(_root(module))
    return None if lock is None else lock.to_json()
