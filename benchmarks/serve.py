"""Benchmark of `lcmodules serve`: start-up and save→page on a large course against a 1-module one.

Both courses come from the generator of benchmarks/run.py (3 notebooks, a case page and a quiz per
module). Everything is measured from a real browser (Debian's headless Chromium through
Playwright): *start* is the time from launching `lcmodules serve` to a unit page of the middle
module shown; *save→page* the time from saving that module's case page to the edited heading
shown, after serve checked every module in the background (medians; the two courses are
measured in turn, so other work on the machine slows both alike). The figures that count are
the ratios large ÷ small, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import generate_course, machine  # noqa: E402  (the generator beside this script)

TARGET_SAVE = 2.0  # save→page on the large course ≤ 2 × on the 1-module course
TARGET_START = 5.0  # start on the large course ≤ 5 × on the 1-module course
CHROMIUM = os.environ.get("LCMODULES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]
DEADLINE = 120.0  # seconds any one step may take before the benchmark gives up


class Serve:
    """A running `lcmodules serve` whose output lines are read in a thread (with deadlines)."""

    def __init__(self, course: Path) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lcmodules", "serve", str(course), "--port", "0",
             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NO_COLOR": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []  # every line read so far
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, text: str) -> str:
        """The first output line holding `text`; fails after DEADLINE or when serve ended."""
        deadline = time.monotonic() + DEADLINE
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if not line:
                raise RuntimeError(f"serve ended: {self.proc.communicate()[1]}")
            self.seen.append(line)
            if text in line:
                return line
        raise RuntimeError(f"serve printed no {text!r} within {DEADLINE:.0f} s")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=30)


class Session:
    """`lcmodules serve` on one course with a browser page on a unit of module `slug`."""

    def __init__(self, course: Path, slug: str, browser: Any) -> None:
        self.case = course / "modules" / slug / "case.md"
        self.original = self.case.read_text("utf-8")
        self.serve = Serve(course)
        self.page = browser.new_page()
        url = self.serve.wait_for("http://127.0.0.1:").split(" at ", 1)[1].split()[0]
        self.page.goto(f"{url}{slug}/learner/", timeout=DEADLINE * 1000)
        self.page.get_by_role("heading", name="De data").wait_for(timeout=DEADLINE * 1000)
        self.start = time.perf_counter() - self.serve.started
        self.serve.wait_for("Saved sources show")
        if any("in the background" in line for line in self.serve.seen):
            self.serve.wait_for("Checked every module")  # the course is fully checked
        self.saves: list[float] = []

    def save(self) -> None:
        """Save the case page with a new heading; the seconds until the browser shows it."""
        heading = f"De data, bewerkt {len(self.saves) + 1}"
        before = time.perf_counter()
        self.case.write_text(self.original.replace("## De data", f"## {heading}"), "utf-8")
        self.page.get_by_role("heading", name=heading, exact=True).wait_for(
            timeout=DEADLINE * 1000)
        self.saves.append(time.perf_counter() - before)

    def close(self) -> None:
        self.page.close()
        self.case.write_text(self.original, "utf-8")
        self.serve.stop()


def measure(small: Path, large: Path, middle: str, browser: Any, saves: int
            ) -> dict[str, dict[str, Any]]:
    """Starts and saves on both courses, alternated so that a machine busy with other work
    slows both alike: two starts each, then `saves` saves each with both servers running."""
    Session(small, "casus-001", browser).close()  # warm the file system cache and Python
    starts: dict[str, list[float]] = {"one": [], "many": []}
    sessions: dict[str, Session] = {}
    try:
        for last in (False, True):
            for key, course, slug in (("one", small, "casus-001"), ("many", large, middle)):
                session = Session(course, slug, browser)
                starts[key].append(session.start)
                if last:
                    sessions[key] = session
                else:
                    session.close()
        for _ in range(saves):
            for session in sessions.values():
                session.save()
                time.sleep(0.5)  # let the page settle before the next save
    finally:
        for session in sessions.values():
            session.close()
    return {key: {"starts": starts[key], "start": statistics.median(starts[key]),
                  "saves": sessions[key].saves, "save": statistics.median(sessions[key].saves)}
            for key in sessions}


def run(work: Path, modules: int, saves: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    small, large = work / "course-1", work / f"course-{modules}"
    generate_course(small, modules=1, notebooks=3)
    generate_course(large, modules=modules, notebooks=3 * modules)
    middle = f"casus-{(modules + 1) // 2:03d}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            figures = measure(small, large, middle, browser, saves)
        finally:
            browser.close()
    one, many = figures["one"], figures["many"]
    rows = [
        {"figure": "serve save→page", "small": one["save"], "large": many["save"],
         "ratio": many["save"] / one["save"], "target": TARGET_SAVE},
        {"figure": "serve start", "small": one["start"], "large": many["start"],
         "ratio": many["start"] / one["start"], "target": TARGET_START},
    ]
    for row in rows:
        row["met"] = row["ratio"] <= row["target"]
    return {"modules": modules, "saves": saves, "one": one, "many": many, "rows": rows,
            "machine": machine()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=100,
                        help="modules of the large course (default 100, 3 notebooks each)")
    parser.add_argument("--saves", type=int, default=5, help="saves measured per course")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lcmodules-serve-bench-") as tmp:
        figures = run(Path(tmp), args.modules, args.saves)
    print(f"lcmodules serve benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — "
          f"{figures['machine']}")
    print(f"{'figure':<18} {'1 module':>10} {f'{args.modules} modules':>12} {'ratio':>7} "
          f"{'target':>8}  met")
    for row in figures["rows"]:
        print(f"{row['figure']:<18} {row['small']:>9.2f}s {row['large']:>11.2f}s "
              f"{row['ratio']:>6.2f}× {'≤ ' + format(row['target'], '.0f') + '×':>8}  "
              f"{'met' if row['met'] else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), "utf-8")
    missed = [r["figure"] for r in figures["rows"] if not r["met"]]
    if missed:
        print(f"target(s) NOT MET: {'; '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
