"""Notebook execution: run notebooks with nbclient, in parallel, cached by content hash."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

from lcmodules.cache.store import FileHasher, NotebookCache, cache_dir, cache_key, iter_files
from lcmodules.core.diagnostics import display_path
from lcmodules.core.fsutil import write_text_atomic

DEFAULT_KERNEL = "python3"
TRACEBACK_LINES = 8
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
# Files whose change can alter any notebook's outputs even when no cell names them.
ALWAYS_RELEVANT = re.compile(r"(\.py|requirements[^/]*\.txt|environment\.ya?ml|pyproject\.toml)$")
NOT_DATA = (".ipynb", ".md", ".quiz.yml", ".quiz.yaml")
MAX_SCANNED = 20000  # files looked at for the data a notebook reads

Status = Literal["ran", "cached", "failed"]
Event = Callable[["NotebookJob", str], None]  # (job, "start" | "ran" | "cached" | "failed")


def default_jobs() -> int:
    """Notebooks run at the same time unless told otherwise: min(4, CPU count)."""
    return max(1, min(4, os.cpu_count() or 1))


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


@dataclass
class NotebookJob:
    """One notebook to run: its file, its loaded content and the settings that apply to it."""

    path: Path
    notebook: NotebookNode
    timeout: int = 120
    kernel: str | None = None  # overrides the notebook's own kernelspec when set
    module_root: Path | None = None  # where data files it may read lie (default: its folder)
    cache_root: Path | None = None  # the course root: the cache is `.lcmodules-cache/` there
    store: Path | None = None  # a shared store (`build --cache-dir`): executed notebooks go there

    @property
    def kernel_name(self) -> str:
        if self.kernel:
            return self.kernel
        spec = self.notebook.get("metadata", {}).get("kernelspec") or {}
        return str(spec.get("name") or DEFAULT_KERNEL)


@dataclass
class Failure:
    """Why a notebook did not run through: a failing cell, a timeout or a missing kernel."""

    path: Path
    cell: int | None  # 1-based position among all cells; None when no cell ran
    ename: str
    evalue: str
    traceback: list[str] = field(default_factory=list)
    hint: str = ""

    def format(self) -> str:
        where = display_path(self.path) + (f":cell {self.cell}" if self.cell is not None else "")
        head = f"{where}: {self.ename}: {self.evalue}" if self.ename else f"{where}: {self.evalue}"
        if self.hint:
            head += f" — {self.hint}"
        return "\n".join([head, *("    " + line for line in self.traceback)])


@dataclass
class ExecResult:
    """What became of one notebook."""

    job: NotebookJob
    status: Status
    notebook: NotebookNode | None = None  # the executed notebook (None when it failed)
    failure: Failure | None = None
    seconds: float = 0.0
    key: str = ""
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class ExecutionFailed(Exception):
    """Raised when notebooks failed to run; holds every failure of the run."""

    def __init__(self, failures: list[Failure]) -> None:
        super().__init__("\n".join(f.format() for f in failures))
        self.failures = failures


# ---------------------------------------------------------------- cache keys


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]


def _source(cell: NotebookNode) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def relevant_files(job: NotebookJob, hasher: FileHasher) -> dict[str, str]:
    """{path: sha256} of the files beside the notebook that its code may read.

    A file counts when a code cell names it (its path in the module, its file name, or a folder
    of it followed by '/'), and Python files and environment files always count. Naming files
    only through computed strings escapes this; `--no-cache` then forces a run.
    """
    root = (job.module_root or job.path.parent).resolve()
    code = "\n".join(_source(c) for c in code_cells(job.notebook))
    found: dict[str, str] = {}
    if not code.strip():
        return found
    for count, path in enumerate(iter_files(root)):
        if count >= MAX_SCANNED:  # a notebook in a huge folder (a home directory): stop looking
            break
        rel = path.relative_to(root).as_posix()
        if rel.endswith(NOT_DATA) and not ALWAYS_RELEVANT.search(rel):
            continue
        parents = rel.split("/")[:-1]
        mentioned = (
            ALWAYS_RELEVANT.search(rel) is not None
            or path.name in code
            or any("/".join(parents[i:]) + "/" in code for i in range(len(parents)))
        )
        if mentioned:
            found[rel] = hasher.file(path)
    return found


def code_key(job: NotebookJob) -> str:
    """The hash of a notebook's code cells' sources and tags (never their outputs), its kernel
    and lcmodules' version."""
    cells = [
        {"source": _source(c), "tags": sorted(c.get("metadata", {}).get("tags", []))}
        for c in code_cells(job.notebook)
    ]
    return cache_key("notebook-code", {
        "cells": cells, "kernel": job.kernel_name, "nbformat": job.notebook.get("nbformat"),
    }, ("lcmodules",))


def execution_key(code: str, files: dict[str, str], produced: set[str]) -> str:
    """The cache key: the code key plus the data files the notebook reads, leaving out the
    files an earlier run of the same code wrote itself (its outputs are not its inputs)."""
    inputs = {rel: digest for rel, digest in files.items() if rel not in produced}
    return cache_key("execution", {"code": code, "files": inputs})


