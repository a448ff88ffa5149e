"""The pipeline: the edition made once, per-block template overrides, partial builds, bad --out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from solutions import solution_lines  # noqa: E402

# A third-party exporter that does nothing special: it writes out every string it is given.
DUMPER = '''
import dataclasses
from pathlib import Path
from lcmodules.export.registry import Exporter

def strings(value, seen):
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k, seen)
            yield from strings(v, seen)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from strings(v, seen)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name), seen)
    elif hasattr(value, "model_dump"):
        yield from strings(value.model_dump(), seen)
    elif isinstance(value, Path):
        yield str(value)

class Dumper(Exporter):
    name = "dumper"

    def export_module(self, module, options):
        target = Path(options.out) / f"{module.slug}.dump"
        target.write_text("\\n".join(strings(module, set())))
        return [target]

    def export_course(self, course, options):
        target = Path(options.out) / "course.dump"
        target.write_text("\\n".join(strings(course, set())))
        return [target]
'''


def run(*args: str | os.PathLike, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lcmodules", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})})


def plugin(tmp_path: Path) -> dict[str, str]:
    """Register DUMPER through a real entry point (a dist-info folder on PYTHONPATH)."""
    site = tmp_path / "plugin"
    info = site / "lcdumper-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "lcdumper.py").write_text(DUMPER)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lcdumper\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[lcmodules.exporters]\ndumper = lcdumper:Dumper\n")
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


def test_a_plain_plugin_exporter_never_sees_a_solution(course: Path, tmp_path: Path) -> None:
    page = course / "modules" / "email-triage" / "case.md"
    page.write_text(page.read_text() + "\n<!-- BEGIN SOLUTION -->\nHet geheime antwoord.\n"
                    "<!-- END SOLUTION -->\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run("build", "-f", "dumper", "--out", out, cwd=course, env=plugin(tmp_path))
    assert proc.returncode == 0, proc.stderr
    dumps = {p.name: p.read_text() for p in out.glob("*.dump")}
    assert "course.dump" in dumps and len(dumps) > 1
    everything = "\n".join(dumps.values())
    assert "raise NotImplementedError()" in everything  # it did get the notebooks
    assert "Triage" in dumps["email-triage.dump"]  # and the page
    assert "geheime antwoord" not in everything
    secrets = solution_lines(course)
    assert secrets
    assert {line for line in secrets if line in everything} == set()


def test_teacher_edition_only_when_asked(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run("build", "-f", "dumper", "--edition", "teacher", "--out", out, cwd=course,
               env=plugin(tmp_path))
    assert proc.returncode == 0, proc.stderr
    everything = "\n".join(p.read_text() for p in out.glob("*.dump"))
    secrets = solution_lines(course)
    assert secrets and all(line in everything for line in secrets)


def test_a_course_template_overrides_one_block(course: Path, tmp_path: Path) -> None:
    html = course / "templates" / "html"
    html.mkdir(parents=True)
    (html / "page.html.j2").write_text(
        '{% extends "lc/page.html.j2" %}\n'
        '{% block footer %}<p class="hs-brand">Hogeschool Zuid, {{ module.id }}</p>'
        '{{ super() }}{% endblock footer %}\n')
    (html / "catalog.html.j2").write_text(
        '{% extends "lc/catalog.html.j2" %}\n'
        '{% block header %}<p class="hs-brand">Hogeschool Zuid</p>{{ super() }}'
        '{% endblock header %}\n')
    out = tmp_path / "out"
    proc = run("build", "-f", "scorm12", "-f", "catalog", "--out", out, cwd=course)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out / "email-triage-1.0.0-scorm12.zip") as zf:
        page = zf.read("index.html").decode()
    assert '<p class="hs-brand">Hogeschool Zuid, ' in page
    assert 'class="lc-toc"' in page and 'class="lc-meta"' in page  # the rest is the built-in
    catalog = (out / "catalog.html").read_text()
    assert '<p class="hs-brand">Hogeschool Zuid</p>' in catalog and "data-lc-module" in catalog


def digests(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


COURSE_WIDE = ("lc-ai-modules-jupyter-book", "lc-ai-modules-learner-repo")


def test_a_partial_build_keeps_the_course_wide_artifacts(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    formats = ["-f", "jupyter-book", "-f", "learner-repo", "-f", "catalog"]
    assert run("build", *formats, "--out", out, cwd=course).returncode == 0
    before = {name: digests(out / name) for name in COURSE_WIDE}
    catalog = json.loads((out / "catalog.json").read_text())
    assert len(catalog["modules"]) > 1
    page = course / "modules" / "email-triage" / "case.md"
    page.write_text(page.read_text() + "\nEen nieuwe alinea.\n", encoding="utf-8")
    proc = run("build", "modules/email-triage", *formats, "--out", out, cwd=course)
    assert proc.returncode == 0, proc.stderr
    assert {name: digests(out / name) for name in COURSE_WIDE} == before
    after = json.loads((out / "catalog.json").read_text())
    assert [m["slug"] for m in after["modules"]] == [m["slug"] for m in catalog["modules"]]
    for old, new in zip(catalog["modules"], after["modules"], strict=True):
        if new["slug"] == "email-triage":
            assert new["fingerprint"] != old["fingerprint"]
            assert new["artifacts"] and new["artifacts"] != old["artifacts"]
        else:
            assert new == old
    # into an empty folder, a partial build writes no course-wide artifact at all
    fresh = tmp_path / "fresh"
    assert run("build", "modules/email-triage", *formats, "--out", fresh, cwd=course
               ).returncode == 0
    assert not any((fresh / name).exists() for name in COURSE_WIDE)
    assert [m["slug"] for m in json.loads((fresh / "catalog.json").read_text())["modules"]] \
        == [m["slug"] for m in catalog["modules"]]


@pytest.mark.parametrize("case", ["file", "below-a-file", "not-creatable", "inside-module"])
def test_a_bad_out_is_a_clear_error(course: Path, tmp_path: Path, case: str) -> None:
    sources = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    target = {
        "file": tmp_path / "dist.txt",
        "below-a-file": tmp_path / "dist.txt" / "sub",
        "not-creatable": Path("/proc/lcmodules-out"),
        "inside-module": course / "modules" / "email-triage" / "dist",
    }[case]
    (tmp_path / "dist.txt").write_text("not a folder")
    proc = run("build", "-f", "scorm12", "--out", target, cwd=course)
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text
    assert "output folder" in text
    assert (tmp_path / "dist.txt").read_text() == "not a folder"
    assert not target.exists() or target.is_file()
    assert {p: p.read_bytes() for p in course.rglob("*") if p.is_file()} == sources
