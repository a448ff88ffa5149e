"""The SPDX identifier of a book's LICENSE file, when its wording is recognisable."""

from __future__ import annotations

import re
from pathlib import Path

LICENCE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENCE.txt",
                 "COPYING", "COPYING.md")
_CC = r"(?:creative\s+commons\s+)?(?:attribution|cc[\s-]*by)"
# (pattern on the text folded to lowercase single-spaced, SPDX id); the first match wins, so the
# longer Creative Commons names come before the shorter ones they contain.
PATTERNS: list[tuple[str, str]] = [
    (_CC + r"[\s-]*(?:non-?commercial|nc)[\s-]*(?:share-?alike|sa)[\s-]*4\.0", "CC-BY-NC-SA-4.0"),
    (_CC + r"[\s-]*(?:non-?commercial|nc)[\s-]*(?:no-?deriv\w*|nd)[\s-]*4\.0", "CC-BY-NC-ND-4.0"),
    (_CC + r"[\s-]*(?:non-?commercial|nc)[\s-]*4\.0", "CC-BY-NC-4.0"),
    (_CC + r"[\s-]*(?:share-?alike|sa)[\s-]*4\.0", "CC-BY-SA-4.0"),
    (_CC + r"[\s-]*(?:no-?deriv\w*|nd)[\s-]*4\.0", "CC-BY-ND-4.0"),
    (_CC + r"[\s-]*4\.0", "CC-BY-4.0"),
    (r"cc0|public domain dedication", "CC0-1.0"),
    (r"\bmit license\b|permission is hereby granted, free of charge", "MIT"),
    (r"apache license,? version 2\.0|apache license\s+version 2\.0", "Apache-2.0"),
    (r"bsd 3-clause|redistributions of source code must retain.*neither the name", "BSD-3-Clause"),
    (r"bsd 2-clause", "BSD-2-Clause"),
    (r"gnu general public license\s+version 3", "GPL-3.0-or-later"),
    (r"mozilla public license,? version 2\.0", "MPL-2.0"),
]


def find_licence_file(book: Path) -> Path | None:
    return next((book / n for n in LICENCE_FILES if (book / n).is_file()), None)


def spdx_id(text: str) -> str | None:
    """The SPDX id the licence text names, or None when it is not recognisable."""
    folded = re.sub(r"\s+", " ", text[:6000].lower())
    for pattern, ident in PATTERNS:
        if re.search(pattern, folded):
            return ident
    return None
