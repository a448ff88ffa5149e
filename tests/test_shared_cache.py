"""The cache shared across machines (`build --cache-dir`) and sharded builds (`--shard K/N`):
real builds of a small course copied into several folders, each folder a "machine"."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lcmodules.cache.shared import ArtifactStore

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
SLUGS = ["afval", "bouw", "chemie", "data", "energie", "fijnmechanica"]
FORMATS = ("-f", "scorm2004", "-f", "jupyter-book", "-f", "catalog")
CATALOGUE = {"catalog.json", "catalog.html", "catalog.css", "catalog.js"}


def add_module(course: Path, slug: str, ident: str | None = None) -> Path:
    """A copy of the minimal fixture module as `modules/<slug>` with an id of its own."""
    module = course / "modules" / slug
    shutil.copytree(FIXTURE, module)
    meta = module / "module.yml"
    text = meta.read_text("utf-8").replace("id: test/minimal", f"id: {ident or 'proef/' + slug}")
    meta.write_text(text.replace("title: Minimale module", f"title: Module {slug}"), "utf-8")
    return module


def make_course(root: Path, slugs: list[str] = SLUGS) -> Path:
    root.mkdir(parents=True)
    (root / "_config.yml").write_text("title: Gedeelde cache\n", "utf-8")
    for slug in slugs:
        add_module(root, slug)
    return root


def files(out: Path) -> dict[str, str]:
    """Every artifact file below `out` (not the build records) → sha256."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".lcmodules-build")}


def listed(stderr: str, verb: str) -> set[str]:
    """The names a build reported as `wrote` or `restored`."""
    return {Path(m).name for m in re.findall(rf"^{verb} (.+)$", stderr, re.M)}


def module_names(names: set[str]) -> set[str]:
    """The modules whose artifacts are among `names`."""
    return {slug for slug in SLUGS for n in names if n.startswith(f"{slug}-")}


@pytest.fixture()
def machine(cli, monkeypatch, tmp_path: Path):
    """Build `course` as a machine of its own (its own local cache folder) would."""

    def run(course: Path, out: Path, *args: str, check: int | None = 0):
        monkeypatch.setenv("LCMODULES_CACHE_DIR", str(tmp_path / "local" / course.parent.name))
        return cli("build", course, "--out", out, *args, cwd=course, check=check)

    return run


def test_a_second_machine_restores_everything_byte_for_byte(machine, tmp_path: Path) -> None:
    store = tmp_path / "store"
    one = make_course(tmp_path / "m1" / "course")
    first = machine(one, one / "dist", *FORMATS, "--cache-dir", store)
    assert listed(first.stderr, "wrote") and not listed(first.stderr, "restored")

    two = tmp_path / "m2" / "checkout"  # another folder and another name
    shutil.copytree(one, two, ignore=shutil.ignore_patterns("dist"))
    for path in two.rglob("*"):  # a fresh checkout: every file's time is another
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = machine(two, tmp_path / "m2" / "out", *FORMATS, "--cache-dir", store)
    assert not listed(second.stderr, "wrote"), second.stderr
    count = len(listed(second.stderr, "restored"))
    assert count == len(listed(first.stderr, "wrote"))
    assert f"0 written, {count} restored from the shared cache" in second.stderr
    assert files(tmp_path / "m2" / "out") == files(one / "dist")
    assert not list((tmp_path / "m2" / "out").rglob("*.tmp")), "a staging file was left"

    # one module changed on a third machine: only it (and what lists every module) is built
    three = tmp_path / "m3" / "course"
    shutil.copytree(one, three, ignore=shutil.ignore_patterns("dist"))
    page = three / "modules" / "bouw" / "case.md"
    page.write_text(page.read_text("utf-8") + "\nEen alinea die alleen hier staat.\n", "utf-8")
    third = machine(three, three / "dist", *FORMATS, "--cache-dir", store)
    wrote = listed(third.stderr, "wrote")
    assert module_names(wrote) == {"bouw"}, third.stderr
    assert module_names(listed(third.stderr, "restored")) == set(SLUGS) - {"bouw"}
    course_wide = {n for n in wrote if not module_names({n})}
    assert course_wide == {"gedeelde-cache-jupyter-book", *CATALOGUE}, third.stderr


