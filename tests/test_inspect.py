"""`lcmodules inspect`: our packages, the public samples, broken packages and hostile zips."""

from __future__ import annotations

import json
import resource
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

from lcmodules.inspect.package import inspect_package  # noqa: E402

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "shared" / "schemas" / "samples").glob("*.xml"))


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = scormtest.write_module(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("out")
    packages = scormtest.build(folder, out) + scormtest.build(folder, out / "pu", sco="per-unit")
    return {f"{p.parent.name}-{p.name}": p for p in packages}


def codes(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in report.errors}


# ---------------------------------------------------------------- good packages


def test_our_packages_pass(ours: dict[str, Path], schemas_dir: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for package in ours.values():
        report = inspect_package(package, schemas_dir)
        assert report.ok, [f.message for f in report.errors]
        assert report.schema["checked"] and report.schema["valid"]
        assert report.identifier == "lcm-lc-test_testmodule"
        assert report.version == "1.0.0"
        assert report.metadata["title"] == "Testmodule"
        assert report.metadata["language"] == "nl"
        assert report.metadata["description"] == "Een module voor de tests."
        assert report.scorm_version in ("1.2", "2004 4th Edition")
        assert report.scos and all(s.launch for s in report.scos)
        assert report.sizes.files > 5 and report.sizes.uncompressed > report.sizes.compressed
    package = next(iter(ours.values()))
    proc = cli("inspect", package, "--schemas", schemas_dir, check=0)
    assert "Testmodule" in proc.stdout and "No errors" in proc.stdout
    proc = cli("inspect", package, "--json", "--schemas", schemas_dir, check=0)
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["schema"]["valid"] is True
    assert data["organizations"][0]["items"][0]["launch"] == "index.html"


def test_schema_check_is_skipped_without_schemas(ours: dict[str, Path], cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LCMODULES_SCHEMAS", raising=False)
    report = inspect_package(next(iter(ours.values())), None)
    assert report.ok and not report.schema["checked"]
    assert "LCMODULES_SCHEMAS" in report.schema["reason"]


def sample_zip(manifest: Path, dest: Path) -> Path:
    """A zip holding a sample manifest and (empty) files for everything its resources name."""
    doc = etree.parse(str(manifest)).getroot()
    files: dict[str, bytes] = {"imsmanifest.xml": manifest.read_bytes()}
    base_root = doc.get("{http://www.w3.org/XML/1998/namespace}base") or ""
    for res in doc.iter("{*}resource"):
        base = base_root + (res.get("{http://www.w3.org/XML/1998/namespace}base") or "")
        for href in [f.get("href") for f in res.iter("{*}file")] + [res.get("href")]:
            if href:
                files[base + href.split("?")[0]] = b"x"
    for loc in doc.iter("{http://www.adlnet.org/xsd/adlcp_v1p3}location",
                        "{http://www.adlnet.org/xsd/adlcp_rootv1p2}location"):
        files[loc.text.strip()] = b'<lom xmlns="http://ltsc.ieee.org/xsd/LOM"/>'
    return scormtest.zip_of(dest / (manifest.stem + ".zip"), files)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_public_samples_are_accepted(sample: Path, tmp_path: Path, schemas_dir: Path) -> None:
    report = inspect_package(sample_zip(sample, tmp_path), schemas_dir)
    assert report.ok, [f.message for f in report.errors]
    assert report.schema["valid"] is True
    assert report.scos
    only = inspect_package(sample, schemas_dir)  # the manifest alone
    assert only.ok and only.manifest_only


def test_samples_exist() -> None:
    assert len(SAMPLES) >= 5


# ---------------------------------------------------------------- broken packages

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1.0" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>T</title>
    <item identifier="{item}" identifierref="{ref}"><title>Les</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormType="sco" href="{href}">
      {files}
    </resource>
  </resources>
</manifest>"""


def broken(tmp_path: Path, name: str, *, ident: str = "pkg", schemaversion: str = "2004 4th Edition",
           item: str = "item", ref: str = "res", href: str = "index.html",
           listed: tuple[str, ...] = ("index.html",), present: tuple[str, ...] = ("index.html",),
           manifest_at: str = "imsmanifest.xml") -> Path:
    files = "".join(f'<file href="{f}"/>' for f in listed)
    text = MANIFEST_2004.format(ident=ident, schemaversion=schemaversion, item=item, ref=ref,
                                href=href, files=files)
    members: dict[str, bytes | str] = {manifest_at: text}
    for name_ in present:
        members[name_] = b"<html></html>"
    return scormtest.zip_of(tmp_path / f"{name}.zip", members)


CASES = {
    "manifest-not-at-root": dict(manifest_at="course/imsmanifest.xml",
                                 present=("course/index.html",)),
    "missing-file": dict(present=()),
    "unreferenced-file": dict(present=("index.html", "extra.html")),
    "absolute-path": dict(href="/index.html", listed=("/index.html",)),
    "parent-path": dict(href="../index.html", listed=("../index.html",)),
    "duplicate-identifier": dict(item="res"),
    "identifierref-target": dict(ref="nothing"),
    "schemaversion-mismatch": dict(schemaversion="1.2"),
    "non-ascii-name": dict(href="café.html", listed=("café.html",), present=("café.html",)),
    "space-in-name": dict(href="my page.html", listed=("my%20page.html",),
                          present=("my page.html",)),
    "case-clash": dict(listed=("index.html", "Index.html"), present=("index.html", "Index.html")),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_broken_packages_fail_naming_the_problem(code: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    package = broken(tmp_path, code, **CASES[code])  # type: ignore[arg-type]
    report = inspect_package(package)
    assert code in codes(report), [(f.code, f.message) for f in report.findings]
    proc = cli("inspect", package, check=1)
    assert f"[{code}]" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_fine_hand_made_package_passes(tmp_path: Path, schemas_dir: Path) -> None:
    report = inspect_package(broken(tmp_path, "fine"), schemas_dir)
    assert report.ok, [f.message for f in report.errors]


def test_scorm12_namespace_with_2004_schemaversion(tmp_path: Path) -> None:
    text = (MANIFEST_2004.replace("http://www.imsglobal.org/xsd/imscp_v1p1",
                                  "http://www.imsproject.org/xsd/imscp_rootv1p1p2")
            .format(ident="p", schemaversion="2004 4th Edition", item="i", ref="res",
                    href="index.html", files='<file href="index.html"/>'))
    package = scormtest.zip_of(tmp_path / "p.zip", {"imsmanifest.xml": text, "index.html": "x"})
    assert "schemaversion-mismatch" in codes(inspect_package(package))


def test_schema_errors_are_reported(tmp_path: Path, schemas_dir: Path) -> None:
    text = MANIFEST_2004.format(ident="p", schemaversion="2004 4th Edition", item="i", ref="res",
                                href="index.html", files='<file href="index.html"/><bogus/>')
    package = scormtest.zip_of(tmp_path / "p.zip", {"imsmanifest.xml": text, "index.html": "x"})
    report = inspect_package(package, schemas_dir)
    assert "schema" in codes(report) and report.schema["valid"] is False


def test_not_a_zip_and_bad_xml(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is no zip" * 10)
    proc = cli("inspect", junk, check=1)
    assert "not a zip" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    bad = scormtest.zip_of(tmp_path / "bad.zip", {"imsmanifest.xml": "<manifest><unclosed>"})
    assert "xml" in codes(inspect_package(bad))
    entity = scormtest.zip_of(tmp_path / "ent.zip", {"imsmanifest.xml": (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;">]><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
        '&c;</manifest>')})
    assert not inspect_package(entity).ok  # parsed without expanding entities, then rejected


# ---------------------------------------------------------------- hostile zips


def listing(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    return folder


def test_path_traversal_and_absolute_entries(hostile: Path, cli) -> None:  # type: ignore[no-untyped-def]
    package = hostile / "evil.zip"
    scormtest.raw_zip(package, [
        {"name": "imsmanifest.xml", "data": MANIFEST_2004.format(
            ident="p", schemaversion="2004 4th Edition", item="i", ref="res", href="index.html",
            files='<file href="index.html"/>').encode()},
        {"name": "index.html", "data": b"x"},
        {"name": "../../escaped.txt", "data": b"x"},
        {"name": "/tmp/absolute.txt", "data": b"x"},
    ])
    before = listing(hostile.parent)
    proc = cli("inspect", package, check=1)
    assert "[parent-path]" in proc.stdout and "[absolute-path]" in proc.stdout
    assert listing(hostile.parent) == before
    assert not Path("/tmp/absolute.txt").exists()


def test_symlink_entry(hostile: Path, cli) -> None:  # type: ignore[no-untyped-def]
    package = hostile / "link.zip"
    scormtest.raw_zip(package, [
        {"name": "imsmanifest.xml", "data": MANIFEST_2004.format(
            ident="p", schemaversion="2004 4th Edition", item="i", ref="res", href="index.html",
            files='<file href="index.html"/>').encode()},
        {"name": "index.html", "data": b"/etc/passwd", "mode": 0o120777},
    ])
    proc = cli("inspect", package, check=1)
    assert "[symlink]" in proc.stdout
    from lcmodules.inspect.safezip import SafeZip, UnsafeZip

    with SafeZip(package) as zf, pytest.raises(UnsafeZip, match="symbolic link"):
        zf.read("index.html")


@pytest.mark.parametrize("as_manifest", [False, True])
def test_zip_bomb(hostile: Path, cli, as_manifest: bool) -> None:  # type: ignore[no-untyped-def]
    size = 2 * 1024**3  # 2 GiB of zeros declared; the zip itself stays a few MB
    package = hostile / "bomb.zip"
    members = [{"name": "imsmanifest.xml" if as_manifest else "data.bin",
                "deflated": scormtest.zeros_deflated(size), "size": size}]
    if not as_manifest:
        members.insert(0, {"name": "imsmanifest.xml", "data": MANIFEST_2004.format(
            ident="p", schemaversion="2004 4th Edition", item="i", ref="res", href="index.html",
            files='<file href="index.html"/><file href="data.bin"/>').encode()})
        members.append({"name": "index.html", "data": b"x"})
    scormtest.raw_zip(package, members)
    assert package.stat().st_size < 20 * 1024**2
    start = time.monotonic()
    report = inspect_package(package)
    elapsed = time.monotonic() - start
    assert not report.ok
    assert elapsed < 5
    assert codes(report) & {"zip-bomb", "manifest-unreadable"}
    # the process never held the 2 GiB
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_500_000  # KiB
    proc = cli("inspect", package, check=1)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_declared_total_too_large(hostile: Path) -> None:
    from lcmodules.inspect.safezip import SafeZip, UnsafeZip

    package = hostile / "huge.zip"
    members = [{"name": f"part{i}.bin", "deflated": b"\x03\x00", "size": 2 * 1024**3 - 1}
               for i in range(3)]
    scormtest.raw_zip(package, members)
    with pytest.raises(UnsafeZip, match="zip bomb"):
        SafeZip(package)


def test_too_many_entries(hostile: Path, cli) -> None:  # type: ignore[no-untyped-def]
    package = hostile / "many.zip"
    scormtest.raw_zip(package, [{"name": f"f{i}.txt"} for i in range(100_000)])
    start = time.monotonic()
    report = inspect_package(package)
    assert time.monotonic() - start < 2
    assert "refused" in codes(report)
    assert "100,000 entries" in report.errors[0].message
    proc = cli("inspect", package, check=1)
    assert "100,000" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_safe_extract_stays_inside(tmp_path: Path) -> None:
    from lcmodules.inspect.safezip import SafeZip, UnsafeZip

    good = scormtest.zip_of(tmp_path / "good.zip", {"a/b.txt": "x", "c.txt": "y"})
    target = tmp_path / "out"
    target.mkdir()
    with SafeZip(good) as zf:
        zf.extract_to(target)
    assert (target / "a" / "b.txt").read_text() == "x"
    evil = tmp_path / "evil.zip"
    scormtest.raw_zip(evil, [{"name": "../evil.txt", "data": b"x"}])
    with SafeZip(evil) as zf, pytest.raises(UnsafeZip):
        zf.extract_to(tmp_path / "out2")
    assert not (tmp_path / "evil.txt").exists()


def test_zipfile_module_agrees_with_raw_zip(tmp_path: Path) -> None:
    """The hand-made zips are real zips (so the hostile tests test something)."""
    path = tmp_path / "raw.zip"
    scormtest.raw_zip(path, [{"name": "a.txt", "data": b"hello"}])
    with zipfile.ZipFile(path) as zf:
        assert zf.read("a.txt") == b"hello"
