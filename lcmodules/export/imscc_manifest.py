"""imsmanifest.xml of an IMS Common Cartridge 1.1: LOM metadata, one organisation, resources."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from lcmodules.export.xmlmeta import vcard

CC_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOMM_NS = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://www.imsglobal.org/profile/cc/ccv1p1/"
SCHEMA_LOCATION = (f"{CC_NS} {PROFILE}ccv1p1_imscp_v1p2_v1p0.xsd "
                   f"{LOMM_NS} {PROFILE}LOM/ccv1p1_lommanifest_v1p0.xsd")
WEBCONTENT = "webcontent"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"


@dataclass
class Person:
    name: str
    affiliation: str | None = None
    email: str | None = None


@dataclass
class CartridgeMeta:
    """What the manifest's LOM says about the cartridge (a module or a whole course)."""

    identifier: str  # the module id, or the course slug
    title: str
    language: str
    descriptions: list[str] = field(default_factory=list)  # summary first, then facts
    keywords: list[str] = field(default_factory=list)
    authors: list[Person] = field(default_factory=list)
    rights: str | None = None
    objectives: list[str] = field(default_factory=list)
    level: str | None = None


@dataclass
class Resource:
    identifier: str
    type: str  # WEBCONTENT or ASSESSMENT
    files: list[str]
    href: str | None = None  # the launch file of a web page; never set for an assessment
    dependencies: list[str] = field(default_factory=list)


@dataclass
class Item:
    identifier: str
    title: str
    ref: str | None = None  # the resource it opens; a folder item has children instead
    children: list[Item] = field(default_factory=list)


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None,
        **attrib: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}", attrib)
    if text is not None:
        node.text = text
    return node


def _lom(parent: etree._Element, meta: CartridgeMeta) -> None:
    """The CC 1.1 manifest profile of LOM (no version or learning time: the profile has none;
    they are in the descriptions)."""

    def el(p: etree._Element, name: str, text: str | None = None) -> etree._Element:
        return _el(p, LOMM_NS, name, text)

    def langstring(p: etree._Element, text: str, language: str | None = meta.language) -> None:
        string = el(p, "string", text)
        if language:
            string.set("language", language)

    lom = el(parent, "lom")
    general = el(lom, "general")
    ident = el(general, "identifier")
    el(ident, "catalog", "lcmodules")
    el(ident, "entry", meta.identifier)
    langstring(el(general, "title"), meta.title)
    el(general, "language", meta.language)
    for text in meta.descriptions:
        langstring(el(general, "description"), text)
    for keyword in meta.keywords:
        langstring(el(general, "keyword"), keyword)
    if meta.authors:
        life = el(lom, "lifeCycle")
        for person in meta.authors:
            contribute = el(life, "contribute")
            el(el(contribute, "role"), "value", "author")
            el(contribute, "entity", vcard(person.name, person.affiliation, person.email))
    educational = el(lom, "educational")
    el(el(educational, "learningResourceType"), "value", "IMS Common Cartridge")
    context = el(educational, "context")
    el(context, "source", "LOMv1.0")
    el(context, "value", "higher education")
    if meta.rights:
        rights = el(lom, "rights")
        el(el(rights, "copyrightAndOtherRestrictions"), "value", "yes")
        langstring(el(rights, "description"), meta.rights, None)
    for objective in meta.objectives:
        block = el(lom, "classification")
        el(el(block, "purpose"), "value", "educational objective")
        langstring(el(block, "description"), objective)
    if meta.level:
        block = el(lom, "classification")
        el(el(block, "purpose"), "value", "educational level")
        langstring(el(block, "description"), meta.level)


def _item(parent: etree._Element, item: Item) -> None:
    node = _el(parent, CC_NS, "item", identifier=item.identifier)
    if item.ref:
        node.set("identifierref", item.ref)
    _el(node, CC_NS, "title", item.title)
    for child in item.children:
        _item(node, child)


def build_manifest(identifier: str, meta: CartridgeMeta, items: list[Item],
                   resources: list[Resource]) -> bytes:
    """The manifest as UTF-8 bytes, the default namespace declared in its first line of markup
    (Moodle looks for it in the first 1,024 bytes to recognise CC 1.1)."""
    root = etree.Element(f"{{{CC_NS}}}manifest", nsmap={None: CC_NS, "lomimscc": LOMM_NS,
                                                        "xsi": XSI_NS})
    root.set("identifier", identifier)
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    metadata = _el(root, CC_NS, "metadata")
    _el(metadata, CC_NS, "schema", "IMS Common Cartridge")
    _el(metadata, CC_NS, "schemaversion", "1.1.0")
    _lom(metadata, meta)
    organizations = _el(root, CC_NS, "organizations")
    organization = _el(organizations, CC_NS, "organization", identifier="org",
                       structure="rooted-hierarchy")
    top = _el(organization, CC_NS, "item", identifier="root")
    for item in items:
        _item(top, item)
    holder = _el(root, CC_NS, "resources")
    for res in resources:
        node = _el(holder, CC_NS, "resource", identifier=res.identifier, type=res.type)
        if res.href:
            node.set("href", res.href)
        for name in res.files:
            _el(node, CC_NS, "file", href=name)
        for dep in res.dependencies:
            _el(node, CC_NS, "dependency", identifierref=dep)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
