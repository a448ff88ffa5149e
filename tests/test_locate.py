"""lcmodules/core/locate.py: the one place where a path becomes a course and its modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lcmodules.cache.store import QuickCheck
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.locate import Target, course_around, find_module, locate, module_slugs
from lcmodules.load.loader import load_paths
from lcmodules.versioning.release import UsageError, resolve_module


def module(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "module.yml").write_text("id: x\n")
    (folder / "notebooks").mkdir()
    (folder / "notebooks" / "a.ipynb").write_text("{}")
    return folder


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """course/ (with _config.yml, modules/een, modules/twee, templates/), bare/ (a course
    without _config.yml), alone/ (a module outside any course), elsewhere/ (nothing)."""
    course = tmp_path / "course"
    module(course / "modules" / "een")
    module(course / "modules" / "twee")
    (course / "_config.yml").write_text("title: T\n")
    (course / "templates").mkdir()
    module(tmp_path / "bare" / "modules" / "drie")
    module(tmp_path / "alone")
    (tmp_path / "elsewhere" / "sub").mkdir(parents=True)
    return tmp_path.resolve()


def test_inside_a_module(tree: Path) -> None:
    een = tree / "course" / "modules" / "een"
    for path in (een, een / "module.yml", een / "notebooks", een / "notebooks" / "a.ipynb"):
        assert locate(path) == Target(tree / "course", (een,)), path
    assert course_around(een / "notebooks" / "a.ipynb") == tree / "course"


def test_a_course(tree: Path) -> None:
    assert locate(tree / "course") == Target(tree / "course", None)
    assert locate(tree / "course" / "modules") == Target(tree / "course", None)
    # a course needs no _config.yml: a modules/ folder is enough, for its modules too
    assert locate(tree / "bare") == Target(tree / "bare", None)
    drie = tree / "bare" / "modules" / "drie"
    assert locate(drie / "notebooks") == Target(tree / "bare", (drie,))


def test_a_module_alone(tree: Path) -> None:
    target = locate(tree / "alone" / "notebooks" / "a.ipynb")
    assert target == Target(tree / "alone", (tree / "alone",))
    assert course_around(tree / "alone") == tree / "alone"


def test_nested_path_in_a_course_outside_its_modules(tree: Path) -> None:
    assert locate(tree / "course" / "templates") is None  # not a module, not the course
    assert course_around(tree / "course" / "templates") == tree / "course"


def test_outside_everything(tree: Path) -> None:
    for path in (tree / "elsewhere", tree / "elsewhere" / "sub"):
        assert locate(path) is None
        assert course_around(path) is None
        assert find_module("een", path) is None


def test_a_module_by_slug_or_path_from_anywhere_in_the_course(tree: Path) -> None:
    een = tree / "course" / "modules" / "een"
    assert find_module("een", tree / "course" / "templates") == een
    assert find_module("modules/twee", tree / "course") == tree / "course" / "modules" / "twee"
    assert find_module(str(een / "notebooks"), tree / "elsewhere") == een
    assert module_slugs(een / "notebooks") == ["een", "twee"]
    with pytest.raises(UsageError, match="did you mean 'twee'"):
        resolve_module("twe", tree / "course")


def test_load_build_check_and_release_agree(tree: Path) -> None:
    """load, the build's no-change check and release resolve the same paths the same way."""
    een = tree / "course" / "modules" / "een"
    for path, modules in [(een / "notebooks", [een]), (tree / "course", None),
                          (tree / "alone" / "module.yml", [tree / "alone"])]:
        target = locate(path)
        diag = Diagnostics()
        courses = load_paths([path], diag)
        assert [c.root for c in courses] == [target.root]
        roots, trees = QuickCheck._inputs([path])
        assert roots == [target.root]
        assert trees[: len(modules or [1])] == (modules or [target.root / "modules"])
        if modules:
            assert resolve_module(str(path), tree) == modules[0]
    assert QuickCheck._inputs([tree / "elsewhere"]) == (None, [])
    diag = Diagnostics()
    assert load_paths([tree / "elsewhere"], diag) == []
    assert "not a course or a module folder" in diag.problems[0].message


def test_the_locator_imports_nothing_heavy() -> None:
    """cache.py's no-change path uses it: importing it must not import pydantic or the model."""
    code = ("import sys, lcmodules.core.locate, lcmodules.cache.store; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pydantic', 'nbformat', 'ruamel', 'semver') or m == 'lcmodules.model'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
