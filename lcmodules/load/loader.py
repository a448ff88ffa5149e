"""Load: a lecturer's sources (course, modules, units) into the typed model."""

from __future__ import annotations

from pathlib import Path

from lcmodules.cache.models import loaded_module, reuse_module
from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.locate import WHAT_IS_A_COURSE, locate
from lcmodules.core.slugs import ascii_slug
from lcmodules.load.pulled import pull_files
from lcmodules.load.units import load_unit
from lcmodules.load.yamlsrc import check_model, node_line, parse_yaml, read_text
from lcmodules.model import SLUG, Course, CourseConfig, Module, ModuleMeta

__all__ = ["load_course", "load_module", "load_paths", "module_folders"]


def load_config(root: Path, diag: Diagnostics) -> tuple[CourseConfig, object]:
    path = root / "_config.yml"
    if not path.is_file():
        return CourseConfig(), None
    text = read_text(path, diag)
    if text is None:
        return CourseConfig(), None
    doc = parse_yaml(text, path, diag)
    config = check_model(CourseConfig, doc, path, diag, what="course configuration")
    return config or CourseConfig(), doc


def load_module(module_dir: Path, diag: Diagnostics, course: Course | None = None) -> Module | None:
    """Load `module.yml` and every unit it lists; problems go to `diag`."""
    module_dir = module_dir.resolve()
    reused = reuse_module(module_dir, diag, course)  # a build reuses unchanged modules
    if reused is not None:
        return reused
    path = module_dir / "module.yml"
    if not path.is_file():
        diag.error(module_dir, None, "no module.yml in this folder",
                   "create one with `lcmodules new <slug>`, or point at a module folder")
        return None
    slug = module_dir.name
    if not SLUG.match(slug):
        diag.error(path, None, f"the module folder name '{slug}' is not a valid slug",
                   f"use lowercase letters, digits and '-', e.g. rename it to '{ascii_slug(slug)}'")
    text = read_text(path, diag)
    if text is None:
        return None
    if not text.strip():
        diag.error(path, 1, "module.yml is empty",
                   "it needs at least id, title, version, language and contents")
        return None
    doc = parse_yaml(text, path, diag)
    if doc is None:
        return None
    meta = check_model(ModuleMeta, doc, path, diag, what="module file")
    if meta is None:
        meta = _fallback_meta(doc, slug)
        if meta is None:
            return None
    module = Module(root=module_dir, slug=slug, meta=meta, units=[], course=course, doc=doc)
    seen: dict[str, int] = {}
    ids: dict[str, int | None] = {}
    for index, (rel, uid) in enumerate(meta.unit_entries()):
        line, _ = node_line(doc, ("contents", index))
        if rel in seen:
            diag.error(path, line, f"'{rel}' is listed twice in contents",
                       "a unit appears once; remove the second entry")
            continue
        seen[rel] = index
        if uid is not None and uid in ids:
            diag.error(path, node_line(doc, ("contents", index, "id"))[0] or line,
                       f"unit id '{uid}' is given twice in contents (first at line {ids[uid]})",
                       "each unit's id is unique in the module: choose another id")
        elif uid is not None:
            ids[uid] = line
        unit = load_unit(module_dir, len(module.units), rel, diag, line)
        if unit is not None:
            unit.uid = uid
            module.units.append(unit)
    pull_files(module)
    return module


def module_folders(course: Course, diag: Diagnostics, doc: object = None) -> list[Path]:
    """The course's module folders, in its order: those `lcmodules.modules` lists (a listed
    one that does not exist is reported), else every folder in modules/ by name."""
    modules_dir = course.root / "modules"
    listed = course.config.lcmodules.modules
    if listed is None:
        return sorted(
            p for p in modules_dir.iterdir()
            if p.is_dir() and not p.name.startswith((".", "_"))
        ) if modules_dir.is_dir() else []
    folders = []
    for i, slug in enumerate(listed):
        folder = modules_dir / slug
        if not (folder / "module.yml").is_file():
            line, col = node_line(doc, ("lcmodules", "modules", i))
            diag.error(course.root / "_config.yml", line, f"module '{slug}' is listed but "
                       f"modules/{slug}/module.yml does not exist",
                       "create the module with `lcmodules new` or remove it from the list", col)
            continue
        folders.append(folder)
    return folders


def load_course(root: Path, diag: Diagnostics, only: list[Path] | None = None) -> Course:
    """Load a course repository; with `only`, just those module folders of it."""
    root = root.resolve()
    config, doc = load_config(root, diag)
    course = Course(root=root, config=config, has_config_file=(root / "_config.yml").is_file())
    folders = module_folders(course, diag, doc)
    listed = config.lcmodules.modules
    modules_dir = root / "modules"
    if not folders and not listed and only is None:
        where = root / "_config.yml" if course.has_config_file else modules_dir
        diag.error(where, None, "the course has no module yet, so there is nothing to check "
                   "or build", "add one with `lcmodules new SLUG` (it writes modules/SLUG/)")
    wanted = {p.resolve() for p in only} if only is not None else None
    if wanted is not None:
        folders += [p for p in only or [] if p.resolve() not in {f.resolve() for f in folders}]
    for folder in folders:
        selected = wanted is None or folder.resolve() in wanted
        module = load_module(folder, diag if selected else Diagnostics(), course)
        if module is not None:
            loaded_module(module, diag, selected)  # a build checks it now, then releases it
            (course.modules if selected else course.context).append(module)
    return course


def load_paths(paths: list[Path], diag: Diagnostics) -> list[Course]:
    """Load what the user pointed at: course roots, module folders or module.yml files.

    Modules given one by one are grouped under the course they belong to (so its
    `_config.yml` and templates apply); a module outside any course gets a default one.
    """
    courses: dict[Path, Course] = {}
    lone: dict[Path, list[Path]] = {}
    for raw in paths or [Path(".")]:
        if not raw.exists():
            diag.error(raw, None, "no such file or folder", "check the path")
            continue
        target = locate(raw)
        if target is None:
            diag.error(raw, None, "not a course or a module folder",
                       WHAT_IS_A_COURSE)
        elif target.modules is None:
            courses[target.root] = load_course(target.root, diag)
        else:
            found = lone.setdefault(target.root, [])
            found += [m for m in target.modules if m not in found]
    for root, module_dirs in lone.items():
        if root in courses:
            continue
        if module_dirs == [root]:
            course = Course(root=root, config=CourseConfig())
            module = load_module(root, diag, course)
            if module is not None:
                loaded_module(module, diag, True)
                course.modules.append(module)
            courses[root] = course
        else:
            courses[root] = load_course(root, diag, only=module_dirs)
    return list(courses.values())


def _fallback_meta(doc: object, slug: str) -> ModuleMeta | None:
    """Metadata for a module.yml with schema errors, so its units are still checked.

    The errors are already reported; the run fails, so nothing is built from this.
    """
    if not isinstance(doc, dict):
        return None
    contents = doc.get("contents")
    if not isinstance(contents, list) or not all(isinstance(c, str) for c in contents):
        return None

    def text(key: str, default: str) -> str:
        value = doc.get(key)
        return value if isinstance(value, str) else default

    return ModuleMeta.model_construct(
        id=text("id", ""), title=text("title", slug), version=text("version", "0.0.0"),
        language=text("language", "en"), contents=list(contents), prerequisites=[],
        authors=[], learning_objectives=[], keywords=[],
    )
