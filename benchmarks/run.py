"""Benchmark: build a synthetic course with lcmodules and compare against nbconvert, zip and jupyter-book."""

from __future__ import annotations

import argparse
import base64
import dataclasses
import functools
import json
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMATS = ("scorm12", "scorm2004", "jupyter-book")
MB = 1024 * 1024
KB = 1024

# The targets of the issue, as (figure, comparison, limit).
TARGET_NBCONVERT = 1.2  # cold SCORM build in one process (--jobs 1) ≤ 1.2 × nbconvert --to html
TARGET_NBCONVERT_JOBS = 0.5  # … with the default --jobs (every core) ≤ 0.5 × nbconvert (issue 20)
TARGET_JUPYTER_BOOK = 0.25  # cold SCORM build ≤ 0.25 × jupyter-book build of the same pages
TARGET_WARM = 0.05  # warm rebuild ≤ 5 % of the cold build
TARGET_RSS_MB = 250  # peak RSS with 1 GB of assets
TARGET_CHROME_KB = 20  # page chrome per page
TARGET_CHANGE = 2.0  # rebuild after one notebook changed ≤ 2 × that module's own cold build
TARGET_COURSE_RSS_MB = 250  # cold SCORM 2004 build of the whole course, whatever its size


# ---------------------------------------------------------------- synthetic content


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A plot-like RGB PNG (axes, grid, a noisy curve, scattered points), zlib-encoded by hand."""
    rng = random.Random(seed)
    try:
        import numpy as np
    except ImportError:  # a flat image with stripes: smaller, but still a valid PNG
        rows = b"".join(b"\x00" + bytes((200 + (x * seed) % 55) for x in range(width * 3))
                        for _ in range(height))
        return _png(width, height, rows)
    gen = np.random.default_rng(seed)
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    img[:, ::40] = (225, 225, 225)  # grid
    img[::30, :] = (225, 225, 225)
    img[height - 20, 30:] = 0  # axes
    img[:height - 20, 30] = 0
    x = np.arange(30, width)
    phase, freq = rng.random() * 6.28, 0.01 + rng.random() * 0.04
    y = (height / 2 + height / 3 * np.sin(x * freq + phase)
         + gen.normal(0, 4, x.size)).astype(int).clip(0, height - 21)
    for dy in (-1, 0, 1):
        img[(y + dy).clip(0, height - 21), x] = (31, 119, 180)
    n = 400
    px = gen.integers(31, width, n)
    py = gen.integers(0, height - 21, n)
    img[py, px] = gen.integers(0, 255, (n, 3), dtype=np.uint8)
    # anti-aliasing-like noise near the curve, as matplotlib's output has
    band = np.zeros((height, width, 1), dtype=bool)
    for dy in range(-6, 7):
        band[(y + dy).clip(0, height - 21), x] = True
    noise = gen.integers(0, 60, (height, width, 1), dtype=np.uint8)
    img = np.where(band & (img > 240), img - noise, img).astype(np.uint8)
    rows = b"".join(b"\x00" + img[r].tobytes() for r in range(height))
    return _png(width, height, rows)


@functools.cache
def pooled_png(size: tuple[int, int], seed: int) -> bytes:
    return png_bytes(*size, seed=seed)


def _png(width: int, height: int, raw_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw_rows, 6)) + chunk(b"IEND", b""))


def html_table(rng: random.Random, rows: int = 5) -> str:
    cols = ["datum", "sensor", "temperatuur", "druk", "trilling", "storing"]
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join(
        "<tr><th>{}</th>{}</tr>".format(
            r, "".join(f"<td>{rng.uniform(0, 250):.2f}</td>" for _ in cols))
        for r in range(rows))
    return (
        '<div>\n<style scoped>\n    .dataframe tbody tr th:only-of-type {\n'
        '        vertical-align: middle;\n    }\n</style>\n'
        f'<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">'
        f"<th></th>{head}</tr>\n  </thead>\n  <tbody>\n{body}\n  </tbody>\n</table>\n</div>"
    )


def text_table(rng: random.Random, rows: int = 5) -> str:
    lines = ["        datum  sensor  temperatuur    druk  trilling  storing"]
    for r in range(rows):
        lines.append(f"{r}  2024-01-{r + 1:02d}  S{rng.randint(1, 9)}  "
                     f"{rng.uniform(150, 250):10.2f}  {rng.uniform(0, 5):6.2f}  "
                     f"{rng.uniform(0, 1):8.3f}  {rng.randint(0, 1)}")
    return "\n".join(lines)


def traceback_lines() -> list[str]:
    return [
        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
        "\x1b[0;31mKeyError\x1b[0m                                  Traceback (most recent call last)",
        "Cell \x1b[0;32mIn[7], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m df[\x1b[38;5;124m'temp'\x1b[39m]",
        "File \x1b[0;32m~/lib/pandas/core/frame.py:4102\x1b[0m, in \x1b[0;36mDataFrame.__getitem__\x1b[0m",
        "\x1b[0;31mKeyError\x1b[0m: 'temp'",
    ]


def cell_id(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(8))


def notebook(title: str, seed: int, png_size: tuple[int, int], plots: int = 0) -> dict[str, Any]:
    """A data-science notebook with the outputs such notebooks have: tables, plots, streams,
    a warning and an (allowed) error. `plots` > 0: its plots come from that many distinct
    images, made once (a large course is generated in seconds)."""
    rng = random.Random(seed)
    count = 0

    def code(source: str, outputs: list[dict[str, Any]], tags: list[str] | None = None
             ) -> dict[str, Any]:
        nonlocal count
        count += 1
        for out in outputs:
            if out["output_type"] == "execute_result":
                out["execution_count"] = count
        return {"cell_type": "code", "id": cell_id(rng), "execution_count": count,
                "metadata": {"tags": tags} if tags else {}, "outputs": outputs,
                "source": source}

    def md(source: str) -> dict[str, Any]:
        return {"cell_type": "markdown", "id": cell_id(rng), "metadata": {}, "source": source}

    def image() -> dict[str, Any]:
        picked = rng.randrange(1 << 30)
        data = (pooled_png(png_size, picked % plots) if plots
                else png_bytes(*png_size, seed=picked))
        return {"output_type": "display_data", "metadata": {},
                "data": {"image/png": base64.b64encode(data).decode("ascii"),
                         "text/plain": "<Figure size 640x480 with 1 Axes>"}}

    def stream(name: str, text: str) -> dict[str, Any]:
        return {"output_type": "stream", "name": name, "text": text}

    cells = [
        md(f"# {title}\n\nIn dit notebook verkennen we de sensordata van de ovens. "
           "We kijken naar temperatuur, druk en trillingen, en zoeken afwijkingen "
           "die op een storing wijzen.\n\n$$\\bar{x} = \\frac{1}{n}\\sum_{i=1}^n x_i$$"),
        code("import pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt", []),
        code("df = pd.read_csv('data/sensoren.csv', parse_dates=['datum'])\ndf.head()", [{
            "output_type": "execute_result", "metadata": {},
            "data": {"text/html": html_table(rng), "text/plain": text_table(rng)}}]),
        md("## Beschrijvende statistiek\n\nEerst een overzicht van elke kolom."),
        code("print(df.describe())\nprint(len(df), 'metingen')",
             [stream("stdout", text_table(rng, 8) + f"\n{rng.randint(1000, 9000)} metingen\n")]),
        code("df.plot(x='datum', y='temperatuur', figsize=(8, 4))\nplt.show()", [image()]),
        md("## Opdracht\n\nBereken het voortschrijdend gemiddelde over 24 uur."),
        code("### BEGIN SOLUTION\nrolling = df['temperatuur'].rolling(24).mean()\n"
             "### END SOLUTION\nrolling.tail()", [{
                 "output_type": "execute_result", "metadata": {},
                 "data": {"text/plain": "\n".join(f"{9990 + i}    {rng.uniform(180, 220):.4f}"
                                                  for i in range(5))}}]),
        code("import warnings\nwarnings.warn('kolom druk bevat ontbrekende waarden')",
             [stream("stderr", "/tmp/ipykernel_1234/123.py:2: UserWarning: kolom druk "
                               "bevat ontbrekende waarden\n  warnings.warn(\n")]),
        code("df['temp']", [{"output_type": "error", "ename": "KeyError", "evalue": "'temp'",
                             "traceback": traceback_lines()}], tags=["raises-exception"]),
        code("fig, ax = plt.subplots()\nax.scatter(df['druk'], df['trilling'])\nplt.show()",
             [image()]),
        md("## Conclusie\n\nDe trillingen nemen toe in de dagen vóór een storing."),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
        "nbformat": 4, "nbformat_minor": 5,
    }


def case_page(index: int, title: str, notebooks: list[str], asset: str | None) -> str:
    links = "\n".join(f"- [{Path(n).stem}]({n})" for n in notebooks)
    video = (f"\n## Videocollege\n\nBekijk eerst [het videocollege]({asset}) "
             "(ongeveer tien minuten).\n" if asset else "")
    paragraphs = "\n\n".join(
        textwrap.fill(
            f"Alinea {p + 1} van de casus {index}. Het bedrijf verzamelt sinds twee jaar "
            "sensordata van zijn productielijn. De onderhoudsploeg vermoedt dat storingen "
            "zich vooraf aankondigen in de trillingen en de temperatuur van de ovens, maar "
            "heeft geen tijd om de data zelf te analyseren. Jullie helpen daarbij.", 100)
        for p in range(6))
    return f"""---
