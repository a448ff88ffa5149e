"""Releasing a module: bump its version, add a changelog entry, record the lock — all or nothing."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from lcmodules.core.diagnostics import Diagnostics, InputError, Problem
from lcmodules.core.locate import closest_slug, find_module, module_slugs
from lcmodules.core.versions import Bump, bump_version, compare
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module
from lcmodules.versioning.changelog import add_entry, format_entry, parse_changelog
from lcmodules.versioning.fingerprint import CHANGELOG_NAME, FileChanges, fingerprint_module
from lcmodules.versioning.identities import dropped_items, item_identifiers
from lcmodules.versioning.lock import Lock, lock_path, read_lock, render_lock
from lcmodules.versioning.transaction import WriteError, check_writable, replace_files
from lcmodules.versioning.yamledit import YamlEditError, replace_top_level_scalar


class UsageError(ValueError):
    """The command was called wrongly (exit status 2), e.g. an unknown module."""


@dataclass
class ReleasePlan:
    """Everything a release will change, computed before anything is written."""

    module: Module
    old_version: str
    new_version: str
    date: str
    note: str
    entry: str  # the changelog entry as added
    lock: Lock
    previous: Lock | None
    changes: FileChanges
    writes: dict[Path, bytes] = field(default_factory=dict)
    changelog_created: bool = False
    warnings: list[Problem] = field(default_factory=list)  # e.g. learners' records at risk
    tag: str | None = None
    git_root: Path | None = None

    @property
    def slug(self) -> str:
        return self.module.slug


def today_utc() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def tag_name(module: Module, version: str) -> str:
    """The git tag of a release: `<slug>-v<version>`."""
    return f"{module.slug}-v{version}"


# ---------------------------------------------------------------- finding and loading


def resolve_module(arg: str, cwd: Path | None = None) -> Path:
    """A module folder from a path (folder, module.yml or a file in it) or the slug of a module
    of the course in (or above) `cwd`; UsageError with suggestions when there is none."""
    cwd = (cwd or Path.cwd()).resolve()
    found = find_module(arg, cwd)
    if found is not None:
        return found
    slugs = module_slugs(cwd)
    message = f"'{arg}' is not a module folder"
    if slugs:
        close = closest_slug(arg, cwd)
        message += (f"; did you mean '{close}'?" if close
                    else f" or a module of this course ({', '.join(slugs)})")
    else:
        message += " and there is no course here: give the path of a module folder"
    raise UsageError(message)


def load_valid_module(folder: Path) -> Module:
    """Load and validate the module in `folder` (with its course); InputError with every problem.

    A module of a course is checked against the course's other modules (prerequisites, unique
    ids); their own problems are not this release's.
    """
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    folder = folder.resolve()
    diag = Diagnostics()
    courses = load_paths([folder], diag)
    validate_courses(courses, diag)
    if not diag.ok:
        raise InputError(diag.sorted())
    module = next((m for c in courses for m in c.modules if m.root == folder), None)
    if module is None:  # loading reported nothing but found no module: say so
        raise InputError([Problem(folder / "module.yml", None, "the module could not be loaded",
                                  "run `lcmodules validate` on it")])
    return module


# ---------------------------------------------------------------- git


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=False)


def _git_checks(module: Module, tag: str, paths: list[Path]) -> tuple[Path | None, list[Problem]]:
    """Can `--tag` succeed? Checked before anything is written."""
    file = module.module_file
    try:
        top = _git(module.root, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        return None, [Problem(file, None, "--tag needs git, and git is not installed",
                              "install git, or leave out --tag")]
    if top.returncode != 0:
        return None, [Problem(module.root, None, "--tag: the module is not inside a git repository",
                              "run `git init` and commit the course first, or leave out --tag")]
    root = Path(top.stdout.strip())
    problems: list[Problem] = []
    if _git(root, "check-ref-format", f"refs/tags/{tag}").returncode != 0:
        problems.append(Problem(file, None, f"--tag: '{tag}' is not a valid git tag name",
                                "use a version without spaces or special characters"))
    elif _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}").returncode == 0:
        problems.append(Problem(file, None, f"--tag: the git tag '{tag}' already exists",
                                "choose another --bump, or delete the old tag: "
                                f"`git tag -d {tag}`"))
    if _git(root, "var", "GIT_COMMITTER_IDENT").returncode != 0:
        problems.append(Problem(file, None, "--tag: git does not know who you are",
                                "set `git config user.name …` and `git config user.email …`"))
    rels = [p.resolve().relative_to(root).as_posix() for p in paths
            if p.exists() and p.resolve().is_relative_to(root)]
    dirty = _uncommitted(root, rels) if rels else []
    if dirty:
        problems.append(Problem(
            file, None, f"--tag: uncommitted changes in the module: {_listed(dirty)}",
            "commit them first, so that the tagged commit holds exactly this release"))
    return root, problems


def _uncommitted(root: Path, rels: list[str]) -> list[str]:
    """The files under `rels` (paths in the work tree at `root`) that git shows as changed,
    staged or untracked; [] outside a git repository or without git."""
    try:
        status = _git(root, "status", "--porcelain=v1", "--untracked-files=all", "--", *rels)
    except FileNotFoundError:
        return []
    if status.returncode != 0:
        return []
    return sorted(line[3:] for line in status.stdout.splitlines() if line.strip())


def _listed(paths: list[str]) -> str:
    return ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")


def uncommitted_warning(module: Module) -> list[Problem]:
    """A warning when the module folder has changes git does not hold (a release records
    content that is in no commit); nothing outside a git repository."""
    dirty = _uncommitted(module.root, ["."])
    if not dirty:
        return []
    return [Problem(module.module_file, None,
                    f"the module has changes that are not committed in git: {_listed(dirty)}",
                    "commit them first, so that the release matches a commit (or use --tag, "
                    "which commits the release files)", severity="warning")]


def commit_and_tag(plan: ReleasePlan) -> None:
    """Commit the release's files (only those) and put an annotated tag on that commit."""
    assert plan.git_root is not None and plan.tag is not None
    root = plan.git_root
    rels = [p.resolve().relative_to(root).as_posix() for p in plan.writes]
    title = f"{plan.module.meta.title} {plan.new_version}"
    steps = [
        ("add", "--", *rels),
        ("commit", "-q", "-m", f"Release {plan.slug} {plan.new_version}", "-m", plan.note,
         "--only", "--", *rels),
        ("tag", "-a", plan.tag, "-m", f"{title}\n\n{plan.note}"),
    ]
    for step in steps:
        proc = _git(root, *step)
        if proc.returncode != 0:
            raise InputError([Problem(
                plan.module.module_file, None,
                f"the release files were written, but `git {step[0]}` failed: "
                f"{(proc.stderr or proc.stdout).strip()}",
                f"finish by hand: git add, git commit, `git tag -a {plan.tag}`")])


