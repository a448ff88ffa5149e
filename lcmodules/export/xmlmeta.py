"""Identifiers and contact cards shared by the manifests of every package format."""

from __future__ import annotations

import re


def manifest_identifier(module_id: str, prefix: str = "lcm-") -> str:
    """`prefix` + the module id as an XML ID, the same for every version of the module.

    The mapping is one-to-one: `_` becomes `__` and `/` becomes `_`
    (`lc-ai/voorspellend-onderhoud` → `lcm-lc-ai_voorspellend-onderhoud`).
    """
    return prefix + module_id.replace("_", "__").replace("/", "_")


def xml_id(prefix: str, text: str) -> str:
    """A valid, readable XML ID from arbitrary text."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"
    return f"{prefix}-{safe}"


def vcard(name: str, affiliation: str | None = None, email: str | None = None) -> str:
    """A minimal vCard 3.0, as LOM contributors carry them."""

    def esc(value: str) -> str:
        return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
                .replace("\n", " "))

    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{esc(name)};;;;", f"FN:{esc(name)}"]
    if affiliation:
        lines.append(f"ORG:{esc(affiliation)}")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{esc(email)}")
    lines.append("END:VCARD")
    return "\n".join(lines)