def merge_outputs(source: NotebookNode, executed: NotebookNode) -> NotebookNode:
    """`source` with the outputs of `executed` (matched code cell by code cell), keeping the
    source's cell ids, markdown and metadata."""
    result = copy.deepcopy(source)
    for mine, theirs in zip(code_cells(result), code_cells(executed), strict=False):
        mine["outputs"] = copy.deepcopy(theirs.get("outputs", []))
        mine["execution_count"] = theirs.get("execution_count")
    info = executed.get("metadata", {}).get("language_info")
    if info is not None:
        result.setdefault("metadata", nbformat.NotebookNode())["language_info"] = copy.deepcopy(info)
    return result


def notebook_text(nb: NotebookNode) -> str:
    """The notebook as Jupyter writes it (nbformat 4, indent 1, sorted keys, final newline)."""
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------- running


def installed_kernels() -> set[str]:
    from jupyter_client.kernelspec import KernelSpecManager

    return set(KernelSpecManager().find_kernel_specs())


def _error_output(cell: NotebookNode) -> NotebookNode | None:
    for output in reversed(cell.get("outputs", [])):
        if output.get("output_type") == "error":
            return output
    return None


def _tail(lines: list[str] | str, count: int = TRACEBACK_LINES) -> list[str]:
    text = strip_ansi("\n".join(lines) if isinstance(lines, list) else lines)
    rows = [row.rstrip() for row in text.splitlines()]
    while rows and not rows[-1]:
        rows.pop()
    return rows[-count:]


async def _run_one(job: NotebookJob, env: dict[str, str]) -> tuple[NotebookNode | None, Failure | None]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(job.notebook)
    client = NotebookClient(
        nb, timeout=job.timeout, kernel_name=job.kernel_name, allow_errors=False,
        record_timing=False, shutdown_kernel="immediate",
        resources={"metadata": {"path": os.fspath(job.path.parent)}},
    )
    current: dict[str, int] = {}

    def number() -> int | None:
        return current["index"] + 1 if "index" in current else None

    try:
        client.km = client.create_kernel_manager()
        if getattr(client.km, "ipykernel", False):
            # ipykernel's start-up warnings are noise in a batch run
            client.extra_arguments = [*client.extra_arguments, "--IPKernelApp.log_level=ERROR"]
    except Exception as exc:
        if type(exc).__name__ == "NoSuchKernel":
            return None, _missing_kernel(job)
        raise

    def on_cell_start(cell: NotebookNode, cell_index: int) -> None:
        current["index"] = cell_index

    client.on_cell_start = on_cell_start
    try:
        await client.async_execute(env=env)
    except CellTimeoutError:
        return None, Failure(
            job.path, number(), "CellTimeoutError",
            f"the cell ran longer than {job.timeout} s",
            hint="raise `lcmodules.execute.timeout` in _config.yml or pass --timeout",
        )
    except CellExecutionError as exc:
        index = current.get("index")
        out: dict[str, Any] = (_error_output(nb.cells[index]) if index is not None else None) or {}
        ename = out.get("ename") or exc.ename
        evalue = out.get("evalue") or exc.evalue
        trace = out.get("traceback") or exc.traceback
        return None, Failure(job.path, number(), ename, strip_ansi(str(evalue)).split("\n")[0],
                             _tail(trace))
    except DeadKernelError:
        return None, Failure(job.path, number(), "DeadKernelError",
                             "the kernel died while running this cell",
                             hint="did it run out of memory, or crash in native code?")
    except Exception as exc:  # the kernel could not start, or a protocol error
        if type(exc).__name__ == "NoSuchKernel":
            return None, _missing_kernel(job)
        return None, Failure(job.path, number(), type(exc).__name__,
                             strip_ansi(str(exc)).strip().split("\n")[0] or "kernel error",
                             hint=f"kernel '{job.kernel_name}'")
    return nb, None


def _missing_kernel(job: NotebookJob) -> Failure:
    known = ", ".join(sorted(installed_kernels())) or "none"
    origin = ("lcmodules.execute.kernel in _config.yml" if job.kernel
              else "the notebook's metadata (kernelspec)")
    return Failure(
        job.path, None, "NoSuchKernel",
        f"kernel '{job.kernel_name}' (from {origin}) is not installed; installed kernels: {known}",
        hint="install it (`python -m ipykernel install --user --name NAME`) or change the "
             "notebook's kernel",
    )


@dataclass
class Pending:
    index: int
    job: NotebookJob
    code: str
    files: dict[str, str]
    cache: NotebookCache
    hasher: FileHasher


