"""SCORM identities of a module and its SCOs, derived in one place for every user of them."""

from __future__ import annotations

from collections.abc import Iterable

from lcmodules.model import Module, Unit
from lcmodules.slugs import ascii_slug

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
