"""Benchmark of the LTI tool: launches per second and p95 latency of launch → first page and of
answer → score sent, for N concurrent learners on SQLite or PostgreSQL, against serving the same
page statically.

    python benchmarks/lti_bench.py [--learners 200] [--threads 16] [--db sqlite|URL] [--json FILE]

`--db postgresql+psycopg://user:pw@host/name` runs the tool on that database, in a schema of its
own that is dropped afterwards (tests/harness/lti_pg.py); the default is a SQLite file.

The tool runs under waitress (as `lcmodules lti serve`), the platform is the test suite's own
(tests/harness/lti_platform.py: real RSA-signed id_tokens, JWKS, token endpoint, AGS).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "harness"))

import requests  # noqa: E402
from lti_course import loaded_modules, write_course  # noqa: E402
from lti_pg import pg_schema  # noqa: E402
from lti_platform import Browser, lti_world, resource_link  # noqa: E402

RIGHT = {"pick": 1, "truth": False, "number": "0.25"}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def serve_waitress(app: Any, threads: int) -> tuple[str, Any]:
    """The app under waitress in a thread; (its URL, the server to close)."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def learner(tool: str, platform: Any, sub: int) -> tuple[float, float, bool]:
    """One learner: (launch → first page s, answer → score sent s, score accepted)."""
    browser = Browser()
    platform_sub = f"bench-{sub}"
    start = time.perf_counter()
    page = browser.login(tool, platform, login_hint=platform_sub)
    page = browser.post_launch(browser.auth_form(page))
    first = time.perf_counter() - start
    assert page.status_code == 200, page.text[:200]
    grade = page.text.split('name="lc-grade-url" content="')[1].split('"')[0]
    csrf = page.text.split('name="lc-csrf-token" content="')[1].split('"')[0]
    start = time.perf_counter()
    answer = browser.session.post(f"{tool}{grade}", json={"quiz": "check", "answers": RIGHT},
                                  headers={"X-CSRF-Token": csrf})
    return first, time.perf_counter() - start, bool(answer.json()["scoreSent"])


def static_baseline(page: bytes, n: int, threads: int) -> list[float]:
    """GET the same page bytes from a static WSGI app under waitress, n at once."""

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(page)))])
        return [page]

    url, server = serve_waitress(app, threads)

    def get(_: int) -> float:
        start = time.perf_counter()
        requests.get(f"{url}/page.html", timeout=120).raise_for_status()
        return time.perf_counter() - start

    with ThreadPoolExecutor(n) as pool:
        times = list(pool.map(get, range(n)))
    server.close()
    return times


def run(learners: int, threads: int, db_url: str = "sqlite") -> dict[str, Any]:
    from lcmodules.lti import store
    from lcmodules.lti.app import create_app

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        modules = loaded_modules(write_course(Path(tmp) / "course"))
        url = None if db_url == "sqlite" else stack.enter_context(pg_schema(db_url, "lcm_bench"))
        with lti_world(Path(tmp), db_url=url) as world:
            database = world.engine.dialect.name
            for module in modules:
                store.publish_module(world.engine, module, f"sha256:{module.slug}")
            resource_link(world.platform, "lc-test/beta", lc_quiz="check")
            world.platform.sub_from_hint = True  # each learner its own sub
            tool, server = serve_waitress(create_app(world.engine), threads)
            from lcmodules.lti import db, toolconfig

            db.set_setting(world.engine, toolconfig.BASE_URL, tool)
            platform = world.platform
            start = time.perf_counter()
            with ThreadPoolExecutor(learners) as pool:
                results = list(pool.map(lambda i: learner(tool, platform, i), range(learners)))
            wall = time.perf_counter() - start
            digest = store.resolve(world.engine, "lc-test/beta", "latest").manifest
            page = store.blob(world.engine, store.manifest(world.engine, digest)["files"]["02-check.html"])
            server.close()
    static = static_baseline(page or b"", learners, threads)
    first = [r[0] for r in results]
    scored = [r[1] for r in results]
    return {"database": database, "learners": learners, "accepted": sum(r[2] for r in results),
            "launches_per_s": learners / wall, "p95_launch_first_page_s": p95(first),
            "p95_answer_score_sent_s": p95(scored), "p95_static_page_s": p95(static),
            "ratio_launch_to_static": p95(first) / p95(static),
            "ratio_answer_to_static": p95(scored) / p95(static)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--db", default="sqlite",
                        help="sqlite (a file) or a postgresql+psycopg:// URL")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    figures = run(args.learners, args.threads, args.db)
    for name, value in figures.items():
        print(f"{name:<28} {value:10.3f}" if isinstance(value, float) else f"{name:<28} {value:>10}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
