"""What a SCORM package holds and whether an LMS will import it: the checks of `lcmodules inspect`."""

from __future__ import annotations

import posixpath
import re
from dataclasses import Field, asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import unquote, urlsplit

from lxml import etree

from lcmodules.inspect import schemas as schema_mod
from lcmodules.inspect.pages import scan_pages
from lcmodules.inspect.safezip import (
    MAX_RATIO,
    MAX_XML,
    RATIO_FLOOR,
    SafeZip,
    UnsafeZip,
    unsafe_member_name,
)

if TYPE_CHECKING:
    from lcmodules.inspect.cartridge import CartridgeReport

Severity = Literal["error", "warning", "info"]

NS_12 = schema_mod.NS_12
NS_2004 = schema_mod.NS_2004
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MANIFEST = "imsmanifest.xml"
SCHEMAVERSIONS = {
    NS_12: {"1.2": "ok"},
    NS_2004: {"2004 4th Edition": "ok", "2004 3rd Edition": "old", "CAM 1.3": "old",
              "2004 2nd Edition": "old", "1.3": "old"},
}
SCHEMA_FILE = re.compile(r"^[^/]+\.(xsd|dtd)$", re.I)
LIST_LIMIT = 20  # names listed per finding


@dataclass
class Finding:
    """One problem (error), risk (warning) or remark (info) about the package."""

    severity: Severity
    code: str
    message: str
    hint: str = ""


@dataclass
class Item:
    identifier: str
    title: str
    identifierref: str | None = None
    launch: str | None = None
    parameters: str | None = None
    mastery: str | None = None
    children: list[Item] = field(default_factory=list)


@dataclass
class Organization:
    identifier: str
    title: str
    default: bool
    items: list[Item] = field(default_factory=list)


@dataclass
class ScoInfo:
    resource: str
    launch: str
    files: int
    items: list[str] = field(default_factory=list)


@dataclass
class Sizes:
    files: int = 0
    compressed: int = 0
    uncompressed: int = 0
    package: int = 0
    largest: list[tuple[str, int]] = field(default_factory=list)


class Findings:
    """What a package report (SCORM or cartridge) says of its findings; a dataclass with a
    `findings` list inherits it."""

    findings: list[Finding]
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # set by @dataclass on the subclass

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: Severity, code: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(severity, code, message, hint))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["errors"] = len(self.errors)
        data["warnings"] = len([f for f in self.findings if f.severity == "warning"])
        return data


@dataclass
class Report(Findings):
    """Everything `inspect` found out; `ok` when there is no error."""

    path: str
    manifest_only: bool = False
    scorm_version: str | None = None
    schemaversion: str | None = None
    identifier: str | None = None
    version: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    organizations: list[Organization] = field(default_factory=list)
    scos: list[ScoInfo] = field(default_factory=list)
    resources: int = 0
    sizes: Sizes = field(default_factory=Sizes)
    schema: dict[str, Any] = field(default_factory=lambda: {"checked": False})
    findings: list[Finding] = field(default_factory=list)
    external_hosts: dict[str, list[str]] = field(default_factory=dict)
    foreign_scripts: list[str] = field(default_factory=list)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LIST_LIMIT])
    return shown + (f" … and {len(names) - LIST_LIMIT} more" if len(names) > LIST_LIMIT else "")


def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML: no network, no DTD loading, no entity expansion."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_pis=True)
    return etree.fromstring(data, parser)


# ---------------------------------------------------------------- the zip itself


