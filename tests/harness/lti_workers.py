"""Worker processes of the LTI tool at one moment (as gunicorn runs them), for races that a
lock inside one process cannot see."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from lti_platform import World
from sqlalchemy import String

WORKER = """
import sys
from lcmodules.lti import db, grading
from lcmodules.lti.launch import Launch
engine = db.ready(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # every worker starts at once
if sys.argv[2] == "send":
    print(grading.send(engine, int(sys.argv[3])))
else:
    launch = Launch(int(sys.argv[3]), "dep-1", "same-learner", "LtiResourceLinkRequest",
                    {"custom": {"lc_module": "lc-test/beta"}})
    print(grading.enqueue(engine, launch, {"lineitems": sys.argv[4]}, "extra", "Extra", 1, 2))
"""


def _workers(world: World, jobs: list[list[str]]) -> list[str]:
    """Run each job in its own Python process (as gunicorn's workers are), all at one moment."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, world.db_url, *job], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for job in jobs]
    for proc in procs:
        assert proc.stdout and proc.stdout.readline() == "ready\n", proc.communicate()
    for proc in procs:
        assert proc.stdin
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    return [out.strip() for out, _ in results]


def one_column_and_ordered_scores(world: World) -> None:
    """Three workers stamp scores of one learner's column at once: each a later whole second;
    then three send the first scores of one quiz at once: one line item, not one each."""
    from lcmodules.lti import db

    platform_id = db_platform_id(world)
    lineitems = f"{world.platform.issuer}/lineitems"
    world.platform.search_delay = 0.3  # each search-then-create takes a while: twins if unguarded
    stamps = _workers(world, [["enqueue", str(platform_id), lineitems] for _ in range(3)])
    with world.engine.connect() as conn:
        rows = conn.execute(db.scores.select().order_by(db.scores.c.id)).mappings().all()
    seconds = [int(datetime.fromisoformat(r["timestamp"]).timestamp()) for r in rows]
    assert len(stamps) == 3 and sorted(set(seconds)) == seconds, seconds
    with world.engine.begin() as conn:  # three learners' first scores, waiting to be sent
        conn.execute(db.scores.update().values(state="pending", sub=db.scores.c.id.cast(String)))
    assert _workers(world, [["send", str(r["id"])] for r in rows]) == ["True"] * 3
    ours = [i for i in world.platform.lineitems if i["resourceId"] == "lc-test/beta"]
    assert [i["tag"] for i in ours] == ["extra"]
    assert {s["lineitem"] for s in world.platform.scores} == {ours[0]["id"]}


def db_platform_id(world: World) -> int:
    from lcmodules.lti import platforms

    return next(p.id for p in platforms.list_platforms(world.engine))
