"""`lcmodules new`: a module folder from the built-in templates, overridable per course."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from lcmodules.fsutil import atomic_path

BUILTIN = Path(__file__).parent / "module"
OVERRIDE_SUBDIR = "new"  # <course>/templates/new/<path> replaces the built-in <path>


def template_files(course_templates: Path | None) -> dict[str, Path]:
    """Relative path → template file; the course's `templates/new/` wins file by file."""
    files = {p.relative_to(BUILTIN).as_posix(): p for p in BUILTIN.rglob("*") if p.is_file()}
    if course_templates is not None and (course_templates / OVERRIDE_SUBDIR).is_dir():
        base = course_templates / OVERRIDE_SUBDIR
        for p in base.rglob("*"):
            if p.is_file():
                files[p.relative_to(base).as_posix()] = p
    return files


def scaffold(target: Path, variables: dict[str, object], course_templates: Path | None) -> list[str]:
    """Write a new module folder at `target` in one step (temporary folder, then rename)."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    written: list[str] = []
    with atomic_path(target, directory=True) as tmp:
        for rel, source in sorted(template_files(course_templates).items()):
            name = rel.removesuffix(".j2")
            name = name.replace("quiz.quiz.yml", f"{variables['quiz_name']}.quiz.yml")
            dest = tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith(".j2"):
                text = env.from_string(source.read_text(encoding="utf-8")).render(**variables)
                dest.write_text(text, encoding="utf-8")
            else:
                shutil.copyfile(source, dest)
            written.append(name)
    return written


def add_to_course_list(config: Path, slug: str) -> bool:
    """Append `slug` to `lcmodules.modules` in _config.yml by inserting one line.

    Only that line changes, so the lecturer's comments and layout stay as they were.
    Returns False when the course has no explicit list (every folder is then built).
    """
    from ruamel.yaml import YAML

    text = config.read_text(encoding="utf-8")
    doc = YAML(typ="rt").load(text)
    try:
        modules = doc["lcmodules"]["modules"]
    except (KeyError, TypeError):
        return False
    if not isinstance(modules, list) or not modules or slug in modules:
        return False
    lines = text.splitlines(keepends=True)
    last_line, _ = modules.lc.item(len(modules) - 1)
    indent = re.match(r"^(\s*-\s*)", lines[last_line])
    prefix = indent.group(1) if indent else "    - "
    if not lines[last_line].endswith("\n"):
        lines[last_line] += "\n"
    lines.insert(last_line + 1, f"{prefix}{slug}\n")
    with atomic_path(config) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    return True
