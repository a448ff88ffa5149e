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

from lcmodules.core.urlpolicy import dangerous_url, url_host
from lcmodules.inspect.safezip import SafeZip, UnsafeZip

PACKAGE = Path(__file__).resolve().parent.parent
OWN_SCRIPT_FOLDERS = (PACKAGE / "render" / "static", PACKAGE / "export" / "static")
MAX_PAGE = 20 * 1024 * 1024
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
CONFIG_SCRIPT = re.compile(
    r"^/\* lcmodules: settings of the SCORM tracker for this package \(generated\)\. \*/\n"
    r"window\.lcScormConfig = (\{.*\});\n$", re.S)
# Element → the attributes whose URL the browser loads while showing the page.
LOADING = {"script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
           "video": ("src", "poster"), "audio": ("src",), "source": ("src", "srcset"),
           "track": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",)}
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json", "text/template"})


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
    """Every HTML page and stylesheet of the zip: what it loads from elsewhere, what it runs."""
    scan = PageScan()
    files = {e.name for e in zf.entries if not e.is_dir and not e.is_symlink}
    for name in sorted(files):
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in (".html", ".htm", ".xhtml", ".css"):
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
    for match in CSS_URL.finditer(text):
        host = url_host(match.group(2) or match.group(4) or "")
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
        tag = el.tag.lower()
        _element_hosts(el, tag, name, scan)
        handlers = sorted(a for a in el.attrib if a.lower().startswith("on"))
        if handlers:
            scan.foreign_scripts.append(f"{name}: <{tag} {handlers[0]}=…> event handler")
        for attr in ("href", "src", "action", "formaction", "data"):
            if dangerous_url(el.get(attr, "")):
                scan.foreign_scripts.append(f"{name}: <{tag} {attr}='{el.get(attr)[:30]}'>")
        if tag == "style" and el.text:
            _css_hosts(el.text, name, scan)
        if el.get("style"):
            _css_hosts(el.get("style"), name, scan)
        if tag == "script":
            _check_script(el, name, zf, files, scan)


def _element_hosts(el: etree._Element, tag: str, name: str, scan: PageScan) -> None:
    attrs = LOADING.get(tag, ())
    if tag == "link" and re.search(r"stylesheet|icon|preload|manifest", el.get("rel", ""), re.I):
        attrs = ("href",)
    for attr in attrs:
        for value in (el.get(attr) or "").split(",") if attr == "srcset" else [el.get(attr) or ""]:
            host = url_host(value.strip().split(" ")[0])
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
