"""`lcmodules release`: version bump in place, changelog, lock — all or nothing — and git tags."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.versions import bump_version, compare
from lcmodules.load.loader import load_module
from lcmodules.versioning.api import changelog_entries
from lcmodules.versioning.changelog import add_entry, parse_changelog
from lcmodules.versioning.fingerprint import fingerprint_module
from lcmodules.versioning.transaction import WriteError, replace_files
from lcmodules.versioning.yamledit import replace_top_level_scalar

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
DATE = "2026-11-24"

MODULE_YML = """\
# Module voor de kennisbank — let op: id nooit wijzigen!
id: test/minimal

title: 'Minimale module'   # de titel in de catalogus
language: nl
version: "1.2.3"   # wordt door `lcmodules release` opgehoogd

summary: >
  Een kleine module
  voor de tests.
contents:   # volgorde voor de student
  - case.md
  # eerst verkennen, dan de toets
  - notebooks/verkennen.ipynb
  - toets.quiz.yml
authors:
  - {name: T. Tester, affiliation: Saxion}
"""


@pytest.fixture()
def mod(tmp_path: Path) -> Path:
    """A module folder at version 1.2.3 with a lecturer's module.yml full of comments."""
    dest = tmp_path / "minimal"
    shutil.copytree(FIXTURE, dest)
    (dest / "module.yml").write_text(MODULE_YML)
    return dest