def test_shards_partition_the_modules_and_the_catalogue_is_the_whole_builds(
        machine, tmp_path: Path) -> None:
    course = make_course(tmp_path / "ci" / "course")
    whole = tmp_path / "whole"
    machine(course, whole, "-f", "scorm2004", "-f", "catalog")

    shards: list[set[str]] = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        proc = machine(course, out, "-f", "scorm2004", "-f", "catalog", "--shard", f"{k}/3")
        shards.append(module_names(listed(proc.stderr, "wrote")))
        assert not (out / "catalog.json").exists(), "a shard made a (partial) catalogue"
        assert (out / f".lcmodules-build.shard-{k}-of-3.json").is_file()
    assert sum(map(len, shards)) == len(SLUGS) and set().union(*shards) == set(SLUGS)
    assert sum(1 for s in shards if s) >= 2, f"the ids chosen land in one shard: {shards}"

    gathered = tmp_path / "gathered"  # what a final CI job downloads from every shard
    for k in (1, 2, 3):
        shutil.copytree(tmp_path / f"shard{k}", gathered, dirs_exist_ok=True)
    final = machine(course, gathered, "-f", "scorm2004", "-f", "catalog")
    assert listed(final.stderr, "wrote") == CATALOGUE, final.stderr
    assert (gathered / "catalog.json").read_bytes() == (whole / "catalog.json").read_bytes()
    assert files(gathered) == files(whole)
    catalogue = json.loads((gathered / "catalog.json").read_text("utf-8"))
    assert all(m["artifacts"] for m in catalogue["modules"])

    # a module added later moves no other module to another shard
    add_module(course, "zuivel")
    for k in (1, 2, 3):
        proc = machine(course, tmp_path / f"again{k}", "-f", "scorm2004", "--shard", f"{k}/3")
        assert module_names(listed(proc.stderr, "wrote")) == shards[k - 1], proc.stderr


def test_every_shard_refuses_what_the_whole_course_refuses(machine, tmp_path: Path) -> None:
    course = make_course(tmp_path / "ci" / "course", SLUGS[:3])
    add_module(course, "kopie", ident="proef/afval")  # an id that is already taken
    for k in (1, 2):
        proc = machine(course, tmp_path / f"shard{k}", "-f", "scorm2004", "--shard", f"{k}/2",
                       check=1)
        assert "proef/afval" in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        assert not list((tmp_path / f"shard{k}").glob("*.zip"))


def test_a_damaged_store_entry_is_rebuilt_with_a_warning(machine, tmp_path: Path) -> None:
    store = tmp_path / "store"
    one = make_course(tmp_path / "m1" / "course", SLUGS[:3])
    machine(one, one / "dist", "-f", "scorm2004", "--cache-dir", store)
    blob = next(p for p in (store / "blobs").rglob("*")
                if p.is_file() and p.name == hashlib.sha256(
                    (one / "dist" / "afval-1.0.0-scorm2004.zip").read_bytes()).hexdigest())
    blob.write_bytes(blob.read_bytes()[:100])  # truncated
    entries = sorted((store / "artifacts").rglob("*.json"))
    victim = next(e for e in entries if blob.name not in e.read_text("utf-8"))
    victim.write_text('{"format": 1, "key": ', "utf-8")  # a half-written manifest

    two = tmp_path / "m2" / "course"
    shutil.copytree(one, two, ignore=shutil.ignore_patterns("dist"))
    proc = machine(two, two / "dist", "-f", "scorm2004", "--cache-dir", store)
    assert proc.stderr.count("warning: shared cache entry ignored, damaged (") == 2, \
        proc.stdout + proc.stderr
    assert "does not match its sha256" in proc.stderr and "not valid JSON" in proc.stderr
    assert len(listed(proc.stderr, "wrote")) == 2 and len(listed(proc.stderr, "restored")) == 1
    assert files(two / "dist") == files(one / "dist")

    three = tmp_path / "m3" / "course"  # the rebuilt artifacts were stored afresh
    shutil.copytree(one, three, ignore=shutil.ignore_patterns("dist"))
    proc = machine(three, three / "dist", "-f", "scorm2004", "--cache-dir", store)
    assert "warning" not in proc.stderr and len(listed(proc.stderr, "restored")) == 3
    assert files(three / "dist") == files(one / "dist")


