"""LTI 1.3 login and launch through the real tool over HTTP, driven by our own test platform:
the accepted launch and every refused one."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jwt
import pytest
from sqlalchemy import update

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import loaded_modules, write_course  # noqa: E402
from lti_platform import Browser, World, lti_world, new_key, query_of, resource_link  # noqa: E402

from lcmodules.lti import db  # noqa: E402

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    return loaded_modules(write_course(tmp_path_factory.mktemp("course")))


@contextmanager
def published_world(tmp_path: Path, modules: list) -> Iterator[World]:  # type: ignore[type-arg]
    """A tool with module alpha published; launches are of a resource link to it."""
    with lti_world(tmp_path, publish=modules[:1]) as found:
        resource_link(found.platform, modules[0].meta.id)
        yield found


@pytest.fixture()
def world(tmp_path: Path, modules: list) -> Iterator[World]:  # type: ignore[type-arg]
    with published_world(tmp_path, modules) as found:
        yield found


def sessions(world: World) -> list[dict[str, object]]:
    with world.engine.connect() as conn:
        return [dict(r) for r in conn.execute(db.sessions.select()).mappings()]


def refused(response, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert words in response.text, response.text


def test_login_redirects_to_the_platform_with_state_and_nonce(world: World) -> None:
    for method in ("GET", "POST"):
        login = Browser().login(world.tool, world.platform, method=method)
        assert login.status_code == 302
        query = query_of(login.headers["Location"])
        assert login.headers["Location"].startswith(f"{world.platform.issuer}/auth?")
        assert query["scope"] == "openid" and query["response_type"] == "id_token"
        assert query["response_mode"] == "form_post" and query["prompt"] == "none"
        assert query["client_id"] == world.platform.client_id
        assert query["redirect_uri"] == f"{world.tool}/lti/launch"
        assert query["login_hint"] == "hint-1" and query["lti_message_hint"] == "mh"
        assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
        assert "lcm_lti_browser" in login.cookies


def test_a_launch_opens_a_session_with_only_the_pseudonymous_sub(world: World) -> None:
    page = Browser().launch(world.tool, world.platform)
    assert page.status_code == 200, page.text
    assert "First text of alpha." in page.text
    assert 'name="lc-csrf-token"' in page.text
    [row] = sessions(world)
    assert row["sub"] == "learner-sub-1"
    assert "Should Not Be Kept" not in str(row) and "learner@example.org" not in str(row)
    assert json.loads(str(row["claims"]))["resource_link"]["id"] == "rl-1"


def test_frame_ancestors_and_cookies(world: World) -> None:
    browser = Browser()
    login = browser.login(world.tool, world.platform)
    csp = login.headers["Content-Security-Policy"]
    assert csp == f"frame-ancestors 'self' {world.platform.issuer}"
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie  # plain http: see docs/lti.md
    from lcmodules.lti import toolconfig

    db.set_setting(world.engine, toolconfig.BASE_URL, "https://lti.example.org")
    login = Browser().login(world.tool, world.platform,
                            target_link_uri="https://lti.example.org/lti/launch")
    cookie = login.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie


def test_replay_in_the_same_browser_is_refused(world: World) -> None:
    browser = Browser()
    fields = browser.auth_form(browser.login(world.tool, world.platform))
    assert browser.post_launch(fields).status_code == 200
    refused(browser.post_launch(fields), 401, "used already")
    assert len(sessions(world)) == 1


def test_replay_in_another_browser_is_refused(world: World) -> None:
    browser, thief = Browser(), Browser()
    fields = browser.auth_form(browser.login(world.tool, world.platform))
    refused(thief.post_launch(fields), 401, "another browser")
    thief.login(world.tool, world.platform)  # the thief's own browser cookie does not help
    refused(thief.post_launch(fields), 401, "another browser")
    assert browser.post_launch(fields).status_code == 200  # the real browser still can


def test_an_old_id_token_with_a_new_state_is_refused(world: World) -> None:
    browser = Browser()
    first = browser.auth_form(browser.login(world.tool, world.platform))
    assert browser.post_launch(first).status_code == 200
    second = browser.auth_form(browser.login(world.tool, world.platform))
    refused(browser.post_launch({**second, "id_token": first["id_token"]}), 401, "nonce")


def test_expired_state_is_refused(world: World) -> None:
    browser = Browser()
    fields = browser.auth_form(browser.login(world.tool, world.platform))
    with world.engine.begin() as conn:
        conn.execute(update(db.states).values(created_at=db.states.c.created_at - 3600))
    refused(browser.post_launch(fields), 401, "expired")


def test_unknown_key_is_refused(world: World) -> None:
    other, kid = new_key()
    world.platform.signing_key = (other, kid, "RS256")
    refused(Browser().launch(world.tool, world.platform), 401, "no key")


def test_a_wrong_signature_under_a_known_kid_is_refused(world: World) -> None:
    other, _ = new_key()
    world.platform.signing_key = (other, world.platform.kid, "RS256")
    refused(Browser().launch(world.tool, world.platform), 401, "signature")


@pytest.mark.parametrize("alg,key", [("HS256", "a-shared-secret-of-32-bytes-long!"), ("none", None)])
def test_only_rs256(world: World, alg: str, key: object) -> None:
    world.platform.signing_key = (key, world.platform.kid, alg)
    refused(Browser().launch(world.tool, world.platform), 401, "not RS256")


def test_wrong_audience_is_refused(world: World) -> None:
    world.platform.overrides.update({"aud": "someone-else"})
    refused(Browser().launch(world.tool, world.platform), 401, "aud")


def test_wrong_azp_is_refused(world: World) -> None:
    world.platform.overrides.update({"aud": [world.platform.client_id, "other"], "azp": "other"})
    refused(Browser().launch(world.tool, world.platform), 401, "azp")
    world.platform.overrides.update({"aud": [world.platform.client_id, "other"], "azp": None})
    refused(Browser().launch(world.tool, world.platform), 401, "azp")
    world.platform.overrides.update({"aud": [world.platform.client_id, "other"],
                                     "azp": world.platform.client_id})
    assert Browser().launch(world.tool, world.platform).status_code == 200


def test_unknown_deployment_is_refused(world: World) -> None:
    world.platform.overrides.update({CLAIM + "deployment_id": "dep-unknown"})
    refused(Browser().launch(world.tool, world.platform), 403, "deployment")


def test_unknown_message_type_and_version_are_refused(world: World) -> None:
    world.platform.overrides.update({CLAIM + "message_type": "LtiSubmissionReviewRequest"})
    refused(Browser().launch(world.tool, world.platform), 400, "message type")
    world.platform.overrides.update({CLAIM + "message_type": "LtiResourceLinkRequest",
                                     CLAIM + "version": "1.1"})
    refused(Browser().launch(world.tool, world.platform), 400, "version")


def test_a_target_link_uri_not_ours_is_refused(world: World) -> None:
    world.platform.overrides.update({CLAIM + "target_link_uri": "https://evil.example.org/lti/launch"})
    refused(Browser().launch(world.tool, world.platform), 403, "target_link_uri")
    login = Browser().login(world.tool, world.platform,
                            target_link_uri="https://evil.example.org/x")
    refused(login, 403, "target_link_uri")


def test_login_from_an_unregistered_platform_is_refused(world: World) -> None:
    login = Browser().login(world.tool, world.platform, client_id="unknown-client")
    refused(login, 403, "no platform registered")


@pytest.mark.parametrize("skew,lifetime", [(8, 60), (-8, 2)])
def test_clock_skew_within_the_leeway_is_accepted(world: World, skew: int, lifetime: int) -> None:
    world.platform.skew, world.platform.lifetime = skew, lifetime
    db.set_setting(world.engine, "leeway_seconds", "10")
    assert Browser().launch(world.tool, world.platform).status_code == 200


@pytest.mark.parametrize("skew,lifetime,words", [(8, 60, "future"), (-8, 2, "expired")])
def test_clock_skew_beyond_the_leeway_is_refused(world: World, skew: int, lifetime: int,
                                                 words: str) -> None:
    world.platform.skew, world.platform.lifetime = skew, lifetime
    refused(Browser().launch(world.tool, world.platform), 401, words)  # default leeway: 5 s


def test_a_platform_registered_by_public_key(tmp_path: Path, modules: list) -> None:  # type: ignore[type-arg]
    with published_world(tmp_path, modules) as world:
        with world.engine.begin() as conn:
            conn.execute(update(db.platforms).values(jwks_url=None,
                                                     public_key_pem=world.platform.public_pem()))
        assert Browser().launch(world.tool, world.platform).status_code == 200
        other, _ = new_key()
        world.platform.signing_key = (other, world.platform.kid, "RS256")
        refused(Browser().launch(world.tool, world.platform), 401, "signature")


def test_jwks_publishes_the_tool_keys(world: World) -> None:
    import requests

    from lcmodules.lti.keys import current_key

    body = requests.get(f"{world.tool}/lti/jwks").json()
    kids = {k["kid"] for k in body["keys"]}
    assert current_key(world.engine).kid in kids and len(kids) == 2
    key = jwt.PyJWK(next(k for k in body["keys"] if k["kid"] == current_key(world.engine).kid))
    assert key.key.key_size == 2048
