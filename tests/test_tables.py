"""`list` and `status` in a pipe or a log: whole titles, no 80-column cut; `--json` for scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LONG = ("Voorspellend onderhoud van industriële ovens in een middelgrote bakkerij met "
        "sensordata, drempels en een beslisregel voor de monteur")


def run(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run([sys.executable, "-m", "lcmodules", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def long_title(course: Path) -> None:
    meta = course / "modules" / "voorspellend-onderhoud" / "module.yml"
    text = meta.read_text(encoding="utf-8")
    old = next(ln for ln in text.splitlines() if ln.startswith("title:"))
    meta.write_text(text.replace(old, f"title: {LONG}"), encoding="utf-8")


def test_list_in_a_pipe_keeps_every_title_whole(course: Path) -> None:
    long_title(course)
    text = run("list", cwd=course)
    rows = [ln for ln in text.splitlines() if "lc-ai/" in ln]
    assert len(rows) == 3, text
    assert any(LONG in row for row in rows), text
    assert "…" not in text
    data = json.loads(run("list", "--json", cwd=course))
    assert {r["title"] for r in data} >= {LONG}


def test_status_in_a_pipe_is_not_cut(course: Path) -> None:
    text = run("status", cwd=course)
    assert "…" not in text
    row = next(ln for ln in text.splitlines() if "visual-quality-control" in ln)
    assert "lc-ai/voorspellend-onderhoud ✓" in row and "released, unchanged" in row
    data = json.loads(run("status", "--json", cwd=course))
    assert {m["slug"] for m in data["modules"]} == {
        "voorspellend-onderhoud", "visual-quality-control", "email-triage"}
    assert data["ok"] is True
