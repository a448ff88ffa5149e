"""Validating imsmanifest.xml against the ADL schemas, when a folder of them is at hand."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from lxml import etree

ENV = "LCMODULES_SCHEMAS"
NS_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
# The entry point per root namespace, relative to the schemas folder (its README explains them).
ENTRY = {NS_12: "scorm12/lxml_root.xsd", NS_2004: "scorm2004/lxml_root.xsd"}


def schemas_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """`--schemas DIR`, else $LCMODULES_SCHEMAS, else None (lcmodules ships no copies)."""
    value = explicit or os.environ.get(ENV)
    return Path(value).expanduser().resolve() if value else None


@lru_cache(maxsize=4)
def load_schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(path, parser))


def entry_point(directory: Path, namespace: str) -> Path | None:
    rel = ENTRY.get(namespace)
    if rel is None:
        return None
    path = directory / rel
    return path if path.is_file() else None


def validate(doc: etree._Element, directory: Path) -> tuple[bool | None, list[str], str]:
    """(valid, messages, schema used); valid is None when no schema fits the namespace."""
    namespace = etree.QName(doc).namespace or ""
    path = entry_point(directory, namespace)
    if path is None:
        return None, [], ""
    try:
        schema = load_schema(str(path))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        return None, [f"the schema {path} cannot be loaded: {exc}"], str(path)
    ok = schema.validate(doc)
    messages = [f"line {e.line}: {e.message}" for e in schema.error_log]
    return ok, messages, str(path)
