"""Memory stays flat: a build checks each module as it loads and releases its sources, then
re-acquires them per module job; the problems and the bytes are those of a full load."""

from __future__ import annotations

from pathlib import Path

from lcmodules.build import SharedLoad, build_options, load_in_workers, run_build, with_sources
from lcmodules.cache.models import ModelCache, active
from lcmodules.cache.store import FileHasher
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from lcmodules.validate.rules import check_module, validate_courses
from tests.test_incremental import contents, formats


def lean_load(course: Path, cache: Path) -> tuple[list, Diagnostics, ModelCache]:
    models = ModelCache(cache / "models", FileHasher(cache / "file-hashes.json"), check_module)
    diag = Diagnostics()
    with active(models):
        courses = load_paths([course], diag)
        validate_courses(courses, diag)
    return courses, diag, models


def full_load(course: Path) -> tuple[list, Diagnostics]:
    diag = Diagnostics()
    courses = load_paths([course], diag)
    validate_courses(courses, diag)
    return courses, diag


def test_lean_load_releases_sources_and_reports_the_same(course: Path, tmp_path: Path) -> None:
    triage = course / "modules" / "email-triage" / "case.md"
    triage.write_text(triage.read_text() + "\n<!-- BEGIN SOLUTION -->\nopen einde\n", "utf-8")
    other = next(p for p in sorted((course / "modules").iterdir()) if p.name != "email-triage")
    meta = other / "module.yml"
    meta.write_text(meta.read_text() + "onbekend: 1\n", "utf-8")

    courses, diag, models = lean_load(course, tmp_path / "cache")
    _, full = full_load(course)
    assert sorted(p.format() for p in diag.problems) == sorted(p.format() for p in full.problems)
    assert any("case.md" in p.format() for p in diag.problems)  # both broken modules reported
    assert any(other.name in p.format() for p in diag.problems)
    modules = [m for c in courses for m in c.modules]
    assert modules and all(m.released for m in modules)
    assert all(u.page is None and u.notebook is None and not u.raw
               for m in modules for u in m.units)
    assert not models.reused  # no module's sources are kept in the cache's memory

    with active(models):  # the clean module comes back from the stored model, whole
        fine = next(m for m in modules if m.slug not in ("email-triage", other.name))
        again = with_sources(fine)
    assert not again.released and again.course is fine.course
    assert [u.rel for u in again.units] == [u.rel for u in fine.units]
    assert all(u.raw for u in again.units)
    assert any(u.page is not None or u.notebook is not None for u in again.units)


def test_lean_build_gives_the_bytes_of_a_full_one(course: Path, cli, tmp_path: Path) -> None:
    fmts = formats(cli)
    lean_out, full_out = tmp_path / "lean", tmp_path / "full"
    cli("build", course, "--out", lean_out, *fmts, "--no-cache", cwd=course, check=0)

    courses, diag = full_load(course)
    assert diag.ok and not any(m.released for c in courses for m in c.modules)
    arguments = {"edition": None, "sco": None, "html": False, "execute": False,
                 "formats": fmts[1::2]}
    run_build(courses, build_options(courses, arguments, full_out, 1), use_cache=False)
    assert contents(lean_out) == contents(full_out)


def test_loading_in_workers_reports_the_same(course: Path, tmp_path: Path) -> None:
    """`--jobs 2`: the modules are loaded and checked in two forked workers (`SharedLoad`);
    the problems are those of a full load in one process, and this process holds no sources."""
    triage = course / "modules" / "email-triage" / "case.md"
    triage.write_text(triage.read_text() + "\n<!-- BEGIN SOLUTION -->\nopen einde\n", "utf-8")
    other = next(p for p in sorted((course / "modules").iterdir()) if p.name != "email-triage")
    meta = other / "module.yml"
    meta.write_text(meta.read_text() + "onbekend: 1\n", "utf-8")
    cache = tmp_path / "cache"

    loose = load_paths([course], Diagnostics())[0]  # what the workers are given to load
    workers = SharedLoad(cache / "first", FileHasher(cache / "first.json"), check_module, 2)
    with active(workers):
        found = load_in_workers(workers, loose)
    assert set(found) == {m.root for m in loose.modules}
    assert all(f.module.released and f.module.course is None for f in found.values())
    assert any(p.severity == "error" for f in found.values() for p in f.loaded + f.checked)

    models = SharedLoad(cache / "models", FileHasher(cache / "file-hashes.json"), check_module, 2)
    diag = Diagnostics()
    with active(models):
        courses = load_paths([course], diag)
        validate_courses(courses, diag)
    _, full = full_load(course)
    assert sorted(p.format() for p in diag.problems) == sorted(p.format() for p in full.problems)
    modules = [m for c in courses for m in c.modules]
    assert len(modules) == len(loose.modules) and all(m.released for m in modules)
    assert not models.ready and not models.reused  # every module taken, nothing kept
