"""The cache shared across machines: artifacts stored by build key, and the shard a module is in."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lcmodules.cache.store import shard_record_name
from lcmodules.core.fsutil import atomic_path, write_text_atomic
from lcmodules.core.outpath import UnsafePathError, check_dest

STORE_FORMAT = 1
DIGEST = re.compile(r"[0-9a-f]{64}")
BLOCK = 1024 * 1024


class DamagedEntry(Exception):
    """A store entry that cannot be restored as it was put (truncated, altered, unsafe)."""


@dataclass(frozen=True)
class StoreWarning:
    """A damaged entry that was ignored (its artifacts are built again)."""

    path: Path  # the entry's manifest
    reason: str


class ArtifactStore:
    """A folder of build artifacts keyed by their build key (`cache_key`), shared by machines.

    `artifacts/<k[:2]>/<key>.json` lists what one exporter wrote for one module (or course):
    each artifact's path in the output folder and, per file, its sha256 and size; the bytes are
    in `blobs/<d[:2]>/<sha256>`. Everything is data, read as data: JSON and file bytes, never a
    pickle. Writes are atomic renames, so machines putting the same key at once are safe (both
    write the same bytes under the same names)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self.warnings: list[StoreWarning] = []

    def entry_path(self, key: str) -> Path:
        return self.folder / "artifacts" / key[:2] / f"{key}.json"

    def blob_path(self, digest: str) -> Path:
        return self.folder / "blobs" / digest[:2] / digest

    # ------------------------------------------------------------ put

    def put(self, key: str, out: Path, paths: list[Path]) -> bool:
        """Store the artifacts `paths` (files or folders inside `out`) under `key`; False (and
        nothing listed) when one lies outside `out` or cannot be read."""
        root = Path(out).resolve()
        try:
            listed = [self._put_artifact(root, Path(p)) for p in paths]
            manifest = {"format": STORE_FORMAT, "key": key, "artifacts": listed}
            write_text_atomic(self.entry_path(key), json.dumps(manifest, sort_keys=True))
        except (OSError, ValueError):
            return False
        return True

    def _put_artifact(self, root: Path, path: Path) -> dict[str, Any]:
        rel = path.resolve().relative_to(root).as_posix()  # ValueError: outside `out`
        if path.is_dir():
            files = [{"path": f.relative_to(path).as_posix(), **self._put_blob(f)}
                     for f in sorted(path.rglob("*")) if f.is_file()]
            return {"path": rel, "kind": "folder", "files": files}
        return {"path": rel, "kind": "file", **self._put_blob(path)}

    def _put_blob(self, path: Path) -> dict[str, Any]:
        """Copy one file into `blobs/` (unless a blob of that digest and size is there)."""
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as src:
            for block in iter(lambda: src.read(BLOCK), b""):
                digest.update(block)
                size += len(block)
        name = digest.hexdigest()
        blob = self.blob_path(name)
        with contextlib.suppress(OSError):
            if blob.stat().st_size == size:
                return {"sha256": name, "size": size}
        blob.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name[:12]}.", suffix=".tmp", dir=blob.parent)
        try:
            with os.fdopen(fd, "wb") as dst, path.open("rb") as src:
                shutil.copyfileobj(src, dst, BLOCK)
            os.chmod(tmp, 0o644)
            os.replace(tmp, blob)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return {"sha256": name, "size": size}

    # ------------------------------------------------------------ restore

    def restore(self, key: str, out: Path) -> list[Path] | None:
        """Write the artifacts stored under `key` into `out` (each checked against its sha256
        and renamed into place only when all are complete); None when nothing is stored, or
        the entry is damaged (then a warning is kept and the entry's bad parts removed)."""
        entry = self.entry_path(key)
        try:
            text = entry.read_text("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self._damaged(entry, f"it cannot be read ({exc})")
            return None
        try:
            return self._write(Path(out), self._manifest(text, key))
        except DamagedEntry as exc:
            self._damaged(entry, str(exc))
        except OSError as exc:  # the output folder, not the entry: keep it, build instead
            self.warnings.append(StoreWarning(entry, f"it could not be restored ({exc})"))
        return None

    @staticmethod
    def _manifest(text: str, key: str) -> list[dict[str, Any]]:
        try:
            data = json.loads(text)
        except ValueError:
            raise DamagedEntry("it is not valid JSON (truncated?)") from None
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT \
                or data.get("key") != key or not isinstance(data.get("artifacts"), list) \
                or not all(isinstance(item, dict) for item in data["artifacts"]):
            raise DamagedEntry("it is not an entry of this store format for this key")
        return list(data["artifacts"])

    def _write(self, out: Path, artifacts: list[dict[str, Any]]) -> list[Path]:
        """Stage every artifact beside its place, then rename them all into place."""
        written: list[Path] = []
        with contextlib.ExitStack() as stack:
            for item in artifacts:
                target = _target(out, item.get("path"))
                folder = item.get("kind") == "folder"
                tmp = stack.enter_context(atomic_path(target, directory=folder))
                if folder:
                    files = item.get("files")
                    if not isinstance(files, list):
                        raise DamagedEntry(f"{item.get('path')}: no file list")
                    for member in files:
                        self._copy_blob(member, _target(tmp, _get(member, "path")))
                else:
                    self._copy_blob(item, tmp)
                written.append(target)
        return written

    def _copy_blob(self, item: Any, dest: Path) -> None:
        digest, size = _get(item, "sha256"), item.get("size")
        if not DIGEST.fullmatch(digest):
            raise DamagedEntry(f"{digest!r} is not a sha256")
        blob = self.blob_path(digest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        check = hashlib.sha256()
        try:
            with _open_blob(blob) as src, dest.open("wb") as dst:
                for block in iter(lambda: src.read(BLOCK), b""):
                    check.update(block)
                    dst.write(block)
        except FileNotFoundError:
            raise DamagedEntry(f"blob {digest[:12]}… is missing") from None
        except OSError as exc:
            raise DamagedEntry(f"blob {digest[:12]}… cannot be read ({exc})") from None
        if check.hexdigest() != digest or dest.stat().st_size != size:
            with contextlib.suppress(OSError):
                blob.unlink()  # so the next put writes it afresh
            raise DamagedEntry(f"blob {digest[:12]}… does not match its sha256")

    def _damaged(self, entry: Path, reason: str) -> None:
        self.warnings.append(StoreWarning(entry, f"damaged ({reason})"))
        with contextlib.suppress(OSError):
            entry.unlink()


def _get(item: Any, name: str) -> str:
    value = item.get(name) if isinstance(item, dict) else None
    if not isinstance(value, str):
        raise DamagedEntry(f"a listed file has no {name}")
    return value


def _target(root: Path, rel: Any) -> Path:
    """`rel` inside `root`, refusing a name that would leave it (a store is not trusted to
    name where a build writes)."""
    if not isinstance(rel, str) or not rel:
        raise DamagedEntry("an artifact has no path")
    try:
        return check_dest(root, rel)
    except UnsafePathError as exc:
        raise DamagedEntry(str(exc)) from None


@contextlib.contextmanager
def _open_blob(path: Path) -> Iterator[BinaryIO]:
    """Open a blob for reading, never through a symbolic link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        yield handle


# ---------------------------------------------------------------- shards


@dataclass(frozen=True)
class Shard:
    """Part `index` (1-based) of `count` parts of a course's modules."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def record_name(self) -> str:
        return shard_record_name(self.index, self.count)

    def holds(self, module_id: str) -> bool:
        """Whether the module of this id is in the shard: by the id's sha256, so a module's
        shard never changes when others are added or removed."""
        number = int(hashlib.sha256(module_id.encode("utf-8")).hexdigest()[:16], 16)
        return number % self.count + 1 == self.index


class ShardError(ValueError):
    """A `--shard` value that is not K/N with 1 ≤ K ≤ N."""

    def __init__(self, value: str, message: str) -> None:
        super().__init__(f"--shard {value}: {message} — write it as K/N, shard K of N "
                         f"(1 ≤ K ≤ N), e.g. --shard 1/3")


def parse_shard(value: str) -> Shard:
    """`K/N` as a Shard; ShardError naming what is wrong."""
    parts = value.strip().split("/")
    if len(parts) != 2:
        raise ShardError(value, "not of the form K/N")
    if not all(re.fullmatch(r"[0-9]+", p.strip()) for p in parts):
        raise ShardError(value, "K and N must be whole numbers")
    index, count = (int(p) for p in parts)
    if count < 1:
        raise ShardError(value, "N (the number of shards) must be at least 1")
    if not 1 <= index <= count:
        raise ShardError(value, f"K must be between 1 and {count}")
    return Shard(index, count)
