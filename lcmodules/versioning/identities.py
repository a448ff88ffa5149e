"""SCORM identities of a module and its SCOs, derived in one place, and whether a new version keeps
learners' LMS records (the item identifiers against module.lock)."""

from __future__ import annotations

from collections.abc import Iterable

from lcmodules.core.diagnostics import Problem
from lcmodules.core.slugs import ascii_slug
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module, Unit
from lcmodules.versioning.lock import Lock

MODULE_KEY = "module"  # the one SCO of the single-SCO layout: item `itm-module`


def sco_keys(units: Iterable[Unit]) -> dict[int, str]:
    """Unit index → stable item key: the unit's `id` when it has one, else a slug of its path.

    Paths are slugged in unit order and made unique with `-2`, `-3`, … (the derivation of
    every earlier lcmodules, so packages of modules without ids keep their identifiers).
    """
    units = list(units)
    used = {u.uid for u in units if u.uid}
    keys: dict[int, str] = {}
    for unit in units:
        if unit.uid:
            keys[unit.index] = unit.uid
            continue
        base = ascii_slug(unit.rel)
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        keys[unit.index] = key
    return keys


def item_identifier(key: str) -> str:
    """The `<item identifier>` of a SCO key (keys are already valid XML ID characters)."""
    return f"itm-{key}"


def sco_layout(module: Module) -> str:
    """The SCO layout the course configures for its packages: 'single' or 'per-unit'."""
    return module.config.lcmodules.build.sco


def item_identifiers(module: Module, per_unit: bool | None = None) -> dict[str, str]:
    """Item identifier → the unit file it launches ('' for the whole module), in the layout
    given, or else the one the course configures."""
    if per_unit is None:
        per_unit = sco_layout(module) == "per-unit"
    if not per_unit:
        return {item_identifier(MODULE_KEY): ""}
    keys = sco_keys(module.units)
    return {item_identifier(keys[u.index]): u.rel for u in module.units}


def dropped_items(module: Module, lock: Lock | None) -> list[Problem]:
    """A warning for each item identifier of the last release that the module as it is now
    would no longer have, in the course's configured SCO layout (docs/versioning.md).

    Nothing to compare when the module was never released or its lock predates item records.
    """
    if lock is None or lock.items is None:
        return []
    now = item_identifiers(module)
    added = [rel for ident, rel in now.items() if ident not in lock.items and rel]
    line_of = {u.rel: node_line(module.doc, ("contents", n))[0]
               for n, u in enumerate(module.units)}
    fallback = node_line(module.doc, ("contents",))[0]
    problems: list[Problem] = []
    for ident, rel in sorted(lock.items.items()):
        if ident in now:
            continue
        what = f"unit '{rel}'" if rel else "the module"
        message = (f"learners' records of {what} (item {ident}) will be deleted in Moodle when "
                   "this version replaces the old package")
        # the entry to give the id: the unit itself, or the one new unit that replaces it
        where = rel if rel in line_of else added[0] if len(added) == 1 else ""
        problems.append(Problem(module.module_file, line_of.get(where, fallback), message,
                                _hint(module, ident, rel, added), severity="warning"))
    return problems


def _hint(module: Module, ident: str, rel: str, added: list[str]) -> str:
    """How to keep the records: the id to give, or the SCO layout to restore."""
    if not rel or sco_layout(module) != "per-unit":
        other = "per-unit" if rel else "single"
        return (f"the packages' SCO layout changed; set `lcmodules: build: sco: {other}` in "
                "_config.yml again to keep them")
    key = ident.removeprefix("itm-")
    if any(u.rel == rel for u in module.units):
        return f"give the unit `id: {key}` (its identifier so far) to keep them"
    if len(added) == 1:
        return f"give the unit '{added[0]}' `id: {key}` in contents to keep them"
    return f"give the unit that replaces it `id: {key}` in contents to keep them"
