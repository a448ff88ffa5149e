"""SCORM packages: manifests valid against the ADL schemas, contents, identifiers, reproducibility."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

NS = {
    "cp12": scormtest.NS_12, "cp": scormtest.NS_2004,
    "adlcp12": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3", "imsss": "http://www.imsglobal.org/xsd/imsss",
    "lom": "http://ltsc.ieee.org/xsd/LOM", "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
}


def manifest(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as zf:
        return etree.fromstring(zf.read("imsmanifest.xml"))


def version_of(package: Path) -> str:
    return "1.2" if package.name.endswith("-scorm12.zip") else "2004"


@pytest.fixture(scope="module")
def course_packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Both versions and both SCO layouts of every module of the example course."""
    import shutil

    root = tmp_path_factory.mktemp("course")
    shutil.copy2(scormtest.REPO / "_config.yml", root / "_config.yml")
    shutil.copytree(scormtest.REPO / "modules", root / "modules")
    out = tmp_path_factory.mktemp("dist")
    single = scormtest.build(root, out / "single")
    per_unit = scormtest.build(root, out / "per-unit", sco="per-unit")
    return single + per_unit


@pytest.fixture(scope="module")
def test_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("src")
    folder = scormtest.write_module(root)
    out = tmp_path_factory.mktemp("out")
    paths = scormtest.build(folder, out)
    return {version_of(p): p for p in paths}


def test_every_example_manifest_validates(course_packages: list[Path], schemas_dir: Path) -> None:
    assert len(course_packages) >= 4
    for package in course_packages:
        version = version_of(package)
        schema = scormtest.schema(schemas_dir, version)
        doc = manifest(package)
        assert schema.validate(doc), (package.name, [e.message for e in schema.error_log])
        expected_ns = scormtest.NS_12 if version == "1.2" else scormtest.NS_2004
        assert etree.QName(doc).namespace == expected_ns


def test_every_file_is_listed_and_names_are_safe(course_packages: list[Path]) -> None:
    for package in course_packages:
        doc = manifest(package)
        with zipfile.ZipFile(package) as zf:
            names = {n for n in zf.namelist() if not n.endswith("/")}
        listed = {f.get("href") for f in doc.iter("{*}file")}
        assert listed == names - {"imsmanifest.xml"}, package.name
        for res in doc.iter("{*}resource"):
            if res.get("href"):
                assert res.get("href") in names
        for name in names:
            assert re.fullmatch(r"[a-z0-9_][a-z0-9._/-]*", name), name
            assert ".." not in name.split("/")
        assert len({n.lower() for n in names}) == len(names)


def test_example_packages_pass_inspect(course_packages: list[Path], schemas_dir: Path) -> None:
    from lcmodules.inspect.package import inspect_package

    for package in course_packages:
        report = inspect_package(package, schemas_dir)
        assert report.ok, (package.name, [f.message for f in report.errors])
        assert not [f for f in report.findings if f.severity == "warning"], package.name


def test_links_inside_the_package_resolve(course_packages: list[Path]) -> None:
    import posixpath
    from urllib.parse import unquote, urlsplit

    from lxml import html

    for package in course_packages:
        with zipfile.ZipFile(package) as zf:
            names = set(zf.namelist())
            for page in (n for n in names if n.endswith(".html")):
                doc = html.fromstring(zf.read(page))
                for el in doc.iter():
                    for attr in ("href", "src"):
                        value = el.get(attr)
                        if not value or value.startswith(("#", "data:", "mailto:")):
                            continue
                        parts = urlsplit(value)
                        if parts.scheme or value.startswith("//"):
                            # only links to open in a new tab may leave the package
                            assert el.tag == "a" and el.get("target") == "_blank", (page, value)
                            continue
                        target = posixpath.normpath(
                            posixpath.join(posixpath.dirname(page), unquote(parts.path)))
                        assert target in names, (package.name, page, value)


