"""benchmarks/books.py measures a book end to end: import, validate, build, schemas, play, hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, REPO, SCHEMAS, run_cli

pytestmark = pytest.mark.browser

PLAYBOOK = REPO / "tests" / "fixtures" / "books" / "playbook"
COOLING = """<!doctype html>
<html lang="en"><head><title>Cooling curve</title></head>
<body><p id="out">Loading the readings…</p>
<script>
fetch("https://readings.example.net/cooling.json").then(r => r.json())
  .then(d => { document.getElementById("out").textContent = d.length + " readings"; })
  .catch(() => { document.getElementById("out").textContent = "No readings."; });
</script></body></html>
"""


def leaky_course(tmp_path: Path) -> Path:
    """The playbook imported, then edited: the course trusts author scripts, and a lab page
    frames a local page whose script fetches from a host no file names (validate cannot see
    it); the intro includes a file the module lacks (an error: that module is not valid)."""
    course = tmp_path / "leaky"
    run_cli("import-book", PLAYBOOK, "--out", course, check=0)
    (course / "import-report.md").unlink()
    config = course / "_config.yml"
    config.write_text(config.read_text("utf-8").replace(
        "lcmodules:\n", "lcmodules:\n  trusted_outputs: true\n"), "utf-8")
    lab = course / "modules" / "the-lab"
    (lab / "cooling.html").write_text(COOLING, "utf-8")
    with (lab / "index.md").open("a", encoding="utf-8") as fh:
        fh.write('\n<iframe src="cooling.html" title="Cooling curve, interactive"></iframe>\n')
    with (course / "modules" / "playing-packages" / "intro.md").open("a", encoding="utf-8") as fh:
        fh.write("\n```{include} setup.md\n```\n")
    return course


def test_books_tool_counts_plays_and_catches_an_unnamed_host(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium")
    figures = tmp_path / "figures.json"
    env = {**os.environ, "LCMODULES_CHROMIUM": CHROMIUM}
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "books.py"), str(PLAYBOOK),
         str(leaky_course(tmp_path)), "--out", str(tmp_path / "out"), "--json", str(figures),
         "--schemas", str(SCHEMAS)],
        capture_output=True, text=True, env=env, timeout=900, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the leaky course fails
    book, leaky = json.loads(figures.read_text("utf-8"))

    assert book["figures"] == {"chapters": 3, "valid": 3, "built": 3, "schema_valid": 3,
                               "played": 3, "unexpected_hosts": 0}
    assert book["ok"]
    modules = {m["slug"]: m for m in book["modules"]}
    media = modules["embedded-media"]
    # the iframe and the H5P embed (its resizer script is left out: only its frame loads)
    assert media["named_hosts"] == ["school.h5p.example", "video.example.org"]
    assert media["loaded_hosts"] == ["school.h5p.example", "video.example.org"]
    # every unit shown in each package: 4 in each SCORM package (index, H5P page, the
    # notebook, the knowledge check from jupyterquiz), 3 pages in the cartridge (its quiz is QTI)
    assert media["units_shown"] == 4 + 4 + 3
    assert sorted(media["packages"]) == ["imscc", "scorm12", "scorm2004"]
    assert modules["the-lab"]["units_shown"] == 2 + 2 + 2  # a page and a notebook
    assert all(m["play_failures"] == [] and m["schema_failures"] == [] for m in book["modules"])
    assert ("chapters | valid | built | schema-valid | played | unexpected-hosts\n"
            "       3 |     3 |     3 |            3 |      3 |                0") in proc.stdout

    assert leaky["figures"] == {"chapters": 3, "valid": 2, "built": 2, "schema_valid": 2,
                                "played": 2, "unexpected_hosts": 1}
    assert not leaky["ok"]
    lab = next(m for m in leaky["modules"] if m["slug"] == "the-lab")
    assert lab["unexpected_hosts"] == ["readings.example.net"]
    intro = next(m for m in leaky["modules"] if m["slug"] == "playing-packages")
    assert any("intro.md:5:" in e and "setup.md" in e for e in intro["errors"]), intro["errors"]
    assert "the-lab: loads readings.example.net, which validate did not name" in proc.stdout
