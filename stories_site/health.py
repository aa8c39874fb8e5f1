"""Health endpoints, and what a request gets while the database or Redis is down.

- `/healthz`: the process is alive and serving; it checks no dependency, so an outage elsewhere
  never gets a healthy web process restarted.
- `/readyz`: the database, the cache, the broker and the storage answer; otherwise 503 with the
  name of each one that failed (never the error itself: no host names or credentials leak).

Both are answered by HealthCheckMiddleware, first in MIDDLEWARE, before the host check, the
HTTPS redirect, sessions or anything else that could touch a dependency.

An outage (the database or Redis unreachable) is answered 503 with `Retry-After`, never 500: JSON
`{"detail": ...}` under /api/, a plain page elsewhere. OutageMiddleware catches it from views
(DRF's exception handler leaves these errors alone, so they reach it); `outage_aware` wraps
handler500 for failures in middleware (a session or a signed-in person read from the database).
Throttling is the exception: ThrottleCache lets requests through unthrottled while Redis is down,
so an outage of the cache never fails an upload or a feed.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis.exceptions
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
OUTAGE_ERRORS = (OperationalError, InterfaceError, *REDIS_ERRORS)
RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "The service is briefly unavailable. Please try again in a moment."
HEALTH_PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, else the plain page. The page is rendered without
    the request, so no context processor runs (they read the database that is down)."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """Last in MIDDLEWARE: turns an outage raised by a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.error("%s %s: a dependency is unavailable: %r", request.method, request.path, exception)
        return unavailable_response(request)


def outage_aware(handler: Callable[..., HttpResponse] | str) -> Callable[..., HttpResponse]:
    """Wrap handler500 (a view or its dotted path): Django calls it while handling the
    exception, so sys.exc_info() tells an outage (answered 503) from a bug (answered by `handler`)."""

    def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_outage(sys.exc_info()[1]):
            return unavailable_response(request)
        view = import_string(handler) if isinstance(handler, str) else handler
        return view(request, *args, **kwargs)

    server_error.__doc__ = f"503 for an outage, else {handler}."
    return server_error


# --- /healthz and /readyz --------------------------------------------------------------------


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the health paths before anything else runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            return healthz() if request.path.startswith("/healthz") else readyz()
        return self.get_response(request)


def healthz() -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def readyz() -> JsonResponse:
    checks = {name: _run(check) for name, check in CHECKS.items()}
    failed = [name for name, result in checks.items() if result != "ok"]
    if not failed:
        return _no_store(JsonResponse({"status": "ok", "checks": checks}))
    response = JsonResponse(
        {"detail": f"Not ready: {', '.join(failed)} unavailable.", "checks": checks}, status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return _no_store(response)


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def _run(check: Callable[[], None]) -> str:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:
        logger.warning(
            "Readiness check %s failed after %.1f s: %r", check.__name__, time.monotonic() - started, exc
        )
        return "unavailable"
    return "ok"


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """A round trip to Redis, else a set and a get."""
    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is not None:
        client(write=True).ping()
        return
    cache.set("readyz", "ok", 10)
    if cache.get("readyz") != "ok":
        raise RuntimeError("the cache lost a value it was just given")


def check_broker() -> None:
    from stories_site.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def check_storage() -> None:
    """S3: a listing of the bucket's top level. Local files: the folder is there (or can be made,
    as the first upload would) and writable."""
    if isinstance(default_storage, FileSystemStorage):
        root = Path(default_storage.location)
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK | os.X_OK):
            raise PermissionError(f"{root} is not writable")
        return
    default_storage.listdir("")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


# --- Throttling while Redis is down ----------------------------------------------------------


class ThrottleCache:
    """The default cache as DRF's throttles see it: reads miss and writes are dropped while Redis
    is unreachable, so a request goes through unthrottled instead of failing. Rate limits guard
    the site; they must not turn a Redis outage into failed uploads and feeds.

    Only the throttles get this view. Everything else that uses the cache, the log-in lockout
    counts above all, still fails (503) while Redis is down, so an outage never lifts a lockout."""

    _last_warning = 0.0

    def _unreachable(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - ThrottleCache._last_warning > 60:  # one line a minute, not one per request
            ThrottleCache._last_warning = now
            logger.warning("Cache unreachable: requests go unthrottled until it is back: %r", exc)

    def get(self, key, default=None, version=None):
        try:
            return cache.get(key, default, version)
        except REDIS_ERRORS as exc:
            self._unreachable(exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            cache.set(key, value, timeout, version)
        except REDIS_ERRORS as exc:
            self._unreachable(exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """Set the key only if it is absent (atomic: SET NX on Redis); True when it was set, and
        True while the cache is unreachable, so an outage lets the action through."""
        try:
            return cache.add(key, value, timeout, version)
        except REDIS_ERRORS as exc:
            self._unreachable(exc)
            return True

    def __getattr__(self, name: str):
        return getattr(cache, name)


# DRF's throttles (and their subclasses in the apps) read `SimpleRateThrottle.cache`. This module
# is imported when Django loads MIDDLEWARE, before any request is served.
SimpleRateThrottle.cache = ThrottleCache()