def test_single_sco_manifest_2004(test_packages: dict[str, Path]) -> None:
    doc = manifest(test_packages["2004"])
    assert doc.get("identifier") == "lcm-lc-test_testmodule"
    assert doc.get("version") == "1.0.0"
    assert doc.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "2004 4th Edition"
    assert doc.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    lom = doc.find("cp:metadata/lom:lom", NS)
    assert lom.findtext("lom:general/lom:title/lom:string", namespaces=NS) == "Testmodule"
    assert lom.findtext("lom:general/lom:language", namespaces=NS) == "nl"
    assert lom.findtext("lom:general/lom:description/lom:string", namespaces=NS) == \
        "Een module voor de tests."
    assert lom.findtext("lom:general/lom:keyword/lom:string", namespaces=NS) == "test"
    assert lom.findtext("lom:lifeCycle/lom:version/lom:string", namespaces=NS) == "1.0.0"
    assert "FN:T. Ester" in lom.findtext("lom:lifeCycle/lom:contribute/lom:entity", namespaces=NS)
    assert "CC-BY-4.0" in lom.findtext("lom:rights/lom:description/lom:string", namespaces=NS)
    items = doc.findall(".//cp:item", NS)
    assert len(items) == 1
    res = doc.find(".//cp:resource", NS)
    assert res.get(f"{{{NS['adlcp']}}}scormType") == "sco"
    assert res.get("href") == "index.html"
    primary = items[0].find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", NS)
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext("imsss:minNormalizedMeasure", namespaces=NS) == "0.6"
    assert not list(doc.iter(f"{{{NS['imsss']}}}mapInfo"))


def test_single_sco_manifest_12(test_packages: dict[str, Path]) -> None:
    doc = manifest(test_packages["1.2"])
    assert doc.get("identifier") == "lcm-lc-test_testmodule"
    assert doc.get("version") == "1.0.0"
    assert doc.findtext("cp12:metadata/cp12:schemaversion", namespaces=NS) == "1.2"
    assert doc.findtext(".//imsmd:lifecycle/imsmd:version/imsmd:langstring", namespaces=NS) == "1.0.0"
    assert doc.findtext(".//cp12:item/adlcp12:masteryscore", namespaces=NS) == "60"
    res = doc.find(".//cp12:resource", NS)
    assert res.get(f"{{{NS['adlcp12']}}}scormtype") == "sco"


def test_tracker_config_matches_manifest(test_packages: dict[str, Path]) -> None:
    for version, package in test_packages.items():
        with zipfile.ZipFile(package) as zf:
            text = zf.read("_static/lc-scorm-config.js").decode()
            page = zf.read("index.html").decode()
        config = json.loads(text.split("=", 1)[1].strip().rstrip(";"))
        assert config == {"mastery": {"": 60, "check": 60}, "mode": "single", "scorm": version,
                          "suspendLimit": 4000 if version == "1.2" else 64000,
                          "exitWhenComplete": "suspend"}
        # the tracker and its settings load before the page script
        assert page.index("_static/lc-scorm-config.js") < page.index("_static/lc-scorm.js") \
            < page.index("_static/lc.js")


def test_per_unit_manifest(tmp_path: Path, schemas_dir: Path) -> None:
    folder = scormtest.write_module(tmp_path / "src")
    for package in scormtest.build(folder, tmp_path / "out", sco="per-unit"):
        version = version_of(package)
        doc = manifest(package)
        assert scormtest.schema(schemas_dir, version).validate(doc)
        items = doc.findall(".//{*}item")
        assert [i.get("identifier") for i in items] == [
            "itm-case-md", "itm-notebooks-verkennen-ipynb", "itm-check-quiz-yml"]
        resources = {r.get("identifier"): r for r in doc.iter("{*}resource")}
        assert set(resources) == {"res-case-md", "res-notebooks-verkennen-ipynb",
                                  "res-check-quiz-yml", "res-shared"}
        for rid in ("res-case-md", "res-notebooks-verkennen-ipynb", "res-check-quiz-yml"):
            deps = [d.get("identifierref") for d in resources[rid].iter("{*}dependency")]
            assert deps == ["res-shared"]
        with zipfile.ZipFile(package) as zf:
            config = zf.read("_static/lc-scorm-config.js").decode()
        assert '"mode":"per-unit"' in config
        quiz_item = items[2]
        if version == "1.2":
            assert quiz_item.findtext("{*}masteryscore") == "60"
            assert items[0].find("{*}masteryscore") is None
        else:
            assert quiz_item.findtext(".//{*}minNormalizedMeasure") == "0.6"
            assert items[0].find("{*}sequencing") is None


