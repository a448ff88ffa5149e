"""One version library, one range syntax and one prerequisite check for validate and status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.versions import VersionError, parse_range
from lcmodules.load.loader import load_paths
from lcmodules.validate.rules import validate_courses
from lcmodules.versioning.status import course_status
from tests.conftest import run_cli

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.mark.parametrize("rng, version, inside", [
    (">=1.0", "1.0.0", True), (">=1.0", "0.9.9", False),
    (">=1.0", "2.0.0-rc.x.1", True),  # a pre-release of 2.0.0 comes after 1.0.0
    (">=1.0,<2", "1.9.9", True), (">=1.0,<2", "2.0.0", False),
    (">=1.0,<2", "2.0.0-rc.x.1", False), ("<2.0.0", "2.0.0-rc.1", False),
    ("<2.0.0-rc.2", "2.0.0-rc.1", True), (">=2.0", "2.0.0-rc.1", False), (">=1.0, <2", "1.5.0", True),
    (">= 1.2 < 2", "1.1.0", False), (">1.0.0", "1.0.0", False), ("<=1.2", "1.2.0", True),
    ("!=1.0.0", "1.0.0", False), ("==1.2.0", "1.2.0", True), ("1.2.0", "1.2.1", False),
    ("^1.2", "1.2.0", True), ("^1.2", "1.9.3", True), ("^1.2", "2.0.0", False),
    ("^1.2", "2.0.0-rc.1", False), ("^1.2", "1.1.9", False),
    ("^0.2.3", "0.2.9", True), ("^0.2.3", "0.3.0", False), ("^0.0.3", "0.0.4", False),
    ("~1.2.3", "1.2.9", True), ("~1.2.3", "1.3.0", False), ("~1", "1.9.0", True),
    ("~1.2", "1.3.0-alpha", False),
    (">=1.0.0", "1.0.0+build.7", True), (">=1.0.0", "1.0.0-rc.1", False),
])
def test_range_syntax(rng: str, version: str, inside: bool) -> None:
    assert parse_range(rng).contains(version) is inside


@pytest.mark.parametrize("rng", ["~=1.2", ">=1.0.x", "latest", "", ">=", "1.2.3.4", ">=v1"])
def test_bad_ranges_are_errors(rng: str) -> None:
    with pytest.raises(VersionError, match="is not a version range"):
        parse_range(rng)


def test_a_version_that_is_no_semver_is_an_error() -> None:
    with pytest.raises(VersionError, match="'1.0' is not a semantic version"):
        parse_range(">=1.0").contains("1.0")


def course(tmp_path: Path, modules: dict[str, tuple[str, list[str]]]) -> Path:
    """A course: slug -> (version, prerequisites); each module's id is `test/<slug>`."""
    root = tmp_path / "course"
    for slug, (version, prerequisites) in modules.items():
        folder = root / "modules" / slug
        shutil.copytree(MINIMAL, folder)
        text = (folder / "module.yml").read_text()
        text = text.replace("id: test/minimal", f"id: test/{slug}")
        text = text.replace("version: 1.0.0", f"version: {version}")
        if prerequisites:
            text += "prerequisites:\n" + "".join(f"  - {p}\n" for p in prerequisites)
        (folder / "module.yml").write_text(text)
    (root / "_config.yml").write_text("title: Test\n")
    return root


def both_checks(root: Path) -> tuple[list[str], list[str]]:
    """The prerequisite problems `validate` and `status` find, as formatted lines."""
    diag = Diagnostics()
    courses = load_paths([root], diag)
    assert diag.ok, diag.sorted()
    validate_courses(courses, diag)
    validated = sorted(p.format() for p in diag.problems if "prerequisite" in p.message)
    statuses = course_status(courses)
    status = sorted(p.format() for s in statuses for p in s.problems if "prerequisite" in p.message)
    return validated, status


