"""A module's life, end to end: change, status, release, rebuild — the identifier stays."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
from lxml import etree

SLUG = "email-triage"


def manifest(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as zf:
        return etree.fromstring(zf.read("imsmanifest.xml"))


def test_change_status_release_rebuild(cli, course: Path, tmp_path: Path) -> None:
    module = course / "modules" / SLUG
    if not (module / "module.lock").exists():
        # a first release records the version module.yml names, without a bump
        cli("release", module, "--note", "First release.", "--date", "2026-09-01", cwd=course,
            check=0)
    version = json.loads((module / "module.lock").read_text())["version"]
    cli("status", "--check", cwd=course, check=0)
    old_out = tmp_path / "old"
    cli("build", "-f", "scorm2004", "-f", "scorm12", "-f", "catalog", "--out", old_out, cwd=course,
        check=0)

    # the lecturer changes a notebook
    notebook = next((module / "notebooks").glob("*.ipynb"))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Extra uitleg bij de drempel.", id="extra"))
    nbformat.write(nb, notebook)
    proc = cli("status", "--check", cwd=course)
    assert proc.returncode == 1
    assert notebook.name in proc.stdout + proc.stderr

    # … and releases it
    cli("release", SLUG, "--bump", "minor", "--note", "Extra uitleg in het notebook.",
        "--date", "2026-11-24", cwd=course, check=0)
    major, minor, _ = (int(p) for p in version.split("."))
    new = f"{major}.{minor + 1}.0"
    assert f"version: {new}\n" in (module / "module.yml").read_text()
    assert json.loads((module / "module.lock").read_text())["version"] == new
    changelog = (module / "CHANGELOG.md").read_text()
    assert changelog.index(f"## [{new}] - 2026-11-24") < changelog.index(f"## [{version}]")
    cli("status", "--check", cwd=course, check=0)

    # the next build shows the new version, under the old identifier
    new_out = tmp_path / "new"
    cli("build", "-f", "scorm2004", "-f", "scorm12", "-f", "catalog", "--out", new_out, cwd=course,
        check=0)
    for fmt in ("scorm2004", "scorm12"):
        before = manifest(old_out / f"{SLUG}-{version}-{fmt}.zip")
        after = manifest(new_out / f"{SLUG}-{new}-{fmt}.zip")
        assert after.get("identifier") == before.get("identifier")
        assert (before.get("version"), after.get("version")) == (version, new)
    catalog = json.loads((new_out / "catalog.json").read_text())
    entry = next(m for m in catalog["modules"] if m["slug"] == SLUG)
    assert entry["version"] == new
    assert {a["file"] for a in entry["artifacts"]} >= {f"{SLUG}-{new}-scorm2004.zip"}
    assert entry["changelog"][0]["version"] == new


def test_first_release_without_bump_then_bump_required(cli, course: Path) -> None:
    module = course / "modules" / SLUG
    (module / "module.lock").unlink(missing_ok=True)
    (module / "CHANGELOG.md").unlink(missing_ok=True)
    before = (module / "module.yml").read_bytes()
    cli("release", module, "--note", "Eerste versie.", "--date", "2026-09-01", check=0)
    assert (module / "module.yml").read_bytes() == before
    assert (module / "module.lock").is_file()
    proc = cli("release", module, "--note", "Nog een keer.")
    assert proc.returncode == 2 and "--bump" in proc.stderr
