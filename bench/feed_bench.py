"""Feed benchmarks (issue #4), on PostgreSQL.

Two datasets with the same shape per person (50 follows each, 5 live stories per author, likes
and views): 100x = 10,000 people, 50,000 live stories, 500,000 follows; 1x = 100 people, 500
stories, 5,000 follows, in a second database. Then, each against a baseline from the same run:

1. For You, Following and tray API p50 and p99 (the whole Django stack in-process: middleware,
   token auth, DRF, serialisers) against the bare SQL of the same page (every statement the
   request ran, captured and replayed through psycopg): targets p50 <= 2x, p99 <= 3x (#18).
2. API p50 at 100x data against 1x data: target <= 1.2x.
3. Requests per second under gunicorn (2 workers) with wrk on loopback, zero errors required:
   the floors of #18 (For You 200 req/s, Following 300 req/s), as time per response (1000 /
   RPS) against the floor's (target <= 1x); and core time per request under load (2 x 1000 /
   RPS) against the in-process p50 of item 1, target <= 2x (what HTTP, gunicorn and contention
   add). A static file's RPS is in the note.

Without DATABASE_URL it starts a throwaway PostgreSQL cluster (initdb in a temp dir, as the
`postgres` user when run as root) and removes it at the end. With DATABASE_URL it creates the
databases `<name>_feed1x` and `<name>_feed100x` next to the given one (dropping old copies).
"""

from __future__ import annotations

import contextlib
import glob
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import RESULTS, ROOT, Report, percentile

FOLLOWS_PER_PERSON = 50
STORIES_PER_PERSON = 5
SAMPLE_VIEWERS = 30
ROUNDS = 8  # requests per viewer per endpoint: 240 samples per figure
ENDPOINTS = {
    "for-you": "/api/v1/feed/for-you/",
    "following": "/api/v1/feed/following/",
    "tray": "/api/v1/feed/tray/",
}
WRK_SECONDS = 10
WORKERS = 2
# Issue #18's targets: the bench fails when a page misses one.
P50_VS_SQL, P99_VS_SQL, BIG_VS_SMALL = 2.0, 3.0, 1.2
RPS_FLOORS = {"for-you": 200, "following": 300}  # requests/s under wrk (2 workers, 2 cores)


