"""Incremental builds: nothing changed → nothing built; one module changed → only it; the bytes
of an incremental, a clean and a parallel build are the same; `build --execute`."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def formats(cli) -> list[str]:
    listed = cli("build", "--list-formats", check=0).stdout.split()
    assert listed, "no formats registered"
    return [arg for name in listed for arg in ("--format", name)]


def snapshot(out: Path) -> dict[str, tuple[int, int, str]]:
    """Every file below `out`: (mtime_ns, inode, sha256)."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            st = path.stat()
            found[path.relative_to(out).as_posix()] = (
                st.st_mtime_ns, st.st_ino, hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def contents(out: Path) -> dict[str, object]:
    """What the output folder holds: every file's sha256, and the record's artifact hashes (its
    build keys also hash lcmodules' own code, which may change between two builds here)."""
    found: dict[str, object] = {rel: digest for rel, (_, _, digest) in snapshot(out).items()}
    record = json.loads((out / ".lcmodules-build.json").read_text("utf-8"))
    found[".lcmodules-build.json"] = {k: v["artifacts"] for k, v in record["entries"].items()}
    return found


def written(stderr: str) -> set[str]:
    return {Path(m).name for m in re.findall(r"^wrote (.+)$", stderr, re.M)}


def build(cli, course: Path, out: Path, *args: str):
    return cli("build", course, "--out", out, *args, cwd=course, check=0)


def test_nothing_changed_builds_nothing(course: Path, cli, monkeypatch) -> None:
    monkeypatch.delenv("LCMODULES_CACHE_DIR", raising=False)  # the default place, in the course
    out = course / "dist"
    fmts = formats(cli)
    first = build(cli, course, out, *fmts)
    assert written(first.stderr), first.stderr
    assert (out / ".lcmodules-build.json").is_file()
    before = snapshot(out)

    second = build(cli, course, out, *fmts)
    assert not written(second.stderr), second.stderr
    assert re.search(r"^0 written, \d+ up to date", second.stderr, re.M)
    assert snapshot(out) == before, "an unchanged build touched the output folder"

    # without the remembered run (so every module's key is computed and checked): still nothing
    (course / ".lcmodules-cache" / "builds.json").unlink()
    third = build(cli, course, out, *fmts)
    assert not written(third.stderr), third.stderr
    assert snapshot(out) == before

    # an artifact changed in `out` is rebuilt, and only it
    victim = next(p for p in sorted(out.glob("*.zip")))
    victim.write_bytes(b"damaged")
    fourth = build(cli, course, out, *fmts)
    assert victim.name in written(fourth.stderr)
    assert {victim.name} == {n for n in written(fourth.stderr) if n.endswith(".zip")}
    assert contents(out)[victim.name] == before[victim.name][2]


def test_one_module_changed_rebuilds_only_it(course: Path, cli, tmp_path: Path) -> None:
    out = course / "dist"
    fmts = formats(cli)
    build(cli, course, out, *fmts)
    before = snapshot(out)
    slugs = sorted(p.name for p in (course / "modules").iterdir() if (p / "module.yml").is_file())
    assert len(slugs) >= 2
    changed = slugs[-1]
    page = next(p for p in sorted((course / "modules" / changed).glob("*.md")))
    page.write_text(page.read_text("utf-8") + "\n\nEen extra alinea voor de test.\n", "utf-8")

    proc = build(cli, course, out, *fmts)
    names = written(proc.stderr)
    assert names, proc.stderr
    for name in names:  # only the changed module's artifacts, and course-level ones
        assert not any(name.startswith(f"{slug}-") for slug in slugs if slug != changed), name
    assert any(name.startswith(f"{changed}-") for name in names)
    after = snapshot(out)
    for rel, (mtime, inode, digest) in before.items():
        top = rel.split("/")[0]
        if any(top.startswith(f"{slug}-") for slug in slugs if slug != changed):
            assert after[rel] == (mtime, inode, digest), f"{rel} was rewritten"

    # the incremental output is byte-for-byte a clean build's
    clean = tmp_path / "clean"
    cli("build", course, "--out", clean, *fmts, "--no-cache", cwd=course, check=0)
    assert contents(clean) == contents(out)


def test_parallel_build_gives_the_same_bytes(course: Path, cli, tmp_path: Path) -> None:
    fmts = formats(cli)
    one, two = tmp_path / "one", tmp_path / "two"
    cli("build", course, "--out", one, *fmts, "--jobs", "1", "--no-cache", cwd=course, check=0)
    proc = cli("build", course, "--out", two, *fmts, "--jobs", "2", "--no-cache", cwd=course,
               check=0)
    assert written(proc.stderr)
    assert contents(one) == contents(two)


@pytest.fixture()
def small_course(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    module = root / "modules" / "rekenen"
    module.mkdir(parents=True)
    (root / "_config.yml").write_text("title: Klein\nlcmodules:\n  execute:\n    timeout: 30\n")
    nb = new_notebook(cells=[
        new_markdown_cell("# Rekenen"),
        new_code_cell("open('runs.log', 'a').write('run\\n')\nprint('uitvoer', 6 * 7)"),
    ])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nbformat.write(nb, module / "rekenen.ipynb")
    (module / "intro.md").write_text("# Intro\n\nEen korte inleiding.\n")
    (module / "module.yml").write_text(
        "id: test/rekenen\ntitle: Rekenen\nversion: 1.0.0\nlanguage: nl\n"
        "contents: [intro.md, rekenen.ipynb]\n")
    return root


def artifact_text(out: Path) -> str:
    """Every text in every artifact below `out` (zip entries and files)."""
    parts = []
    for path in sorted(out.rglob("*")):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                parts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
        elif path.is_file():
            parts.append(path.read_text("utf-8", "replace"))
    return "\n".join(parts)


def test_build_execute(small_course: Path, cli) -> None:
    notebook = small_course / "modules" / "rekenen" / "rekenen.ipynb"
    log = notebook.parent / "runs.log"
    source = notebook.read_bytes()
    out = small_course / "dist"
    fmts = formats(cli)

    cli("build", small_course, "--out", out, *fmts, cwd=small_course, check=0)
    assert "uitvoer 42" not in artifact_text(out)

    proc = cli("build", small_course, "--out", out, *fmts, "--execute", cwd=small_course,
                check=0)
    assert "1 ran" in proc.stderr
    assert "uitvoer 42" in artifact_text(out)
    assert notebook.read_bytes() == source, "build --execute changed the source notebook"
    assert log.read_text() == "run\n"

    # another page changes: the notebook comes from the execution cache (no kernel starts)
    page = small_course / "modules" / "rekenen" / "intro.md"
    page.write_text(page.read_text() + "\nNog een zin.\n")
    proc = cli("build", small_course, "--out", out, *fmts, "--execute", cwd=small_course,
                check=0)
    assert "0 ran, 1 from the cache" in proc.stderr
    assert log.read_text() == "run\n"
    assert "uitvoer 42" in artifact_text(out)

    # a failing notebook: reported as file:cell N, nothing built, exit 1
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(new_code_cell("1 / 0"))
    nbformat.write(nb, notebook)
    before = snapshot(out)
    proc = cli("build", small_course, "--out", out, *fmts, "--execute", cwd=small_course,
                check=1)
    assert "modules/rekenen/rekenen.ipynb:cell 3: ZeroDivisionError: division by zero" \
        in proc.stderr.splitlines()
    assert snapshot(out) == before


def build_with_cache(course: Path, out: Path, cache: Path) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "lcmodules", "build", "-f", "scorm12", "--out", str(out)],
        cwd=course, capture_output=True, text=True, timeout=600,
        env={**os.environ, "LCMODULES_CACHE_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "200"})
    return proc.returncode, proc.stdout + proc.stderr


def test_unchanged_modules_are_reused_and_still_checked(course: Path, tmp_path: Path) -> None:
    """The loaded model of an unchanged module is reused (one stored model per module and
    content); a changed module is loaded and checked again; rules across modules still run."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    slugs = sorted(p.name for p in (course / "modules").iterdir() if (p / "module.yml").is_file())
    assert build_with_cache(course, out, cache)[0] == 0
    stored = lambda: sorted((cache / "models").rglob("*.pickle"))  # noqa: E731
    assert len(stored()) == len(slugs)

    page = course / "modules" / "email-triage" / "case.md"
    original = page.read_bytes()
    page.write_text(page.read_text() + "\n<!-- BEGIN SOLUTION -->\nopen einde\n", "utf-8")
    code, text = build_with_cache(course, out, cache)
    assert code == 1 and "case.md" in text and "Traceback" not in text
    page.write_bytes(original)
    code, text = build_with_cache(course, out, cache)
    assert code == 0, text
    assert len(stored()) == len(slugs)  # the same content: the stored model is used again

    page.write_text(page.read_text() + "\nEen nieuwe alinea.\n", "utf-8")
    assert build_with_cache(course, out, cache)[0] == 0
    assert len(stored()) == len(slugs) + 1

    other = next(s for s in slugs if s != "email-triage")
    first = (course / "modules" / "email-triage" / "module.yml").read_text()
    ident = re.search(r"^id: (.+)$", first, re.M).group(1)
    meta = course / "modules" / other / "module.yml"
    meta.write_text(re.sub(r"^id: .+$", f"id: {ident}", meta.read_text(), count=1, flags=re.M))
    code, text = build_with_cache(course, out, cache)
    assert code == 1 and ident in text


def test_renaming_a_module_rebuilds_the_pages_that_name_it(course: Path, cli) -> None:
    """A link into another module is written as text naming that module's title in a package,
    so a new title there rebuilds the linking module's package (and only the title changed)."""
    case = course / "modules" / "email-triage" / "case.md"
    case.write_text(case.read_text("utf-8") + "\n\nSee [the bakery](../voorspellend-onderhoud/case.md).\n",
                    "utf-8")
    out = course / "dist"
    build(cli, course, out, "--format", "scorm2004")
    target = course / "modules" / "voorspellend-onderhoud" / "module.yml"
    target.write_text(target.read_text("utf-8").replace(
        "title: Voorspellend onderhoud in een mkb-bakkerij", "title: Onderhoud voorspellen"), "utf-8")
    again = build(cli, course, out, "--format", "scorm2004")
    assert any(name.startswith("email-triage") for name in written(again.stderr)), again.stderr
    package = next(out.glob("email-triage*scorm2004*.zip"))
    with zipfile.ZipFile(package) as zf:
        pages = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".html"))
    assert "Onderhoud voorspellen" in pages and "mkb-bakkerij" not in pages