title: "{title}"
---

# {title}

{paragraphs}

:::{{note}}
Deze casus is ontwikkeld samen met de praktijkpartner. Gebruik de data alleen voor deze module.
:::

```{{warning}}
De sensordata bevat ontbrekende waarden: controleer ze voordat je conclusies trekt.
```

## De data

| kolom | betekenis | eenheid |
| --- | --- | --- |
| temperatuur | oventemperatuur | °C |
| druk | luchtdruk in de oven | bar |
| trilling | RMS van de trillingssensor | mm/s |

De gemiddelde temperatuur is $\\mu = \\frac{{1}}{{n}}\\sum x_i$, de spreiding $\\sigma$.

```{{figure}} img/overzicht.png
:alt: Overzicht van de productielijn

De productielijn met de plaats van de sensoren.
```

```python
import pandas as pd
df = pd.read_csv("data/sensoren.csv")
```
{video}
## Notebooks

{links}
"""


def quiz(index: int) -> str:
    return f"""title: Kennischeck {index}
mastery_score: 0.7
questions:
  - id: metriek
    type: single
    prompt: Welke metriek past bij zeldzame storingen?
    choices:
      - text: Accuracy
      - text: Recall
        correct: true
      - text: Aantal rijen
    feedback: Bij zeldzame storingen zegt accuracy weinig.
  - id: sensoren
    type: multiple
    prompt: Welke sensoren gebruikten we?
    choices:
      - text: Temperatuur
        correct: true
      - text: Trilling
        correct: true
      - text: Geluid
  - id: genoeg
    type: true-false
    prompt: Een accuracy van 99 % is altijd genoeg.
    answer: false
  - id: drempel
    type: numeric
    prompt: Bij welke temperatuur (°C) begint de oven af te wijken?
    answer: 230
    tolerance: 5
  - id: model
    type: text
    prompt: Welk model gebruikten we?
    answers: [random forest, randomforest]
