"""What a package's pages load and run: external hosts, and scripts that lcmodules did not write."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from lxml import etree
from lxml import html as lxml_html

from lcmodules.core.urlpolicy import (
    DATA_SCRIPT_TYPES,
    HTML_ASSETS,
    attribute_urls,
    css_urls,
    loads,
    tag_findings,
    url_host,
)
from lcmodules.inspect.safezip import SafeZip, UnsafeZip

PACKAGE = Path(__file__).resolve().parent.parent
OWN_SCRIPT_FOLDERS = (PACKAGE / "render" / "static", PACKAGE / "export" / "static")
MAX_PAGE = 20 * 1024 * 1024
CONFIG_SCRIPT = re.compile(
    r"^/\* lcmodules: settings of the SCORM tracker for this package \(generated\)\. \*/\n"
    r"window\.lcScormConfig = (\{.*\});\n$", re.S)


@dataclass
class PageScan:
    """External hosts (host → files that load from it) and scripts lcmodules did not write."""

    hosts: dict[str, list[str]] = field(default_factory=dict)
    foreign_scripts: list[str] = field(default_factory=list)

    def host(self, host: str, name: str) -> None:
        names = self.hosts.setdefault(host, [])
        if name not in names:
            names.append(name)


@cache
def own_script_hashes() -> frozenset[str]:
    """SHA-256 of every script lcmodules itself puts into a package."""
    return frozenset(hashlib.sha256(p.read_bytes()).hexdigest()
                     for folder in OWN_SCRIPT_FOLDERS if folder.is_dir()
                     for p in folder.glob("*.js"))


def own_script(data: bytes) -> bool:
    """True for a script lcmodules wrote: one of its static scripts, or a tracker config."""
    if hashlib.sha256(data).hexdigest() in own_script_hashes():
        return True
    match = CONFIG_SCRIPT.match(data.decode("utf-8", "replace"))
    if not match:
        return False
    try:
        return isinstance(json.loads(match.group(1)), dict)
    except ValueError:
        return False


def scan_pages(zf: SafeZip) -> PageScan:
    """Every HTML page, SVG file and stylesheet of the zip: what it loads from elsewhere, what
    it runs (the policy table of core/urlpolicy.py)."""
    scan = PageScan()
    files = {e.name for e in zf.entries if not e.is_dir and not e.is_symlink}
    for name in sorted(files):
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in HTML_ASSETS and suffix != ".css":
            continue
        try:
            data = zf.read(name, limit=MAX_PAGE)
        except UnsafeZip:
            continue
        text = data.decode("utf-8", "replace")
        if suffix == ".css":
            _css_hosts(text, name, scan)
        else:
            _scan_page(text, name, zf, files, scan)
    scan.foreign_scripts = sorted(set(scan.foreign_scripts))
    return scan


def _css_hosts(text: str, name: str, scan: PageScan) -> None:
    for url in css_urls(text):
        host = url_host(url)
        if host:
            scan.host(host, name)


def _scan_page(text: str, name: str, zf: SafeZip, files: set[str], scan: PageScan) -> None:
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rpartition("}")[2].lower()
        _element_hosts(el, tag, name, scan)
        attrs = [(_local(a), v) for a, v in el.attrib.items()]
        for found in tag_findings(tag, attrs):
            if found.attribute is not None or found.always:
                scan.foreign_scripts.append(f"{name}: {found.what}")
        if tag == "style" and el.text:
            _css_hosts(el.text, name, scan)
        if tag == "script":
            _check_script(el, name, zf, files, scan)


def _local(name: str) -> str:
    """`xlink:href` for lxml's `{http://www.w3.org/1999/xlink}href`, names lowercase."""
    if name.startswith("{"):
        space, _, local = name[1:].partition("}")
        return f"xlink:{local}".lower() if space.endswith("xlink") else local.lower()
    return name.lower()


def _element_hosts(el: etree._Element, tag: str, name: str, scan: PageScan) -> None:
    attrs = {_local(a): v for a, v in el.attrib.items()}
    for attr, value in attrs.items():
        if not loads(tag, attr, attrs):
            continue
        for url in attribute_urls(attr, value, tag):
            host = url_host(url)
            if host:
                scan.host(host, name)


def _check_script(el: etree._Element, page: str, zf: SafeZip, files: set[str],
                  scan: PageScan) -> None:
    kind = (el.get("type") or "").strip().lower()
    if kind in DATA_SCRIPT_TYPES:
        return  # data, never run
    src = (el.get("src") or "").strip()
    if not src:
        if (el.text or "").strip():
            scan.foreign_scripts.append(f"{page}: an inline <script>")
        return
    if url_host(src):
        scan.foreign_scripts.append(f"{page}: <script src={src}>")
        return
    target = PurePosixPath(page).parent.joinpath(src.split("?")[0].split("#")[0]).as_posix()
    target = str(PurePosixPath(*_normalise(target)))
    if target not in files:
        return  # a missing file: the manifest checks report it
    try:
        data = zf.read(target, limit=MAX_PAGE)
    except UnsafeZip:
        data = b""
    if not own_script(data):
        scan.foreign_scripts.append(f"{page}: <script src={src}>")


def _normalise(path: str) -> list[str]:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return parts or ["."]
