"""What an IMS Common Cartridge holds and whether LMSs will import it: `inspect` for `.imscc`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree, isoschematron

from lcmodules.inspect.package import (
    Finding,
    Findings,
    Sizes,
    check_zip,
    open_zip,
    parse_xml,
)
from lcmodules.inspect.safezip import SafeZip, UnsafeZip
from lcmodules.inspect.schemas import load_schema

MANIFEST = "imsmanifest.xml"
CC_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imscc/imscp_v1p1": "1.0",
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "1.1",
    "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1": "1.2",
    "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1": "1.3",
}
CC11 = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XS_NS = "http://www.w3.org/2001/XMLSchema"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
MANIFEST_XSD = "cc11/cc11libxml2validator.xsd"
QTI_XSD = "cc11/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
MANIFEST_RULES = ("cc11/ccv1p1_imscp_v1p2_v1p0.xsd", "cc11/ccv1p1_lommanifest_v1p0.xsd")
QTI_RULES = ("cc11/ccv1p1_qtiasiv1p2p1_v1p0.xsd",)
MOODLE_SNIFF = 1024  # Moodle looks for the default namespace in this many bytes


@dataclass
class CcItem:
    identifier: str
    title: str
    resource: str | None = None
    children: list[CcItem] = field(default_factory=list)


@dataclass
class CcResource:
    identifier: str
    type: str
    href: str | None
    files: int


@dataclass
class CcQuiz:
    resource: str
    file: str
    title: str
    questions: list[dict[str, str]] = field(default_factory=list)  # ident, title, type, weight


@dataclass
class CartridgeReport(Findings):
    """Everything `inspect` found out about a cartridge; `ok` when there is no error."""

    path: str
    kind: str = "imscc"
    cc_version: str | None = None
    identifier: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    items: list[CcItem] = field(default_factory=list)
    resources: list[CcResource] = field(default_factory=list)
    quizzes: list[CcQuiz] = field(default_factory=list)
    sizes: Sizes = field(default_factory=Sizes)
    schema: dict[str, Any] = field(default_factory=lambda: {"checked": False})
    findings: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------- Schematron from the XSDs


@lru_cache(maxsize=8)
def schematron(paths: tuple[str, ...]) -> isoschematron.Schematron:
    """The Schematron rules embedded in the `xs:appinfo` of these CC schemas, as one schema."""
    root = etree.Element(f"{{{SCH_NS}}}schema", nsmap={"sch": SCH_NS}, queryBinding="xslt")
    prefixes: set[str] = set()
    patterns: list[etree._Element] = []
    for path in paths:
        tree = etree.parse(path, etree.XMLParser(no_network=True, resolve_entities=False))
        for appinfo in tree.iter(f"{{{XS_NS}}}appinfo"):
            for el in appinfo.iterchildren(f"{{{SCH_NS}}}ns"):
                if el.get("prefix") not in prefixes:
                    prefixes.add(el.get("prefix"))
                    root.append(etree.fromstring(etree.tostring(el)))
            patterns.extend(appinfo.iterchildren(f"{{{SCH_NS}}}pattern"))
    for pattern in patterns:
        copy = etree.fromstring(etree.tostring(pattern))
        copy.attrib.pop("name", None)  # Schematron 1.5 spelling; ISO has titles
        root.append(copy)
    # The IMS rule files put titles where ISO Schematron wants none: run them as written.
    return isoschematron.Schematron(root, store_report=True, validate_schema=False)


def schematron_failures(doc: etree._Element, paths: tuple[str, ...]) -> list[str]:
    rules = schematron(paths)
    if rules.validate(doc):
        return []
    report = rules.validation_report
    return [" ".join("".join(f.itertext()).split())
            for f in report.iter(f"{{{SVRL_NS}}}failed-assert")]


def xsd_failures(doc: etree._Element, path: Path) -> list[str]:
    schema = load_schema(str(path))
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# ---------------------------------------------------------------- reading the manifest


def _cc(name: str) -> str:
    return f"{{{CC11}}}{name}"


def _item(el: etree._Element, ns: str) -> CcItem:
    return CcItem(el.get("identifier", ""), (el.findtext(f"{{{ns}}}title") or "").strip(),
                  el.get("identifierref"),
                  [_item(c, ns) for c in el.iterchildren(f"{{{ns}}}item")])


def read_structure(root: etree._Element, ns: str, report: CartridgeReport,
                   files: set[str]) -> dict[str, etree._Element]:
    """Metadata, items and resources; checks that every reference and file resolves."""
    lom = next((e for e in root.iter() if isinstance(e.tag, str)
                and etree.QName(e).localname == "general"), None)
    if lom is not None:
        def text(name: str) -> str | None:
            found = [e for e in lom.iter() if isinstance(e.tag, str)
                     and etree.QName(e).localname == name]
            return " ".join("".join(found[0].itertext()).split()) if found else None
        report.metadata = {"title": text("title"), "language": text("language"),
                           "description": text("description")}
    org = root.find(f"{{{ns}}}organizations/{{{ns}}}organization/{{{ns}}}item")
    report.items = [_item(c, ns) for c in org.iterchildren(f"{{{ns}}}item")] if org is not None else []
    resources = {r.get("identifier", ""): r for r in root.iter(f"{{{ns}}}resource")}
    missing: list[str] = []
    for ident, res in resources.items():
        listed = [f.get("href", "") for f in res.iterchildren(f"{{{ns}}}file")]
        report.resources.append(CcResource(ident, res.get("type", ""), res.get("href"), len(listed)))
        missing += [name for name in listed if name not in files]
        href = res.get("href")
        if href and href.split("#")[0] not in listed:
            report.add("error", "href-not-listed", f"resource {ident}: its href {href} is not one "
                       "of its files", "list the launch file as a <file> of the resource")
    if missing:
        report.add("error", "missing-file", f"files named in the manifest but not in the zip: "
                   f"{', '.join(sorted(set(missing))[:20])}", "add them or remove the <file>")
    refs = [i.get("identifierref") for i in root.iter(f"{{{ns}}}item") if i.get("identifierref")]
    dangling = sorted({r for r in refs if r not in resources})
    if dangling:
        report.add("error", "dangling-item", f"items point at resources that do not exist: "
                   f"{', '.join(dangling)}", "every identifierref must name a <resource>")
    return resources


def read_quiz(zf: SafeZip, res: etree._Element, ns: str, report: CartridgeReport,
              schema_dir: Path | None) -> None:
    file = res.find(f"{{{ns}}}file")
    name = file.get("href", "") if file is not None else ""
    if name not in zf.names:
        return
    try:
        doc = parse_xml(zf.read(name))
    except (UnsafeZip, etree.XMLSyntaxError) as exc:
        report.add("error", "qti-unreadable", f"{name}: {exc}")
        return
    q = f"{{{QTI_NS}}}"
    assessment = doc.find(f"{q}assessment")
    quiz = CcQuiz(res.get("identifier", ""), name,
                  assessment.get("title", "") if assessment is not None else "")
    for item in doc.iter(f"{q}item"):
        fields = {f.findtext(f"{q}fieldlabel"): f.findtext(f"{q}fieldentry")
                  for f in item.iter(f"{q}qtimetadatafield")}
        quiz.questions.append({"ident": item.get("ident", ""), "title": item.get("title", ""),
                               "type": fields.get("cc_profile") or "?",
                               "weighting": fields.get("cc_weighting") or "1"})
    report.quizzes.append(quiz)
    if schema_dir is not None:
        check_document(doc, name, schema_dir / QTI_XSD,
                       tuple(str(schema_dir / r) for r in QTI_RULES), report)


def check_document(doc: etree._Element, name: str, xsd: Path, rules: tuple[str, ...],
                   report: CartridgeReport) -> None:
    """XSD and Schematron checks of one document, recorded in `report.schema`."""
    if not xsd.is_file():
        report.schema = {"checked": False, "reason": f"no CC 1.1 schemas at {xsd.parent}"}
        return
    problems = xsd_failures(doc, xsd) + schematron_failures(doc, rules)
    valid = report.schema.get("valid", True) and not problems
    report.schema.update(checked=True, valid=valid)
    report.schema.setdefault("documents", {})[name] = problems[:50]
    if problems:
        shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        report.add("error", "schema", f"{name} breaks the CC 1.1 schemas or their rules: {shown}",
                   "LMSs that validate on import (Moodle) refuse the cartridge")


def check_manifest_bytes(data: bytes, report: CartridgeReport) -> None:
    if b'xmlns="' + CC11.encode() + b'"' not in data[:MOODLE_SNIFF]:
        report.add("warning", "moodle-detection", "the CC 1.1 default namespace is not declared "
                   f"in the first {MOODLE_SNIFF} bytes of {MANIFEST}",
                   "Moodle will not recognise the cartridge; declare xmlns on <manifest> first")


def _inspect_zip(zf: SafeZip, report: CartridgeReport, schema_dir: Path | None) -> None:
    check_zip(zf, report)
    files = {e.name for e in zf.entries if not e.is_dir}
    if MANIFEST not in files:
        report.add("error", "manifest-missing", "the cartridge holds no imsmanifest.xml at its root",
                   "zip the contents of the cartridge folder, not the folder itself")
        return
    if any(n.startswith("non_cc_assessments/") or n == "course_settings/canvas_export.txt"
           for n in files):
        report.add("warning", "canvas-extension", "the cartridge carries Canvas's own export "
                   "files", "Canvas then reads those instead of the QTI of the cartridge")
    try:
        data = zf.read(MANIFEST)
        root = parse_xml(data)
    except (UnsafeZip, etree.XMLSyntaxError) as exc:
        report.add("error", "manifest-unreadable", f"{MANIFEST}: {exc}")
        return
    ns = etree.QName(root).namespace or ""
    report.cc_version = CC_NAMESPACES.get(ns)
    report.identifier = root.get("identifier")
    if report.cc_version is None:
        report.add("error", "not-a-cartridge", f"{MANIFEST} is not in a Common Cartridge namespace "
                   f"({ns or 'none'})", "a SCORM package? inspect it as a .zip")
        return
    if report.cc_version not in ("1.0", "1.1"):
        report.add("warning", "cc-version", f"Common Cartridge {report.cc_version}",
                   "Moodle imports only 1.0 and 1.1")
    check_manifest_bytes(data, report)
    resources = read_structure(root, ns, report, files)
    for res in resources.values():
        if res.get("type") == ASSESSMENT:
            read_quiz(zf, res, ns, report, schema_dir if ns == CC11 else None)
    if schema_dir is None:
        report.schema = {"checked": False, "reason": "no schemas: pass --schemas DIR"}
    elif ns != CC11:
        report.schema = {"checked": False, "reason": f"no schemas for CC {report.cc_version}"}
    else:
        check_document(root, MANIFEST, schema_dir / MANIFEST_XSD,
                       tuple(str(schema_dir / r) for r in MANIFEST_RULES), report)


def is_cartridge(path: str | Path) -> bool:
    """Whether a file is a Common Cartridge: named `.imscc`, or a zip whose manifest is in a CC
    namespace (read safely; a zip that cannot be read is left to the SCORM checks)."""
    path = Path(path)
    if path.suffix.lower() == ".imscc":
        return True
    if path.suffix.lower() != ".zip":
        return False
    try:
        with SafeZip(path) as zf:
            if MANIFEST not in zf.names:
                return False
            head = zf.read(MANIFEST)[:MOODLE_SNIFF * 4]
    except (UnsafeZip, OSError):
        return False
    return any(ns.encode() in head for ns in CC_NAMESPACES)


def inspect_cartridge(path: str | Path, schema_dir: Path | None = None) -> CartridgeReport:
    """Inspect a `.imscc` file safely (the same zip guards as for SCORM); never raises for bad
    input."""
    path = Path(path)
    report = CartridgeReport(path=str(path))
    zf = open_zip(path, report)
    if zf is not None:
        with zf:
            _inspect_zip(zf, report, schema_dir)
    return report