"""


@dataclass
class CourseStats:
    root: Path
    modules: int = 0
    notebooks: int = 0
    pages: int = 0
    quizzes: int = 0
    source_bytes: int = 0
    asset_bytes: int = 0
    notebook_paths: list[Path] = field(default_factory=list)


def generate_course(root: Path, modules: int = 100, notebooks: int = 300,
                    asset_bytes: int = 0, png_size: tuple[int, int] = (480, 320),
                    seed: int = 1, plots: int = 0) -> CourseStats:
    """Write a course of `modules` modules holding `notebooks` notebooks between them, each
    module with a case page and a quiz; `asset_bytes` of video files spread over the modules,
    linked from the case pages; `plots` > 0: the plots come from that many distinct
    images."""
    stats = CourseStats(root)
    root.mkdir(parents=True, exist_ok=True)
    slugs = [f"casus-{i:03d}" for i in range(1, modules + 1)]
    (root / "_config.yml").write_text(
        "title: Benchmark course\nauthor: lcmodules benchmark\n"
        "lcmodules:\n  organisation: Benchmark\n", "utf-8")
    figure = png_bytes(640, 360, seed)
    per_module_assets = asset_bytes // modules if asset_bytes else 0
    for m, slug in enumerate(slugs):
        folder = root / "modules" / slug
        (folder / "notebooks").mkdir(parents=True, exist_ok=True)
        (folder / "img").mkdir(exist_ok=True)
        (folder / "data").mkdir(exist_ok=True)
        (folder / "img" / "overzicht.png").write_bytes(figure)
        rng = random.Random(seed * 1000 + m)
        (folder / "data" / "sensoren.csv").write_text(
            "datum,sensor,temperatuur,druk,trilling,storing\n" + "".join(
                f"2024-01-{d % 28 + 1:02d},S{rng.randint(1, 9)},{rng.uniform(150, 250):.2f},"
                f"{rng.uniform(0, 5):.2f},{rng.uniform(0, 1):.3f},{rng.randint(0, 1)}\n"
                for d in range(200)), "utf-8")
        count = notebooks // modules + (1 if m < notebooks % modules else 0)
        nb_rels = []
        for n in range(count):
            rel = f"notebooks/{n + 1:02d}-analyse-{n + 1}.ipynb"
            nb = notebook(f"Analyse {n + 1} van casus {m + 1}", seed * 100000 + m * 100 + n,
                          png_size, plots)
            path = folder / rel
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                            "utf-8")
            nb_rels.append(rel)
            stats.notebook_paths.append(path)
        asset = None
        if per_module_assets:
            (folder / "assets").mkdir(exist_ok=True)
            asset = "assets/videocollege.mp4"
            with (folder / asset).open("wb") as fh:
                left = per_module_assets
                while left > 0:
                    block = os.urandom(min(left, 4 * MB))
                    fh.write(block)
                    left -= len(block)
            stats.asset_bytes += per_module_assets
        title = f"Casus {m + 1}: voorspellend onderhoud bij bedrijf {m + 1}"
        (folder / "case.md").write_text(case_page(m + 1, title, nb_rels, asset), "utf-8")
        (folder / "kennischeck.quiz.yml").write_text(quiz(m + 1), "utf-8")
        contents = "\n".join(f"  - {u}" for u in ["case.md", *nb_rels, "kennischeck.quiz.yml"])
        (folder / "module.yml").write_text(f"""id: bench/{slug}
