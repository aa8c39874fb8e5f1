"""Analytics benchmark (issue #7), on PostgreSQL: what recording a view costs.

The same scripted stream of view events (signed-in viewers with repeats, about one in ten
anonymous, a quarter completed) is sent three ways, each against a bare INSERT of the same rows
(one autocommit INSERT per event into a plain table, through psycopg) at the same concurrency in
the same run:

1. `feed.services.view_record` in one thread: events per second. Signed-in views go to the
   write-behind buffer in Redis (feed/view_buffer.py), as in production; the buffer is flushed
   after each turn and the counts checked;
2. `view_record` from 4 threads at once (the player's traffic is concurrent): events per second;
3. the flush: what counting the buffered views into PostgreSQL costs per view, against counting
   the same kind of stream at once (the buffer off), in turns: the buffer must not add database
   work, only move it out of the request;
4. `POST /api/v1/stories/{id}/views/` through the whole Django stack in-process (middleware,
   token auth, DRF, the visibility check), one thread, against the same requests with
   `view_record` replaced by a no-op: what counting adds to the request the player makes.

Figures are microseconds per event (the inverse of events per second), so a ratio <= target is
good; the targets are issue #18's: counting within 2x a bare INSERT on one thread and on four.
The service and its bare INSERTs take turns in rounds of a quarter of the stream each (service,
bare, bare, service, ...), so load from elsewhere on the machine falls on both alike. After each
run the daily stats must equal the stream exactly (impressions, reach, completions), or the
figure is marked failed.

Uses DATABASE_URL's server, or the throwaway cluster of the feed bench (`postgres_server`), and
REDIS_URL's Redis, or a throwaway `redis-server` on a free port (the buffer lives in Redis).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

from bench.common import Report, timed
from bench.feed_bench import _free_port, _with_database, postgres_server

PEOPLE = 400
STORIES_PER_RUN = 60
EVENTS = 4000  # per measurement
HTTP_EVENTS = 1000  # the whole stack is slower: fewer events keep the section near two minutes
THREADS = 4
ROUNDS = 4  # turns of the service and the bare INSERTs, a quarter of the stream each
TARGETS = {"service": 2.0, "threads": 2.0, "flush": 1.0, "http": 1.5}


@contextmanager
def redis_server() -> Iterator[str]:
    """REDIS_URL, or a throwaway Redis (no persistence) stopped at the end."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        raise RuntimeError("the analytics bench needs Redis: set REDIS_URL or install redis-server")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _create_database(url: str) -> str:
    import psycopg

    base = urlsplit(url).path.lstrip("/") or "postgres"
    name = re.sub(r"\W", "_", f"{base}_analytics")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(url, name)


def _point_django_at(database_url: str) -> None:
    """The default connection on this server and database (another section may have set up
    Django for another server in the same process)."""
    from django.db import connections

    parts = urlsplit(database_url)
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(
        NAME=parts.path.lstrip("/"),
        HOST=parts.hostname or "",
        PORT=str(parts.port or ""),
        USER=parts.username or "",
        PASSWORD=parts.password or "",
    )


def _seed_people() -> list:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password("bench-password")
    User.objects.bulk_create(
        [User(username=f"a{n}-{uuid.uuid4().hex[:6]}", password=password) for n in range(PEOPLE)]
    )
    return list(User.objects.order_by("-id")[:PEOPLE])


def _stories(author) -> list:
    from django.utils import timezone

    from stories.models import Story

    now = timezone.now()
    rows = [
        Story(
            author=author,
            kind="video",
            state="ready",
            media="x.mp4",
            published_at=now,
            expires_at=now + timedelta(hours=24),
        )
        for _ in range(STORIES_PER_RUN)
    ]
    return Story.objects.bulk_create(rows)


