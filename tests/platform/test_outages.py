"""The database or Redis down: 503 with Retry-After (JSON under /api/, a plain page elsewhere),
never a 500; /healthz stays 200 and /readyz names what failed. In process, with the database's
cursor made to fail as it does when PostgreSQL is gone (the real-process version, with a real
PostgreSQL stopped and started, is test_database_outage.py)."""

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest
import redis.exceptions
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from stories_site import health
from tests.factories import UserFactory
from tests.platform import processes

pytestmark = pytest.mark.django_db

API = "/api/v1/feed/for-you/"


@contextlib.contextmanager
def database_down():
    """Every statement fails: those through Django's cursors, and on PostgreSQL the hot ones that
    stories_site/prepared.py runs on a psycopg cursor of its own (the feed pages, the counters)."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    class RefusingCursor:
        execute = staticmethod(refuse)

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
        mock.patch("stories_site.prepared._kept_cursor", return_value=RefusingCursor()),
    ):
        yield


@pytest.fixture
def client() -> Client:
    # Failures in middleware reach handler500: see them answered, not re-raised into the test.
    return Client(raise_request_exception=False)


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": health.UNAVAILABLE}
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    assert b"Stories is unavailable right now" in response.content
    assert b"/static/css/app.css" in response.content  # the site's look, from its stylesheet
    assert b"<style" not in response.content  # the page policy refuses inline styles
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)


def test_a_view_that_cannot_reach_the_database_answers_503(client):
    with database_down():
        assert_unavailable_json(client.get(API))
        assert_unavailable_page(client.get("/"))


def test_a_session_that_cannot_be_read_answers_503(client):
    """Signed in: the session and the person are read in middleware, before any view."""
    client.force_login(UserFactory())
    with database_down():
        assert_unavailable_json(client.get(API))
        assert_unavailable_page(client.get("/"))


def test_redis_unreachable_inside_a_view_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("feed.api.ForYouView.page_function", staticmethod(refuse))
    assert_unavailable_json(client.get(API))


def test_a_bug_is_still_a_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("feed.api.ForYouView.page_function", staticmethod(broken))
    response = client.get(API)
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.fixture
def cache_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{processes.free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_throttled_requests_go_on_while_the_cache_is_unreachable(client, cache_unreachable):
    response = client.get(API)  # anonymous and user throttles both read and write the cache
    assert response.status_code == 200, response.content[:300]
    body = json.loads(client.get("/readyz").content)
    assert body["checks"]["cache"] == "unavailable"


def test_other_uses_of_an_unreachable_cache_answer_503(client, cache_unreachable, monkeypatch):
    """Only throttles carry on without the cache: a count kept there (log-in lockouts) must not
    be read as zero while Redis is down."""
    from django.core.cache import cache

    def read_a_count(*args, **kwargs):
        return cache.get("lockout:someone", 0)

    monkeypatch.setattr("feed.api.ForYouView.page_function", staticmethod(read_a_count))
    assert_unavailable_json(client.get(API))


def test_healthz_checks_nothing_and_readyz_checks_everything(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"},
    }
    with database_down():
        healthy = client.get("/healthz")
        assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert ready.json() == {
        "detail": "Not ready: database unavailable.",
        "checks": {"database": "unavailable", "cache": "ok", "broker": "ok", "storage": "ok"},
    }
    assert "5432" not in ready.content.decode()  # no host, port or error text leaks


def test_health_paths_answer_any_host_over_plain_http(settings):
    """A load balancer probes each instance by its address: no host check, no HTTPS redirect."""
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="10.0.0.7:8000")
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    assert probe.get("/api/schema/").status_code == 400  # everything else still checks the host