def check_zip(zf: SafeZip, report: Report | CartridgeReport) -> None:
    files = [e for e in zf.entries if not e.is_dir]
    report.sizes = Sizes(
        files=len(files), compressed=sum(e.compressed for e in files),
        uncompressed=sum(e.size for e in files), package=zf.path.stat().st_size,
        largest=[(e.name, e.size) for e in sorted(files, key=lambda e: (-e.size, e.name))[:5]],
    )
    links = [e.name for e in zf.entries if e.is_symlink]
    if links:
        report.add("error", "symlink", f"the zip holds symbolic links: {_names(links)}",
                   "LMSs refuse links (they could point outside the package); add the files themselves")
    encrypted = [e.name for e in zf.entries if e.encrypted]
    if encrypted:
        report.add("error", "encrypted", f"encrypted entries: {_names(encrypted)}",
                   "LMSs cannot read password-protected zips; zip it again without a password")
    bombs = [e.name for e in files if zf.suspicious_ratio(e)]
    if bombs:
        report.add("error", "zip-bomb",
                   f"entries unpack to over {MAX_RATIO} times their packed size and over "
                   f"{RATIO_FLOOR // 1024**2} MB: {_names(bombs)}",
                   "this looks like a zip bomb; it was not unpacked")
    bad: dict[str, list[str]] = {}
    for e in zf.entries:
        problem = unsafe_member_name(e.name)
        if problem:
            bad.setdefault(problem, []).append(e.name)
    for problem, names in bad.items():
        code = "absolute-path" if problem == "absolute path" else "parent-path" \
            if "'..'" in problem else "unsafe-name"
        report.add("error", code, f"zip entries with an unsafe path ({problem}): {_names(names)}",
                   "an LMS must refuse to unpack these; keep every file inside the package folder")
    counts: dict[str, int] = {}
    for name in zf.names:
        counts[name] = counts.get(name, 0) + 1
    dupes = sorted(n for n, c in counts.items() if c > 1)
    if dupes:
        report.add("error", "duplicate-entry", f"names stored twice in the zip: {_names(dupes)}",
                   "LMSs keep one of them at random; zip the folder again")
    check_file_names([e.name for e in files], report)


def check_file_names(names: list[str], report: Findings) -> None:
    non_ascii = [n for n in names if not n.isascii()]
    spaces = [n for n in names if any(ch.isspace() for ch in n)]
    control = [n for n in names if any(ord(ch) < 32 for ch in n)]
    if non_ascii:
        report.add("error", "non-ascii-name", f"file names with non-ASCII characters: {_names(non_ascii)}",
                   "some LMSs and servers mangle them and the links break; rename to ASCII")
    if spaces:
        report.add("error", "space-in-name", f"file names with spaces: {_names(spaces)}",
                   "links to them break in several LMSs; use '-' or '_' instead")
    if control:
        report.add("error", "control-char-name", f"file names with control characters: {_names(control)}")
    folded: dict[str, list[str]] = {}
    for n in names:
        folded.setdefault(n.casefold(), []).append(n)
    clashes = [" = ".join(v) for v in folded.values() if len(v) > 1]
    if clashes:
        report.add("error", "case-clash", f"file names that differ only in case: {_names(clashes)}",
                   "on Windows-based or case-insensitive LMS storage one overwrites the other")


# ---------------------------------------------------------------- the manifest


