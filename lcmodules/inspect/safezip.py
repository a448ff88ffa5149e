"""Reading untrusted zip files safely: bounded entry counts, sizes and ratios, nothing extracted."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 20_000
MAX_TOTAL_UNCOMPRESSED = 4 * 1024**3  # declared, all entries together
MAX_RATIO = 200  # uncompressed / compressed, for entries above RATIO_FLOOR
# A ratio only matters for an entry that unpacks to more than this: a long but honest output
# (30,000 identical warning lines, a sparse CSV) compresses far better than 200:1, yet a few
# MB harm no LMS. Anything above it with that ratio is refused, as is more than
# MAX_TOTAL_UNCOMPRESSED in all (docs/scorm.md, "lcmodules inspect").
RATIO_FLOOR = 32 * 1024**2
MAX_XML = 16 * 1024**2  # imsmanifest.xml and metadata files are read into memory up to this
EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"


class UnsafeZip(Exception):
    """The file is not a zip we may read: the message says why (shown to the user as is)."""


@dataclass(frozen=True)
class Entry:
    """One member of the zip, as its central directory declares it."""

    name: str
    size: int
    compressed: int
    is_dir: bool
    is_symlink: bool
    encrypted: bool


def declared_entry_count(path: Path) -> int:
    """The entry count from the end-of-central-directory record, read without parsing the rest."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        tail_len = min(size, 65_535 + 22 + 20)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(EOCD)
        if at < 0 or len(tail) - at < 22:
            raise UnsafeZip("not a zip file (no end-of-central-directory record)")
        (total,) = struct.unpack("<H", tail[at + 10:at + 12])
        loc = at - 20
        if total == 0xFFFF and loc >= 0 and tail[loc:loc + 4] == ZIP64_LOCATOR:
            (offset,) = struct.unpack("<Q", tail[loc + 8:loc + 16])
            if offset + 56 > size:
                raise UnsafeZip("corrupt zip64 end-of-central-directory locator")
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] != ZIP64_EOCD:
                raise UnsafeZip("corrupt zip64 end-of-central-directory record")
            (total,) = struct.unpack("<Q", record[32:40])
        return total


class SafeZip:
    """A zip opened for inspection: the central directory is checked before anything is read."""

    def __init__(self, path: Path, max_entries: int = MAX_ENTRIES,
                 max_total: int = MAX_TOTAL_UNCOMPRESSED) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UnsafeZip(f"{self.path} is not a file")
        count = declared_entry_count(self.path)
        if count > max_entries:
            raise UnsafeZip(f"the zip declares {count:,} entries; more than {max_entries:,} "
                            "is refused (an LMS would time out or run out of memory)")
        try:
            self.zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise UnsafeZip(f"not a readable zip file: {exc}") from None
        infos = self.zf.infolist()
        if len(infos) > max_entries:
            self.zf.close()
            raise UnsafeZip(f"the zip holds {len(infos):,} entries; more than {max_entries:,} "
                            "is refused")
        self.infos = {i.filename: i for i in infos}
        self.entries = [self._entry(i) for i in infos]
        total = sum(e.size for e in self.entries)
        if total > max_total:
            self.zf.close()
            raise UnsafeZip(f"the zip declares {total:,} bytes once unpacked; more than "
                            f"{max_total:,} is refused (zip bomb?)")
        self.names = [e.name for e in self.entries]
        clash = file_folder_clash(e.name for e in self.entries if not e.is_dir)
        if clash:
            self.zf.close()
            raise UnsafeZip(f"'{clash[0]}' is both a file and a folder (the zip also holds "
                            f"'{clash[1]}'); no file system can unpack both — rename one")

    @staticmethod
    def _entry(info: zipfile.ZipInfo) -> Entry:
        mode = info.external_attr >> 16
        return Entry(
            name=info.filename, size=info.file_size, compressed=info.compress_size,
            is_dir=info.is_dir(), is_symlink=info.create_system == 3 and stat.S_ISLNK(mode),
            encrypted=bool(info.flag_bits & 0x1),
        )

    def suspicious_ratio(self, entry: Entry) -> bool:
        """True for an entry that unpacks to far more than it takes (a zip bomb's trick): over
        RATIO_FLOOR bytes and over MAX_RATIO times its packed size."""
        return entry.size > RATIO_FLOOR and entry.size > MAX_RATIO * max(entry.compressed, 1)

    def read(self, name: str, limit: int = MAX_XML) -> bytes:
        """An entry's bytes, refused when it declares or turns out to be larger than `limit`."""
        info = self.infos[name]
        entry = self._entry(info)
        if entry.is_symlink:
            raise UnsafeZip(f"'{name}' is a symbolic link; it is not read")
        if entry.encrypted:
            raise UnsafeZip(f"'{name}' is encrypted")
        if info.file_size > limit or self.suspicious_ratio(entry):
            raise UnsafeZip(f"'{name}' declares {info.file_size:,} bytes; more than {limit:,} "
                            "is not read")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise UnsafeZip(f"cannot read '{name}': {exc}") from None
        if len(data) > limit:
            raise UnsafeZip(f"'{name}' is larger than {limit:,} bytes; it is not read")
        return data

    def extract_to(self, target: Path) -> None:
        """Unpack every regular file under `target` (a fresh temporary folder), checking each
        name and size; refuses links, absolute names and `..`."""
        target = Path(target).resolve()
        for entry in self.entries:
            if entry.is_dir:
                continue
            problem = unsafe_member_name(entry.name)
            if problem or entry.is_symlink or entry.encrypted or self.suspicious_ratio(entry):
                raise UnsafeZip(f"refusing to unpack '{entry.name}': "
                                f"{problem or 'link, encrypted or zip bomb'}")
            dest = (target / entry.name).resolve()
            if not dest.is_relative_to(target):
                raise UnsafeZip(f"refusing to unpack '{entry.name}': it lies outside the folder")
            dest.parent.mkdir(parents=True, exist_ok=True)
            info = self.infos[entry.name]
            written = 0
            with self.zf.open(info) as src, dest.open("wb") as out:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    if written > entry.size:
                        raise UnsafeZip(f"'{entry.name}' unpacks to more than it declares")
                    out.write(chunk)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_folder_clash(names: Iterable[str]) -> tuple[str, str] | None:
    """A file name that is also a folder of another entry (`a` and `a/b`), with that entry."""
    files = sorted(set(names))
    known = set(files)
    for name in files:
        parts = name.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in known:
                return folder, name
    return None


def unsafe_member_name(name: str) -> str | None:
    """Why a zip member name is dangerous to unpack, or None."""
    if "\x00" in name:
        return "the name holds a NUL character"
    if "\\" in name:
        return "the name holds a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(name).parts:
        return "the path climbs out of the package with '..'"
    return None


def temporary_folder(prefix: str = "lcmodules-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_folder(path: Path) -> None:
    if path.exists() and path.is_dir() and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