# ---------------------------------------------------------------- planning


def plan_release(module: Module, bump: Bump | None, note: str, date: str | None = None,
                 force: bool = False, tag: bool = False) -> ReleasePlan:
    """Work out a release of a loaded, valid module; InputError listing every problem.

    Refuses when nothing changed since the last release (`force` overrides), when
    module.yml's version is lower than the released one, when the changelog already has
    the new version, when a file cannot be written, and (with `tag`) when git cannot tag.
    """
    problems: list[Problem] = []
    date = date or today_utc()
    note = note.strip()
    if not note:
        problems.append(Problem(module.module_file, None, "the release note is empty",
                                "say what changed: --note \"…\""))
    try:
        previous = read_lock(module.root)
    except InputError as exc:
        previous = None
        problems.extend(exc.problems)
    old = module.meta.version
    # no bump: a first release of the version module.yml already names
    new = bump_version(old, bump) if bump else old
    fp_now = fingerprint_module(module)
    changes = fp_now.diff(previous.files) if previous else FileChanges()
    problems += _version_problems(module, previous, bump, fp_now.digest, force)
    raw_yml, new_yml = _new_module_yml(module, new, problems)
    existing = _read_changelog(module, new, problems)
    # module.lock, fingerprinted over the module.yml about to be written
    fp_new = fingerprint_module(module, {"module.yml": new_yml})
    lock = Lock.of(module.meta.id, new, date, fp_new, items=item_identifiers(module))
    writes = {
        module.module_file: new_yml,
        module.root / CHANGELOG_NAME: add_entry(existing, new, date, note or "-", module.meta.language).encode("utf-8"),
        lock_path(module.root): render_lock(lock),
    }
    if new_yml == raw_yml:  # a first release without --bump leaves module.yml as it is
        del writes[module.module_file]
    try:
        check_writable(list(writes))
    except WriteError as exc:
        problems.append(Problem(exc.path, None, f"cannot write {exc.path.name}: {exc.reason}",
                                "make the module folder and its files writable; nothing was "
                                "changed"))
    plan = ReleasePlan(module, old, new, date, note, format_entry(new, date, note or "-", module.meta.language), lock,
                       previous, changes, writes, existing is None,
                       dropped_items(module, previous))
    if tag:
        plan.tag = tag_name(module, new)
        in_release = [*(module.root / rel for rel in fp_now.files), *writes]
        plan.git_root, git_problems = _git_checks(module, plan.tag, in_release)
        problems.extend(git_problems)
    else:
        plan.warnings += uncommitted_warning(module)
    if problems:
        raise InputError(problems)
    return plan