class _Manifest:
    """Reading an imsmanifest.xml of either SCORM version."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""
        self.adlcp = ADLCP_12 if self.ns == NS_12 else ADLCP_2004

    def cp(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def child(self, el: etree._Element, name: str) -> etree._Element | None:
        return el.find(self.cp(name))

    def children(self, el: etree._Element, name: str) -> list[etree._Element]:
        return el.findall(self.cp(name))

    def scormtype(self, res: etree._Element) -> str:
        for attr in (f"{{{ADLCP_12}}}scormtype", f"{{{ADLCP_2004}}}scormType",
                     f"{{{ADLCP_12}}}scormType", f"{{{ADLCP_2004}}}scormtype"):
            value = res.get(attr)
            if value is not None:
                return value.strip().lower()
        return ""


def local_ref(href: str) -> tuple[str | None, str | None]:
    """(zip path, problem) of an href: external URLs give (None, None)."""
    href = href.strip()
    parts = urlsplit(href)
    if parts.scheme and len(parts.scheme) > 1 or href.startswith("//"):
        return None, None
    path = unquote(parts.path)
    if not path:
        return None, "empty href"
    if path.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path) or path.startswith("\\"):
        return path, "absolute path"
    if "\\" in path:
        return path, "backslash in the path"
    if ".." in path.split("/"):
        return path, "'..' in the path"
    return posixpath.normpath(path) if path not in (".", "") else path, None


def _join(base: str, href: str) -> str:
    if not base or urlsplit(href).scheme:
        return href
    return base.rstrip("/") + "/" + href if not base.endswith("/") else base + href


def analyse_manifest(root: etree._Element, report: Report, files: set[str] | None,
                     read: Any = None) -> None:
    """Fill `report` from the manifest; `files` is the set of zip file names (None: manifest only)."""
    m = _Manifest(root)
    if not _check_namespace(root, m, report):
        return
    report.identifier = root.get("identifier")
    report.version = root.get("version")
    _check_schemaversion(root, m, report)
    _check_identifiers(root, m, report)
    refs = _Refs(files)
    resources, res_by_id = _check_resources(root, m, report, refs)
    items_of = _read_organizations(root, m, report, res_by_id)
    for res in resources:
        if m.scormtype(res) == "sco":
            rid = res.get("identifier") or "?"
            report.scos.append(ScoInfo(resource=rid, launch=res.get("href") or "",
                                       files=len(m.children(res, "file")),
                                       items=items_of.get(rid, [])))
    if resources and not report.scos:
        report.add("warning", "no-sco", "no resource is a SCO",
                   "the LMS can show the content but records no progress or score")
    refs.report(report)
    if any(True for _ in root.iter(f"{{{IMSSS}}}mapInfo")):
        report.add("warning", "mapinfo",
                   "the sequencing holds <imsss:mapInfo> (global objectives)",
                   "Moodle 4.5 fails to import objectives that hold mapInfo")
    report.metadata = read_metadata(m, root, read)
    if not report.metadata.get("title") and report.organizations:
        default_org = next((o for o in report.organizations if o.default), report.organizations[0])
        report.metadata["title"] = default_org.title
    if report.version is None and report.metadata.get("version"):
        report.version = report.metadata["version"]


def _check_namespace(root: etree._Element, m: _Manifest, report: Report) -> bool:
    if etree.QName(root).localname != "manifest":
        report.add("error", "not-a-manifest", f"the root element is <{etree.QName(root).localname}>, "
                   "not <manifest>")
        return False
    if m.ns == NS_12:
        report.scorm_version = "1.2"
    elif m.ns == NS_2004:
        report.scorm_version = "2004"
    else:
        report.add("error", "namespace", f"unknown manifest namespace '{m.ns}'",
                   f"SCORM 1.2 uses {NS_12}, SCORM 2004 uses {NS_2004}")
        return False
    return True


def _check_schemaversion(root: etree._Element, m: _Manifest, report: Report) -> None:
    metadata = m.child(root, "metadata")
    schema = m.child(metadata, "schema") if metadata is not None else None
    sv_el = m.child(metadata, "schemaversion") if metadata is not None else None
    schemaversion = _text(sv_el) if sv_el is not None else None
    report.schemaversion = schemaversion
    expected = "1.2" if m.ns == NS_12 else "2004 4th Edition"
    if schemaversion is None:
        severity: Severity = "warning" if m.ns == NS_12 else "error"
        report.add(severity, "schemaversion-missing",
                   "the manifest has no <metadata><schemaversion>",
                   f"add <schema>ADL SCORM</schema><schemaversion>{expected}</schemaversion>; "
                   "LMSs such as Moodle then assume SCORM 1.2")
    else:
        status = SCHEMAVERSIONS[m.ns].get(schemaversion)
        if status == "ok":
            report.scorm_version = "1.2" if m.ns == NS_12 else "2004 4th Edition"
        elif status == "old":
            report.scorm_version = f"2004 ({schemaversion})"
            report.add("warning", "schemaversion-old",
                       f"<schemaversion> is '{schemaversion}', an older SCORM 2004 edition",
                       "LMSs that recognise SCORM 2004 by '2004 4th Edition' (Moodle) may treat "
                       "the package as SCORM 1.2; republish it as 4th Edition if they do")
        else:
            report.add("error", "schemaversion-mismatch",
                       f"<schemaversion> '{schemaversion}' does not match the manifest namespace "
                       f"({'SCORM 1.2' if m.ns == NS_12 else 'SCORM 2004'})",
                       f"write exactly '{expected}', or use the namespace of the version you mean")
    if schema is not None and _text(schema) != "ADL SCORM":
        report.add("warning", "schema-name", f"<schema> is '{_text(schema)}', not 'ADL SCORM'")


def _check_identifiers(root: etree._Element, m: _Manifest, report: Report) -> None:
    ids: dict[str, int] = {}
    for el in root.iter(m.cp("manifest"), m.cp("organization"), m.cp("item"), m.cp("resource")):
        ident = el.get("identifier")
        if ident is None:
            if etree.QName(el).localname != "manifest":
                report.add("error", "identifier-missing",
                           f"a <{etree.QName(el).localname}> has no identifier")
            continue
        ids[ident] = ids.get(ident, 0) + 1
    dupes = sorted(i for i, n in ids.items() if n > 1)
    if dupes:
        report.add("error", "duplicate-identifier", f"identifiers used more than once: {_names(dupes)}",
                   "every manifest, organization, item and resource identifier must be unique")


class _Refs:
    """The file references of a manifest: which are unsafe, missing, external or listed."""

    def __init__(self, files: set[str] | None) -> None:
        self.files = files
        self.referenced: set[str] = set()
        self.problems: dict[str, list[str]] = {}
        self.missing: list[str] = []
        self.external: list[str] = []

    def resolve(self, href: str, base: str, what: str) -> str | None:
        path, problem = local_ref(_join(base, href))
        if problem:
            self.problems.setdefault(problem, []).append(f"{href} ({what})")
            return None
        if path is None:
            self.external.append(href)
            return None
        self.referenced.add(path)
        if self.files is not None and path not in self.files:
            self.missing.append(f"{path} ({what})")
        return path

    def report(self, report: Report) -> None:
        for problem, hrefs in self.problems.items():
            code = "absolute-path" if problem == "absolute path" else "parent-path" \
                if "'..'" in problem else "unsafe-href"
            report.add("error", code, f"references with an unsafe path ({problem}): {_names(hrefs)}",
                       "refer to files inside the package with relative paths")
        if self.missing:
            report.add("error", "missing-file",
                       f"referenced files missing from the zip: {_names(self.missing)}",
                       "add the files, or correct the href (names are case-sensitive)")
        if self.external:
            report.add("warning", "external-reference",
                       f"references outside the package: {_names(sorted(set(self.external)))}",
                       "the package then needs the network and that server at run time")
        if self.files is None:
            return
        unreferenced = sorted(f for f in self.files if f not in self.referenced
                              and f != MANIFEST and not SCHEMA_FILE.match(f))
        if unreferenced:
            report.add("error", "unreferenced-file",
                       f"files in the zip that no resource lists: {_names(unreferenced)}",
                       "list them as <file> of a resource (or remove them); LMSs that copy only "
                       "listed files break links to them")


def _check_resources(root: etree._Element, m: _Manifest, report: Report,
                     refs: _Refs) -> tuple[list[etree._Element], dict[str, etree._Element]]:
    resources_el = m.child(root, "resources")
    base_root = root.get(XML_BASE) or ""
    base_resources = (resources_el.get(XML_BASE) or "") if resources_el is not None else ""
    resources = m.children(resources_el, "resource") if resources_el is not None else []
    report.resources = len(resources)
    res_by_id: dict[str, etree._Element] = {}
    for res in resources:
        res_by_id.setdefault(res.get("identifier") or "?", res)
    for res in resources:
        rid = res.get("identifier") or "?"
        base = _join(_join(base_root, base_resources), res.get(XML_BASE) or "") \
            if (base_root or base_resources or res.get(XML_BASE)) else ""
        for f in m.children(res, "file"):
            href = f.get("href")
            if href is None:
                report.add("error", "file-href-missing", f"a <file> of resource '{rid}' has no href")
                continue
            refs.resolve(href, base, f"file of resource '{rid}'")
        href = res.get("href")
        if href is not None:
            refs.resolve(href, base, f"launch file of resource '{rid}'")
        for dep in m.children(res, "dependency"):
            target = dep.get("identifierref")
            if target not in res_by_id:
                report.add("error", "dependency-target",
                           f"resource '{rid}' depends on '{target}', which is no resource",
                           "point identifierref at the identifier of a <resource>")
    # external metadata files count as referenced
    for loc in root.iter(f"{{{ADLCP_12}}}location", f"{{{ADLCP_2004}}}location"):
        if loc.text and loc.text.strip():
            refs.resolve(loc.text.strip(), base_root, "metadata file")
    return resources, res_by_id


def _read_organizations(root: etree._Element, m: _Manifest, report: Report,
                        res_by_id: dict[str, etree._Element]) -> dict[str, list[str]]:
    """Organizations and their items into `report`; returns resource id → item ids."""
    orgs_el = m.child(root, "organizations")
    org_els = m.children(orgs_el, "organization") if orgs_el is not None else []
    default = orgs_el.get("default") if orgs_el is not None else None
    if not org_els:
        report.add("warning", "no-organization", "the manifest has no <organization>",
                   "most LMSs then show the resources without a table of contents")
    elif default is not None and default not in {o.get("identifier") for o in org_els}:
        report.add("error", "default-organization",
                   f"<organizations default=\"{default}\"> names no organization",
                   "set default to the identifier of an <organization>")
    items_of: dict[str, list[str]] = {}
    for org in org_els:
        ident = org.get("identifier") or "?"
        report.organizations.append(Organization(
            identifier=ident, title=_text(m.child(org, "title")),
            default=ident == default or (default is None and org is org_els[0]),
            items=[_item(i, m, report, res_by_id, items_of) for i in m.children(org, "item")],
        ))
    return items_of


def _item(el: etree._Element, m: _Manifest, report: Report, res_by_id: dict[str, etree._Element],
          items_of: dict[str, list[str]]) -> Item:
    ident = el.get("identifier") or "?"
    ref = el.get("identifierref")
    item = Item(identifier=ident, title=_text(m.child(el, "title")), identifierref=ref,
                parameters=el.get("parameters"))
    mastery = el.find(f"{{{ADLCP_12}}}masteryscore")
    if mastery is not None:
        item.mastery = _text(mastery)
    measure = el.find(f"{{{IMSSS}}}sequencing/{{{IMSSS}}}objectives/{{{IMSSS}}}primaryObjective"
                      f"/{{{IMSSS}}}minNormalizedMeasure")
    if measure is not None:
        item.mastery = _text(measure)
    if ref is not None:
        target = res_by_id.get(ref)
        if target is None:
            report.add("error", "identifierref-target",
                       f"item '{ident}' refers to '{ref}', which is no resource",
                       "point identifierref at the identifier of a <resource>")
        else:
            items_of.setdefault(ref, []).append(ident)
            href = target.get("href")
            if href is None:
                report.add("error", "launch-missing",
                           f"item '{ident}' launches resource '{ref}', which has no href")
            else:
                item.launch = href + (el.get("parameters") or "")
    item.children = [_item(c, m, report, res_by_id, items_of) for c in m.children(el, "item")]
    return item


# ---------------------------------------------------------------- metadata


def _lang_text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    for child in el.iter():
        if etree.QName(child).localname in ("string", "langstring") and child.text:
            return " ".join(child.text.split())
    text = _text(el)
    return text or None


def lom_fields(lom: etree._Element) -> dict[str, Any]:
    """Title, description, language, version and keywords of a LOM record (2004 or IMS MD 1.2)."""

    def find(*path: str) -> etree._Element | None:
        node: etree._Element | None = lom
        for name in path:
            if node is None:
                return None
            node = next((c for c in node if isinstance(c.tag, str)
                         and etree.QName(c).localname.lower() == name.lower()), None)
        return node

    general = find("general")
    out: dict[str, Any] = {}
    if general is not None:
        out["title"] = _lang_text(find("general", "title"))
        out["description"] = _lang_text(find("general", "description"))
        lang = find("general", "language")
        out["language"] = _text(lang) or None
        out["keywords"] = [k for k in (
            _lang_text(c) for c in general
            if isinstance(c.tag, str) and etree.QName(c).localname == "keyword") if k]
    version = find("lifeCycle", "version") if find("lifeCycle") is not None else \
        find("lifecycle", "version")
    out["version"] = _lang_text(version)
    return {k: v for k, v in out.items() if v}


def read_metadata(m: _Manifest, root: etree._Element, read: Any) -> dict[str, Any]:
    metadata = m.child(root, "metadata")
    if metadata is None:
        return {}
    for child in metadata:
        if isinstance(child.tag, str) and etree.QName(child).localname == "lom":
            return lom_fields(child)
    loc = metadata.find(f"{{{m.adlcp}}}location")
    if loc is not None and loc.text and read is not None:
        path, problem = local_ref(loc.text.strip())
        if path and not problem:
            try:
                doc = parse_xml(read(path))
            except (KeyError, UnsafeZip, etree.XMLSyntaxError):
                return {}
            if etree.QName(doc).localname == "lom":
                return lom_fields(doc)
    return {}


# ---------------------------------------------------------------- entry points


def _finish_schema(report: Report, root: etree._Element, schema_dir: Path | None) -> None:
    if schema_dir is None:
        report.schema = {"checked": False, "reason": "no schemas: pass --schemas DIR or set "
                         f"{schema_mod.ENV}"}
        return
    valid, messages, used = schema_mod.validate(root, schema_dir)
    if valid is None:
        report.schema = {"checked": False, "reason": messages[0] if messages else
                         f"no schema for this manifest under {schema_dir}"}
        return
    report.schema = {"checked": True, "valid": valid, "schema": used, "errors": messages[:50]}
    if not valid:
        shown = "; ".join(messages[:5]) + (f" (+{len(messages) - 5} more)" if len(messages) > 5 else "")
        report.add("error", "schema", f"the manifest is not valid against the ADL schemas: {shown}",
                   "fix the manifest; LMSs that validate on import refuse it")


def inspect_package(path: str | Path, schema_dir: Path | None = None) -> Report:
    """Inspect a SCORM zip (or a lone imsmanifest.xml); never raises for bad input."""
    path = Path(path)
    report = Report(path=str(path))
    if path.suffix.lower() == ".xml":
        _inspect_manifest_file(path, report, schema_dir)
        return report
    zf = open_zip(path, report)
    if zf is not None:
        with zf:
            _inspect_zip(zf, report, schema_dir)
    return report


def open_zip(path: Path, report: Findings) -> SafeZip | None:
    """The package opened through SafeZip's guards, or None with the reason in `report`."""
    try:
        return SafeZip(path)
    except UnsafeZip as exc:
        report.add("error", "refused", str(exc))
    except OSError as exc:
        report.add("error", "unreadable", f"cannot read {path}: {exc.strerror or exc}")
    return None