def execute_notebooks(
    jobs: Sequence[NotebookJob], *, parallel: int | None = None, use_cache: bool = True,
    write: bool = False, on_event: Event | None = None,
) -> list[ExecResult]:
    """Run every notebook (at most `parallel` kernels at a time) and return one result per job,
    in order. Unchanged notebooks come from the cache; with `write`, successful results are
    written back to their source files atomically."""
    note = on_event or (lambda job, status: None)
    hashers: dict[Path, FileHasher] = {}
    results: list[ExecResult | None] = [None] * len(jobs)
    pending = _look_up(jobs, use_cache, hashers, results, note)
    if pending:
        asyncio.run(_run_pending(pending, max(1, parallel or default_jobs()), use_cache,
                                 results, note))
    for hasher in hashers.values():
        hasher.save()
    done = [r for r in results if r is not None]
    if write:
        for result in done:
            if result.ok and result.notebook is not None:
                result.written = write_back(result.job.path, result.notebook)
    return done


def _look_up(jobs: Sequence[NotebookJob], use_cache: bool, hashers: dict[Path, FileHasher],
             results: list[ExecResult | None], note: Event) -> list[Pending]:
    """Fill `results` with the cached notebooks and those whose kernel is missing; the rest
    must run."""
    caches: dict[Path, NotebookCache] = {}
    pending: list[Pending] = []
    kernels = None
    for i, job in enumerate(jobs):
        root = cache_dir(job.cache_root or job.module_root or job.path.parent)
        if root not in hashers:  # the file-hash memo stays on this machine
            hashers[root] = FileHasher(root / "file-hashes.json" if use_cache else None)
        folder = job.store or root
        cache = caches.setdefault(folder, NotebookCache(folder))
        hasher = hashers[root]
        code = code_key(job)
        files = relevant_files(job, hasher)
        key = execution_key(code, files, cache.produced(code))
        executed = _cached(job, cache.get(key)) if use_cache else None
        if executed is not None:
            results[i] = ExecResult(job, "cached", executed, key=key)
            note(job, "cached")
            continue
        kernels = kernels if kernels is not None else installed_kernels()
        if job.kernel_name not in kernels:
            results[i] = ExecResult(job, "failed", failure=_missing_kernel(job), key=key)
            note(job, "failed")
            continue
        pending.append(Pending(i, job, code, files, cache, hasher))
    return pending


def as_cached(job: NotebookJob, nb: NotebookNode) -> NotebookNode:
    """A fresh run's notebook as a later cache hit gives it (stored text, outputs merged into
    the source): a build exports the same notebook, under the same key, either way."""
    return merge_outputs(job.notebook, nbformat.from_dict(json.loads(notebook_text(nb))))


def _cached(job: NotebookJob, stored: str | None) -> NotebookNode | None:
    """The source notebook with the cached outputs, None when there are none (or damaged)."""
    if stored is None:
        return None
    try:
        # written by us: no need to validate it again (that is slow)
        return merge_outputs(job.notebook, nbformat.from_dict(json.loads(stored)))
    except Exception:  # a damaged cache entry: run it again
        return None


async def _run_pending(pending: list[Pending], parallel: int, use_cache: bool,
                       results: list[ExecResult | None], note: Event) -> None:
    """Run the notebooks that must run, `parallel` kernels at a time, and cache their outputs."""
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    gate = asyncio.Semaphore(parallel)

    async def one(item: Pending) -> None:
        async with gate:
            note(item.job, "start")
            started = time.perf_counter()
            nb, failure = await _run_one(item.job, env)
            seconds = time.perf_counter() - started
        if nb is None:
            results[item.index] = ExecResult(item.job, "failed", failure=failure, seconds=seconds)
            note(item.job, "failed")
            return
        key = _store(item, nb, use_cache)
        results[item.index] = ExecResult(item.job, "ran", nb, seconds=seconds, key=key)
        note(item.job, "ran")

    await asyncio.gather(*(one(item) for item in pending))


def _store(item: Pending, nb: NotebookNode, use_cache: bool) -> str:
    """Cache a run's outputs under its execution key (returned). Files the run itself created
    or changed are its outputs, not its inputs."""
    after = relevant_files(item.job, item.hasher)
    produced = {rel for rel, digest in after.items() if item.files.get(rel) != digest}
    produced |= item.cache.produced(item.code)
    key = execution_key(item.code, after, produced)
    if use_cache:
        if produced:
            item.cache.set_produced(item.code, produced)
        item.cache.put(key, notebook_text(nb))
    return key


def write_back(path: Path, nb: NotebookNode) -> bool:
    """Replace the source notebook with its executed version in one rename; False when the
    file already holds exactly that."""
    text = notebook_text(nb)
    try:
        if path.read_text("utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_text_atomic(path, text)
    return True


def job_for_unit(unit: Any, module: Any, timeout: int | None = None) -> NotebookJob:
    """The job for a notebook unit of a loaded module (course settings applied)."""
    settings = module.config.lcmodules.execute
    return NotebookJob(
        path=Path(unit.source), notebook=unit.notebook,
        timeout=timeout or settings.timeout, kernel=settings.kernel,
        module_root=Path(module.root),
        cache_root=Path(module.course.root) if module.course else Path(module.root),
    )
