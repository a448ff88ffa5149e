"""Grades the learner cannot forge: answers graded on the server from the stored quiz, the
attempt policy, AGS line items and scores (paginated, no duplicates), the outbox through an LMS
outage, and Names and Roles — all against our own platform over HTTP."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import run_cli

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import loaded_modules, write_course  # noqa: E402
from lti_platform import Browser, World, lti_world, resource_link  # noqa: E402
from lti_workers import one_column_and_ordered_scores  # noqa: E402

from lcmodules.lti import grading, store  # noqa: E402

RIGHT = {"pick": 1, "truth": False, "number": "0.25"}  # 2 + 1 + 1 = 4 points
WRONG = {"pick": 0, "truth": True, "number": "3"}
HALF = {"pick": 1, "truth": True, "number": "3"}  # 2 points


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    return loaded_modules(write_course(tmp_path_factory.mktemp("course")))


@pytest.fixture()
def world(tmp_path: Path, modules: list) -> Iterator[World]:  # type: ignore[type-arg]
    with lti_world(tmp_path, publish=modules) as found:
        # another tool's column first: finding ours needs the second page
        found.platform.lineitems.append({"id": f"{found.platform.issuer}/lineitems/0/lineitem",
                                         "label": "Other", "scoreMaximum": 10,
                                         "resourceId": "other", "tag": "x"})
        resource_link(found.platform, "lc-test/beta", lc_quiz="check")
        yield found


class Learner:
    """A learner's browser on the quiz page, answering as lc.js does."""

    def __init__(self, world: World) -> None:
        self.browser = Browser()
        self.page = self.browser.launch(world.tool, world.platform)
        assert self.page.status_code == 200, self.page.text
        grade = re.search(r'name="lc-grade-url" content="([^"]+)"', self.page.text)
        csrf = re.search(r'name="lc-csrf-token" content="([^"]+)"', self.page.text)
        assert grade and csrf
        self.url, self.csrf = f"{world.tool}{grade.group(1)}", csrf.group(1)

    def answer(self, answers: dict[str, object], **extra: object) -> requests.Response:
        return self.browser.session.post(self.url, json={"quiz": "check", "answers": answers,
                                                         **extra},
                                         headers={"X-CSRF-Token": self.csrf})


def given(world: World) -> list[float]:
    return [s["scoreGiven"] for s in world.platform.scores]


def test_the_page_holds_no_answer_key(world: World) -> None:
    page = Learner(world).page.text
    assert page.count('"answerKey":false') == 1 and '"expected"' not in page


def test_answers_are_graded_on_the_server_and_sent(world: World) -> None:
    learner = Learner(world)
    answer = learner.answer(RIGHT, points=0, result={"points": 0})  # a score sent is ignored
    body = answer.json()
    assert answer.status_code == 200 and body["scoreSent"] is True
    assert body["result"]["points"] == 4 and body["result"]["scaled"] == 1.0
    assert body["result"]["passed"] is True and "expected" not in str(body)
    [score] = world.platform.scores
    assert score["userId"] == "learner-sub-1" and score["scoreGiven"] == 4
    assert score["scoreMaximum"] == 4 and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded" and score["timestamp"].endswith("Z")
    ours = [i for i in world.platform.lineitems if i["resourceId"] == "lc-test/beta"]
    assert len(ours) == 1 and ours[0]["tag"] == "check" and ours[0]["scoreMaximum"] == 4
    assert learner.answer(HALF).json()["result"]["points"] == 2
    Learner(world).answer(RIGHT)  # a new launch, the same column: found, not made again
    assert len(world.platform.lineitems) == 2
    assert world.platform.token_requests == 1  # the access token is cached


@pytest.mark.parametrize("policy,expected", [("highest", [4, 4, 4]), ("latest", [2, 0, 4]),
                                             ("first", [2, 2, 2])])
def test_the_attempt_policy(world: World, policy: str, expected: list[float]) -> None:
    if policy != "highest":
        resource_link(world.platform, "lc-test/beta", lc_quiz="check", lc_attempts=policy)
    learner = Learner(world)
    points = [learner.answer(a).json()["result"]["points"] for a in (HALF, WRONG, RIGHT)]
    assert points == [2, 0, 4]
    if policy == "highest":
        assert given(world) == [2, 2, 4]
        learner.answer(WRONG)  # `highest` keeps 4 after a later 0
        assert given(world)[-1] == 4
    else:
        assert given(world) == expected


