"""`module.lock`: what was released last — version, date, fingerprint, per-file hashes and the
SCORM item identifiers of its packages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcmodules.core.diagnostics import InputError, Problem
from lcmodules.model import SEMVER
from lcmodules.versioning.fingerprint import ALGORITHM, LOCK_NAME, Fingerprint

LOCK_FORMAT = 1
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
FIX_HINT = "restore it from version control, or delete it and run `lcmodules release … --force`"


@dataclass(frozen=True)
class Lock:
    """The contents of a `module.lock`."""

    id: str
    version: str
    released: str  # YYYY-MM-DD
    fingerprint: str  # "sha256:<hex>"
    files: dict[str, str] = field(default_factory=dict)
    algorithm: str = ALGORITHM
    # SCORM item identifier -> the unit file it launches ('' for the whole module), in the
    # course's configured SCO layout; None in locks written before lcmodules recorded them
    items: dict[str, str] | None = None

    @classmethod
    def of(cls, module_id: str, version: str, released: str, fp: Fingerprint,
           items: dict[str, str] | None = None) -> Lock:
        return cls(module_id, version, released, fp.digest, dict(fp.files), items=items)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": LOCK_FORMAT,
            "algorithm": self.algorithm,
            "id": self.id,
            "version": self.version,
            "released": self.released,
            "fingerprint": self.fingerprint,
            "files": dict(sorted(self.files.items())),
        } | ({} if self.items is None else {"items": dict(sorted(self.items.items()))})


def lock_path(module_root: Path) -> Path:
    return Path(module_root) / LOCK_NAME


def render_lock(lock: Lock) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, LF, final newline."""
    text = json.dumps(lock.to_json(), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def parse_lock(data: bytes, path: Path) -> Lock:
    """Read lock bytes; InputError naming the file (and line) when they are not a valid lock."""

    def bad(message: str, line: int | None = 1) -> InputError:
        return InputError([Problem(path, line, message, FIX_HINT)])

    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise bad("module.lock is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise bad(f"module.lock is not valid JSON: {exc.msg}", exc.lineno) from exc
    if not isinstance(obj, dict):
        raise bad("module.lock must hold a JSON object")
    if obj.get("format") != LOCK_FORMAT:
        raise bad(f"module.lock has format {obj.get('format')!r}; this lcmodules reads format "
                  f"{LOCK_FORMAT}")
    for key in ("id", "version", "released", "fingerprint", "algorithm"):
        if not isinstance(obj.get(key), str):
            raise bad(f"module.lock has no text field '{key}'")
    if not SEMVER.match(obj["version"]):
        raise bad(f"module.lock: version '{obj['version']}' is not a semantic version")
    if not DATE.match(obj["released"]):
        raise bad(f"module.lock: released '{obj['released']}' is not a YYYY-MM-DD date")
    if not HASH.match(obj["fingerprint"]):
        raise bad("module.lock: fingerprint must be 'sha256:' and 64 hex digits")
    files = obj.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and HASH.match(v) for k, v in files.items()
    ):
        raise bad("module.lock: 'files' must map file paths to 'sha256:<hex>' hashes")
    items = obj.get("items")
    if items is not None and not (isinstance(items, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in items.items())):
        raise bad("module.lock: 'items' must map SCORM item identifiers to unit files")
    return Lock(obj["id"], obj["version"], obj["released"], obj["fingerprint"], dict(files),
                obj["algorithm"], None if items is None else dict(items))


def read_lock(module_root: Path) -> Lock | None:
    """The module's lock, or None when it was never released; InputError when unreadable."""
    path = lock_path(module_root)
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(path, None, f"cannot read module.lock: {exc.strerror}",
                                  "make it a readable file")]) from exc
    return parse_lock(data, path)
