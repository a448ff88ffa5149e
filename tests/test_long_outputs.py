"""What lcmodules builds, its own `inspect` accepts: a long but honest output is named at
build time, and the package is neither a zip bomb to `inspect` nor refused by `preview`."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import nbformat
import pytest

from lcmodules.inspect.safezip import MAX_RATIO, RATIO_FLOOR, SafeZip, UnsafeZip
from tests.conftest import run_cli
from tests.harness import scormtest
from tests.test_one_check import new_course
from tests.test_preview import start, stop

LINE = "UserWarning: the default of n_init will change from 10 to 'auto' in 1.4\n"


def noisy_module(tmp_path: Path) -> tuple[Path, Path]:
    """A course whose module has a notebook that printed 30,000 identical warning lines."""
    course = new_course(tmp_path)
    module = course / "modules" / "eerste"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("model.fit(data)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=LINE * 30_000)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Ruis"), cell]
    nbformat.write(nb, module / "ruis.ipynb")
    meta = module / "module.yml"
    meta.write_text(meta.read_text("utf-8") + "  - ruis.ipynb\n", "utf-8")
    return course, module / "ruis.ipynb"


def test_a_noisy_notebook_builds_with_a_warning_and_inspects_clean(tmp_path: Path) -> None:
    course, notebook = noisy_module(tmp_path)
    checked = run_cli("validate", course, check=0)
    warned = [line for line in checked.stderr.splitlines() if "repeats one line" in line]
    assert len(warned) == 1 and re.search(r"ruis\.ipynb:\d+: warning: cell 2: ", warned[0])
    assert "30,000 times" in warned[0]
    out = tmp_path / "out"
    built = run_cli("build", course, "-f", "scorm2004", "--out", out, check=0)
    assert "repeats one line" in built.stderr
    [package] = out.glob("*.zip")
    with SafeZip(package) as zf:  # the page really does compress over the old 200:1 limit
        page = max(zf.entries, key=lambda e: e.size)
        assert page.size > 1024**2 and page.size > MAX_RATIO * page.compressed
    inspected = run_cli("inspect", package)
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr
    assert "zip-bomb" not in inspected.stdout
    proc, url = start(package, "--port", "0")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
    finally:
        stop(proc)


def test_real_bombs_are_still_refused(tmp_path: Path) -> None:
    size = RATIO_FLOOR * 4  # 128 MiB of zeros in about 128 KB
    package = tmp_path / "bomb.zip"
    scormtest.raw_zip(package, [{"name": "data.bin", "size": size,
                                 "deflated": scormtest.zeros_deflated(size)}])
    with SafeZip(package) as zf:
        [entry] = zf.entries
        assert zf.suspicious_ratio(entry)
        with pytest.raises(UnsafeZip):
            zf.read("data.bin", limit=size + 1)
    proc = run_cli("inspect", package)
    assert proc.returncode == 1 and "zip" in proc.stdout.lower()
