"""`lcmodules execute`: running notebooks, reporting failures, --write and the execution cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_nb(path: Path, *cells, kernel: str = "python3") -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata.kernelspec = {**KERNELSPEC, "name": kernel}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def outputs_text(path: Path) -> str:
    return json.dumps([c.get("outputs", []) for c in nbformat.read(path, as_version=4).cells])


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_run_cache_and_write(tmp_path: Path, cli) -> None:
    folder = tmp_path / "nb"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "numbers.csv").write_text("1\n2\n3\n")
    nb = write_nb(
        folder / "ok.ipynb",
        new_markdown_cell("# A notebook"),
        # runs.log counts kernel runs; the data file is read relative to the notebook's folder
        new_code_cell("open('runs.log', 'a').write('run\\n')\n"
                      "total = sum(int(x) for x in open('data/numbers.csv'))\nprint('total', total)"),
        new_code_cell("6 * 7"),
    )
    ids = [c.id for c in nbformat.read(nb, as_version=4).cells]
    before = nb.read_bytes()
    cache = tmp_path / "cache"
    env_cli = _with_cache(cli, cache)

    # 1. runs; without --write the source is untouched
    proc = env_cli("execute", nb, "--jobs", "1", cwd=tmp_path, check=0)
    assert "ran" in proc.stderr and "1 ran, 0 from the cache, 0 failed" in proc.stderr
    assert nb.read_bytes() == before
    assert (folder / "runs.log").read_text() == "run\n"
    assert (cache / ".gitignore").read_text().strip().endswith("*")

    # 2. unchanged: from the cache (no kernel starts) and --write puts the outputs in, atomically
    inode = nb.stat().st_ino
    proc = env_cli("execute", nb, "--write", cwd=tmp_path, check=0)
    assert "0 ran, 1 from the cache" in proc.stderr
    assert (folder / "runs.log").read_text() == "run\n"
    written = nbformat.read(nb, as_version=nbformat.NO_CONVERT)
    nbformat.validate(written)
    assert written.nbformat == 4 and [c.id for c in written.cells] == ids
    assert "total 6" in outputs_text(nb) and '"42"' in outputs_text(nb)
    assert nb.stat().st_ino != inode, "--write must replace the file by a rename"
    assert no_temp_files(folder)

    # 3. only the outputs changed: still a cache hit
    cleared = nbformat.read(nb, as_version=4)
    for cell in cleared.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(cleared, nb)
    env_cli("execute", nb, cwd=tmp_path, check=0)
    assert (folder / "runs.log").read_text() == "run\n"

    # 4. a changed source, then a changed data file: the notebook runs again each time
    changed = nbformat.read(nb, as_version=4)
    changed.cells[2].source = "6 * 8"
    nbformat.write(changed, nb)
    proc = env_cli("execute", nb, "--write", cwd=tmp_path, check=0)
    assert "1 ran" in proc.stderr and (folder / "runs.log").read_text() == "run\nrun\n"
    assert '"48"' in outputs_text(nb)
    (folder / "data" / "numbers.csv").write_text("10\n")
    env_cli("execute", nb, "--write", cwd=tmp_path, check=0)
    assert (folder / "runs.log").read_text().count("run") == 3
    assert "total 10" in outputs_text(nb)


def test_failures_timeout_and_allowed_errors(tmp_path: Path, cli) -> None:
    folder = tmp_path / "nbs"
    bad = write_nb(folder / "bad.ipynb", new_markdown_cell("# Bad"), new_code_cell("x = 1"),
                   new_code_cell("print('before')\n1 / 0"))
    slow = write_nb(folder / "slow.ipynb", new_code_cell("import time\ntime.sleep(60)"))
    allowed = write_nb(
        folder / "allowed.ipynb",
        new_code_cell("raise ValueError('expected')", metadata={"tags": ["raises-exception"]}),
        new_code_cell("print('after the error')"),
    )
    other_bad = write_nb(folder / "sub" / "other.ipynb", new_code_cell("import no_such_module_x"))
    originals = {p: p.read_bytes() for p in (bad, slow, other_bad)}

    proc = _with_cache(cli, tmp_path / "cache")(
        "execute", folder / "bad.ipynb", folder / "slow.ipynb", folder / "allowed.ipynb",
        folder / "sub" / "other.ipynb", "--timeout", "2", "--write", cwd=tmp_path, check=1)
    err = proc.stderr
    lines = err.splitlines()
    # every failing notebook is reported in the one run, each in the documented form
    assert "nbs/bad.ipynb:cell 3: ZeroDivisionError: division by zero" in lines
    assert any(line.startswith("nbs/slow.ipynb:cell 1: CellTimeoutError: ") and "2 s" in line
               for line in lines)
    assert any(line.startswith("nbs/sub/other.ipynb:cell 1: ModuleNotFoundError: ")
               for line in lines)
    # the traceback's last lines follow, without terminal colour codes
    tail = lines[lines.index("nbs/bad.ipynb:cell 3: ZeroDivisionError: division by zero") + 1:]
    assert any("1 / 0" in line for line in tail[:8])
    assert "\x1b[" not in err
    assert "3 failed" in err
    # failed notebooks are not written; the one whose error is allowed is
    for path, data in originals.items():
        assert path.read_bytes() == data
    assert "after the error" in outputs_text(allowed) and "ValueError" in outputs_text(allowed)
    assert no_temp_files(folder)


def test_missing_kernel(tmp_path: Path, cli) -> None:
    nb = write_nb(tmp_path / "r.ipynb", new_code_cell("1"), kernel="no-such-kernel-xyz")
    proc = cli("execute", nb, cwd=tmp_path, check=1)
    assert "r.ipynb: NoSuchKernel: kernel 'no-such-kernel-xyz'" in proc.stderr
    assert "not installed" in proc.stderr and "python3" in proc.stderr


def test_course_timeout_and_parallel_kernels(tmp_path: Path, cli, monkeypatch) -> None:
    """A course's `lcmodules.execute.timeout` applies; --jobs 2 runs two kernels at once."""
    monkeypatch.delenv("LCMODULES_CACHE_DIR", raising=False)  # the default place, in the course
    course = tmp_path / "course"
    (course / "_config.yml").parent.mkdir(parents=True)
    (course / "_config.yml").write_text("title: T\nlcmodules:\n  execute:\n    timeout: 8\n")
    module = course / "modules" / "m"
    # Each of a and b says it started, then waits (up to 6 s) to see the other one start: both
    # see each other only when two kernels really run at once, however slow the machine is.
    meet = ("import time, os, pathlib\nhere = pathlib.Path('..')\n"
            "(here / 'started-{me}').touch()\nend = time.time() + 6\n"
            "while not (here / 'started-{other}').exists() and time.time() < end:\n"
            "    time.sleep(0.05)\n"
            "(here / 'met.txt').open('a').write('{me} ' + str((here / 'started-{other}').exists())"
            " + '\\n')")
    for me, other in (("a", "b"), ("b", "a")):
        write_nb(module / "nb" / f"{me}.ipynb", new_markdown_cell(f"# {me}"),
                 new_code_cell(meet.format(me=me, other=other)))
    write_nb(module / "nb" / "c.ipynb", new_markdown_cell("# c"),
             new_code_cell("import time\ntime.sleep(30)"))
    (module / "module.yml").write_text(
        "id: t/m\ntitle: M\nversion: 1.0.0\nlanguage: en\n"
        "contents: [nb/a.ipynb, nb/b.ipynb, nb/c.ipynb]\n")
    proc = cli("execute", course, "--jobs", "2", cwd=course, check=1)
    assert "modules/m/nb/c.ipynb:cell 2: CellTimeoutError: the cell ran longer than 8 s" \
        in proc.stderr
    met = sorted((module / "met.txt").read_text().splitlines())
    assert met == ["a True", "b True"], f"the two notebooks did not run at the same time: {met}"
    assert (course / ".lcmodules-cache" / ".gitignore").is_file()


def _with_cache(cli, cache: Path):
    """The CLI with LCMODULES_CACHE_DIR pointing at `cache`."""
    def run(*args, **kwargs):
        old = os.environ.get("LCMODULES_CACHE_DIR")
        os.environ["LCMODULES_CACHE_DIR"] = str(cache)
        try:
            return cli(*args, **kwargs)
        finally:
            if old is None:
                del os.environ["LCMODULES_CACHE_DIR"]
            else:
                os.environ["LCMODULES_CACHE_DIR"] = old
    return run
