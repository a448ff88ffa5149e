"""Atomic, reproducible file output: temporary file then rename, fixed-order zips."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from lcmodules.core.outpath import UnsafePathError, check_dest, check_member

# 1980-01-01, the earliest time a zip entry can hold; SOURCE_DATE_EPOCH overrides it.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Formats that are compressed already: deflating them again costs time and saves nothing.
STORED_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".mp4", ".m4v", ".webm", ".mov", ".mkv",
    ".mp3", ".m4a", ".ogg", ".oga", ".ogv", ".opus", ".zip", ".gz", ".bz2", ".xz", ".7z",
    ".woff", ".woff2", ".pdf", ".docx", ".pptx", ".xlsx", ".parquet",
})


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        import time

        t = time.gmtime(max(int(epoch), 315532800))
        return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)
    return ZIP_EPOCH


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in 1 MiB blocks (never whole into memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: Path, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.

    On an exception the temporary file or folder is removed and `target` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(name)
    try:
        yield tmp
        if directory:
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a built folder is for everyone
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
    except BaseException:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


ZipSource = bytes | str | Path


def write_zip(target: Path, entries: Iterable[tuple[str, ZipSource]]) -> None:
    """Write a byte-reproducible zip atomically: sorted names, fixed times and permissions.

    An entry's content is bytes, text, or a Path whose file is streamed (never read whole).
    Names must be safe artifact members (no `..`, not absolute) and no Path may be a link.
    """
    items = sorted(entries, key=lambda item: item[0])
    names = [check_member(name) for name, _ in items]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate zip entries: {', '.join(dupes)}")
    stamp = zip_timestamp()
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in items:
            info = zipfile.ZipInfo(name, date_time=stamp)
            stored = Path(name).suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            if isinstance(content, Path):
                with open_source(content) as src, zf.open(info, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
            else:
                data = content.encode("utf-8") if isinstance(content, str) else content
                zf.writestr(info, data, compress_type=info.compress_type, compresslevel=6)


FileContent = bytes | Path


def write_tree(target: Path, files: dict[str, FileContent]) -> None:
    """Write a folder's files (site-relative path -> bytes, or a file copied from disk).

    Every name must land inside `target` and no source Path may be a symbolic link
    (UnsafePathError): a build never writes elsewhere and never copies a link's target.
    """
    for name in sorted(files):
        content = files[name]
        dest = check_dest(target, name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            with open_source(content) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out, 1024 * 1024)
        else:
            dest.write_bytes(content)


def open_source(path: Path) -> BinaryIO:
    """Open a source file for copying; a symbolic link is refused (never followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if Path(path).is_symlink():
            raise UnsafePathError(f"refusing to copy {path}: it is a symbolic link",
                                  Path(path)) from None
        raise exc
    return os.fdopen(fd, "rb")
