"""imsmanifest.xml for SCORM 1.2 and SCORM 2004 4th Edition packages, built with lxml."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from lcmodules.export.xmlmeta import manifest_identifier, vcard, xml_id
from lcmodules.model import Module, Quiz

ScormVersion = Literal["1.2", "2004"]

XML_NS = "http://www.w3.org/XML/1998/namespace"
NS12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
}
NS2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
}
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
SCHEMAVERSION = {"1.2": "1.2", "2004": "2004 4th Edition"}


@dataclass
class Sco:
    """One launchable item of the package and the resource behind it."""

    key: str  # stable across versions: the item and resource identifiers derive from it
    title: str
    href: str
    files: list[str]
    mastery: float | None = None  # percentage 0..100 needed to pass, when the SCO has a quiz


@dataclass
class PackagePlan:
    """What the manifest describes: the SCOs, the files they share, the module metadata."""

    module: Module
    scos: list[Sco]
    shared_files: list[str] = field(default_factory=list)
    per_unit: bool = False


def quiz_mastery(quizzes: Iterable[Quiz]) -> float | None:
    """The percentage of points needed to pass, aggregated over quizzes by points.

    Rounded to two decimals; the page tracker compares `cmi.score.raw` with the same number.
    """
    quizzes = list(quizzes)
    total = sum(q.total_points for q in quizzes)
    if not quizzes or total <= 0:
        return None
    needed = sum(q.mastery_score * q.total_points for q in quizzes) / total
    return round(min(max(needed, 0.0), 1.0) * 100 + 1e-9, 2)


def format_number(value: float) -> str:
    """`70` for 70.0, `74.29` for 74.29: no exponent, no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _q(ns: dict[str | None, str], prefix: str | None, name: str) -> str:
    return f"{{{ns[prefix]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: v for k, v in attrib.items()})
    if text is not None:
        el.text = text
    return el


def _rights_text(module: Module) -> str | None:
    meta = module.meta
    if not meta.license:
        return None
    holders = ", ".join(a.name for a in meta.authors)
    return f"{meta.license}" + (f" — {holders}" if holders else "")


# ---------------------------------------------------------------- SCORM 1.2


def _lom12(parent: etree._Element, module: Module) -> None:
    ns = NS12
    meta = module.meta
    lang = meta.language

    def md(el: etree._Element, name: str) -> etree._Element:
        return _sub(el, _q(ns, "imsmd", name))

    def langstring(el: etree._Element, text: str, language: str = lang) -> None:
        ls = _sub(el, _q(ns, "imsmd", "langstring"), text)
        ls.set(f"{{{XML_NS}}}lang", language)

    def vocab(el: etree._Element, value: str) -> None:
        langstring(md(el, "source"), "LOMv1.0", "x-none")
        langstring(md(el, "value"), value, "x-none")

    lom = md(parent, "lom")
    general = md(lom, "general")
    langstring(md(general, "title"), meta.title)
    entry = md(general, "catalogentry")
    md(entry, "catalog").text = "lcmodules"
    langstring(md(entry, "entry"), meta.id, "x-none")
    md(general, "language").text = lang
    if meta.summary:
        langstring(md(general, "description"), meta.summary)
    for keyword in meta.keywords:
        langstring(md(general, "keyword"), keyword)
    life = md(lom, "lifecycle")
    langstring(md(life, "version"), meta.version, "x-none")
    for author in meta.authors:
        contribute = md(life, "contribute")
        vocab(md(contribute, "role"), "Author")
        md(md(contribute, "centity"), "vcard").text = vcard(author.name, author.affiliation,
                                                            author.email)
    rights = _rights_text(module)
    if rights:
        block = md(lom, "rights")
        vocab(md(block, "cost"), "no")
        vocab(md(block, "copyrightandotherrestrictions"), "yes")
        langstring(md(block, "description"), rights, "x-none")


def _manifest_head(plan: PackagePlan, ns: dict[str | None, str], version: str,
                   lom: Callable[[etree._Element, Module], None],
                   ) -> tuple[etree._Element, etree._Element]:
    """`<manifest>` with its identifier, version and metadata, and the one `<organization>`."""
    module = plan.module
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns)
    root.set("identifier", manifest_identifier(module.meta.id))
    root.set("version", module.meta.version)
    metadata = _sub(root, _q(ns, None, "metadata"))
    _sub(metadata, _q(ns, None, "schema"), "ADL SCORM")
    _sub(metadata, _q(ns, None, "schemaversion"), SCHEMAVERSION[version])
    lom(metadata, module)
    orgs = _sub(root, _q(ns, None, "organizations"), default="lcm-org")
    org = _sub(orgs, _q(ns, None, "organization"), identifier="lcm-org")
    _sub(org, _q(ns, None, "title"), module.meta.title)
    return root, org


