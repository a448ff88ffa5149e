"""Build hook: vendor the scorm-again runtime pinned in package.json into the package.

`lcmodules preview` needs scorm-again in the browser. Building an sdist or a wheel copies it
from node_modules/ (running `npm ci` when it is missing) into lcmodules/preview/vendor/, so a
plain `pip install lcmodules` has it. An sdist carries the copy, so a wheel built from the sdist
needs no npm. Nothing is fetched at run time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
PACKAGE = "scorm-again"
VENDOR = ROOT / "lcmodules" / "preview" / "vendor" / PACKAGE
# node_modules/scorm-again/<from> → lcmodules/preview/vendor/scorm-again/<to>
FILES = {"dist/scorm-again.js": "scorm-again.js", "LICENSE": "LICENSE",
         "package.json": "package.json"}


def pinned_version() -> str | None:
    """The version of scorm-again package.json pins (None outside a repository checkout)."""
    manifest = ROOT / "package.json"
    if not manifest.is_file():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    deps = {**data.get("dependencies", {}), **data.get("devDependencies", {})}
    return deps[PACKAGE]


def installed_version(folder: Path) -> str | None:
    manifest = folder / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("version")


def vendor_scorm_again() -> None:
    """Make lcmodules/preview/vendor/scorm-again hold the pinned runtime and its licence."""
    pin = pinned_version()
    if pin is None:  # building from an sdist: the vendored copy came with it
        if installed_version(VENDOR) is None:
            raise SystemExit(f"{VENDOR} is missing and there is no package.json to vendor it from")
        return
    if installed_version(VENDOR) == pin and all((VENDOR / f).is_file() for f in FILES.values()):
        return
    source = ROOT / "node_modules" / PACKAGE
    if installed_version(source) != pin:
        if shutil.which("npm") is None:
            raise SystemExit(f"building lcmodules needs {PACKAGE} {pin}: install node and npm")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=ROOT, check=True)
    if installed_version(source) != pin:
        raise SystemExit(f"node_modules/{PACKAGE} is not version {pin} after npm ci")
    VENDOR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".scorm-again-", dir=VENDOR.parent))
    for src, dst in FILES.items():
        shutil.copyfile(source / src, staging / dst)
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    os.replace(staging, VENDOR)


class BuildPy(build_py):
    """build_py that vendors scorm-again first."""

    def run(self) -> None:
        vendor_scorm_again()
        super().run()


class Sdist(sdist):
    """sdist that vendors scorm-again first, so the archive carries it."""

    def run(self) -> None:
        vendor_scorm_again()
        super().run()


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