def test_two_machines_putting_the_same_keys_at_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    courses = [make_course(tmp_path / f"m{i}" / "course", SLUGS[:4]) for i in (1, 2)]
    runs = [subprocess.Popen(
        [sys.executable, "-m", "lcmodules", "build", "-f", "scorm2004", "-f", "jupyter-book",
         "--out", "dist", "--cache-dir", str(store)], cwd=course, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "LCMODULES_CACHE_DIR": str(course.parent / "local"), "NO_COLOR": "1"})
        for course in courses]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    assert files(courses[0] / "dist") == files(courses[1] / "dist")
    assert not [p for p in store.rglob("*") if p.name.endswith(".tmp")], "a staging file was left"

    third = tmp_path / "m3" / "dist"  # every entry the two put restores whole and intact
    restored = ArtifactStore(store)
    for entry in sorted((store / "artifacts").rglob("*.json")):
        assert restored.restore(entry.stem, third) is not None, restored.warnings
    assert files(third) == files(courses[0] / "dist")


def test_executed_notebooks_are_shared_too(machine, tmp_path: Path) -> None:
    store = tmp_path / "store"
    one = make_course(tmp_path / "m1" / "course", SLUGS[:2])
    first = machine(one, one / "dist", "-f", "scorm2004", "--execute", "--cache-dir", store)
    assert "2 notebooks executed (2 ran, 0 from the cache)" in first.stderr, first.stderr
    assert list((store / "execute").rglob("*.ipynb"))

    two = tmp_path / "m2" / "elsewhere"
    shutil.copytree(one, two, ignore=shutil.ignore_patterns("dist"))
    second = machine(two, two / "dist", "-f", "scorm2004", "--execute", "--cache-dir", store)
    assert "0 written, 2 restored" in second.stderr, second.stderr
    assert "(0 ran, 2 from the cache)" in second.stderr
    assert files(two / "dist") == files(one / "dist")


def escape(item: dict) -> None:
    item["path"] = "../escaped.zip"


def not_a_digest(item: dict) -> None:
    item["sha256"] = "../../blobs"


@pytest.mark.parametrize(("spoil", "says"), [
    (escape, "refusing to write '../escaped.zip'"),
    (not_a_digest, "is not a sha256"),
    (lambda item: item.update(sha256="0" * 64), "is missing"),
    (lambda item: item.update(kind="folder"), "no file list"),
])
def test_a_spoilt_store_entry_writes_nothing(tmp_path: Path, spoil, says: str) -> None:
    store = ArtifactStore(tmp_path / "store")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.zip").write_bytes(b"package")
    assert store.put("k" * 64, out, [out / "a.zip"])
    entry = store.entry_path("k" * 64)
    data = json.loads(entry.read_text("utf-8"))
    spoil(data["artifacts"][0])
    entry.write_text(json.dumps(data), "utf-8")
    fresh = tmp_path / "fresh"
    assert store.restore("k" * 64, fresh) is None
    assert not (tmp_path / "escaped.zip").exists()
    assert not fresh.exists() or not any(fresh.iterdir()), "a damaged entry wrote a file"
    assert len(store.warnings) == 1 and says in store.warnings[0].reason
    assert not entry.exists(), "the damaged entry was kept"


@pytest.mark.parametrize(("value", "says"), [
    ("0/3", "K must be between 1 and 3"), ("4/3", "K must be between 1 and 3"),
    ("1/0", "N (the number of shards) must be at least 1"), ("a/3", "K and N must be whole numbers"),
    ("2", "not of the form K/N"), ("1/2/3", "not of the form K/N"),
])
def test_a_bad_shard_is_refused(machine, tmp_path: Path, value: str, says: str) -> None:
    course = make_course(tmp_path / "ci" / "course", SLUGS[:1])
    proc = machine(course, tmp_path / "out", "--shard", value, check=1)
    assert f"--shard {value}: {says} — write it as K/N" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()
