"""`inspect NEW.imscc --against OLD.imscc`: whether replacing a cartridge keeps records."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.test_one_check import new_course


def cartridge(course: Path, out: Path) -> Path:
    run_cli("build", course / "modules" / "eerste", "-f", "imscc", "--out", out, check=0)
    [found] = out.glob("eerste-*.imscc")
    return found


def compared(new: Path, old: Path) -> tuple[int, dict]:
    proc = run_cli("inspect", new, "--against", old, "--json")
    return proc.returncode, json.loads(proc.stdout)


def test_cartridges_against_each_other(tmp_path: Path) -> None:
    course = new_course(tmp_path)
    old = cartridge(course, tmp_path / "old")
    code, same = compared(old, old)
    assert code == 0 and same["ok"] and same["kept"] and not same["removed"]
    assert same["new"]["format"] == same["old"]["format"] == "Common Cartridge 1.1"
    text = run_cli("inspect", old, "--against", old, check=0).stdout
    assert "keeps every learner record" in text

    module = course / "modules" / "eerste"
    (module / "extra.md").write_text("# Extra\n\nNog een pagina.\n", "utf-8")
    meta = module / "module.yml"
    original = meta.read_text("utf-8")
    meta.write_text(original + "  - extra.md\n", "utf-8")
    grown = cartridge(course, tmp_path / "grown")
    code, result = compared(grown, old)
    assert code == 0 and len(result["added"]) == 1 and set(same["kept"]) <= set(result["kept"])

    meta.write_text(original.replace("  - notebooks/01-start.ipynb\n", ""), "utf-8")
    shrunk = cartridge(course, tmp_path / "shrunk")
    code, result = compared(shrunk, old)
    assert code == 1 and result["removed"]  # the notebook's page and its download
    assert all("01-start" in ident for ident in result["removed"])
    assert "item-removed" in [f["code"] for f in result["findings"]]

    run_cli("build", module, "-f", "scorm2004", "--out", tmp_path / "scorm", check=0)
    [package] = (tmp_path / "scorm").glob("*.zip")
    code, result = compared(package, old)
    assert code == 1 and "scorm-version-changed" in [f["code"] for f in result["findings"]]