def snapshot(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder below `folder` (hidden temporary files included) with its mode."""
    result: dict[str, tuple[bytes | None, int]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        mode = path.lstat().st_mode
        result[rel] = (path.read_bytes() if path.is_file() else None, mode)
    return result


def release(cli, folder: Path, *args: str, check: int | None = 0, cwd: Path | None = None,
            date: str = DATE):
    return cli("release", folder, *args, "--date", date, cwd=cwd, check=check)


def load(folder: Path):
    diag = Diagnostics()
    module = load_module(folder, diag)
    assert module is not None and diag.ok
    return module


# ---------------------------------------------------------------- the happy path


def test_release_changes_only_the_version_line(cli, mod: Path) -> None:
    before = (mod / "module.yml").read_bytes()
    proc = release(cli, mod, "--bump", "minor", "--note", "Nieuwe casus")
    assert "1.2.3 → 1.3.0" in proc.stdout
    after = (mod / "module.yml").read_bytes()
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    differing = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert differing == [5]
    assert new_lines[5] == b'version: "1.3.0"   # wordt door `lcmodules release` opgehoogd\n'


def test_crlf_and_plain_scalar_are_kept(cli, mod: Path) -> None:
    yml = mod / "module.yml"
    text = MODULE_YML.replace('version: "1.2.3"   # wordt', "version: 1.2.3 # wordt")
    yml.write_bytes(text.replace("\n", "\r\n").encode())
    release(cli, mod, "--bump", "patch", "--note", "Typfout")
    assert yml.read_bytes() == text.replace("1.2.3", "1.2.4").replace("\n", "\r\n").encode()


def test_changelog_entry_and_lock(cli, mod: Path) -> None:
    release(cli, mod, "--bump", "minor", "--note", "Nieuwe casus van de bakkerij")
    changelog = (mod / "CHANGELOG.md").read_text()
    # in the module's language (nl)
    assert changelog.startswith("# Wijzigingen\n\nAlle noemenswaardige wijzigingen in deze module")
    assert "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)" in changelog
    assert changelog.endswith("## [1.3.0] - 2026-11-24\n\n### Gewijzigd\n\n- Nieuwe casus van de bakkerij\n")

    lock = json.loads((mod / "module.lock").read_text())
    module = load(mod)
    fp = fingerprint_module(module)
    assert lock == {
        "format": 1, "algorithm": "lcmodules-fingerprint-1", "id": "test/minimal",
        "version": "1.3.0", "released": DATE, "fingerprint": fp.digest, "files": fp.files,
        "items": {"itm-module": ""},  # the single-SCO layout's one item
    }
    assert (mod / "module.lock").read_text() == json.dumps(lock, indent=2, sort_keys=True) + "\n"

    # a second release goes on top (newest first) and the lock follows it
    case = mod / "case.md"
    case.write_text(case.read_text() + "\nNog een alinea.\n")
    release(cli, mod, "--bump", "patch", "--note", "### Fixed\n\n- Een alinea toegevoegd",
            date="2026-12-01")
    entries = changelog_entries(mod)
    assert [(e["version"], e["date"]) for e in entries] == [("1.3.1", "2026-12-01"),
                                                            ("1.3.0", DATE)]
    assert entries[0]["text"] == "### Fixed\n\n- Een alinea toegevoegd"
    assert json.loads((mod / "module.lock").read_text())["version"] == "1.3.1"


def test_dry_run_changes_nothing(cli, mod: Path) -> None:
    before = snapshot(mod)
    proc = release(cli, mod, "--bump", "major", "--note", "Alles nieuw", "--dry-run")
    assert "would release minimal 1.2.3 → 2.0.0" in proc.stdout
    assert "## [2.0.0] - 2026-11-24" in proc.stdout and "- Alles nieuw" in proc.stdout
    assert "module.lock: version 2.0.0, fingerprint sha256:" in proc.stdout
    assert "nothing was changed" in proc.stderr
    assert snapshot(mod) == before


def test_bump_sequence_and_refusal_without_changes(cli, mod: Path) -> None:
    versions = []
    for bump in ("patch", "minor", "major"):
        if versions:  # nothing changed since the last release: refused unless --force
            before = snapshot(mod)
            proc = release(cli, mod, "--bump", bump, "--note", "Niets", check=1)
            assert f"nothing changed since release {versions[-1]}" in proc.stderr
            assert "--force" in proc.stderr
            assert snapshot(mod) == before
        release(cli, mod, "--bump", bump, "--note", f"{bump} release", "--force")
        versions.append(load(mod).meta.version)
    assert versions == ["1.2.4", "1.3.0", "2.0.0"]
    assert [e["version"] for e in changelog_entries(mod)] == ["2.0.0", "1.3.0", "1.2.4"]


def test_slug_of_the_course_here(cli, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course / "modules" / "minimal")
    (course / "_config.yml").write_text("title: Cursus\n")
    cli("release", "minimal", "--bump", "patch", "--note", "x", "--date", DATE, cwd=course, check=0)
    assert load(course / "modules" / "minimal").meta.version == "1.0.1"
    proc = cli("release", "minimaal", "--bump", "patch", "--note", "x", cwd=course, check=2)
    assert "did you mean 'minimal'?" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--bump", "huge", "--note", "x"], "--bump"),
    (["--bump", "patch"], "--note"),
    (["--bump", "patch", "--note", "  "], "may not be empty"),
    (["--bump", "patch", "--note", "x", "--date", "24-11-2026"], "YYYY-MM-DD"),
])
def test_wrong_usage_exits_2(cli, mod: Path, args: list[str], message: str) -> None:
    before = snapshot(mod)
    proc = cli("release", mod, *args, check=2)
    assert message in proc.stderr
    assert snapshot(mod) == before


# ---------------------------------------------------------------- nothing changes on failure


def test_invalid_module_changes_nothing(cli, mod: Path) -> None:
    quiz = mod / "toets.quiz.yml"
    quiz.write_text(quiz.read_text().replace("mastery_score", "mastery_scor"))
    case = mod / "case.md"
    case.write_text(case.read_text().replace("img/oven.svg", "img/fornuis.svg"))
    before = snapshot(mod)
    proc = release(cli, mod, "--bump", "patch", "--note", "x", check=1)
    assert "toets.quiz.yml:2:1: unknown field 'mastery_scor'" in proc.stderr
    # a missing image is a warning (shown with the error, as the spec says), not a second error
    assert "case.md:9: warning: image 'img/fornuis.svg'" in proc.stderr
    assert "1 problem found" in proc.stderr
    assert snapshot(mod) == before


def test_changelog_that_is_a_folder_changes_nothing(cli, mod: Path) -> None:
    (mod / "CHANGELOG.md").mkdir()
    (mod / "CHANGELOG.md" / "oud.md").write_text("x")
    before = snapshot(mod)
    proc = release(cli, mod, "--bump", "patch", "--note", "x", check=1)
    assert "CHANGELOG.md: cannot read CHANGELOG.md" in proc.stderr
    assert snapshot(mod) == before


def _make_unwritable(path: Path) -> None:
    """Read-only for this user; as root (which chmod does not stop) the immutable flag."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return
    proc = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"running as root and chattr +i is not possible here: {proc.stderr.strip()}")


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("target", ["CHANGELOG.md", "."], ids=["read-only-changelog",
                                                               "read-only-module-folder"])
