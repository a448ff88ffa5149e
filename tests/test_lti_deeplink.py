"""Deep Linking 2.0 through the real tool: the instructor's page (its automation hooks), the
signed response our platform verifies against the tool's JWKS, and launches of the links made."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import loaded_modules, write_course  # noqa: E402
from lti_platform import DL, Browser, World, lti_world  # noqa: E402

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    return loaded_modules(write_course(tmp_path_factory.mktemp("course")))


@pytest.fixture()
def world(tmp_path: Path, modules: list) -> Iterator[World]:  # type: ignore[type-arg]
    with lti_world(tmp_path, publish=modules) as found:
        found.platform.message_type = "LtiDeepLinkingRequest"
        yield found


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def pick(browser: Browser, world: World, items: list[str], policy: str):  # type: ignore[no-untyped-def]
    page = browser.launch(world.tool, world.platform)
    assert page.status_code == 200 and page.url == f"{world.tool}/lti/deep-link", page.text
    return page, browser.session.post(f"{world.tool}/lti/deep-link", data={
        "csrf": csrf_of(page.text), "item": items, "policy": policy})


def test_the_page_carries_the_hooks(world: World) -> None:
    page = Browser().launch(world.tool, world.platform).text
    items = re.findall(r'type="checkbox"[^>]*data-lc-item="([^"]+)"', page)
    assert items == ["lc-test/alpha", "lc-test/alpha/01-case", "lc-test/alpha/check",
                     "lc-test/beta", "lc-test/beta/01-case", "lc-test/beta/check"]
    select = re.search(r"<select[^>]*data-lc-version-policy[^>]*>(.*?)</select>", page, re.S)
    assert select and re.findall(r'value="([^"]+)"', select.group(1)) == ["latest", "^1", "exact"]
    assert re.search(r'<button type="submit" data-lc-action="deep-link">', page)


def test_two_modules_picked_make_two_graded_links(world: World) -> None:
    browser = Browser()
    _page, answer = pick(browser, world, ["lc-test/alpha", "lc-test/beta/check"], "^1")
    assert answer.status_code == 200, answer.text
    action = html.unescape(re.search(r'action="([^"]+)"', answer.text).group(1))
    assert action == f"{world.platform.issuer}/deep-link-return"
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    assert browser.session.post(action, data={"JWT": token}).text == "linked"
    [claims] = world.platform.deep_links  # verified with the tool's published key
    assert claims[DL + "data"] == "opaque-42"
    first, second = claims[DL + "content_items"]
    assert first["type"] == "ltiResourceLink" and first["url"] == f"{world.tool}/lti/launch"
    assert first["custom"] == {"lc_module": "lc-test/alpha", "lc_version": "^1"}
    assert first["lineItem"] == {"label": "Module alpha", "scoreMaximum": 4.0,
                                 "resourceId": "lc-test/alpha", "tag": "check"}
    assert second["custom"] == {"lc_module": "lc-test/beta", "lc_version": "^1", "lc_quiz": "check"}
    assert second["lineItem"]["tag"] == "check" and second["lineItem"]["resourceId"] == "lc-test/beta"
    # the LMS launches the links it made: each opens what was picked
    world.platform.message_type = "LtiResourceLinkRequest"
    for item, page in ((first, "01-case.html"), (second, "02-check.html")):
        world.platform.overrides[CLAIM + "custom"] = item["custom"]
        launched = Browser().launch(world.tool, world.platform)
        assert launched.status_code == 200 and launched.url.endswith(page)


def test_exact_pins_the_version_shown_and_units_have_no_line_item(world: World) -> None:
    browser = Browser()
    _page, answer = pick(browser, world, ["lc-test/alpha/01-case"], "exact")
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    browser.session.post(f"{world.platform.issuer}/deep-link-return", data={"JWT": token})
    [item] = world.platform.deep_links[0][DL + "content_items"]
    assert item["custom"] == {"lc_module": "lc-test/alpha", "lc_version": "1.0.0",
                              "lc_unit": "01-case"}
    assert "lineItem" not in item


def test_refused_picks(world: World) -> None:
    browser = Browser()
    page, answer = pick(browser, world, ["lc-test/nope"], "latest")
    assert answer.status_code == 400 and "cannot link lc-test/nope" in answer.text
    _, answer = pick(browser, world, ["lc-test/alpha"], "newest please")
    assert answer.status_code == 400 and "is not valid" in answer.text
    wrong = browser.session.post(f"{world.tool}/lti/deep-link",
                                 data={"csrf": "forged", "item": ["lc-test/alpha"]})
    assert wrong.status_code == 403 and "CSRF" in wrong.text
    world.platform.message_type = "LtiResourceLinkRequest"
    world.platform.overrides[CLAIM + "custom"] = {"lc_module": "lc-test/alpha"}
    learner = Browser()
    assert learner.launch(world.tool, world.platform).status_code == 200
    assert learner.session.get(f"{world.tool}/lti/deep-link").status_code == 403