# --- PostgreSQL ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """DATABASE_URL, or a throwaway cluster for the duration (fsync off: it is thrown away)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = candidates[-1] if candidates else shutil.which("initdb")
    if not initdb:
        raise SystemExit("feed bench: no PostgreSQL (set DATABASE_URL or install postgresql)")
    bindir = Path(initdb).parent
    root = Path(tempfile.mkdtemp(prefix="stories-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log = root / "data", root / "server.log"
    port = _free_port()
    subprocess.run(
        [
            *as_postgres,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c shared_buffers=256MB -c max_connections=50"
    )
    pg_ctl = str(bindir / "pg_ctl")
    subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # A Ctrl-C or a kill still stops the cluster and removes its directory.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        signal.signal(signal.SIGTERM, previous)
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL
        )
        shutil.rmtree(root, ignore_errors=True)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _create_databases(url: str) -> dict[str, str]:
    import psycopg

    base = urlsplit(url).path.lstrip("/") or "postgres"
    urls = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for scale in ("1x", "100x"):
            name = re.sub(r"\W", "_", f"{base}_feed{scale}")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            urls[scale] = _with_database(url, name)
    return urls


def _use(database_url: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = urlsplit(database_url).path.lstrip("/")


# --- Seeding ---------------------------------------------------------------------------------


def _copy(cursor, model, rows: list[dict]) -> None:
    """COPY rows into the model's table; unspecified columns take the model field's default."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    serial = (AutoField, BigAutoField)
    fields = [
        f for f in model._meta.concrete_fields if not (isinstance(f, serial) and f.attname not in rows[0])
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[f.attname] if f.attname in row else defaults[f.attname] for f in fields])


def seed(database_url: str, people: int) -> list[int]:
    """People, live stories, follows, likes, views and affinity; returns the people's ids."""
    import psycopg
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Follow, User
    from feed.models import Affinity, Like, StoryView
    from stories.models import Story

    rng = random.Random(people)
    now = timezone.now()
    password = make_password("bench-password")
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        # Migrations may create accounts of their own (the moderation team's sender).
        first_id = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_user").fetchone()[0]
        ids = list(range(first_id, first_id + people))
        _copy(
            cursor,
            User,
            [
                {
                    "id": i,
                    "username": f"p{i}",
                    "password": password,
                    "display_name": f"Person {i}",
                    "date_joined": now,
                }
                for i in ids
            ],
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [ids[-1]])
        follows = {
            i: rng.sample([j for j in rng.sample(ids, min(people, 60)) if j != i], FOLLOWS_PER_PERSON)
            for i in ids
        }
        _copy(
            cursor,
            Follow,
            [{"follower_id": i, "followee_id": j, "created_at": now} for i in ids for j in follows[i]],
        )
        audiences = ["everyone"] * 17 + ["followers"] * 2 + ["friends"]
        stories = []
        for author in ids:
            for _ in range(STORIES_PER_PERSON):
                published = now - timedelta(minutes=rng.randint(1, 23 * 60))
                stories.append(
                    {
                        "id": uuid.uuid4(),
                        "author_id": author,
                        "kind": "video",
                        "state": "ready",
                        "audience": rng.choice(audiences),
                        "media": "stories/bench.mp4",
                        "media_content_type": "video/mp4",
                        "duration": 5.0,
                        "width": 720,
                        "height": 1280,
                        "like_count": 0,
                        "comment_count": rng.randint(0, 3),
                        "share_count": rng.randint(0, 2),
                        "created_at": published,
                        "state_changed_at": published,
                        "published_at": published,
                        "expires_at": published + timedelta(hours=24),
                    }
                )
        likes, views, affinity = [], [], {}
        for viewer in ids:
            for story in rng.sample(stories, 10):
                if story["author_id"] != viewer:
                    likes.append({"story_id": story["id"], "user_id": viewer, "created_at": now})
                    story["like_count"] += 1
                    affinity[(viewer, story["author_id"])] = affinity.get((viewer, story["author_id"]), 0) + 1
            for story in rng.sample(stories, 10):
                views.append(
                    {
                        "story_id": story["id"],
                        "viewer_id": viewer,
                        "first_seen_at": now - timedelta(minutes=5),
                    }
                )
        _copy(cursor, Story, stories)
        _copy(cursor, Like, likes)
        _copy(cursor, StoryView, views)
        _copy(
            cursor,
            Affinity,
            [{"user_id": u, "author_id": a, "likes": n, "updated_at": now} for (u, a), n in affinity.items()],
        )
        conn.commit()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(
        f"  seeded {people:,} people, {len(stories):,} stories, {people * FOLLOWS_PER_PERSON:,} follows, "
        f"{len(likes):,} likes, {len(views):,} views in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return ids


# --- Measuring -------------------------------------------------------------------------------


def _tokens(viewer_ids: list[int]) -> dict[int, str]:
    from rest_framework.authtoken.models import Token

    return {pk: Token.objects.get_or_create(user_id=pk)[0].key for pk in viewer_ids}


_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _replay(bare, queries: list[dict]) -> None:
    """Every statement the request ran, in one transaction that is rolled back: the request's
    writes (a token's last use, a legacy token adopted on first use) would otherwise be applied
    twice, and a second adoption breaks the token's unique digest. The request's own BEGIN,
    SAVEPOINT and COMMIT are the transaction's, so they are not replayed."""
    import psycopg

    with contextlib.suppress(psycopg.errors.UniqueViolation), bare.transaction(force_rollback=True):
        for query in queries:
            if query["sql"].lstrip().upper().startswith(_TRANSACTION_CONTROL):
                continue
            cursor = bare.execute(query["sql"])
            if cursor.description is not None:
                cursor.fetchall()


def measure(database_url: str, viewer_ids: list[int]) -> dict[str, dict[str, list[float]]]:
    """API and bare-SQL latencies (seconds) per endpoint, for the viewers' first pages."""
    import psycopg
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _use(database_url)
    tokens = _tokens(viewer_ids)
    client = Client()
    results: dict[str, dict[str, list[float]]] = {name: {"api": [], "sql": []} for name in ENDPOINTS}
    with psycopg.connect(database_url, autocommit=True) as bare:
        for round_number in range(ROUNDS + 1):
            for token in tokens.values():
                for name, path in ENDPOINTS.items():
                    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_HOST": "127.0.0.1"}
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = client.get(path, **headers)
                        api = time.perf_counter() - start
                    assert response.status_code == 200, (name, response.status_code, response.content[:300])
                    start = time.perf_counter()
                    _replay(bare, captured.captured_queries)
                    sql = time.perf_counter() - start
                    if round_number:  # the first round warms caches and connections
                        results[name]["api"].append(api)
                        results[name]["sql"].append(sql)
    return results


# --- Load: gunicorn + wrk ------------------------------------------------------------------------


def _wrk(url: str, token: str | None) -> tuple[float, int, float]:
    """(requests/s, errors incl. non-2xx, p50 latency ms) from one wrk run."""
    command = ["wrk", "-t2", "-c8", f"-d{WRK_SECONDS}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Token {token}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return rps, errors, float(p50.group(1)) * scale


def load(report: Report, database_url: str, token: str, in_process_p50: dict[str, float]) -> None:
    """wrk against gunicorn (2 workers on 2 cores). Measured: core time per request under load
    (workers x 1000 / RPS); baseline: the same page's in-process p50 from this run (Django +
    PostgreSQL, one request at a time). The ratio is what HTTP, gunicorn and contention add;
    zero errors is required. A static file's RPS through the same server is in the note."""
    if not shutil.which("wrk"):
        raise SystemExit("feed bench: wrk is missing (apt-get install -y wrk)")
    port = _free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "THROTTLE_USER": "100000000/minute",
        "THROTTLE_ANON": "100000000/minute",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "stories_site.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(WORKERS),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(RESULTS / "gunicorn-feed.log").open("wb"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/static/css/app.css", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        # One request first, alone: the bench's token is a legacy DRF key, adopted as an ApiToken
        # on its first use, and two workers adopting it at once answer one of them 401.
        first = urllib.request.Request(
            f"{base}{ENDPOINTS['following']}", headers={"Authorization": f"Token {token}"}
        )
        urllib.request.urlopen(first, timeout=30).read()
        static_rps, static_errors, _ = _wrk(f"{base}/static/css/app.css", None)
        for name, path in ENDPOINTS.items():
            rps, errors, p50 = _wrk(f"{base}{path}", token)
            result = report.add(
                f"{name} under gunicorn + wrk: core ms per request (workers x 1000 / RPS) vs in-process p50",
                WORKERS * 1000 / rps,
                in_process_p50[name],
                "ms",
                2.0,
                note=f"{rps:.1f} requests/s, {errors} errors (wrk p50 {p50:.0f} ms at 8 connections); "
                f"a static file through the same server: {static_rps:.0f} requests/s, {static_errors} errors",
            )
            result.ok = result.ok and errors == 0 and static_errors == 0
            print(f"    {result.note}", flush=True)
            if name in RPS_FLOORS:
                floor = RPS_FLOORS[name]
                report.add(
                    f"{name} under gunicorn + wrk: ms per response (1000 / RPS) vs the {floor} req/s floor",
                    1000 / rps,
                    1000 / floor,
                    "ms",
                    1.0,
                    note=f"{rps:.1f} requests/s against a floor of {floor}",
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- The section -------------------------------------------------------------------------------


def run() -> Report:
    started = time.perf_counter()
    report = Report("feed")
    with postgres_server() as server_url:
        urls = _create_databases(server_url)
        os.environ["DATABASE_URL"] = urls["100x"]
        from bench.common import setup_django

        setup_django()
        from django.core.management import call_command

        call_command("collectstatic", "--noinput", verbosity=0)  # the static-file baseline
        _use(urls["1x"])
        call_command("migrate", verbosity=0)
        seeded = {scale: seed(urls[scale], people) for scale, people in (("1x", 100), ("100x", 10_000))}
        rng = random.Random(7)
        figures = {}
        for scale in ("1x", "100x"):
            viewers = rng.sample(seeded[scale], SAMPLE_VIEWERS)
            print(f"  measuring {scale} ...", flush=True)
            figures[scale] = measure(urls[scale], viewers)
        for name in ENDPOINTS:
            big, small = figures["100x"][name], figures["1x"][name]
            for q, label in ((0.5, "p50"), (0.99, "p99")):
                report.add(
                    f"{name} API {label} vs bare SQL of the same page (100x data)",
                    percentile(big["api"], q) * 1000,
                    percentile(big["sql"], q) * 1000,
                    "ms",
                    {0.5: P50_VS_SQL, 0.99: P99_VS_SQL}[q],
                )
            report.add(
                f"{name} API p50 at 100x data vs 1x data",
                percentile(big["api"], 0.5) * 1000,
                percentile(small["api"], 0.5) * 1000,
                "ms",
                BIG_VS_SMALL,
                note=f"bare SQL p50 {percentile(big['sql'], 0.5) * 1000:.2f} ms at 100x, "
                f"{percentile(small['sql'], 0.5) * 1000:.2f} ms at 1x",
            )
        _use(urls["100x"])
        p50s = {name: percentile(figures["100x"][name]["api"], 0.5) * 1000 for name in ENDPOINTS}
        load(report, urls["100x"], _tokens([seeded["100x"][0]])[seeded["100x"][0]], p50s)
        from django.db import connections

        connections.close_all()
    print(f"  feed bench took {time.perf_counter() - started:.0f} s", flush=True)
    return report
