"""ASCII slugs for file names, heading ids and course names (stdlib only, a leaf of the model)."""

from __future__ import annotations

import re
import unicodedata


def fold_ascii(text: str) -> str:
    """Lowercase ASCII with the accents dropped: 'Eén Oven' -> 'een oven'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-' ('Casus één' -> 'casus-een'); may be empty."""
    return re.sub(r"[^a-z0-9]+", "-", fold_ascii(text)).strip("-")


def ascii_slug(text: str) -> str:
    """A lowercase ASCII name safe for every LMS and file system, never empty."""
    return slugify(text) or "unit"
