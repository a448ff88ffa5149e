"""Content-hash caches: file hashes, executed notebooks and records of built artifacts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lcmodules import __version__
from lcmodules.core.fsutil import sha256_file, write_text_atomic
from lcmodules.core.localext import local_extensions

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


def user_cache_dir() -> Path:
    """The user's own cache folder, which no course controls: $LCMODULES_CACHE_DIR, else
    $XDG_CACHE_HOME/lcmodules, else ~/.cache/lcmodules."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return (base / "lcmodules").resolve()


def models_dir() -> Path:
    """Where the model cache keeps its pickles: in the user's cache folder, never in a course
    (a pickle runs code when read; see docs/security.md)."""
    return user_cache_dir() / "models"


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

    def __init__(self, store: Path | None = None, read: bool = True) -> None:
        """`read=False` hashes every file afresh but still saves what it learnt."""
        self.store = store
        self.memo: dict[str, list[Any]] = self._load() if read else {}
        self.fresh: dict[str, list[Any]] = {}  # learnt in this run
        self.trees: dict[tuple[Path, frozenset[Path], bool], dict[str, str]] = {}

    def _load(self) -> dict[str, list[Any]]:
        if self.store is not None and self.store.is_file():
            with contextlib.suppress(OSError, ValueError, AttributeError):
                data = json.loads(self.store.read_text("utf-8"))
                if data.get("format") == RECORD_FORMAT:
                    return dict(data.get("files", {}))
        return {}

    def file(self, path: Path, trust: bool = False) -> str:
        """The sha256 of one file's bytes (streamed). `trust` remembers it even when the file
        was modified a moment ago (for files lcmodules itself has just written)."""
        path = Path(path)
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = os.fspath(path.absolute())
        known = self.memo.get(key)
        if known is not None and known[:3] == stamp:
            return str(known[3])
        value = sha256_file(path)
        if trust or time.time() - st.st_mtime > RACY_SECONDS:
            self.memo[key] = self.fresh[key] = [*stamp, value]
        return value

    def tree(self, root: Path, skip: Iterable[Path] = (), trust: bool = False,
             everything: bool = False) -> dict[str, str]:
        """{relative POSIX path: sha256} of every file below `root`, without tool droppings
        (unless `everything`) and without the folders in `skip` (the output and cache folders
        when they lie inside)."""
        root = Path(root)
        base = root.resolve()
        skipped = frozenset(p for p in (Path(s).resolve() for s in skip) if p.is_relative_to(base))
        memo_key = (base, skipped, everything)
        if not trust and memo_key in self.trees:  # sources do not change during a run
            return self.trees[memo_key]
        out: dict[str, str] = {}
        for path in iter_files(root, set(skipped),
                               ignored=frozenset() if everything else IGNORED_NAMES):
            out[path.relative_to(root).as_posix()] = self.file(path, trust)
        result = dict(sorted(out.items()))
        if not trust:
            self.trees[memo_key] = result
        return result

    def save(self) -> None:
        """Add what this run learnt to the memo on disk (other processes may have added to it
        meanwhile), forgetting files that no longer exist."""
        if self.store is None or not self.fresh:
            return
        merged = {**self._load(), **self.fresh}
        alive = {k: v for k, v in merged.items() if os.path.exists(k)}
        with contextlib.suppress(OSError):
            ensure_cache_dir(self.store.parent)
            write_text_atomic(self.store, json.dumps({"format": RECORD_FORMAT, "files": alive},
                                                     separators=(",", ":")))
        self.fresh = {}


def iter_files(root: Path, skipped: set[Path] | None = None, marker: str | None = None,
               ignored: frozenset[str] = IGNORED_NAMES) -> Iterator[Path]:
    """Every regular file below `root` in a stable order, skipping tool droppings, the folders
    in `skipped` and folders holding a file named `marker`."""
    skipped = skipped or set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in ignored and (here / d).resolve() not in skipped
            and not (marker and (here / d / marker).exists())
        )
        for name in sorted(filenames):
            if name in ignored or (ignored and name.startswith(".~")):
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
        package = Path(__file__).resolve().parent.parent  # the whole lcmodules package
        _CODE_FINGERPRINT = sha256_json({"version": __version__, "files": hasher.tree(package)})
    return _CODE_FINGERPRINT