def _version_problems(module: Module, previous: Lock | None, bump: Bump | None, digest: str,
                      force: bool) -> list[Problem]:
    """A released module needs a bump, may not go down in version, and must have changed."""
    if previous is None:
        return []
    if bump is None:
        return [Problem(lock_path(module.root), None,
                        f"the module was released before ({previous.version})",
                        "say which part of the version goes up: --bump patch|minor|major")]
    old = module.meta.version
    if compare(old, previous.version) < 0:
        line, col = node_line(module.doc, ("version",))
        return [Problem(module.module_file, line,
                        f"version {old} is lower than the released version {previous.version} "
                        "in module.lock", f"set version to {previous.version} and release again",
                        col)]
    if digest == previous.fingerprint and not force:
        return [Problem(
            lock_path(module.root), None,
            f"nothing changed since release {previous.version} ({previous.released})",
            "change the module first, or use --force to release anyway (e.g. to publish "
            "re-executed notebook outputs, which the fingerprint leaves out)")]
    return []


def _new_module_yml(module: Module, new: str, problems: list[Problem]) -> tuple[bytes, bytes]:
    """module.yml as it is and with only its version scalar changed to `new`."""
    raw = module.module_file.read_bytes()
    try:
        return raw, replace_top_level_scalar(raw, "version", new)
    except (YamlEditError, UnicodeDecodeError) as exc:
        line, col = node_line(module.doc, ("version",))
        problems.append(Problem(module.module_file, line, f"cannot change the version: {exc}",
                                "set it by hand and run release with --force", col))
        return raw, raw


def _read_changelog(module: Module, new: str, problems: list[Problem]) -> str | None:
    """The module's CHANGELOG.md (None when there is none), which must not have `new` yet."""
    changelog = module.root / CHANGELOG_NAME
    if not (changelog.exists() or changelog.is_symlink()):
        return None
    try:
        existing = changelog.read_bytes().decode("utf-8")
    except OSError as exc:
        problems.append(Problem(changelog, None,
                                f"cannot read {CHANGELOG_NAME}: {exc.strerror or exc}",
                                f"make {CHANGELOG_NAME} a readable text file"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(changelog, None, f"{CHANGELOG_NAME} is not UTF-8 text",
                                "save it as UTF-8 in your editor"))
        return None
    for entry in parse_changelog(existing):
        if entry.version == new:
            problems.append(Problem(changelog, entry.line,
                                    f"{CHANGELOG_NAME} already has an entry for {new}",
                                    "remove or rename that entry, or choose another --bump"))
    return existing


def apply_release(plan: ReleasePlan) -> None:
    """Write module.yml, CHANGELOG.md and module.lock all or nothing; then commit and tag."""
    try:
        replace_files(plan.writes)
    except WriteError as exc:
        raise InputError([Problem(exc.path, None, f"cannot write {exc.path.name}: {exc.reason}",
                                  "nothing was changed; make the module folder writable")]) from exc
    if plan.tag:
        commit_and_tag(plan)


def validate_date(text: str) -> str:
    """`text` when it is a YYYY-MM-DD date; ValueError otherwise."""
    try:
        ok = dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"'{text}' is not a date: write YYYY-MM-DD, e.g. 2026-11-24")
    return text
