"""The README's command lines work as written: the quick start runs verbatim in an empty
folder, and every option the command synopsis names exists."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import REPO, run_cli

BIN = Path(sys.executable).parent  # where `lcmodules` is installed


def readme_block(heading: str) -> list[str]:
    """The command lines of the first fenced block under `## heading` in README.md."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```\w*\n(.*?)^```", section, re.S | re.M)
    assert block, f"README.md: no command block under '## {heading}'"
    return [ln for ln in block.group(1).splitlines() if ln.strip()]


def _env() -> dict[str, str]:
    # BROWSER=true: `serve` opens "a browser" that does nothing
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BROWSER": "true",
            "NO_COLOR": "1", "COLUMNS": "200"}


def run_line(line: str, cwd: Path) -> Path:
    """Run one README line verbatim in bash from `cwd`; return the folder it leaves."""
    if line.split()[:2] == ["lcmodules", "serve"]:
        serve(line, cwd)
        return cwd
    # the line as written, then where it left the shell (for a `cd`), after a marker
    proc = subprocess.run(["bash", "-e", "-c", f"{line}\necho; echo README-PWD; pwd"],
                          cwd=cwd, env=_env(), text=True, capture_output=True, timeout=600)
    assert proc.returncode == 0, f"README line failed: {line}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return Path(proc.stdout.rsplit("README-PWD\n", 1)[1].strip())


def serve(line: str, cwd: Path) -> None:
    """Start `lcmodules serve` as written, load its page, stop it with Ctrl-C."""
    proc = subprocess.Popen(["bash", "-c", f"exec {line}"], cwd=cwd, env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        url = re.search(r"at (http://\S+)", first)
        assert url, f"serve printed: {first!r}"
        with urllib.request.urlopen(url.group(1), timeout=60) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err


def test_quick_start_runs_verbatim(tmp_path: Path) -> None:
    lines = readme_block("Quick start")
    assert lines[0].startswith("lcmodules init")
    cwd = tmp_path
    for line in lines:
        cwd = run_line(line, cwd)
    built = {p.name for p in (cwd / "dist").iterdir()}
    assert {"voorspellend-onderhoud-0.1.0-scorm2004.zip", "eerste-module-0.1.0-imscc.imscc"} <= built
    assert any("serve" in ln for ln in lines)


def test_every_command_and_option_in_the_synopsis_exists() -> None:
    lines = readme_block("Commands")
    listed = run_cli("--help", check=0).stdout
    seen = set()
    for line in lines:
        words = shlex.split(line.split("  #", 1)[0].replace("…", ""))
        assert words[0] == "lcmodules", line
        command = words[1]
        seen.add(command)
        assert re.search(rf"^\s+{re.escape(command)}\s", listed, re.M), f"no command {command}"
        helptext = run_cli(command, "--help", check=0).stdout
        for word in words[2:]:
            option = word.strip("[]").split("=")[0]
            if option.startswith("-"):
                assert re.search(rf"(^|[\s,]){re.escape(option)}[\s,/]", helptext), \
                    f"README: `{line}` — {command} has no option {option}"
    assert {"init", "new", "validate", "build", "serve", "release"} <= seen