def test_forged_and_foreign_posts_are_refused(world: World) -> None:
    learner = Learner(world)
    no_csrf = learner.browser.session.post(learner.url, json={"quiz": "check", "answers": RIGHT})
    assert no_csrf.status_code == 403
    other = store.resolve(world.engine, "lc-test/alpha", "latest").manifest
    foreign = learner.browser.session.post(f"{world.tool}/lti/grade/{other}",
                                           json={"quiz": "check", "answers": RIGHT},
                                           headers={"X-CSRF-Token": learner.csrf})
    assert foreign.status_code == 403
    assert learner.answer(RIGHT, quiz="nope").status_code == 404
    assert requests.post(learner.url, json={"quiz": "check", "answers": RIGHT}).status_code == 401
    assert world.platform.scores == []


def test_the_outbox_survives_an_outage_and_never_sends_twice(world: World) -> None:
    learner = Learner(world)
    world.platform.down = True
    assert learner.answer(HALF).json()["scoreSent"] is False
    assert learner.answer(RIGHT).json()["scoreSent"] is False
    assert [r["state"] for r in grading.outbox(world.engine)] == ["superseded", "pending"]
    retry = run_cli("lti", "scores", "retry", "--db", world.db_url, check=1)
    assert "0 sent, 1 still waiting" in retry.stdout
    listed = run_cli("lti", "scores", "list", "--db", world.db_url, check=0).stdout
    assert "pending" in listed and "503" in listed
    world.platform.down = False
    assert "1 sent, 0 still waiting" in run_cli("lti", "scores", "retry", "--db", world.db_url,
                                               check=0).stdout
    assert "0 sent, 0 still waiting" in run_cli("lti", "scores", "retry", "--db", world.db_url,
                                               check=0).stdout
    assert given(world) == [4]  # the newest score once; the superseded one never


def test_names_and_roles_keep_only_the_sub(world: World) -> None:
    world.platform.members = [
        {"user_id": f"sub-{i}", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
         "name": f"Person {i}", "email": f"p{i}@example.org", "status": "Active"}
        for i in range(3)]
    learner = Learner(world)
    assert learner.browser.session.get(f"{world.tool}/lti/members").status_code == 403
    world.platform.message_type = "LtiDeepLinkingRequest"
    teacher = Browser()
    assert teacher.launch(world.tool, world.platform).status_code == 200
    members = teacher.session.get(f"{world.tool}/lti/members").json()["members"]
    assert [m["sub"] for m in members] == ["sub-0", "sub-1", "sub-2"]  # three pages
    assert "Person" not in str(members) and "example.org" not in str(members)


def test_purge_erases_a_learner_and_what_is_past_retention(world: World) -> None:
    Learner(world).answer(RIGHT)
    world.platform.overrides["sub"] = "learner-sub-2"
    Learner(world).answer(HALF)
    erased = run_cli("lti", "purge", "--db", world.db_url, "--sub", "learner-sub-1", check=0)
    assert "1 sessions" in erased.stdout and "1 attempts" in erased.stdout
    left = {r["sub"] for r in grading.outbox(world.engine)}
    assert left == {"learner-sub-2"}
    assert "0 attempts" in run_cli("lti", "purge", "--db", world.db_url, check=0).stdout
    assert "1 attempts" in run_cli("lti", "purge", "--db", world.db_url, "--older-than", "0",
                                   check=0).stdout


def test_the_links_own_column_takes_its_quiz(world: World) -> None:
    own = {"id": f"{world.platform.issuer}/lineitems/9/lineitem?type_id=7", "label": "Link",
           "scoreMaximum": 100, "resourceId": "", "tag": ""}
    world.platform.lineitems.append(own)
    ags = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    world.platform.overrides[ags] = {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        "lineitem": own["id"]}
    assert Learner(world).answer(HALF).json()["scoreSent"] is True
    assert world.platform.scores[0]["lineitem"] == own["id"]
    assert len(world.platform.lineitems) == 2  # none made



def test_worker_processes_make_one_column_and_ordered_scores(world: World) -> None:
    """Several worker processes sending the first scores of one quiz at once make one line
    item, not one each; scores for one learner's column get later whole seconds each."""
    one_column_and_ordered_scores(world)
