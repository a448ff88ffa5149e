"""The tool on PostgreSQL (runs when LCMODULES_LTI_TEST_PG names a throw-away database, e.g.
postgresql+psycopg://user:pw@127.0.0.1/lcmlti, in a schema of its own; skipped otherwise):
launches, replay refused, grading and AGS, and concurrent learners with state, nonce and outbox
on the shared database."""

from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import loaded_modules, write_course  # noqa: E402
from lti_pg import pg_schema, pg_url  # noqa: E402
from lti_platform import Browser, lti_world, resource_link  # noqa: E402
from lti_workers import one_column_and_ordered_scores  # noqa: E402

from lcmodules.lti import grading  # noqa: E402

pytestmark = pytest.mark.skipif(not pg_url(), reason="no LCMODULES_LTI_TEST_PG database given")

RIGHT = {"pick": 1, "truth": False, "number": "0.25"}


def test_launch_grade_and_concurrency_on_postgresql(tmp_path: Path) -> None:
    modules = loaded_modules(write_course(tmp_path / "course"))
    with pg_schema(pg_url()) as url, lti_world(tmp_path, db_url=url, publish=modules) as world:
        assert world.engine.dialect.name == "postgresql"
        resource_link(world.platform, "lc-test/beta", lc_quiz="check")
        browser = Browser()
        fields = browser.auth_form(browser.login(world.tool, world.platform))
        assert browser.post_launch(fields).status_code == 200
        assert browser.post_launch(fields).status_code == 401  # replay
        assert Browser().post_launch(fields).status_code == 401  # another browser

        def learner(i: int) -> bool:
            b = Browser()
            page = b.launch(world.tool, world.platform, login_hint=f"pg-learner-{i}")
            grade = re.search(r'name="lc-grade-url" content="([^"]+)"', page.text)
            csrf = re.search(r'name="lc-csrf-token" content="([^"]+)"', page.text)
            assert grade and csrf
            answer = b.session.post(f"{world.tool}{grade.group(1)}",
                                    json={"quiz": "check", "answers": RIGHT},
                                    headers={"X-CSRF-Token": csrf.group(1)})
            return bool(answer.json()["scoreSent"])

        world.platform.sub_from_hint = True
        with ThreadPoolExecutor(12) as pool:
            assert all(pool.map(learner, range(24)))
        assert len(world.platform.scores) == 24
        assert [i["resourceId"] for i in world.platform.lineitems] == ["lc-test/beta"]
        assert {r["state"] for r in grading.outbox(world.engine)} == {"sent"}


def test_two_workers_caching_the_key_set_at_once(tmp_path: Path) -> None:
    """A worker storing the platform's key set while another holds the same row uncommitted
    (both fetched it at once) keeps going instead of failing the launch (500)."""
    from sqlalchemy import text

    from lcmodules.lti import db, jose

    with pg_schema(pg_url()) as url, lti_world(tmp_path, db_url=url) as world:
        jwks = f"{world.platform.issuer}/jwks"
        with world.engine.connect() as other, ThreadPoolExecutor(1) as pool:
            held = other.begin()
            other.execute(db.jwks_cache.insert().values(url=jwks, body="{}", fetched_at=db.now()))
            found = pool.submit(jose._fetch_jwks, world.engine, jwks, 0.0)
            with world.engine.connect() as probe:  # until the worker waits on our row
                deadline = time.monotonic() + 60
                while not probe.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                                        ).scalar() and time.monotonic() < deadline:
                    time.sleep(0.05)
            held.commit()
            assert found.result(timeout=60)["keys"][0]["kid"] == world.platform.kid


def test_worker_processes_on_postgresql(tmp_path: Path) -> None:
    """The column lock and the line item lease hold across processes on PostgreSQL too."""
    with pg_schema(pg_url()) as url, lti_world(tmp_path, db_url=url) as world:
        one_column_and_ordered_scores(world)
