"""Content-hash caches: file hashes, executed notebooks and records of built artifacts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lcmodules import __version__
from lcmodules.fsutil import write_text_atomic

CACHE_ENV = "LCMODULES_CACHE_DIR"
CACHE_NAME = ".lcmodules-cache"
RECORD_NAME = ".lcmodules-build.json"
RECORD_FORMAT = 1

# Folders and files that never belong to a module's content (editor, VCS and tool droppings).
IGNORED_NAMES = frozenset({
    ".git", ".hg", ".svn", CACHE_NAME, "__pycache__", ".ipynb_checkpoints", ".pytest_cache",
    ".ruff_cache", ".DS_Store", "Thumbs.db", "_build",
})

# A file modified this recently is hashed again every time: its mtime may not yet tell a later
# change apart (the "racy" case git knows too).
RACY_SECONDS = 2.0


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(value: Any) -> str:
    """A stable hash of a JSON-serialisable value (sorted keys, no whitespace)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_bytes(text.encode("utf-8"))


def cache_dir(root: Path | None) -> Path:
    """The cache folder: $LCMODULES_CACHE_DIR, else `.lcmodules-cache/` in `root` (the course)."""
    env = os.environ.get(CACHE_ENV)
    path = Path(env).expanduser() if env else Path(root or Path.cwd()) / CACHE_NAME
    return path.resolve()


def ensure_cache_dir(path: Path) -> Path:
    """Create the cache folder with a `.gitignore` (`*`) and a CACHEDIR.TAG so tools skip it."""
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("# created by lcmodules: this folder is a cache\n*\n", "utf-8")
    tag = path / "CACHEDIR.TAG"
    if not tag.exists():
        with contextlib.suppress(OSError):
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache tag created by lcmodules.\n", "utf-8")
    return path


class FileHasher:
    """sha256 of files, remembered by (size, mtime, inode) so unchanged files are not re-read.

    The memo lives in `<cache>/file-hashes.json`; without a cache folder it lasts one run.
    """

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self.memo: dict[str, list[Any]] = {}
        self.dirty = False
        if store is not None and store.is_file():
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(store.read_text("utf-8"))
                if data.get("format") == RECORD_FORMAT:
                    self.memo = dict(data.get("files", {}))

    def file(self, path: Path) -> str:
        """The sha256 of one file's bytes (streamed)."""
        path = Path(path)
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = os.fspath(path.absolute())
        known = self.memo.get(key)
        if known is not None and known[:3] == stamp:
            return str(known[3])
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(block)
        value = digest.hexdigest()
        if time.time() - st.st_mtime > RACY_SECONDS:
            self.memo[key] = [*stamp, value]
            self.dirty = True
        return value

    def tree(self, root: Path, skip: Iterable[Path] = ()) -> dict[str, str]:
        """{relative POSIX path: sha256} of every file below `root`, without tool droppings
        and without the folders in `skip` (the output and cache folders when they lie inside)."""
        root = Path(root)
        skipped = {Path(p).resolve() for p in skip}
        out: dict[str, str] = {}
        for path in iter_files(root, skipped):
            out[path.relative_to(root).as_posix()] = self.file(path)
        return dict(sorted(out.items()))

    def save(self) -> None:
        if self.store is None or not self.dirty:
            return
        # Forget files that no longer exist, so the memo does not grow without end.
        alive = {k: v for k, v in self.memo.items() if os.path.exists(k)}
        with contextlib.suppress(OSError):
            ensure_cache_dir(self.store.parent)
            write_text_atomic(self.store, json.dumps({"format": RECORD_FORMAT, "files": alive},
                                                     separators=(",", ":")))
        self.dirty = False


def iter_files(root: Path, skipped: set[Path] | None = None) -> Iterator[Path]:
    """Every regular file below `root` in a stable order, skipping tool droppings."""
    skipped = skipped or set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in IGNORED_NAMES and (here / d).resolve() not in skipped
        )
        for name in sorted(filenames):
            if name in IGNORED_NAMES or name.startswith(".~"):
                continue
            path = here / name
            if path.is_file():
                yield path