def _inspect_manifest_file(path: Path, report: Report, schema_dir: Path | None) -> None:
    report.manifest_only = True
    try:
        if path.stat().st_size > MAX_XML:
            raise UnsafeZip(f"the manifest is larger than {MAX_XML:,} bytes")
        root = parse_xml(path.read_bytes())
    except (OSError, UnsafeZip) as exc:
        report.add("error", "unreadable", str(exc))
        return
    except etree.XMLSyntaxError as exc:
        report.add("error", "xml", f"the manifest is not well-formed XML: {exc}")
        return
    analyse_manifest(root, report, None)
    _finish_schema(report, root, schema_dir)
    report.add("info", "manifest-only", "only the manifest was checked, not the files")


def _inspect_zip(zf: SafeZip, report: Report, schema_dir: Path | None) -> None:
    check_zip(zf, report)
    check_pages(zf, report)
    files = {e.name for e in zf.entries if not e.is_dir}
    if MANIFEST not in files:
        nested = [n for n in files if n.rsplit("/", 1)[-1].lower() == MANIFEST]
        if nested:
            report.add("error", "manifest-not-at-root",
                       f"imsmanifest.xml is not at the root of the zip (found: {_names(sorted(nested))})",
                       "zip the contents of the package folder, not the folder itself; "
                       "Moodle and other LMSs refuse the package otherwise")
        else:
            report.add("error", "manifest-missing", "the zip holds no imsmanifest.xml",
                       "this is not a SCORM package")
        return
    try:
        root = parse_xml(zf.read(MANIFEST))
    except UnsafeZip as exc:
        report.add("error", "manifest-unreadable", str(exc))
        return
    except etree.XMLSyntaxError as exc:
        report.add("error", "xml", f"imsmanifest.xml is not well-formed XML: {exc}")
        return
    analyse_manifest(root, report, files, zf.read)
    _finish_schema(report, root, schema_dir)


def check_pages(zf: SafeZip, report: Report) -> None:
    """What the pages load from other hosts and which scripts did not come from lcmodules."""
    scan = scan_pages(zf)
    report.external_hosts = {host: scan.hosts[host] for host in sorted(scan.hosts)}
    report.foreign_scripts = scan.foreign_scripts
    if scan.hosts:
        hosts = ", ".join(f"{h} ({_names(scan.hosts[h])})" for h in sorted(scan.hosts))
        report.add("warning", "needs-internet", f"needs internet: {hosts}",
                   "learners without access to these hosts see gaps, and each host sees who "
                   "opens the pages")
    if scan.foreign_scripts:
        report.add("warning", "foreign-scripts",
                   f"pages run scripts that did not come from lcmodules: "
                   f"{_names(scan.foreign_scripts)}",
                   "review them before uploading: they run in the LMS page with the login of "
                   "whoever opens it")