def test_unwritable_file_or_folder_changes_nothing(cli, mod: Path, target: str) -> None:
    release(cli, mod, "--bump", "patch", "--note", "Eerste")
    case = mod / "case.md"
    case.write_text(case.read_text() + "\nMeer.\n")
    path = (mod / target).resolve()
    before = snapshot(mod)
    _make_unwritable(path)
    try:
        proc = release(cli, mod, "--bump", "patch", "--note", "Tweede", check=1)
        after = snapshot(mod)
    finally:
        _make_writable(path)
    assert "cannot write" in proc.stderr and "nothing was changed" in proc.stderr
    # the mode bits of the target itself changed through chmod; compare contents only then
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert load(mod).meta.version == "1.2.4"


def test_replace_files_undoes_a_failure_halfway(tmp_path: Path) -> None:
    first = tmp_path / "module.yml"
    first.write_text("version: 1.0.0\n")
    first.chmod(0o640)
    second = tmp_path / "CHANGELOG.md"  # does not exist yet
    third = tmp_path / "module.lock"  # a non-empty folder: renaming over it fails
    third.mkdir()
    (third / "x").write_text("x")
    before = snapshot(tmp_path)
    with pytest.raises(WriteError) as err:
        replace_files({first: b"version: 1.1.0\n", second: b"# Changelog\n", third: b"{}\n"})
    assert err.value.path == third
    assert snapshot(tmp_path) == before  # first restored, second removed, no temporary files


def test_replace_files_target_under_a_file(tmp_path: Path) -> None:
    first = tmp_path / "module.yml"
    first.write_text("version: 1.0.0\n")
    (tmp_path / "plain-file").write_text("not a folder")
    before = snapshot(tmp_path)
    with pytest.raises(WriteError):
        replace_files({first: b"version: 2.0.0\n", tmp_path / "plain-file" / "module.lock": b"{}"})
    assert snapshot(tmp_path) == before


def test_replace_files_writes_all_and_keeps_modes(tmp_path: Path) -> None:
    first = tmp_path / "a.yml"
    first.write_text("old")
    first.chmod(0o600)
    replace_files({first: b"new", tmp_path / "b.md": b"b"})
    assert first.read_bytes() == b"new" and (first.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "b.md").read_bytes() == b"b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yml", "b.md"]


# ---------------------------------------------------------------- git tags


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course / "modules" / "minimal")
    (course / "_config.yml").write_text("title: Cursus\n")
    git(course, "init", "-q", "-b", "main")
    git(course, "config", "user.name", "Docent")
    git(course, "config", "user.email", "docent@example.org")
    git(course, "add", ".")
    git(course, "commit", "-q", "-m", "start")
    return course


def test_tag_commits_the_release_and_tags_it(cli, repo: Path) -> None:
    proc = cli("release", "minimal", "--bump", "minor", "--note", "Nieuwe casus", "--tag",
               "--date", DATE, cwd=repo, check=0)
    assert "minimal-v1.1.0" in proc.stdout
    assert git(repo, "cat-file", "-t", "minimal-v1.1.0") == "tag"  # annotated
    assert "Nieuwe casus" in git(repo, "tag", "-l", "--format=%(contents)", "minimal-v1.1.0")
    tagged = git(repo, "show", "minimal-v1.1.0:modules/minimal/module.yml")
    assert "version: 1.1.0" in tagged
    assert git(repo, "show", "minimal-v1.1.0:modules/minimal/module.lock")
    assert git(repo, "status", "--porcelain") == ""  # everything of the release is committed


def test_tag_problems_are_found_before_writing(cli, repo: Path, tmp_path: Path) -> None:
    mod = repo / "modules" / "minimal"
    git(repo, "tag", "minimal-v1.0.1")
    before = snapshot(mod)
    proc = cli("release", "minimal", "--bump", "patch", "--note", "x", "--tag", cwd=repo, check=1)
    assert "the git tag 'minimal-v1.0.1' already exists" in proc.stderr
    assert snapshot(mod) == before

    (mod / "case.md").write_text("# Gewijzigd\n")  # not committed
    before = snapshot(mod)
    proc = cli("release", "minimal", "--bump", "minor", "--note", "x", "--tag", cwd=repo, check=1)
    assert "uncommitted changes in the module: modules/minimal/case.md" in proc.stderr
    assert snapshot(mod) == before

    lone = tmp_path / "lone"
    shutil.copytree(FIXTURE, lone)
    before = snapshot(lone)
    proc = cli("release", lone, "--bump", "patch", "--note", "x", "--tag", check=1)
    if "not inside a git repository" not in proc.stderr:  # tmp_path inside some repository?
        pytest.skip("the temporary folder lies inside a git repository")
    assert snapshot(lone) == before


