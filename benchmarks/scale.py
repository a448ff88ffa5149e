"""Benchmark (issue 20): a cold SCORM 2004 build of a generated course of 1,000 modules — time
and peak RSS — and, on the 100-module course run.py's targets are set for, the cold SCORM builds
against `jupyter nbconvert --to html` of the same notebooks, measured in the same run."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402
    MB,
    TARGET_NBCONVERT_JOBS,
    Run,
    bench_env,
    check,
    generate_course,
    lcmodules,
    machine,
    measure,
    nbconvert_baseline,
)

TARGET_SECONDS = 60.0  # 1,000 modules cold, default --jobs (every core)
TARGET_RSS_MB = 250.0  # peak RSS of the build and its workers
PLOTS = 32  # distinct plot images the generated notebooks draw from (generation in seconds)
RATIO_MODULES = 100  # the cold SCORM ÷ nbconvert target is set for this course (run.py)
RATIO_FORMATS = ("scorm12", "scorm2004")


def cold_build(course: Path, fmt: str, work: Path, name: str, jobs: int | None) -> Run:
    """One `lcmodules build` of `course` in `fmt` from nothing (an empty output folder and
    cache), into `work/<name>-out-<fmt>`."""
    out, cache = work / f"{name}-out-{fmt}", work / f"{name}-cache-{fmt}"
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    extra = ["--jobs", str(jobs)] if jobs else []
    print(f"{fmt}: cold build of {course.name} …", file=sys.stderr)
    return check(measure(lcmodules("build", course, "--format", fmt, "--out", out, *extra),
                         work / "logs" / f"{name}-{fmt}.log",
                         env=bench_env(LCMODULES_CACHE_DIR=str(cache))), f"{fmt} cold")


def scale_run(modules: int, work: Path, jobs: int | None) -> dict[str, Any]:
    """Generate the course, build it cold once; the figures."""
    course = work / "course"
    shutil.rmtree(course, ignore_errors=True)
    started = time.perf_counter()
    stats = generate_course(course, modules, 3 * modules, plots=PLOTS)
    generated = time.perf_counter() - started
    print(f"generated {stats.modules} modules, {stats.notebooks} notebooks, "
          f"{stats.source_bytes / MB:.0f} MB in {generated:.1f} s", file=sys.stderr)
    cold = cold_build(course, "scorm2004", work, "scale", jobs)
    packages = len(list((work / "scale-out-scorm2004").glob("*.zip")))
    return {"modules": stats.modules, "notebooks": stats.notebooks,
            "source_mb": stats.source_bytes / MB, "generate_seconds": generated,
            "seconds": cold.seconds, "max_rss_mb": cold.max_rss_mb, "packages": packages,
            "cpu_seconds": cold.cpu_seconds,
            "cpus": os.cpu_count(), "jobs": jobs, "load": os.getloadavg()}


def ratio_run(work: Path, jobs: int | None) -> dict[str, Any]:
    """`nbconvert --to html` of a 100-module course's notebooks, then a cold build of it in
    each SCORM format (one run each: other work on the machine slows both sides alike)."""
    course = work / "ratio-course"
    shutil.rmtree(course, ignore_errors=True)
    stats = generate_course(course, RATIO_MODULES, 3 * RATIO_MODULES)
    nbconvert = nbconvert_baseline(stats, work, bench_env(), "before")
    cold = {fmt: cold_build(course, fmt, work, "ratio", jobs) for fmt in RATIO_FORMATS}
    return {"modules": stats.modules, "nbconvert_seconds": nbconvert.seconds,
            "cold_seconds": {fmt: run.seconds for fmt, run in cold.items()}}


def verdicts(figures: dict[str, Any], modules: int) -> list[tuple[str, str, str, bool]]:
    """(figure, value, target, met) rows: the ratios to nbconvert, then the large build's; its
    time target scales with the course (60 s per 1,000 modules), the memory target does not."""
    limit = TARGET_SECONDS * modules / 1000
    ratio = figures["ratio"]
    nbc = ratio["nbconvert_seconds"]
    return [
        *((f"cold build {fmt}, {ratio['modules']} modules ÷ nbconvert --to html "
           f"({seconds:.1f} s ÷ {nbc:.1f} s)", f"{seconds / nbc:.2f}×",
           f"≤ {TARGET_NBCONVERT_JOBS:g}×", seconds <= TARGET_NBCONVERT_JOBS * nbc)
          for fmt, seconds in ratio["cold_seconds"].items()),
        (f"cold build scorm2004, {modules} modules", f"{figures['seconds']:.1f} s",
         f"≤ {limit:g} s", figures["seconds"] <= limit),
        ("peak RSS of that build (workers included)", f"{figures['max_rss_mb']:.0f} MB",
         f"≤ {TARGET_RSS_MB:g} MB", figures["max_rss_mb"] <= TARGET_RSS_MB),
        ("packages written", str(figures["packages"]), f"= {modules}",
         figures["packages"] == modules),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=1000, help="modules (default 1000)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="pass --jobs N to lcmodules build (default: its own default)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder, keep it")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="lcmodules-scale-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = scale_run(args.modules, work, args.jobs)
        print(f"the ratio to nbconvert on {RATIO_MODULES} modules …", file=sys.stderr)
        figures["ratio"] = ratio_run(work, args.jobs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = verdicts(figures, args.modules)
    load = ", ".join(f"{x:.1f}" for x in figures["load"])
    print(f"lcmodules scale benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {machine()}")
    print(f"{figures['modules']} modules, {figures['notebooks']} notebooks, sources "
          f"{figures['source_mb']:.0f} MB (generated in {figures['generate_seconds']:.1f} s); "
          f"lcmodules build --jobs {args.jobs or 'default'}; load average after: {load}")
    print("| figure | value | target | met |\n| --- | --- | --- | --- |")
    for figure, value, target, met in rows:
        print(f"| {figure} | {value} | {target} | {'met' if met else 'NOT MET'} |")
    cpu = figures["cpu_seconds"]
    print(f"| CPU time of that build (user + sys, workers included) | {cpu:.1f} s | | |")
    print(f"| cores kept busy (CPU time ÷ wall time) | {cpu / figures['seconds']:.2f} | | |")
    if args.json:
        figures["rows"] = [{"figure": r[0], "value": r[1], "target": r[2], "met": r[3]}
                           for r in rows]
        figures["machine"] = machine()
        args.json.write_text(json.dumps(figures, indent=1), "utf-8")
    missed = [r[0] for r in rows if not r[3]]
    if missed:
        print(f"{len(missed)} target(s) NOT MET: " + "; ".join(missed), file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
