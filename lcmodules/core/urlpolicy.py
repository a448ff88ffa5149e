"""The URL policy of every page: which URLs run script and which host a URL loads from.

A leaf module, so validation (author content), rendering (pages) and inspect (any package) apply
the same rules; render/sanitize.py builds the HTML policy on it (docs/security.md).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Schemes that run code when a link is followed or a resource loaded.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha"})
SAFE_DATA = re.compile(r"^data:image/(?:png|jpeg|jpg|gif|webp|avif|bmp);", re.I)
# What a browser ignores inside a scheme name ("java\tscript:" runs too).
IGNORED = re.compile(r"[\x00-\x20\x7f]+")


def dangerous_url(value: str) -> bool:
    """True for a URL that runs script (`javascript:`, `vbscript:` …) or is a `data:` URL
    other than an image, however it is spelled (case, entities already decoded, blanks)."""
    cleaned = IGNORED.sub("", value).lower()
    scheme = cleaned.partition(":")[0] if ":" in cleaned else ""
    if scheme in SCRIPT_SCHEMES:
        return True
    return scheme == "data" and not SAFE_DATA.match(cleaned)


def url_host(value: str) -> str | None:
    """The host a URL loads from (`https://h/…` or `//h/…`), or None for a local reference."""
    text = value.strip()
    if not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", text, re.I):
        return None
    try:
        host = urlsplit(text if ":" in text.split("//", 1)[0] else "https:" + text).hostname
    except ValueError:
        return None
    return host or None


def host_accepted(host: str, accepted: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """True when `host` is listed, or is a subdomain of a listed `.example.org` entry."""
    host = host.lower().rstrip(".")
    for entry in accepted:
        name = entry.strip().lower().rstrip(".")
        if name.startswith("."):
            if host == name[1:] or host.endswith(name):
                return True
        elif host == name:
            return True
    return False