def test_uncommitted_changes_are_a_warning_and_strict_refuses(cli, repo: Path) -> None:
    mod = repo / "modules" / "minimal"
    (mod / "case.md").write_text("# Gewijzigd\n")  # changed, not committed
    (mod / "extra.md").write_text("# Nieuw\n")  # untracked
    (repo / "elders.md").write_text("outside the module: not its business\n")
    before = snapshot(mod)
    proc = cli("release", "minimal", "--bump", "minor", "--note", "x", "--strict",
               "--date", DATE, cwd=repo, check=1)
    assert ("modules/minimal/module.yml: warning: the module has changes that are not "
            "committed in git: modules/minimal/case.md, modules/minimal/extra.md") in proc.stderr
    assert "elders.md" not in proc.stderr and "--strict" in proc.stderr
    assert snapshot(mod) == before
    proc = cli("release", "minimal", "--bump", "minor", "--note", "x", "--date", DATE,
               cwd=repo, check=0)
    assert "not committed in git: modules/minimal/case.md" in proc.stderr
    assert "version: 1.1.0" in (mod / "module.yml").read_text()


def test_a_clean_module_releases_without_a_word_about_git(cli, repo: Path) -> None:
    (repo / "elders.md").write_text("outside the module\n")
    proc = cli("release", "minimal", "--bump", "patch", "--note", "x", "--strict",
               "--date", DATE, cwd=repo, check=0)
    assert "git" not in proc.stderr


def test_no_git_repository_no_warning(cli, mod: Path) -> None:
    proc = release(cli, mod, "--bump", "patch", "--note", "x", "--strict", check=None)
    if "not committed in git" in proc.stderr:  # tmp_path inside some repository?
        pytest.skip("the temporary folder lies inside a git repository")
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- the parts


@pytest.mark.parametrize("version, bump, expected", [
    ("1.2.3", "patch", "1.2.4"), ("1.2.3", "minor", "1.3.0"), ("1.2.3", "major", "2.0.0"),
    ("0.9.9", "minor", "0.10.0"), ("1.3.0-rc.1", "minor", "1.3.0"), ("1.3.0-rc.1", "patch", "1.3.0"),
    ("1.2.4-rc.1", "minor", "1.3.0"), ("2.0.0-beta", "major", "2.0.0"), ("1.0.0+b7", "patch", "1.0.1"),
])
def test_semver_bump(version: str, bump: str, expected: str) -> None:
    assert bump_version(version, bump) == expected  # type: ignore[arg-type]
    assert compare(expected, version) > 0


def test_semver_precedence() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
             "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0"]
    assert sorted(order, key=functools.cmp_to_key(compare)) == order


def test_yaml_edit_rejects_nothing_silently() -> None:
    raw = b"id: x\nversion: '1.0.0' # c\nother: {version: 1.0.0}\n"
    assert replace_top_level_scalar(raw, "version", "1.0.1") == \
        b"id: x\nversion: '1.0.1' # c\nother: {version: 1.0.0}\n"
    flow = b"{id: x, version: 1.0.0, title: t}\n"
    assert replace_top_level_scalar(flow, "version", "2.0.0") == b"{id: x, version: 2.0.0, title: t}\n"
    bom = "\ufeffversion: 1.0.0\n".encode()
    assert replace_top_level_scalar(bom, "version", "1.0.1") == "\ufeffversion: 1.0.1\n".encode()


def test_changelog_unreleased_moves_into_the_release() -> None:
    existing = (
        "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- Een quiz\n\n"
        "## [1.0.0] - 2026-01-05\n\n### Added\n\n- Eerste versie\n\n"
        "[unreleased]: https://example.org/compare/v1.0.0...HEAD\n"
    )
    text = add_entry(existing, "1.1.0", DATE, "Nieuwe casus")
    assert text.startswith("# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.1.0] - 2026-11-24\n")
    entries = parse_changelog(text)
    assert [e.version for e in entries] == ["1.1.0", "1.0.0"]
    assert entries[0].text == "### Added\n\n- Een quiz\n\n### Changed\n\n- Nieuwe casus"
    assert entries[1].text == "### Added\n\n- Eerste versie"
    assert text.endswith("[unreleased]: https://example.org/compare/v1.0.0...HEAD\n")
    crlf = add_entry(existing.replace("\n", "\r\n"), "1.1.0", DATE, "x")
    assert "\r\n" in crlf and "\n" not in crlf.replace("\r\n", "")