_DEPENDENCIES: dict[str, str] | None = None


def dependency_versions() -> dict[str, str]:
    """The installed versions of lcmodules' own dependencies (a new nbconvert or Pygments can
    change the rendered pages)."""
    global _DEPENDENCIES
    if _DEPENDENCIES is None:
        from importlib.metadata import PackageNotFoundError, requires, version

        from packaging.requirements import Requirement

        found: dict[str, str] = {}
        try:
            wanted = requires("lcmodules") or []
        except PackageNotFoundError:
            wanted = []
        for line in wanted:
            req = Requirement(line)
            if req.marker is not None and "extra" in str(req.marker):
                continue
            try:
                found[req.name.lower()] = version(req.name)
            except PackageNotFoundError:
                found[req.name.lower()] = ""
        _DEPENDENCIES = dict(sorted(found.items()))
    return _DEPENDENCIES


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

    def _produced_path(self, code_key: str) -> Path:
        return self.root / "execute" / code_key[:2] / f"{code_key}.produced.json"

    def produced(self, code_key: str) -> set[str]:
        """The files that earlier runs of this code wrote themselves (outputs, not inputs)."""
        try:
            return set(json.loads(self._produced_path(code_key).read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return set()

    def set_produced(self, code_key: str, files: set[str]) -> None:
        with contextlib.suppress(OSError):
            ensure_cache_dir(self.root)
            write_text_atomic(self._produced_path(code_key), json.dumps(sorted(files)))


# ---------------------------------------------------------------- build records

SHARD_RECORDS = ".lcmodules-build.shard-*.json"


def shard_record_name(index: int, count: int) -> str:
    """The build record of shard `index` of `count` (`build --shard K/N`)."""
    return f".lcmodules-build.shard-{index}-of-{count}.json"


def read_record(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of a build record file; none when it is missing or malformed."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        data = json.loads(Path(path).read_text("utf-8"))
        if data.get("format") == RECORD_FORMAT and isinstance(data.get("entries"), dict):
            return {k: v for k, v in data["entries"].items() if isinstance(v, dict)}
    return {}


class BuildRecord:
    """`<out>/.lcmodules-build.json`: for each (format, module) the key it was built with and
    the artifacts it wrote with their sha256. It holds no times, so a clean and an incremental
    build leave the same file; checking an artifact uses the file-hash memo of the cache."""

    def __init__(self, out: Path, hasher: FileHasher, name: str = RECORD_NAME) -> None:
        """`name`: a shard build's record has a name of its own (`shard_record_name`), so the
        output folders of all shards can be gathered into one."""
        self.path = Path(out) / name
        self.hasher = hasher
        self.entries = read_record(self.path)
        # what the records of shards gathered into this folder hold (checked like our own)
        self.gathered: dict[str, list[dict[str, Any]]] = {}
        for other in sorted(Path(out).glob(SHARD_RECORDS)):
            if other.name != name:
                for entry, rec in read_record(other).items():
                    self.gathered.setdefault(entry, []).append(rec)

    def names(self) -> set[str]:
        """Every entry this record, or a gathered shard record, holds."""
        return set(self.entries) | set(self.gathered)

    def digest(self, path: Path) -> str | None:
        """The sha256 of an artifact: a file's bytes, or a folder's {path: sha256} listing."""
        try:
            if path.is_dir():
                return sha256_json(self.hasher.tree(path, trust=True, everything=True))
            if path.is_file():
                return self.hasher.file(path, trust=True)
        except OSError:
            pass
        return None

    def lookup(self, entry: str, key: str) -> list[Path] | None:
        """The recorded artifacts of `entry` if it was built with `key` and every artifact is
        still there, unchanged; else None (it must be built)."""
        own = self.entries.get(entry)
        for rec in [own] + [r for r in self.gathered.get(entry, []) if r is not own]:
            if not rec or rec.get("key") != key:
                continue
            paths = self._present(rec)
            if paths is not None:
                self.entries[entry] = rec  # a gathered shard's entry becomes our own
                return paths
        return None

    def _present(self, rec: dict[str, Any]) -> list[Path] | None:
        """The artifacts of a recorded entry when each is in the folder, unchanged."""
        paths: list[Path] = []
        for item in rec.get("artifacts", []):
            path = self.path.parent / item["path"]
            if self.digest(path) != item.get("sha256"):
                return None
            paths.append(path)
        return paths

    def store(self, entry: str, key: str, artifacts: list[Path]) -> None:
        items = []
        for path in artifacts:
            path = Path(path)
            try:
                rel = path.resolve().relative_to(self.path.parent.resolve()).as_posix()
            except ValueError:
                rel = os.fspath(path.resolve())
            items.append({"path": rel, "sha256": self.digest(path)})
        self.entries[entry] = {"key": key, "artifacts": items}

    def forget(self, entry: str) -> None:
        self.entries.pop(entry, None)

    def save(self) -> None:
        text = json.dumps({"format": RECORD_FORMAT, "lcmodules": __version__,
                           "entries": dict(sorted(self.entries.items()))},
                          indent=1, sort_keys=True)
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if self.path.read_text("utf-8") == text + "\n":
                return  # unchanged: leave the file (and its mtime) alone
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, text + "\n")


# ---------------------------------------------------------------- the no-op fast path

RUNS_NAME = "builds.json"
RUNS_KEPT = 32


@dataclass
class QuickHit:
    """A build that needs doing nothing: what it would have reported."""

    out: Path
    artifacts: list[Path]
    warnings: list[str]


class QuickCheck:
    """Tells, before anything is loaded, whether a `lcmodules build` with these arguments has
    nothing to do: its arguments, every input file (by the file-hash memo), lcmodules and the
    installed packages are those of an earlier successful run whose artifacts are all still in
    place. Loading and validating a large course takes seconds; this takes a stat() per file.
    It imports nothing heavy. The runs are remembered in `<cache>/builds.json`.
    """

    def __init__(self, paths: list[Path], arguments: dict[str, Any]) -> None:
        self.key: str | None = None
        self.hasher: FileHasher | None = None
        roots, self.trees = self._inputs(paths)
        if roots is None:
            return
        self.cache = cache_dir(roots[0] if roots else Path.cwd())
        self.hasher = FileHasher(self.cache / "file-hashes.json")
        self.arguments = arguments
        self.key = self._key(self.hasher)

    @staticmethod
    def _inputs(paths: list[Path]) -> tuple[list[Path] | None, list[Path]]:
        """The course roots and the files and folders a build of `paths` reads; None when a
        path is not something `lcmodules build` accepts (the full build reports it)."""
        from lcmodules.core.locate import MODULES_DIR, locate

        roots: list[Path] = []
        trees: list[Path] = []
        for raw in paths or [Path(".")]:
            target = locate(raw) if raw.exists() else None
            if target is None:
                return None, []
            trees += list(target.modules or [target.root / MODULES_DIR])
            if target.root not in roots:
                roots.append(target.root)
                trees += [target.root / "_config.yml", *course_inputs(target.root)]
        return roots, trees

    def _key(self, hasher: FileHasher) -> str:
        files: dict[str, str] = {}
        for tree in self.trees:
            if tree.is_file():
                files[os.fspath(tree)] = hasher.file(tree)
            elif tree.is_dir():
                # an output folder inside the sources is not an input
                for path in iter_files(tree, {self.cache}, marker=RECORD_NAME):
                    files[os.fspath(path)] = hasher.file(path)
            else:
                files[os.fspath(tree)] = ""
        return cache_key(
            "no-change", {"arguments": self.arguments, "cwd": os.fspath(Path.cwd()),
                          "files": files},
            ("code", "installed", "SOURCE_DATE_EPOCH", CACHE_ENV), hasher)

    def _runs(self) -> dict[str, Any]:
        try:
            data = json.loads((self.cache / RUNS_NAME).read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def lookup(self) -> QuickHit | None:
        if self.key is None or self.hasher is None:
            return None
        run = self._runs().get(self.key)
        if not run:
            return None
        out, name = Path(run["out"]), str(run.get("name", RECORD_NAME))
        try:
            if sha256_bytes((out / name).read_bytes()) != run["record"]:
                return None
        except OSError:
            return None
        record = BuildRecord(out, self.hasher, name)
        artifacts: list[Path] = []
        for entry in run["entries"]:
            rec = record.entries.get(entry)
            found = record.lookup(entry, rec["key"]) if rec else None
            if found is None:
                return None
            artifacts.extend(found)
        self.hasher.save()
        return QuickHit(out, artifacts, list(run.get("warnings", [])))

    def remember(self, record: Path, entries: list[str], warnings: list[str]) -> None:
        """Remember a successful build, unless its inputs changed while it ran."""
        if self.key is None or self.hasher is None or self._key(self.hasher) != self.key:
            return
        runs = self._runs()
        runs.pop(self.key, None)
        runs[self.key] = {
            "out": os.fspath(Path(record).parent),
            "name": Path(record).name,
            "record": sha256_bytes(Path(record).read_bytes()),
            "entries": entries,
            "warnings": warnings,
        }
        while len(runs) > RUNS_KEPT:
            runs.pop(next(iter(runs)))
        with contextlib.suppress(OSError):
            ensure_cache_dir(self.cache)
            write_text_atomic(self.cache / RUNS_NAME, json.dumps(runs, indent=1))
        self.hasher.save()


def course_inputs(root: Path) -> list[Path]:
    """What a course's pages read besides its modules and _config.yml: the templates folder
    (`lcmodules.templates`, default `templates`), the `logo` file and the folders of its own
    Sphinx extensions (`sphinx.local_extensions`), found without loading the whole
    configuration."""
    found = [root / "templates"]
    try:
        text = (root / "_config.yml").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return found
    if "templates" not in text and "logo" not in text and "local_extensions" not in text:
        return found
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(text)
    except Exception:  # not valid: the full build reports it
        return found
    if not isinstance(data, dict):
        return found
    settings = data.get("lcmodules")
    name = settings.get("templates") if isinstance(settings, dict) else None
    if isinstance(name, str):
        found[0] = root / name
    if isinstance(data.get("logo"), str):
        found.append(root / data["logo"])
    for ext in local_extensions(data.get("sphinx"), root):
        found += sorted(ext.files().values())
    return found


def installed_packages() -> list[str]:
    """The names of the installed distributions' metadata folders (name and version), one
    listdir per sys.path folder: any install, upgrade or removal changes it."""
    found: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [n for n in names if n.endswith((".dist-info", ".egg-info"))]
    return sorted(found)


# ---------------------------------------------------------------- cache keys

# What a key may depend on besides its own inputs, by name (each a function of the file hasher).
ENVIRONMENT: dict[str, Callable[[FileHasher], Any]] = {
    "lcmodules": lambda hasher: __version__,
    "code": code_fingerprint,  # every file of the lcmodules package
    "python": lambda hasher: sys.version,
    "dependencies": lambda hasher: dependency_versions(),
    "installed": lambda hasher: installed_packages(),
    "SOURCE_DATE_EPOCH": lambda hasher: os.environ.get("SOURCE_DATE_EPOCH"),
    CACHE_ENV: lambda hasher: os.environ.get(CACHE_ENV),
}


def cache_key(purpose: str, inputs: dict[str, Any], environment: Iterable[str] = (),
              hasher: FileHasher | None = None) -> str:
    """The one recipe of every cache key (build keys, the no-change check, the model cache,
    the execution cache): sha256 over the sorted JSON of `purpose`, the named `inputs` and
    the named parts of `ENVIRONMENT` the cached thing depends on."""
    named = {name: ENVIRONMENT[name](hasher or FileHasher()) for name in environment}
    return sha256_json({"purpose": purpose, "inputs": inputs, "environment": named})