title: "{title}"
version: 1.0.{m % 7}
language: nl
summary: Een synthetische module voor de benchmark van lcmodules.
authors:
  - name: B. Enchmark
    affiliation: Hogeschool
license: CC-BY-4.0
case:
  organisation: Bedrijf {m + 1}
  sector: maakindustrie
level: hbo-bachelor
study_load_hours: 6
learning_objectives:
  - De student kan sensordata verkennen en afwijkingen herkennen.
  - De student kan een voorspellend model evalueren.
keywords: [predictive maintenance, tijdreeksen]
contents:
{contents}
""", "utf-8")
        stats.modules += 1
        stats.notebooks += count
        stats.pages += 1
        stats.quizzes += 1
    stats.source_bytes = folder_size(root / "modules")
    return stats


def empty_unit_course(root: Path) -> Path:
    """A course with one module holding one almost empty page: its page is pure chrome."""
    folder = root / "modules" / "leeg"
    folder.mkdir(parents=True)
    (root / "_config.yml").write_text("title: Chrome probe\n", "utf-8")
    (folder / "leeg.md").write_text("# Leeg\n", "utf-8")
    (folder / "module.yml").write_text(
        "id: bench/leeg\ntitle: Leeg\nversion: 1.0.0\nlanguage: nl\ncontents: [leeg.md]\n",
        "utf-8")
    return root


def touch_one_notebook(path: Path, marker: str) -> None:
    """Change one markdown cell of one notebook (what a lecturer's small edit does)."""
    nb = json.loads(path.read_text("utf-8"))
    nb["cells"][0]["source"] += f"\n\nBijgewerkt: {marker}."
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    log: Path
    cpu_seconds: float = 0.0  # user + sys of it and its reaped children


def measure(cmd: list[str], log: Path, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> Run:
    """Run `cmd` in a fresh subprocess; wall time, and the peak RSS of it and its children
    (wait4's rusage: the child's and its reaped descendants' maximum)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, log,
               usage.ru_utime + usage.ru_stime)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of every measured command: plain output, no debugger notices."""
    return {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            **extra}


def check(run: Run, what: str) -> Run:
    if run.returncode != 0:
        tail = run.log.read_text("utf-8", "replace")[-3000:]
        raise SystemExit(f"{what} failed (exit {run.returncode}); log {run.log}:\n{tail}")
    return run


def tool(name: str) -> list[str]:
    """A console script of the Python running this benchmark (the same environment)."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"`{name}` not found: install it in this environment")
    return [found]


def lcmodules(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "lcmodules", *map(str, args)]


def find_book_tree(out: Path, scratch: Path) -> Path | None:
    """The largest Jupyter Book source tree the jupyter-book exporter wrote (the collection)."""
    candidates = [p.parent for p in out.rglob("_toc.yml")]
    for archive in out.glob("*.zip"):
        dest = scratch / archive.stem
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
        candidates += [p.parent for p in dest.rglob("_toc.yml")]
    if not candidates:
        return None
    return max(candidates, key=lambda p: sum(1 for f in p.rglob("*") if f.suffix in
                                             (".md", ".ipynb")))


def plain_book(course: Path, dest: Path) -> Path:
    """A plain Jupyter Book of the course's pages and notebooks (no lcmodules involved)."""
    shutil.copytree(course / "modules", dest / "modules")
    (dest / "intro.md").write_text("# Benchmark course\n", "utf-8")
    parts = []
    for module in sorted((dest / "modules").iterdir()):
        files = ["case"] + [f"notebooks/{p.stem}" for p in sorted(module.glob("notebooks/*.ipynb"))]
        chapters = "\n".join(f"      - file: modules/{module.name}/{f}" for f in files)
        parts.append(f"  - caption: {module.name}\n    chapters:\n{chapters}")
    (dest / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n" + "\n".join(parts)
                                   + "\n", "utf-8")
    (dest / "_config.yml").write_text("title: Benchmark\nexecute:\n  execute_notebooks: 'off'\n"
                                      "only_build_toc_files: true\n", "utf-8")
    return dest


def book_without_execution(tree: Path) -> None:
    """Make sure jupyter-book does not run the notebooks (we measure rendering only)."""
    config = tree / "_config.yml"
    text = config.read_text("utf-8") if config.exists() else ""
    if "execute_notebooks" not in text:
        config.write_text(text + "\nexecute:\n  execute_notebooks: 'off'\n", "utf-8")


def zip_html_sizes(packages: list[Path]) -> list[int]:
    sizes = []
    for package in packages:
        with zipfile.ZipFile(package) as zf:
            sizes += [i.file_size for i in zf.infolist() if i.filename.endswith(".html")]
    return sizes


def chrome_bytes(work: Path, env: dict[str, str]) -> dict[str, int]:
    """The size of the page of an almost empty unit, for each SCORM layout."""
    probe = empty_unit_course(work / "chrome-course")
    result: dict[str, int] = {}
    for sco in ("single", "per-unit"):
        out = work / f"chrome-{sco}"
        check(measure(lcmodules("build", probe, "--format", "scorm12", "--out", out, "--sco",
                                sco, "--no-cache"), work / "logs" / f"chrome-{sco}.log",
                      env=env), f"chrome probe ({sco})")
        sizes = zip_html_sizes(sorted(out.glob("*.zip")))
        result[sco] = max(sizes) if sizes else 0
    return result


# ---------------------------------------------------------------- the run


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


def module_alone_builds(stats: CourseStats, work: Path, env: dict[str, str],
                        jobs: list[str]) -> dict[str, Run]:
    """The cold build of each module changed for a SCORM format, copied out of the course and
    built on its own: what a one-notebook rebuild of the course is compared with."""
    alone: dict[str, Run] = {}
    for n, fmt in enumerate(FORMATS):
        if not fmt.startswith("scorm"):
            continue
        module = stats.notebook_paths[n % len(stats.notebook_paths)].parent.parent
        copy = work / "alone" / fmt / module.name
        shutil.rmtree(copy.parent, ignore_errors=True)
        shutil.copytree(module, copy)
        out = work / f"out-alone-{fmt}"
        shutil.rmtree(out, ignore_errors=True)
        fenv = {**env, "LCMODULES_CACHE_DIR": str(work / f"cache-alone-{fmt}")}
        shutil.rmtree(fenv["LCMODULES_CACHE_DIR"], ignore_errors=True)
        print(f"{fmt}: cold build of the changed module alone …", file=sys.stderr)
        alone[fmt] = check(measure(lcmodules("build", copy, "--format", fmt, "--out", out,
                                             *jobs), work / "logs" / f"{fmt}-alone.log",
                                   env=fenv), f"{fmt} module alone")
    return alone


def cold_build(build: list[str], out: Path, env: dict[str, str], log: Path, fmt: str) -> Run:
    """`build` twice from nothing (empty output folder and cache), like the nbconvert baseline:
    the faster run's time, the larger peak RSS (the machine may be shared)."""
    runs = []
    for attempt in (1, 2):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(env["LCMODULES_CACHE_DIR"], ignore_errors=True)
        print(f"{fmt}: cold build ({attempt} of 2) …", file=sys.stderr)
        runs.append(check(measure(build, log.with_name(f"{log.name}-{attempt}.log"), env=env),
                          f"{fmt} cold"))
    best = min(runs, key=lambda r: r.seconds)
    return dataclasses.replace(best, max_rss_mb=max(r.max_rss_mb for r in runs))


def nbconvert_baseline(stats: CourseStats, work: Path, env: dict[str, str], when: str) -> Run:
    """`jupyter nbconvert --to html` of every notebook of the course, one command."""
    print(f"baseline: jupyter nbconvert --to html ({when} the builds) …", file=sys.stderr)
    shutil.rmtree(work / "nbconvert", ignore_errors=True)
    return check(measure(
        [*tool("jupyter"), "nbconvert", "--to", "html", "--output-dir", str(work / "nbconvert"),
         *map(str, stats.notebook_paths)], work / "logs" / f"nbconvert-{when}.log", env=env),
        "nbconvert")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "NOT MET")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    course = work / "course"
    logs = work / "logs"
    if course.exists():
        shutil.rmtree(course)
    print(f"benchmark folder: {work}", file=sys.stderr)
    t0 = time.perf_counter()
    stats = generate_course(course, args.modules, args.notebooks,
                            int(args.assets_gb * 1024 * MB))
    print(f"generated {stats.modules} modules, {stats.notebooks} notebooks, "
          f"{stats.source_bytes / MB:.0f} MB in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)

    env = bench_env()
    figures: dict[str, Any] = {"stats": {k: v for k, v in vars(stats).items()
                                         if k not in ("notebook_paths", "root")}}
    # measured before the builds and after them; the faster run is the baseline (the machine
    # may be shared: the cold builds are compared with the better of two)
    first_nbconvert = nbconvert_baseline(stats, work, env, "before")
    cold: dict[str, Run] = {}
    warm: dict[str, Run] = {}
    change: dict[str, Run] = {}
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    for n, fmt in enumerate(FORMATS):
        out = work / f"out-{fmt}"
        shutil.rmtree(out, ignore_errors=True)
        fenv = {**env, "LCMODULES_CACHE_DIR": str(work / f"cache-{fmt}")}
        build = lcmodules("build", course, "--format", fmt, "--out", out, *jobs)
        cold[fmt] = cold_build(build, out, fenv, logs / f"{fmt}-cold", fmt)
        print(f"{fmt}: warm rebuild …", file=sys.stderr)
        warm[fmt] = check(measure(build, logs / f"{fmt}-warm.log", env=fenv), f"{fmt} warm")
        rebuilt = warm[fmt].log.read_text("utf-8", "replace").count("\nwrote ")
        if rebuilt or warm[fmt].log.read_text("utf-8", "replace").startswith("wrote "):
            print(f"warning: the warm {fmt} build wrote artifacts (did lcmodules' code change "
                  "during the benchmark?)", file=sys.stderr)
            figures.setdefault("warnings", []).append(f"warm {fmt} build wrote artifacts")
        touch_one_notebook(stats.notebook_paths[n % len(stats.notebook_paths)], f"{fmt}")
        print(f"{fmt}: rebuild after one changed notebook …", file=sys.stderr)
        change[fmt] = check(measure(build, logs / f"{fmt}-change.log", env=fenv),
                            f"{fmt} one change")

    alone = module_alone_builds(stats, work, env, jobs)

    print("catalog of the scorm12 packages …", file=sys.stderr)
    catalog = check(measure(
        lcmodules("build", course, "--format", "catalog", "--out", work / "out-scorm12", *jobs),
        logs / "catalog.log", env={**env, "LCMODULES_CACHE_DIR": str(work / "cache-scorm12")}),
        "catalog")

    print("scorm12: cold build in one process (--jobs 1) …", file=sys.stderr)
    serial = work / "out-scorm12-serial"
    shutil.rmtree(serial, ignore_errors=True)
    cold_serial = check(measure(
        lcmodules("build", course, "--format", "scorm12", "--out", serial, "--jobs", "1",
                  "--no-cache"),
        logs / "scorm12-serial.log", env={**env, "LCMODULES_CACHE_DIR": str(work / "cache-serial")}),
        "scorm12 --jobs 1")

    nbconvert = min(first_nbconvert, nbconvert_baseline(stats, work, env, "after"),
                    key=lambda r: r.seconds)
    nbconvert_pages = sorted((work / "nbconvert").glob("*.html"))

    print("baseline: zip -r of the package folders …", file=sys.stderr)
    unpacked = work / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    packages = sorted((work / "out-scorm12").glob("*.zip"))
    for package in packages:
        with zipfile.ZipFile(package) as zf:
            zf.extractall(unpacked / package.stem)
    zips = work / "rezipped"
    shutil.rmtree(zips, ignore_errors=True)
    zips.mkdir()
    if shutil.which("zip"):
        script = f'cd "{unpacked}" && for d in */; do (cd "$d" && zip -qr -X "{zips}/${{d%/}}.zip" .); done'
        zip_tool = "zip -r"
    else:
        script = (f'cd "{unpacked}" && for d in */; do "{sys.executable}" -m zipfile -c '
                  f'"{zips}/${{d%/}}.zip" "$d"; done')
        zip_tool = "python -m zipfile -c"
    zipped = check(measure(["sh", "-c", script], logs / "zip.log"), "zip baseline")

    print("baseline: jupyter-book build …", file=sys.stderr)
    scratch = work / "book-trees"
    shutil.rmtree(scratch, ignore_errors=True)
    tree = find_book_tree(work / "out-jupyter-book", scratch)
    units = stats.pages + stats.notebooks
    tree_pages = sum(1 for f in tree.rglob("*") if f.suffix in (".md", ".ipynb")) if tree else 0
    if tree is None or tree_pages < units:
        tree = plain_book(course, scratch / "plain")
        book_source = "a plain book of the same pages"
    else:
        book_source = "the collection tree lcmodules wrote"
    book_without_execution(tree)
    shutil.rmtree(work / "book-html", ignore_errors=True)
    book = check(measure([*tool("jupyter-book"), "build", str(tree), "--path-output",
                          str(work / "book-html"), "--builder", "html"],
                         logs / "jupyter-book.log", env=env), "jupyter-book build")

    print("page chrome probe …", file=sys.stderr)
    chrome = chrome_bytes(work, env)

    html_sizes = zip_html_sizes(packages)
    package_bytes = sum(p.stat().st_size for p in packages)
    figures.update({
        "cold": {f: vars(r) for f, r in cold.items()},
        "warm": {f: vars(r) for f, r in warm.items()},
        "change": {f: vars(r) for f, r in change.items()},
        "alone": {f: vars(r) for f, r in alone.items()},
        "cold_serial": vars(cold_serial), "catalog": vars(catalog),
        "nbconvert": vars(nbconvert), "zip": vars(zipped), "jupyter_book": vars(book),
        "book_source": book_source, "zip_tool": zip_tool,
        "html_pages": len(html_sizes), "html_bytes": sum(html_sizes),
        "nbconvert_page_bytes": (sum(p.stat().st_size for p in nbconvert_pages)
                                 / max(1, len(nbconvert_pages))),
        "chrome": chrome, "package_bytes": package_bytes,
    })
    rows = table(figures, args)
    figures["rows"] = [vars(r) for r in rows]
    figures["work"] = str(work)
    return figures


def table(f: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    nbc = f["nbconvert"]["seconds"]
    jb = f["jupyter_book"]["seconds"]
    zp = f["zip"]["seconds"]
    with_assets = args.assets_gb >= 1
    limit = TARGET_NBCONVERT if args.jobs == 1 else TARGET_NBCONVERT_JOBS
    # the 0.5 × target is set for 100 modules and more: below, a process's start-up weighs more
    applies = args.jobs == 1 or f["stats"]["modules"] >= 100
    for fmt in FORMATS:
        c = f["cold"][fmt]["seconds"]
        scorm = fmt.startswith("scorm")
        met = (verdict(c <= limit * nbc) if applies else "n/a") if scorm else ""
        rows.append(Row(f"cold build {fmt}", fmt_s(c), f"nbconvert {fmt_s(nbc)}",
                        f"{c / nbc:.2f}×", f"≤ {limit}×" if scorm else "", met))
        rows.append(Row(f"cold build {fmt}", fmt_s(c), f"jupyter-book {fmt_s(jb)}",
                        f"{c / jb:.2f}×", f"≤ {TARGET_JUPYTER_BOOK}×" if scorm else "",
                        verdict(c <= TARGET_JUPYTER_BOOK * jb) if scorm else ""))
        if scorm:
            rows.append(Row(f"cold build {fmt}", fmt_s(c), f"{f['zip_tool']} {fmt_s(zp)}",
                            f"{c / zp:.2f}×"))
    c = f["cold_serial"]["seconds"]
    rows.append(Row("cold build scorm12, --jobs 1", fmt_s(c), f"nbconvert {fmt_s(nbc)}",
                    f"{c / nbc:.2f}×", f"≤ {TARGET_NBCONVERT}×", verdict(c <= TARGET_NBCONVERT * nbc)))
    rows.append(Row("cold build scorm12, --jobs 1", fmt_s(c), f"jupyter-book {fmt_s(jb)}",
                    f"{c / jb:.2f}×", f"≤ {TARGET_JUPYTER_BOOK}×",
                    verdict(c <= TARGET_JUPYTER_BOOK * jb)))
    for fmt in FORMATS:
        c, w = f["cold"][fmt]["seconds"], f["warm"][fmt]["seconds"]
        # set for 100 modules too: below, the ~0.1 s of a process's start-up is a larger share
        # of a cold build that takes 2 s (30 modules)
        rows.append(Row(f"warm rebuild {fmt} (nothing changed)", fmt_s(w), f"cold {fmt_s(c)}",
                        f"{100 * w / c:.1f} %", f"≤ {TARGET_WARM * 100:.0f} %",
                        verdict(w <= TARGET_WARM * c) if applies else "n/a"))
    for fmt in FORMATS:
        c, ch = f["cold"][fmt]["seconds"], f["change"][fmt]["seconds"]
        rows.append(Row(f"rebuild {fmt} after one notebook changed", fmt_s(ch),
                        f"cold {fmt_s(c)}", f"{100 * ch / c:.1f} %"))
        if fmt in f["alone"]:
            a = f["alone"][fmt]["seconds"]
            rows.append(Row(f"rebuild {fmt} after one notebook changed", fmt_s(ch),
                            f"that module alone, cold {fmt_s(a)}", f"{ch / a:.2f}×",
                            f"≤ {TARGET_CHANGE:g}×", verdict(ch <= TARGET_CHANGE * a)))
    rss = max(r["max_rss_mb"] for r in f["cold"].values())
    rows.append(Row("peak RSS of the cold builds" + ("" if with_assets else " (no assets)"),
                    f"{rss:.0f} MB", "", "", f"≤ {TARGET_RSS_MB} MB with 1 GB of assets",
                    verdict(rss <= TARGET_RSS_MB) if with_assets else "n/a"))
    for fmt in FORMATS:
        rows.append(Row(f"  peak RSS {fmt}", f"{f['cold'][fmt]['max_rss_mb']:.0f} MB"))
    course_rss = f["cold"]["scorm2004"]["max_rss_mb"]
    rows.append(Row(f"peak RSS cold build scorm2004, {f['stats']['modules']} modules",
                    f"{course_rss:.0f} MB", "", "", f"≤ {TARGET_COURSE_RSS_MB} MB",
                    verdict(course_rss <= TARGET_COURSE_RSS_MB)))
    rows.append(Row("  peak RSS catalog (lists the scorm12 packages)",
                    f"{f['catalog']['max_rss_mb']:.0f} MB", f"time {fmt_s(f['catalog']['seconds'])}"))
    pages = max(1, f["html_pages"])
    rows.append(Row("HTML bytes per page (scorm12, single layout)",
                    f"{f['html_bytes'] / pages / KB:.0f} KB",
                    f"nbconvert {f['nbconvert_page_bytes'] / KB:.0f} KB",
                    f"{f['html_bytes'] / pages / max(1, f['nbconvert_page_bytes']):.2f}×"))
    units = f["stats"]["pages"] + f["stats"]["notebooks"] + f["stats"]["quizzes"]
    rows.append(Row("HTML bytes per unit (scorm12)", f"{f['html_bytes'] / units / KB:.0f} KB"))
    for sco, size in f["chrome"].items():
        rows.append(Row(f"page chrome ({sco} layout: page of an empty unit)",
                        f"{size / KB:.1f} KB", "", "", f"≤ {TARGET_CHROME_KB} KB",
                        verdict(size <= TARGET_CHROME_KB * KB)))
    src = f["stats"]["source_bytes"]
    rows.append(Row("scorm12 packages vs sources", f"{f['package_bytes'] / MB:.1f} MB",
                    f"sources {src / MB:.1f} MB", f"{f['package_bytes'] / max(1, src):.2f}×"))
    return rows


def render(rows: list[Row]) -> str:
    head = ("figure", "value", "baseline", "ratio", "target", "met")
    data = [head, *[(r.figure, r.value, r.baseline, r.ratio, r.target, r.met) for r in rows]]
    widths = [max(len(str(row[i])) for row in data) for i in range(len(head))]
    lines = []
    for n, row in enumerate(data):
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
                     + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=100,
                        help="modules in the generated course (default 100)")
    parser.add_argument("--notebooks", type=int, default=None,
                        help="notebooks between them (default: 3 per module)")
    parser.add_argument("--assets-gb", type=float, default=0.0,
                        help="GB of (incompressible) video files linked from the case pages")
    parser.add_argument("--quick", action="store_true",
                        help="10 modules, 30 notebooks, no assets (a smoke test)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="pass --jobs N to lcmodules build (default: its own default, "
                             "min(4, CPUs)); one extra scorm12 build always runs with --jobs 1")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (default: a temporary folder, "
                             "removed afterwards)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.modules, args.notebooks, args.assets_gb = 10, 30, 0.0
    if args.notebooks is None:
        args.notebooks = 3 * args.modules
    started = time.perf_counter()
    work = Path(args.keep or tempfile.mkdtemp(prefix="lcmodules-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = [Row(**r) for r in figures["rows"]]
    stats = figures["stats"]
    print(f"lcmodules benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {machine()}")
    print(f"{stats['modules']} modules, {stats['notebooks']} notebooks, {stats['pages']} case "
          f"pages, {stats['quizzes']} quizzes, sources {stats['source_bytes'] / MB:.0f} MB "
          f"(assets {stats['asset_bytes'] / MB:.0f} MB); jupyter-book baseline: "
          f"{figures['book_source']}; lcmodules build --jobs "
          f"{args.jobs or f'default (min(4, CPUs) = {min(4, os.cpu_count() or 1)})'}; "
          f"total {time.perf_counter() - started:.0f} s")
    print(render(rows))
    for warning in figures.get("warnings", []):
        print(f"warning: {warning}")
    if args.json:
        figures["machine"] = machine()
        args.json.write_text(json.dumps(figures, indent=1, default=str), "utf-8")
    missed = [r.figure for r in rows if r.met == "NOT MET"]
    if missed:
        print(f"{len(missed)} target(s) NOT MET: " + "; ".join(missed), file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
