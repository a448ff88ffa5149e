"""Module versions and version ranges: one syntax, compared with the `semver` library."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from semver import Version

Bump = Literal["patch", "minor", "major"]
BUMPS: tuple[Bump, ...] = ("patch", "minor", "major")
RANGE_HINT = "write e.g. '>=1.0', '>=1.2,<2', '^1.2' or '~1.2.3'"

_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "=": operator.eq, "!=": operator.ne,
}
_PART = re.compile(r"^(\^|~|>=|<=|==|!=|>|<|=)?(\d+(?:\.\d+){0,2}(?:[-+][0-9A-Za-z.+-]*)?)$")


class VersionError(ValueError):
    """A version or range that is not written as this module documents."""


def parse_version(text: str) -> Version:
    """A semantic version MAJOR.MINOR.PATCH[-prerelease][+build]; VersionError otherwise."""
    try:
        return Version.parse(text.strip())
    except (ValueError, TypeError, AttributeError):
        raise VersionError(f"'{text}' is not a semantic version (MAJOR.MINOR.PATCH)") from None


def is_version(text: str) -> bool:
    """Whether `text` is a semantic version."""
    return isinstance(text, str) and Version.is_valid(text.strip())


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as version `a` has lower, equal or higher precedence than `b`
    (build metadata is ignored; 1.0.0-rc.1 < 1.0.0)."""
    return parse_version(a).compare(parse_version(b))


def bump_version(version: str, part: Bump) -> str:
    """The next version. From a pre-release, the release it leads up to comes first:
    1.3.0-rc.1 --minor--> 1.3.0, 2.0.0-rc.1 --major--> 2.0.0, 1.2.4-rc.1 --patch--> 1.2.4."""
    if part not in BUMPS:
        raise ValueError(f"unknown bump '{part}': use one of {', '.join(BUMPS)}")
    return str(parse_version(version).next_version(part))


@dataclass(frozen=True)
class VersionRange:
    """Comparisons that all must hold, e.g. `>=1.2,<2` (see docs/module-format.md)."""

    text: str
    comparisons: tuple[tuple[str, Version], ...]

    def contains(self, version: str) -> bool:
        """Whether `version` lies in the range, by semver precedence; VersionError when
        `version` is not a semantic version."""
        found = parse_version(version)
        return all(_OPERATORS[op](found.compare(bound), 0) for op, bound in self.comparisons)


def parse_range(text: str) -> VersionRange:
    """A range: comparisons (`>=`, `>`, `<=`, `<`, `==`, `!=`) separated by commas or spaces,
    `^1.2.3` (same major; for 0.x the same minor), `~1.2.3` (same minor) or a bare version
    (exactly it). Missing parts are zeros; an upper bound `<X` also leaves out X's
    pre-releases. VersionError when it is none of these."""
    spaced = re.sub(r"(>=|<=|==|!=|>|<|=|\^|~)\s+", r"\1", text.strip())
    parts = [p for p in re.split(r"[,\s]+", spaced) if p]
    if not parts:
        raise VersionError(f"'{text}' is not a version range")
    comparisons: list[tuple[str, Version]] = []
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise VersionError(f"'{text}' is not a version range")
        op, written = match.group(1) or "==", match.group(2)
        try:
            version = Version.parse(written, optional_minor_and_patch=True)
        except ValueError:
            raise VersionError(f"'{text}' is not a version range: "
                               f"'{written}' is not a version") from None
        if op in ("^", "~"):
            comparisons += [(">=", version), ("<", _upper(op, version, written.count(".") + 1))]
        elif op == "<" and not version.prerelease:  # `<2` leaves out 2.0.0-rc.1 too
            comparisons.append((op, version.replace(prerelease="0", build=None)))
        else:
            comparisons.append((op, version))
    return VersionRange(text, tuple(comparisons))


def _upper(op: str, version: Version, given: int) -> Version:
    """The first version `^`/`~` leave out: the next major (`^`, `~1`), the next minor (`~1.2`,
    `^0.2`) or the next patch (`^0.0.3`); its pre-releases are left out too."""
    if op == "^" and version.major == 0 and given > 1:
        nxt = version.bump_minor() if version.minor or given == 2 else version.bump_patch()
    elif op == "^" or given == 1:
        nxt = version.bump_major()
    else:
        nxt = version.bump_minor()
    return nxt.replace(prerelease="0", build=None)