def test_build_twice_same_bytes(tmp_path: Path) -> None:
    folder = scormtest.write_module(tmp_path / "src")
    first = scormtest.build(folder, tmp_path / "a")
    second = scormtest.build(folder, tmp_path / "b")
    digests = [[hashlib.sha256(p.read_bytes()).hexdigest() for p in run] for run in (first, second)]
    assert digests[0] == digests[1]
    assert [p.name for p in first] == ["testmodule-1.0.0-scorm12.zip", "testmodule-1.0.0-scorm2004.zip"]


def test_identifier_stays_across_versions(tmp_path: Path) -> None:
    old = scormtest.build(scormtest.write_module(tmp_path / "v1", version="1.0.0"), tmp_path / "o1")
    new = scormtest.build(scormtest.write_module(tmp_path / "v2", version="1.1.0"), tmp_path / "o2")
    for a, b in zip(old, new, strict=True):
        ma, mb = manifest(a), manifest(b)
        assert ma.get("identifier") == mb.get("identifier") == "lcm-lc-test_testmodule"
        assert (ma.get("version"), mb.get("version")) == ("1.0.0", "1.1.0")
        assert [i.get("identifier") for i in ma.iter("{*}item")] == \
            [i.get("identifier") for i in mb.iter("{*}item")]


def test_manifest_identifier_is_one_to_one() -> None:
    from lcmodules.export.scorm_manifest import manifest_identifier

    ids = ["a/b", "a_b", "a__b", "a_/b", "lc-ai/x.y"]
    made = [manifest_identifier(i) for i in ids]
    assert len(set(made)) == len(made)
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9._-]*", m) for m in made)


def test_mastery_aggregates_by_points() -> None:
    from lcmodules.export.scorm_manifest import quiz_mastery
    from lcmodules.model import Quiz

    def quiz(mastery: float, points: float) -> Quiz:
        return Quiz.model_validate({"title": "q", "mastery_score": mastery, "questions": [
            {"id": "a", "type": "true-false", "prompt": "p", "answer": True, "points": points}]})

    assert quiz_mastery([quiz(0.7, 1)]) == 70
    assert quiz_mastery([quiz(0.5, 1), quiz(0.8, 3)]) == 72.5
    assert quiz_mastery([]) is None


def test_unsafe_names_fail_loudly(tmp_path: Path) -> None:
    from lcmodules.core.diagnostics import InputError
    from lcmodules.export.scorm import check_names

    courses = scormtest.load(scormtest.write_module(tmp_path / "src"))
    module = courses[0].modules[0]
    with pytest.raises(InputError) as info:
        check_names(module, ["index.html", "Foto.png", "a b.html", "x/../y.html"])
    messages = " ".join(p.message for p in info.value.problems)
    assert "Foto.png" in messages and "a b.html" in messages and "x/../y.html" in messages
    with pytest.raises(InputError, match="differ only in case"):
        check_names(module, ["img/a.png", "img/A.png"])
    check_names(module, ["index.html", "_static/lc.js", "files/data-1.csv"])


def test_cli_build_writes_both_packages(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = scormtest.write_module(tmp_path / "src")
    out = tmp_path / "dist"
    cli("build", folder, "--format", "scorm12", "--format", "scorm2004", "--out", out, check=0)
    assert sorted(p.name for p in out.glob("*.zip")) == [
        "testmodule-1.0.0-scorm12.zip", "testmodule-1.0.0-scorm2004.zip"]
    cli("build", folder, "--format", "scorm2004", "--sco", "per-unit", "--out", tmp_path / "pu",
        check=0)
    doc = manifest(tmp_path / "pu" / "testmodule-1.0.0-scorm2004.zip")
    assert len(doc.findall(".//{*}item")) == 3
