"""Writing several files all or nothing: temporary files first, then renames, undone on failure."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class WriteError(OSError):
    """A file could not be written; nothing was changed. `path` says which one."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class _Pending:
    target: Path
    tmp: Path
    backup: Path | None = None
    replaced: bool = False


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_writable(targets: list[Path]) -> None:
    """Fail early, with the file named, when a target or its folder cannot be written."""
    for target in targets:
        parent = target.parent
        if not parent.is_dir():
            raise WriteError(target, f"{parent.name or parent} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise WriteError(target, f"the folder {parent} is read-only")
        if target.exists() and not os.access(target, os.W_OK):
            raise WriteError(target, "the file is read-only")


def replace_files(contents: Mapping[Path, bytes]) -> None:
    """Write every file in `contents`, or none of them.

    1. each new content goes to a temporary file beside its target (same file system);
    2. each existing target gets a hard-linked backup;
    3. the temporary files are renamed over the targets, in order;
    4. on any failure the renames done so far are undone from the backups and new files
       are removed, so every target holds exactly what it held before; WriteError is raised.
    Existing files keep their permission bits; new files get 0644 minus the umask.
    """
    targets = [Path(t) for t in contents]
    check_writable(targets)
    pending: list[_Pending] = []
    current: Path | None = None
    try:
        for target in targets:
            current = target
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            item = _Pending(target, Path(name))
            pending.append(item)
            with os.fdopen(fd, "wb") as fh:
                fh.write(contents[target])
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                os.chmod(item.tmp, stat.S_IMODE(target.stat().st_mode))
                item.backup = _backup(target)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(item.tmp, 0o644 & ~umask)
        for item in pending:
            current = item.target
            os.replace(item.tmp, item.target)
            item.replaced = True
    except OSError as exc:
        _undo(pending)
        raise WriteError(current or targets[0], _reason(exc)) from exc
    except BaseException:
        _undo(pending)
        raise
    for item in pending:
        if item.backup is not None:
            with contextlib.suppress(OSError):
                item.backup.unlink()
    _sync_dirs({item.target.parent for item in pending})


def _backup(target: Path) -> Path:
    """A hard link to `target` (a copy where links are not supported) under a fresh name."""
    backup = target.with_name(f".{target.name}.{secrets.token_hex(6)}.bak")
    try:
        os.link(target, backup)
    except OSError:
        try:
            shutil.copy2(target, backup)
        except OSError:
            with contextlib.suppress(OSError):
                backup.unlink()
            raise
    return backup


def _undo(pending: list[_Pending]) -> None:
    """Put back what was there before, best effort, and remove temporary files."""
    for item in reversed(pending):
        with contextlib.suppress(OSError):
            if item.replaced:
                if item.backup is not None:
                    os.replace(item.backup, item.target)
                    item.backup = None
                else:
                    item.target.unlink()
        with contextlib.suppress(OSError):
            if not item.replaced:
                item.tmp.unlink()
        if item.backup is not None:
            with contextlib.suppress(OSError):
                item.backup.unlink()


def _sync_dirs(folders: set[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
