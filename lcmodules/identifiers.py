"""Identifiers derived from a module's metadata that several exporters publish."""

from __future__ import annotations


def lms_identifier(module_id: str) -> str:
    """`lcm-` + the module id as an XML ID, the same for every version of the module.

    The mapping is one-to-one: `_` becomes `__` and `/` becomes `_`
    (`lc-ai/voorspellend-onderhoud` → `lcm-lc-ai_voorspellend-onderhoud`).
    """
    return "lcm-" + module_id.replace("_", "__").replace("/", "_")
