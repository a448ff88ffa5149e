"""The files of a built site: safe lowercase ASCII names, unique ignoring case, stable hashes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from lcmodules.load.units import fold_ascii

FileContent = bytes | Path

MEDIA_EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg",
    "image/webp": "webp",
}


def safe_part(name: str) -> str:
    """One path component as lowercase ASCII: 'Meetgegevens ovens é.CSV' → 'meetgegevens-ovens-e.csv'."""
    folded = fold_ascii(name)
    stem, dot, ext = folded.rpartition(".")
    if not dot or not stem:
        stem, ext = folded, ""
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-") or "file"
    ext = re.sub(r"[^a-z0-9]+", "", ext)
    return f"{stem}.{ext}" if ext else stem


def safe_path(rel: str) -> str:
    """A relative path with every component made safe (`..` and `.` parts dropped)."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return "/".join(safe_part(p) for p in parts) or "file"


def content_hash(data: bytes, length: int = 16) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


class SiteFiles:
    """Collects a site's files; every name is lowercase ASCII and unique ignoring case."""

    def __init__(self) -> None:
        self.files: dict[str, FileContent] = {}
        self._by_source: dict[Path, str] = {}

    def _free(self, name: str) -> str:
        """`name`, or `name-2`, `name-3` … if it is taken (names are already lowercase)."""
        if name not in self.files:
            return name
        stem, dot, ext = name.rpartition(".")
        if not dot or "/" in ext:
            stem, ext = name, ""
        n = 2
        while True:
            candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
            if candidate not in self.files:
                return candidate
            n += 1

    def add(self, name: str, content: FileContent, replace: bool = False) -> str:
        """Add a file under (the safe form of) `name`; return the name used."""
        safe = safe_path(name)
        if replace or safe not in self.files:
            self.files[safe] = content
            return safe
        if self.files[safe] == content:
            return safe
        safe = self._free(safe)
        self.files[safe] = content
        return safe

    def add_source(self, source: Path, rel: str, folder: str = "files",
                   data: FileContent | None = None) -> str:
        """Copy a module file once (streamed from disk, or `data`: the file as the edition
        ships it), under `folder/<safe rel>`."""
        source = source.resolve()
        if source in self._by_source:
            return self._by_source[source]
        name = self._free(f"{folder}/{safe_path(rel)}")
        self.files[name] = source if data is None else data
        self._by_source[source] = name
        return name

    def add_asset(self, data: bytes, extension: str) -> str:
        """A generated file (an output image) named by its content: `_assets/<hash>.<ext>`."""
        name = f"_assets/{content_hash(data)}.{extension}"
        self.files[name] = data
        return name
