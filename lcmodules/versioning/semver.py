"""Semantic versions: parsing, ordering by semver precedence, bumping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lcmodules.model import SEMVER

Bump = Literal["patch", "minor", "major"]
BUMPS: tuple[Bump, ...] = ("patch", "minor", "major")


@dataclass(frozen=True)
class SemVer:
    """MAJOR.MINOR.PATCH[-prerelease][+build]."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> SemVer:
        """Parse a semantic version; ValueError if `text` is not one."""
        match = SEMVER.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a semantic version (MAJOR.MINOR.PATCH)")
        pre = tuple(match.group(4).split(".")) if match.group(4) else ()
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)), pre,
                   match.group(5) or "")

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + self.build
        return text

    def key(self) -> tuple:
        """Sort key by semver precedence (build metadata is ignored; 1.0.0-rc.1 < 1.0.0)."""
        pre: tuple = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: SemVer) -> bool:
        return self.key() < other.key()

    def __le__(self, other: SemVer) -> bool:
        return self.key() <= other.key()

    def __gt__(self, other: SemVer) -> bool:
        return self.key() > other.key()

    def __ge__(self, other: SemVer) -> bool:
        return self.key() >= other.key()

    def same_precedence(self, other: SemVer) -> bool:
        return self.key() == other.key()

    def bump(self, part: Bump) -> SemVer:
        """The next version. From a pre-release, the release it leads up to comes first:
        1.3.0-rc.1 --minor--> 1.3.0, 2.0.0-rc.1 --major--> 2.0.0, 1.2.4-rc.1 --patch--> 1.2.4."""
        if part == "major":
            if self.prerelease and self.minor == 0 and self.patch == 0:
                return SemVer(self.major, 0, 0)
            return SemVer(self.major + 1, 0, 0)
        if part == "minor":
            if self.prerelease and self.patch == 0:
                return SemVer(self.major, self.minor, 0)
            return SemVer(self.major, self.minor + 1, 0)
        if part == "patch":
            if self.prerelease:
                return SemVer(self.major, self.minor, self.patch)
            return SemVer(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown bump '{part}': use one of {', '.join(BUMPS)}")


def bump_version(version: str, part: Bump) -> str:
    """`bump_version("1.2.3", "minor") == "1.3.0"`."""
    return str(SemVer.parse(version).bump(part))


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as version `a` has lower, equal or higher precedence than `b`."""
    ka, kb = SemVer.parse(a).key(), SemVer.parse(b).key()
    return (ka > kb) - (ka < kb)
