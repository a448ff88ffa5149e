"""Shared fixtures: the example course, the command line, headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SCHEMAS = Path(os.environ.get("LCMODULES_SCHEMAS", SHARED / "schemas"))
CHROMIUM = os.environ.get("LCMODULES_CHROMIUM", "/usr/bin/chromium")
# Execution and build caches of every test go to one throw-away folder, never into fixtures.
os.environ.setdefault("LCMODULES_CACHE_DIR", tempfile.mkdtemp(prefix="lcmodules-test-cache-"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    if not (SCHEMAS / "scorm2004" / "lxml_root.xsd").is_file():
        pytest.fail(f"ADL schemas not found at {SCHEMAS} (set LCMODULES_SCHEMAS)")
    return SCHEMAS


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    """A private copy of the example course (its _config.yml, modules/ and binder/)."""
    dest = tmp_path / "course"
    dest.mkdir()
    shutil.copy2(REPO / "_config.yml", dest / "_config.yml")
    shutil.copytree(REPO / "modules", dest / "modules")
    shutil.copytree(REPO / "binder", dest / "binder")
    return dest


def run_cli(*args: str | os.PathLike, cwd: Path | None = None,
            check: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `lcmodules` command line in a subprocess."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run(
        [sys.executable, "-m", "lcmodules", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=600,
    )
    if check is not None:
        assert proc.returncode == check, (
            f"exit {proc.returncode} (wanted {check})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
