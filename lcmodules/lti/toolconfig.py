"""What an LMS administrator pastes: the tool's URLs, its public key, Canvas's developer-key JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from lcmodules.lti import db
from lcmodules.lti.errors import LtiError
from lcmodules.lti.keys import current_key

BASE_URL = "base_url"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


def check_base_url(url: str) -> str:
    """The tool's public base URL without a trailing slash; LtiError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise LtiError(f"'{url}' is not a base URL", "give e.g. --base-url https://lti.example.org")
    return url.rstrip("/")


def base_url(engine: Engine) -> str:
    """The stored base URL of the tool."""
    url = db.get_setting(engine, BASE_URL)
    if not url:
        raise LtiError("the tool has no base URL", "run `lcmodules lti init --base-url URL`")
    return url


def urls(base: str) -> dict[str, str]:
    """The tool's endpoints under its base URL."""
    return {
        "login_url": f"{base}/lti/login",
        "redirect_uri": f"{base}/lti/launch",
        "target_link_uri": f"{base}/lti/launch",
        "deep_linking_url": f"{base}/lti/launch",
        "jwks_url": f"{base}/lti/jwks",
    }


def tool_config(engine: Engine, lms: str) -> dict[str, Any]:
    """Everything the LMS's registration form asks for, for `lti config`."""
    base = base_url(engine)
    config: dict[str, Any] = {"lms": lms, "base_url": base, **urls(base),
                              "public_key_pem": current_key(engine).public_pem()}
    if lms == "canvas":
        config["canvas_developer_key"] = canvas_developer_key(base)
    return config


def canvas_developer_key(base: str) -> dict[str, Any]:
    """Canvas's "LTI Key" JSON: paste into Developer Keys → + LTI Key → Paste JSON."""
    u = urls(base)
    placement = {"message_type": "LtiDeepLinkingRequest", "target_link_uri": u["target_link_uri"]}
    return {
        "title": "lcmodules",
        "description": "Training modules served by lcmodules over LTI 1.3",
        "oidc_initiation_url": u["login_url"],
        "target_link_uri": u["target_link_uri"],
        "public_jwk_url": u["jwks_url"],
        "scopes": SCOPES,
        "extensions": [{
            "platform": "canvas.instructure.com",
            "privacy_level": "anonymous",
            "settings": {"placements": [
                {"placement": "assignment_selection", **placement},
                {"placement": "link_selection", **placement},
            ]},
        }],
        "custom_fields": {},
    }


def frame_origin(base: str) -> str:
    """scheme://host of the tool."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"