def _stream(rng: random.Random, people: list, stories: list, size: int = EVENTS) -> list[tuple]:
    """(viewer or None, story, completed): pairs drawn from a pool a third the stream's size, so
    about two in three signed-in events are a first view and the rest repeats."""
    pairs = [(rng.choice(people[1:]), rng.choice(stories)) for _ in range(size // 3)]
    events = []
    for _ in range(size):
        viewer, story = rng.choice(pairs)
        events.append((None if rng.random() < 0.1 else viewer, story, rng.random() < 0.25))
    return events


def _expected(events: list[tuple]) -> tuple[int, int, int]:
    """(impressions, reach, completions). A signed-in viewer's completions count once per person
    and story, like reach (feed.services.view_record); anonymous ones each count."""
    reached = {(viewer.pk, story.pk) for viewer, story, _ in events if viewer is not None}
    completed_by = {(v.pk, story.pk) for v, story, completed in events if completed and v is not None}
    anonymous = sum(1 for viewer, _, completed in events if completed and viewer is None)
    return len(events), len(reached), len(completed_by) + anonymous


def _counted(stories: list) -> tuple[int, int, int]:
    from django.db.models import Sum

    from stories.models import StoryDailyStats

    sums = StoryDailyStats.objects.filter(story_id__in=[s.pk for s in stories]).aggregate(
        i=Sum("impressions"), r=Sum("reach"), c=Sum("completions")
    )
    return sums["i"] or 0, sums["r"] or 0, sums["c"] or 0


def _in_threads(
    events: list[tuple], threads: int, send: Callable[[tuple], None], close: Callable[[], None]
) -> float:
    """Seconds to send every event, split over `threads` threads started together."""
    chunks = [events[n::threads] for n in range(threads)]
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(chunk: list[tuple]) -> None:
        try:
            barrier.wait()
            for event in chunk:
                send(event)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close()

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def _bare(database_url: str, events: list[tuple], threads: int) -> float:
    """The same rows as plain INSERTs, one autocommit statement per event, `threads` at once."""
    import psycopg

    local = threading.local()

    def send(event: tuple) -> None:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(database_url, autocommit=True)
        viewer, story, completed = event
        local.conn.execute(
            "INSERT INTO bench_view_event (story_id, viewer_id, completed, seen_at) "
            "VALUES (%s, %s, %s, now())",
            [story.pk, viewer.pk if viewer else None, completed],
        )

    def close() -> None:
        if hasattr(local, "conn"):
            local.conn.close()

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_view_event (id bigserial PRIMARY KEY, story_id uuid NOT NULL, "
            "viewer_id integer, completed boolean NOT NULL, seen_at timestamptz NOT NULL)"
        )
    return _in_threads(events, threads, send, close)


def _through_service(events: list[tuple], threads: int) -> float:
    from django.db import connection

    from feed import services

    def send(event: tuple) -> None:
        viewer, story, completed = event
        services.view_record(viewer=viewer, story=story, completed=completed)

    return _in_threads(events, threads, send, lambda: connection.close())


def _flush() -> float:
    """Seconds to count what the buffer holds (nothing may be left in it)."""
    from feed.view_buffer import PENDING, _buffer, view_buffer_flush

    seconds = timed(view_buffer_flush)
    buffer = _buffer()
    left = buffer.client.llen(buffer.key[PENDING])
    assert left == 0, f"{left} views left in the buffer"
    return seconds


def _flush_in_turns(events: list[tuple]) -> tuple[float, float]:
    """(seconds flushing the buffered half, seconds counting the other half at once), one
    thread, in ROUNDS turns: what the database does per view either way."""
    from django.conf import settings

    flushing = at_once = 0.0
    size = -(-len(events) // (2 * ROUNDS))
    for turn in range(ROUNDS):
        buffered = events[2 * turn * size : (2 * turn + 1) * size]
        direct = events[(2 * turn + 1) * size : (2 * turn + 2) * size]
        _through_service(buffered, 1)
        flushing += _flush()
        settings.STORIES_VIEW_BUFFER = False
        try:
            at_once += _through_service(direct, 1)
        finally:
            settings.STORIES_VIEW_BUFFER = True
    return flushing, at_once


def _in_turns(database_url: str, events: list[tuple], threads: int) -> tuple[float, float]:
    """(seconds through the service, seconds as bare INSERTs) for the whole stream, sent in
    ROUNDS turns each, in the order service, bare, bare, service, ... so that a change of load
    during the run weighs on both the same."""
    service = bare = 0.0
    size = -(-len(events) // ROUNDS)
    for turn in range(ROUNDS):
        chunk = events[turn * size : (turn + 1) * size]
        if turn % 2 == 0:
            service += _through_service(chunk, threads)
            bare += _bare(database_url, chunk, threads)
        else:
            bare += _bare(database_url, chunk, threads)
            service += _through_service(chunk, threads)
        _flush()  # after the turn's clock: the flush is the next figure
    return service, bare


def _through_http(events: list[tuple], *, counting: bool = True) -> float:
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    tokens = {}
    client = Client()

    def send(event: tuple) -> None:
        viewer, story, completed = event
        headers = {"HTTP_HOST": "127.0.0.1"}
        if viewer is not None:
            if viewer.pk not in tokens:
                tokens[viewer.pk] = Token.objects.get_or_create(user=viewer)[0].key
            headers["HTTP_AUTHORIZATION"] = f"Token {tokens[viewer.pk]}"
        response = client.post(
            f"/api/v1/stories/{story.pk}/views/",
            {"completed": completed},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 204, (response.status_code, response.content[:300])

    for viewer, *_ in events:  # tokens made before the clock starts
        if viewer is not None and viewer.pk not in tokens:
            tokens[viewer.pk] = Token.objects.get_or_create(user=viewer)[0].key
    if counting:
        return _in_threads(events, 1, send, lambda: connection.close())
    with mock.patch("feed.services.view_record", return_value=None):
        return _in_threads(events, 1, send, lambda: connection.close())


def run() -> Report:
    started = time.perf_counter()
    report = Report("analytics")
    with postgres_server() as server_url, redis_server() as redis_url:
        url = _create_database(server_url)
        os.environ["DATABASE_URL"] = url
        os.environ["REDIS_URL"] = redis_url
        os.environ["STORIES_VIEW_BUFFER"] = "1"
        from bench.common import setup_django

        setup_django()
        _point_django_at(url)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from feed.view_buffer import view_buffer_enabled

        assert view_buffer_enabled(), "the analytics bench measures the write-behind buffer"
        # Throttles lifted (in place: DRF's throttle classes hold this dict): the stream is a
        # few clients sending thousands of events.
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        rates.update(dict.fromkeys([*rates, "views", "engage"], "100000000/minute"))
        # Every event of the stream is an impression: with the repeat window (a viewer's views
        # within 60 s count once) the exact counts would depend on how fast the stream ran.
        settings.STORIES_VIEW_REPEAT_SECONDS = 0
        rng = random.Random(7)
        people = _seed_people()
        ways = [
            ("service", "view_record, 1 thread", 1),
            ("threads", f"view_record, {THREADS} threads", THREADS),
            ("flush", "the flush, 1 thread", 1),
            ("http", "POST /views/ (whole stack in-process), 1 thread", 1),
        ]
        warm = _stream(rng, people, _stories(people[0]))[:200]
        _through_service(warm, 1)
        _flush()
        _bare(url, warm, 1)
        for key, label, threads in ways:
            stories = _stories(people[0])
            events = _stream(rng, people, stories, HTTP_EVENTS if key == "http" else EVENTS)
            print(f"  {label}: {len(events)} events ...", flush=True)
            if key == "http":
                seconds = _through_http(events)
                _flush()
            elif key == "flush":
                seconds, baseline = _flush_in_turns(events)
            else:
                seconds, baseline = _in_turns(url, events, threads)
            counted, expected = _counted(stories), _expected(events)
            if key == "flush":
                half = len(events) / 2
                name = "buffered views counted by the flush vs the same kind counted at once, per view"
                note = f"{half / seconds:,.0f} views/s flushed vs {half / baseline:,.0f} counted at once"
                seconds, baseline = seconds / half * len(events), baseline / half * len(events)
            elif key == "http":
                baseline = _through_http(
                    _stream(rng, people, _stories(people[0]), HTTP_EVENTS), counting=False
                )
                name = f"view events through {label} vs the same requests without counting"
                note = (
                    f"{len(events) / seconds:,.0f} events/s vs {len(events) / baseline:,.0f} without counting"
                )
            else:
                name = f"view events through {label} vs bare INSERT of the same rows"
                note = f"{len(events) / seconds:,.0f} events/s vs {len(events) / baseline:,.0f} bare"
            result = report.add(
                name,
                seconds / len(events) * 1e6,
                baseline / len(events) * 1e6,
                "us/event",
                TARGETS[key],
                note=f"{note}; counted (impressions, reach, completions) {counted}, expected {expected}",
            )
            result.ok = result.ok and counted == expected
            print(f"    {result.note}", flush=True)
        from django.db import connections

        connections.close_all()
    print(f"  analytics bench took {time.perf_counter() - started:.0f} s", flush=True)
    return report
