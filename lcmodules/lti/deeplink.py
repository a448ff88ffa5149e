"""Deep Linking 2.0: the catalogue an instructor picks from, and the signed response of the pick."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from lcmodules.core.versions import parse_version
from lcmodules.lti import db, jose, serving, store
from lcmodules.lti.errors import LtiError
from lcmodules.lti.launch import CLAIM, DL_CLAIM, Launch
from lcmodules.lti.platforms import get_platform
from lcmodules.lti.toolconfig import base_url, urls

EXACT = "exact"  # the policy that pins each item to the version the instructor sees


@dataclass
class Choice:
    """A selectable item: a module (`<module id>`), or a unit or quiz (`<module id>/<slug|quiz>`)."""

    item: str
    title: str
    module_id: str
    version: str
    unit: str | None = None
    quiz: str | None = None
    points: float | None = None  # scoreMaximum when the item is graded
    children: list[Choice] = field(default_factory=list)


def catalogue(engine: Engine) -> list[Choice]:
    """The newest release of each published module, with its units and quizzes."""
    newest: dict[str, store.Release] = {}
    for release in store.releases(engine):
        newest.setdefault(release.module_id, release)
    found = []
    for mid, release in sorted(newest.items()):
        manifest = store.manifest(engine, release.manifest)
        module = Choice(mid, release.title, mid, release.version)
        for unit in manifest["units"]:
            quiz = unit["quiz"]
            points = (sum(float(q.get("points", 1)) for q in manifest["quizzes"][quiz]["questions"])
                      if quiz else None)
            module.children.append(Choice(
                f"{mid}/{quiz or unit['slug']}", unit["title"], mid, release.version,
                unit=None if quiz else unit["slug"], quiz=quiz, points=points))
        graded = [c for c in module.children if c.quiz]
        if graded:  # a module's own column: its first quiz
            module.quiz, module.points = graded[0].quiz, graded[0].points
        found.append(module)
    return found


def policies(choices: list[Choice]) -> list[str]:
    """The policies the page offers: latest, ^MAJOR of each published major, exact."""
    majors = sorted({parse_version(c.version).major for c in choices})
    return ["latest", *(f"^{m}" for m in majors), EXACT]


def content_item(choice: Choice, policy: str, target: str) -> dict[str, Any]:
    """The ltiResourceLink of one picked item, with its line item when it is graded."""
    custom = {serving.MODULE: choice.module_id,
              serving.POLICY: choice.version if policy == EXACT else store.check_policy(policy)}
    if choice.unit:
        custom[serving.UNIT] = choice.unit
    if choice.quiz and choice.item != choice.module_id:
        custom[serving.QUIZ] = choice.quiz
    item: dict[str, Any] = {"type": "ltiResourceLink", "title": choice.title, "url": target,
                            "custom": custom}
    if choice.quiz is not None and choice.points is not None:
        item["lineItem"] = {"label": choice.title, "scoreMaximum": choice.points,
                            "resourceId": choice.module_id, "tag": choice.quiz}
    return item


def response_jwt(engine: Engine, launch: Launch, picked: list[str], policy: str) -> tuple[str, str]:
    """(the deep_link_return_url, the signed LtiDeepLinkingResponse of the picked items)."""
    settings = launch.claims.get("deep_linking") or {}
    if not settings.get("deep_link_return_url"):
        raise LtiError("this session is not a deep-linking request", "start from the LMS", 403)
    by_item = {c.item: c for m in catalogue(engine) for c in (m, *m.children)}
    unknown = [p for p in picked if p not in by_item]
    if unknown or not picked:
        raise LtiError(f"cannot link {', '.join(unknown) or 'nothing'}",
                       "pick published modules, units or quizzes from the list")
    if policy != EXACT:
        store.check_policy(policy)
    platform = get_platform(engine, launch.platform_id)
    target = urls(base_url(engine))["target_link_uri"]
    now = int(db.now())
    claims: dict[str, Any] = {
        "iss": platform.client_id, "aud": platform.issuer, "iat": now, "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        CLAIM + "message_type": "LtiDeepLinkingResponse", CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": launch.deployment_id,
        DL_CLAIM + "content_items": [content_item(by_item[p], policy, target) for p in picked],
    }
    if settings.get("data") is not None:
        claims[DL_CLAIM + "data"] = settings["data"]
    return str(settings["deep_link_return_url"]), jose.sign(engine, claims)
