"""`lcmodules status`: changes since the last release, version order and prerequisites, for CI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
DATE = "2026-11-24"


def make_module(dest: Path, module_id: str, prerequisites: list[str] | None = None) -> Path:
    shutil.copytree(FIXTURE, dest)
    yml = dest / "module.yml"
    text = yml.read_text().replace("id: test/minimal", f"id: {module_id}")
    if prerequisites is not None:
        text += "prerequisites:\n" + "".join(f"  - {p}\n" for p in prerequisites)
    yml.write_text(text)
    return dest


@pytest.fixture()
def two_modules(tmp_path: Path) -> Path:
    """A course: `basis` (test/basis 1.0.0) and `vervolg`, which needs test/basis >=1.0,<2."""
    root = tmp_path / "course"
    (root / "modules").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Testcursus\nlcmodules:\n  organisation: Saxion\n")
    make_module(root / "modules" / "basis", "test/basis")
    make_module(root / "modules" / "vervolg", "test/vervolg", ["test/basis >=1.0,<2"])
    return root


def status_json(cli, root: Path, *args: str) -> dict:
    proc = cli("status", "--json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return {m["slug"]: m for m in json.loads(proc.stdout)["modules"]}


def test_never_released_passes_check(cli, two_modules: Path) -> None:
    cli("status", "--check", cwd=two_modules, check=0)
    mods = status_json(cli, two_modules)
    assert mods["basis"]["state"] == "never-released"
    assert mods["vervolg"]["prerequisites"] == [
        {"id": "test/basis", "range": ">=1.0,<2", "found": "1.0.0", "met": True, "reason": None}
    ]


def test_check_passes_after_release_and_fails_naming_the_changed_file(cli, two_modules: Path
                                                                     ) -> None:
    cli("release", "basis", "--bump", "patch", "--note", "Eerste release", "--date", DATE,
        cwd=two_modules, check=0)
    cli("status", "--check", cwd=two_modules, check=0)
    assert status_json(cli, two_modules)["basis"]["state"] == "unchanged"

    case = two_modules / "modules" / "basis" / "case.md"
    case.write_text(case.read_text() + "\nEen extra alinea.\n")
    proc = cli("status", "--check", cwd=two_modules, check=1)
    assert "modules/basis/module.yml:4" in proc.stderr
    assert "changed case.md" in proc.stderr
    assert "content changed since release 1.0.1" in proc.stderr
    assert "vervolg" not in proc.stderr  # the other module is fine
    # without --check the same finding is shown, and the exit status is 0
    plain = cli("status", cwd=two_modules, check=0)
    assert "changed since release" in plain.stdout and "case.md" in plain.stdout
    mods = status_json(cli, two_modules)
    assert mods["basis"]["state"] == "changed"
    assert mods["basis"]["changes"] == {"added": [], "removed": [], "changed": ["case.md"]}

    # releasing the change makes the check pass again
    cli("release", "basis", "--bump", "minor", "--note", "Extra alinea", "--date", DATE,
        cwd=two_modules, check=0)
    cli("status", "--check", cwd=two_modules, check=0)


def test_raised_version_is_fine_lower_version_fails(cli, two_modules: Path) -> None:
    cli("release", "modules/basis", "--bump", "minor", "--note", "Start", "--date", DATE,
        cwd=two_modules, check=0)
    yml = two_modules / "modules" / "basis" / "module.yml"
    yml.write_text(yml.read_text().replace("version: 1.1.0", "version: 1.2.0"))
    cli("status", "--check", cwd=two_modules, check=0)
    assert status_json(cli, two_modules)["basis"]["state"] == "version-raised"
    yml.write_text(yml.read_text().replace("version: 1.2.0", "version: 1.0.5"))
    proc = cli("status", "--check", cwd=two_modules, check=1)
    assert "modules/basis/module.yml:4" in proc.stderr
    assert "version 1.0.5 is lower than the released version 1.1.0" in proc.stderr


def test_unmet_prerequisite_range_fails_check(cli, two_modules: Path) -> None:
    yml = two_modules / "modules" / "basis" / "module.yml"
    yml.write_text(yml.read_text().replace("version: 1.0.0", "version: 2.0.0"))
    # checking only the dependent module still looks at the rest of the course
    proc = cli("status", "--check", "modules/vervolg", cwd=two_modules, check=1)
    assert "modules/vervolg/module.yml:" in proc.stderr
    assert "prerequisite 'test/basis >=1.0,<2' is not met: the course has version 2.0.0" \
        in proc.stderr
    cli("status", "modules/vervolg", cwd=two_modules, check=0)  # only --check fails on it
    mods = status_json(cli, two_modules)
    assert mods["vervolg"]["prerequisites"][0]["met"] is False


def test_missing_prerequisite_fails_check(cli, two_modules: Path) -> None:
    yml = two_modules / "modules" / "vervolg" / "module.yml"
    yml.write_text(yml.read_text().replace("test/basis >=1.0,<2", "test/bestaat-niet"))
    proc = cli("status", "--check", cwd=two_modules, check=1)
    line = next(i for i, text in enumerate(yml.read_text().splitlines(), 1)
                if "test/bestaat-niet" in text)
    assert f"modules/vervolg/module.yml:{line}" in proc.stderr
    assert "prerequisite 'test/bestaat-niet' is not a module of this course" in proc.stderr


def test_unreadable_lock_is_an_error_even_without_check(cli, two_modules: Path) -> None:
    (two_modules / "modules" / "basis" / "module.lock").write_text("{not json")
    proc = cli("status", cwd=two_modules, check=1)
    assert "modules/basis/module.lock:1: module.lock is not valid JSON" in proc.stderr


def test_lone_module_folder(cli, tmp_path: Path) -> None:
    folder = make_module(tmp_path / "los", "test/los", ["test/elders >=1"])
    # no course around it: prerequisites cannot be checked, and that is not an error
    cli("status", "--check", folder, check=0)
    cli("release", folder, "--bump", "major", "--note", "Eerste versie", "--date", DATE, check=0)
    mods = status_json(cli, tmp_path, str(folder))
    assert mods["los"]["version"] == "2.0.0" and mods["los"]["state"] == "unchanged"
    assert mods["los"]["prerequisites"][0]["met"] is None


def test_changed_id_fails_check(cli, two_modules: Path) -> None:
    cli("release", "basis", "--bump", "patch", "--note", "Eerste", "--date", DATE,
        cwd=two_modules, check=0)
    yml = two_modules / "modules" / "basis" / "module.yml"
    yml.write_text(yml.read_text().replace("id: test/basis", "id: test/basis-nieuw"))
    proc = cli("status", "--check", cwd=two_modules, check=1)
    assert "modules/basis/module.yml:2: module id 'test/basis-nieuw' differs from 'test/basis' " \
        "in module.lock" in proc.stderr