_CODE_FINGERPRINT: str | None = None


def code_fingerprint(hasher: FileHasher) -> str:
    """A hash of lcmodules itself (its version and every file of the package), so a changed
    renderer or exporter never reuses artifacts built by the old code."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        package = Path(__file__).resolve().parent
        _CODE_FINGERPRINT = sha256_json({"version": __version__, "files": hasher.tree(package)})
    return _CODE_FINGERPRINT


# ---------------------------------------------------------------- executed notebooks


class NotebookCache:
    """Executed notebooks stored by the hash of what determines their outputs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / "execute" / key[:2] / f"{key}.ipynb"

    def get(self, key: str) -> str | None:
        """The stored executed notebook (JSON text), or None."""
        try:
            return self._path(key).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, notebook_json: str) -> None:
        with contextlib.suppress(OSError):
            ensure_cache_dir(self.root)
            write_text_atomic(self._path(key), notebook_json)


# ---------------------------------------------------------------- build records


class BuildRecord:
    """`<out>/.lcmodules-build.json`: for each (format, module) the key it was built with and
    the artifacts it wrote, with their sha256, size and mtime."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / RECORD_NAME
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(self.path.read_text("utf-8"))
                if data.get("format") == RECORD_FORMAT:
                    self.entries = dict(data.get("entries", {}))

    def lookup(self, entry: str, key: str) -> list[Path] | None:
        """The recorded artifacts of `entry` if it was built with `key` and every artifact is
        still there, unchanged; else None (it must be built)."""
        rec = self.entries.get(entry)
        if not rec or rec.get("key") != key:
            return None
        paths: list[Path] = []
        for item in rec.get("artifacts", []):
            path = self.path.parent / item["path"]
            if artifact_digest(path, item) != item.get("sha256"):
                return None
            paths.append(path)
        return paths

    def artifact_hashes(self, entry: str) -> list[tuple[str, str]]:
        rec = self.entries.get(entry) or {}
        return [(a["path"], a["sha256"]) for a in rec.get("artifacts", [])]

    def store(self, entry: str, key: str, artifacts: list[Path]) -> None:
        items = []
        for path in artifacts:
            path = Path(path)
            try:
                rel = path.resolve().relative_to(self.path.parent.resolve()).as_posix()
            except ValueError:
                rel = os.fspath(path.resolve())
            items.append({"path": rel, **artifact_stamp(path)})
        self.entries[entry] = {"key": key, "artifacts": items}

    def forget(self, entry: str) -> None:
        self.entries.pop(entry, None)

    def save(self) -> None:
        text = json.dumps({"format": RECORD_FORMAT, "lcmodules": __version__,
                           "entries": dict(sorted(self.entries.items()))},
                          indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, text + "\n")


def _stat_stamp(path: Path) -> list[int]:
    """(size, mtime) of a file, or of every file of a folder summed up."""
    if path.is_dir():
        size = mtime = count = 0
        for f in iter_files(path):
            st = f.stat()
            size += st.st_size
            mtime = max(mtime, st.st_mtime_ns)
            count += 1
        return [size, mtime, count]
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, 1]


def _content_digest(path: Path) -> str:
    if path.is_dir():
        hasher = FileHasher()
        return sha256_json(hasher.tree(path))
    return FileHasher().file(path) if path.is_file() else ""


def artifact_stamp(path: Path) -> dict[str, Any]:
    return {"sha256": _content_digest(path), "stat": _stat_stamp(path)}


def artifact_digest(path: Path, recorded: dict[str, Any]) -> str | None:
    """The artifact's sha256 now; trusting the recorded one while size and mtime are unchanged."""
    if not path.exists():
        return None
    try:
        stamp = _stat_stamp(path)
    except OSError:
        return None
    if recorded.get("stat") == stamp:
        return str(recorded.get("sha256"))
    return _content_digest(path)