@pytest.mark.parametrize("version, rng, fails", [
    ("2.0.0-rc.x.1", ">=1.0", False),
    ("2.0.0-rc.x.1", ">=1.0,<2", True),
    ("1.4.0", "^1.2", False),
    ("1.4.0", "~=1.2", True),  # PEP 440's operator is not our syntax
    ("1.4.0", ">=1.0.x", True),
])
def test_validate_and_status_give_the_same_answer(tmp_path: Path, version: str, rng: str,
                                                  fails: bool) -> None:
    root = course(tmp_path, {"basis": (version, []), "vervolg": ("1.0.0", [f"test/basis {rng}"])})
    validated, status = both_checks(root)
    assert validated == status
    assert bool(validated) is fails


def test_an_unparsable_prerequisite_version_is_the_same_error_in_both(tmp_path: Path) -> None:
    root = course(tmp_path, {"basis": ("1.0.0", []), "vervolg": ("1.0.0", ["test/basis >=1.0"])})
    diag = Diagnostics()
    courses = load_paths([root], diag)
    basis = next(m for c in courses for m in c.modules if m.slug == "basis")
    basis.meta = basis.meta.model_copy(update={"version": "1.0"})  # as _fallback_meta keeps it
    validate_courses(courses, diag)
    validated = [p.format() for p in diag.problems if "prerequisite" in p.message]
    status = [p.format() for s in course_status(courses) for p in s.problems]
    assert validated == status
    assert len(validated) == 1 and "'1.0' is not a semantic version" in validated[0]


def test_a_cycle_of_two_is_an_error_in_both_at_the_prerequisite_line(tmp_path: Path) -> None:
    root = course(tmp_path, {"a": ("1.0.0", ["test/b"]), "b": ("1.0.0", ["test/c", "test/a"]),
                             "c": ("1.0.0", [])})
    validated, status = both_checks(root)
    assert validated == status
    line_a = (root / "modules/a/module.yml").read_text().splitlines().index("  - test/b") + 1
    line_b = (root / "modules/b/module.yml").read_text().splitlines().index("  - test/a") + 1
    hint = " — a module cannot need itself, also not through others: remove one of these " \
        "prerequisites"
    where = root.resolve() / "modules"
    assert validated == [
        f"{where}/a/module.yml:{line_a}:5: circular prerequisites: test/a → test/b → test/a{hint}",
        f"{where}/b/module.yml:{line_b}:5: circular prerequisites: test/b → test/a → test/b{hint}",
    ]


def test_a_longer_cycle_fails_validate_and_status_check(tmp_path: Path) -> None:
    root = course(tmp_path, {"a": ("1.0.0", ["test/b >=1.0"]), "b": ("1.0.0", ["test/c"]),
                             "c": ("1.0.0", ["test/a ^1"]), "d": ("1.0.0", ["test/a"])})
    proc = run_cli("validate", root, cwd=root, check=1)
    for first, chain in [("a", "test/a → test/b → test/c → test/a"),
                         ("b", "test/b → test/c → test/a → test/b"),
                         ("c", "test/c → test/a → test/b → test/c")]:
        assert f"modules/{first}/module.yml:" in proc.stderr
        assert f"circular prerequisites: {chain}" in proc.stderr
    assert "modules/d/module.yml" not in proc.stderr  # needs the cycle, is not part of it
    proc = run_cli("status", "--check", cwd=root, check=1)
    assert "circular prerequisites: test/a → test/b → test/c → test/a" in proc.stderr
    mods = {m["slug"]: m for m in json.loads(run_cli("status", "--json", cwd=root).stdout)["modules"]}
    assert mods["a"]["prerequisites"][0]["reason"] == "circular"
    assert mods["d"]["prerequisites"][0]["met"] is True


def test_a_lone_module_cannot_need_itself(tmp_path: Path) -> None:
    root = course(tmp_path, {"a": ("1.0.0", ["test/a"])})
    (root / "_config.yml").unlink()
    validated, status = both_checks(root / "modules" / "a")
    assert validated == status and len(validated) == 1
    assert "a module cannot be its own prerequisite" in validated[0]
