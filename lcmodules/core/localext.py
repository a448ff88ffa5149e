"""A book's or course's own Sphinx extensions (`sphinx: local_extensions:`): where their code is.

`local_extensions: {name: folder}` makes Jupyter Book put `folder` (relative to `_config.yml`)
on `sys.path` and load the module `name`. lcmodules reads these files only to copy them
(import-book into the course, the Jupyter Book export into its tree); it never imports them:
only the `build --html` Jupyter Book build, which runs Sphinx, loads them (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

SKIPPED = ("__pycache__",)  # folders of files Python writes, never copied


@dataclass(frozen=True)
class LocalExtension:
    """One entry of `sphinx.local_extensions` read against the folder of its `_config.yml`."""

    name: str  # the module Sphinx imports
    path: str  # the folder as `_config.yml` writes it
    root: Path  # the folder of that `_config.yml`, resolved
    folder: Path | None  # the extension's folder, None when it is not one inside the root

    @property
    def rel(self) -> str | None:
        """The folder relative to the root, POSIX ("." for the root itself)."""
        return self.folder.relative_to(self.root).as_posix() if self.folder else None

    @property
    def module_file(self) -> Path | None:
        """`<folder>/<name>.py` or `<folder>/<name>/__init__.py`, whichever exists."""
        if self.folder is None:
            return None
        base = self.folder.joinpath(*self.name.split("."))
        return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()),
                    None)

    def files(self) -> dict[str, Path]:
        """Every file the extension brings (root-relative POSIX path → file): its whole folder,
        which may hold helpers it imports; at the root itself only its module or package.
        Hidden files, `__pycache__` and links out of the folder are left out."""
        if self.folder is None or not self.folder.is_dir():
            return {}
        top = self.folder
        if self.folder == self.root:
            module = self.module_file
            if module is None:
                return {}
            top = module.parent if module.name == "__init__.py" else module
        found = [top] if top.is_file() else sorted(top.rglob("*"))
        return {p.relative_to(self.root).as_posix(): p for p in found
                if p.is_file() and _kept(p, self.folder)}


def _kept(path: Path, folder: Path) -> bool:
    parts = path.relative_to(folder).parts
    return not any(part.startswith(".") or part in SKIPPED for part in parts) \
        and path.resolve().is_relative_to(folder.resolve())


def local_extensions(sphinx: Any, root: Path) -> list[LocalExtension]:
    """The `local_extensions` of a `sphinx:` section whose `_config.yml` lies in `root`."""
    entries = sphinx.get("local_extensions") if isinstance(sphinx, dict) else None
    if not isinstance(entries, dict):
        return []
    base = root.resolve()
    found = []
    for name, path in entries.items():
        text = str(path or ".")
        folder = (base / text).resolve()
        inside = not Path(text).is_absolute() and folder.is_relative_to(base)
        found.append(LocalExtension(str(name), text, base, folder if inside else None))
    return found
