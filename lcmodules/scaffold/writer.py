"""`lcmodules new`: a module folder from the built-in templates, overridable per course."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from lcmodules.core.fsutil import atomic_path
from lcmodules.core.strings import translator

BUILTIN = Path(__file__).parent / "module"
COURSE_TEMPLATES = Path(__file__).parent / "course"  # what `lcmodules init` writes
OVERRIDE_SUBDIR = "new"  # <course>/templates/new/<path> replaces the built-in <path>


def yaml_scalar(value: object) -> str:
    """`value` as one YAML scalar, quoted when YAML would otherwise read it differently."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.width = 1_000_000
    stream = io.StringIO()
    yaml.dump(value, stream)
    return stream.getvalue().removesuffix("\n").removesuffix("\n...").rstrip("\n")


def shared_id_prefix(modules_dir: Path) -> str | None:
    """The id prefix every existing module of a course shares ('lc-ai' for lc-ai/…), if any."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    prefixes = set()
    for meta in sorted(modules_dir.glob("*/module.yml")) if modules_dir.is_dir() else []:
        try:
            doc = YAML(typ="safe", pure=True).load(meta.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError):
            continue
        ident = doc.get("id") if isinstance(doc, dict) else None
        if isinstance(ident, str) and "/" in ident:
            prefixes.add(ident.rpartition("/")[0])
        elif ident is not None:
            return None
    return prefixes.pop() if len(prefixes) == 1 else None


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
    """Write a new module folder at `target` in one step (temporary folder, then rename).

    The templates' `_()` and `ngettext()` speak `variables["language"]` (the string catalogue)."""
    env = _environment(str(variables["language"]))
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


def _environment(language: str) -> Environment:
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translator(language))  # type: ignore[attr-defined]
    env.filters["yaml"] = yaml_scalar
    return env


def scaffold_course(target: Path, variables: dict[str, object]) -> list[str]:
    """Write a course's `_config.yml`, `.gitignore` and empty `modules/` into `target`, their
    comments in `variables["language"]`.

    An existing `.gitignore` keeps its lines and gets the ones it lacks appended."""
    env = _environment(str(variables["language"]))
    target.mkdir(parents=True, exist_ok=True)
    config = env.from_string((COURSE_TEMPLATES / "_config.yml.j2").read_text(encoding="utf-8"))
    with atomic_path(target / "_config.yml") as tmp:
        tmp.write_text(config.render(**variables), encoding="utf-8")
    written = ["_config.yml"]
    wanted = env.from_string((COURSE_TEMPLATES / "gitignore.j2").read_text(encoding="utf-8")).render()
    ignore = target / ".gitignore"
    have = ignore.read_text(encoding="utf-8") if ignore.is_file() else ""
    missing = [ln for ln in wanted.splitlines()
               if ln and not ln.startswith("#") and ln not in have.splitlines()]
    if missing:
        text = wanted if not have else have.rstrip("\n") + "\n" + "\n".join(missing) + "\n"
        with atomic_path(ignore) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(".gitignore")
    (target / "modules").mkdir(exist_ok=True)
    return [*written, "modules/"]


def add_to_course_list(config: Path, slug: str) -> bool:
    """Append `slug` to `lcmodules.modules` in _config.yml by inserting one line.

    Only that line changes, so the lecturer's comments and layout stay as they were.
    Returns False when the course has no explicit list (every folder is then built).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

    text = config.read_text(encoding="utf-8")
    doc = YAML(typ="rt").load(text)
    try:
        modules = doc["lcmodules"]["modules"]
    except (KeyError, TypeError):
        return False
    # the round-trip loader reads every sequence as a CommentedSeq (a list with line numbers)
    if not isinstance(modules, CommentedSeq) or not modules or slug in modules:
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
