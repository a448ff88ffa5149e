"""Caches that cannot run code: nothing a build reads back from a folder the course controls
(its `.lcmodules-cache/`, the output folder) is unpickled."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from lcmodules.cache.models import ModelCache
from lcmodules.cache.store import CACHE_NAME, RECORD_NAME, FileHasher, models_dir
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from tests.test_one_check import new_course


class Planted:
    """Unpickling it creates `marker` (what a cache file shipped with a course could do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (self.marker, "w")


def build(course: Path, out: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LCMODULES_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(home), NO_COLOR="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "lcmodules", "build", "-f", "scorm12",
                           "--out", str(out)], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)


def plant_everywhere(course: Path, out: Path, marker: Path) -> list[Path]:
    """A pickle at every name a build reads from the course's cache and output folders: the
    model entries (at the keys an in-course model cache would look up), the file-hash memo,
    the no-change runs, the build record and executed notebooks."""
    payload = pickle.dumps(Planted(marker))
    cache = course / CACHE_NAME
    diag = Diagnostics()
    [loaded] = load_paths([course], diag)
    models = ModelCache(cache / "models", FileHasher())
    planted = [cache / "file-hashes.json", cache / "builds.json", out / RECORD_NAME]
    for module in loaded.modules:
        key = models.key(module.root, loaded)
        planted.append(cache / "models" / key[:2] / f"{key}.pickle")
        planted.append(cache / "execute" / key[:2] / f"{key}.ipynb")
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    return planted


def test_planted_pickles_never_run(tmp_path: Path) -> None:
    course = new_course(tmp_path)
    out, home, marker = course / "dist", tmp_path / "home-cache", tmp_path / "RAN"
    assert not pickle.loads(pickle.dumps(Planted(marker))).closed  # the payload works …
    marker.unlink()  # … and is gone again
    planted = plant_everywhere(course, out, marker)
    assert len(planted) >= 5
    proc = build(course, out, home)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert any(out.glob("*.zip")) and "Traceback" not in proc.stderr
    # the model cache is in the user's cache folder, outside the course
    assert list((home / "lcmodules" / "models").rglob("*.pickle"))
    in_course = sorted((course / CACHE_NAME / "models").rglob("*.pickle"))
    assert in_course == sorted(p for p in planted if p.suffix == ".pickle")  # none added
    # a second build (every cache warm) still runs nothing planted
    plant_everywhere(course, out, marker)
    assert build(course, out, home).returncode == 0 and not marker.exists()


def test_models_live_in_the_user_cache_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LCMODULES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert models_dir() == (tmp_path / "xdg" / "lcmodules" / "models").resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert models_dir() == (tmp_path / "home" / ".cache" / "lcmodules" / "models").resolve()
    monkeypatch.setenv("LCMODULES_CACHE_DIR", str(tmp_path / "mine"))
    assert models_dir() == (tmp_path / "mine" / "models").resolve()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_one_recipe_names_and_hashes_every_cache_key(monkeypatch) -> None:
    from lcmodules.cache.store import cache_key

    base = cache_key("build", {"a": 1}, ("lcmodules", "SOURCE_DATE_EPOCH"))
    assert base == cache_key("build", {"a": 1}, ("SOURCE_DATE_EPOCH", "lcmodules"))
    assert base != cache_key("model", {"a": 1}, ("lcmodules", "SOURCE_DATE_EPOCH"))
    assert base != cache_key("build", {"a": 2}, ("lcmodules", "SOURCE_DATE_EPOCH"))
    assert base != cache_key("build", {"a": 1}, ("lcmodules",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    assert base != cache_key("build", {"a": 1}, ("lcmodules", "SOURCE_DATE_EPOCH"))