def manifest_12(plan: PackagePlan) -> etree._Element:
    ns = NS12
    root, org = _manifest_head(plan, ns, "1.2", _lom12)
    for sco in plan.scos:
        item = _sub(org, _q(ns, None, "item"), identifier=xml_id("itm", sco.key),
                    identifierref=xml_id("res", sco.key), isvisible="true")
        _sub(item, _q(ns, None, "title"), sco.title)
        if sco.mastery is not None:
            _sub(item, _q(ns, "adlcp", "masteryscore"), format_number(sco.mastery))
    _resources(root, ns, plan, "scormtype")  # SCORM 1.2 spells it in lower case
    return root


# ---------------------------------------------------------------- SCORM 2004 4th Edition


def _lom2004(parent: etree._Element, module: Module) -> None:
    meta = module.meta
    lang = meta.language

    def el(p: etree._Element, name: str, text: str | None = None) -> etree._Element:
        return _sub(p, f"{{{LOM_NS}}}{name}", text)

    def langstring(p: etree._Element, text: str, language: str | None = lang) -> None:
        s = el(p, "string", text)
        if language:
            s.set("language", language)

    def vocab(p: etree._Element, value: str) -> None:
        el(p, "source", "LOMv1.0")
        el(p, "value", value)

    lom = etree.SubElement(parent, f"{{{LOM_NS}}}lom", nsmap={None: LOM_NS})
    general = el(lom, "general")
    ident = el(general, "identifier")
    el(ident, "catalog", "lcmodules")
    el(ident, "entry", meta.id)
    langstring(el(general, "title"), meta.title)
    el(general, "language", lang)
    if meta.summary:
        langstring(el(general, "description"), meta.summary)
    for keyword in meta.keywords:
        langstring(el(general, "keyword"), keyword)
    life = el(lom, "lifeCycle")
    langstring(el(life, "version"), meta.version, None)
    for author in meta.authors:
        contribute = el(life, "contribute")
        vocab(el(contribute, "role"), "author")
        el(contribute, "entity", vcard(author.name, author.affiliation, author.email))
    if meta.study_load_hours:
        educational = el(lom, "educational")
        minutes = round(meta.study_load_hours * 60)
        hours, minutes = divmod(minutes, 60)
        duration = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        el(el(educational, "typicalLearningTime"), "duration", duration if duration != "PT" else "PT0M")
    rights = _rights_text(module)
    if rights:
        block = el(lom, "rights")
        vocab(el(block, "cost"), "no")
        vocab(el(block, "copyrightAndOtherRestrictions"), "yes")
        langstring(el(block, "description"), rights, None)


def manifest_2004(plan: PackagePlan) -> etree._Element:
    ns = NS2004
    root, org = _manifest_head(plan, ns, "2004", _lom2004)
    for sco in plan.scos:
        item = _sub(org, _q(ns, None, "item"), identifier=xml_id("itm", sco.key),
                    identifierref=xml_id("res", sco.key))
        _sub(item, _q(ns, None, "title"), sco.title)
        if sco.mastery is not None:
            # Success from the score: satisfied when cmi.score.scaled >= minNormalizedMeasure.
            # No <imsss:mapInfo>: Moodle 4.5 cannot import objectives that hold one.
            seq = _sub(item, _q(ns, "imsss", "sequencing"))
            objectives = _sub(seq, _q(ns, "imsss", "objectives"))
            primary = _sub(objectives, _q(ns, "imsss", "primaryObjective"),
                           objectiveID=f"{xml_id('obj', sco.key)}", satisfiedByMeasure="true")
            _sub(primary, _q(ns, "imsss", "minNormalizedMeasure"),
                 format_number(sco.mastery / 100))
    if plan.per_unit:
        seq = _sub(org, _q(ns, "imsss", "sequencing"))
        _sub(seq, _q(ns, "imsss", "controlMode"), choice="true", flow="true")
    _resources(root, ns, plan, "scormType")
    return root



def _resources(root: etree._Element, ns: dict[str | None, str], plan: PackagePlan,
               scormtype_name: str) -> None:
    """`<resources>`: one SCO resource per SCO listing its files, and the shared files (styles,
    scripts, images) as one asset resource every SCO depends on."""
    resources = _sub(root, _q(ns, None, "resources"))
    scormtype = _q(ns, "adlcp", scormtype_name)
    for sco in plan.scos:
        res = _sub(resources, _q(ns, None, "resource"), identifier=xml_id("res", sco.key),
                   type="webcontent", href=sco.href)
        res.set(scormtype, "sco")
        for name in sco.files:
            _sub(res, _q(ns, None, "file"), href=name)
        if plan.shared_files:
            _sub(res, _q(ns, None, "dependency"), identifierref="res-shared")
    if plan.shared_files:
        res = _sub(resources, _q(ns, None, "resource"), identifier="res-shared", type="webcontent")
        res.set(scormtype, "asset")
        for name in plan.shared_files:
            _sub(res, _q(ns, None, "file"), href=name)


def build_manifest(plan: PackagePlan, version: ScormVersion) -> bytes:
    """The manifest document as UTF-8 bytes (deterministic for the same plan)."""
    root = manifest_12(plan) if version == "1.2" else manifest_2004(plan)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
