"""Prometheus metrics: what an operator needs to see inside a running site.

- `stories_http_requests_total{method,view,status}` and
  `stories_http_request_duration_seconds{method,view}`: request rate and latency, labelled by the
  URL pattern's name (`api:story-list`), never the raw path, so the number of series stays bounded.
- `stories_media_processing_seconds{outcome}`: how long each processing attempt took, observed
  by the media worker where the attempt ends (stories/services/processing.py).
- computed from the database and the broker at each scrape of /metrics:
  `stories_stories{state}`, `stories_purge_backlog` (stories the purge may take and has not yet),
  `stories_queue_messages{queue}` (messages waiting in the broker) with
  `stories_queue_metrics_up` (0 when the broker could not be read: the scrape still succeeds).

Where they are read (docs/operations.md, "Metrics"):

- the web process answers `GET /metrics` with `Authorization: Bearer $STORIES_METRICS_TOKEN`. No
  token configured: 404, as if there were no such page. It is answered first in MIDDLEWARE, like
  /healthz, so Prometheus can scrape each instance by its address over the private network.
- gunicorn's workers and Celery's pool children are separate processes. With
  PROMETHEUS_MULTIPROC_DIR set (one directory per host, shared by every Stories process on it),
  each process writes its counters and histograms there and any scrape adds them all up; a
  Celery worker on a host without a web process serves the same sum on
  STORIES_WORKER_METRICS_ADDRESS (host:port, no token: bind it to a private interface).
  The gauges come from the database at scrape time, so they need no sharing.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

METRICS_PATHS = {"/metrics", "/metrics/"}
QUEUES = ("default", "media")
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# The directory must exist before the first metric is written, or every request would fail; a
# tmpfs path (docs/operations.md) is empty and may be missing after a reboot.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUESTS = Counter(
    "stories_http_requests",
    "HTTP requests answered, by URL pattern name, method and status.",
    ["method", "view", "status"],
)
REQUEST_SECONDS = Histogram(
    "stories_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern name and method.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PROCESSING_SECONDS = Histogram(
    "stories_media_processing_seconds",
    "Time a processing attempt held its story, by how it ended "
    "(ready, failed, abandoned: the story moved on meanwhile; error: transient, retried).",
    ["outcome"],
    buckets=(0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1500),
)


def observe_processing(seconds: float, *, outcome: str) -> None:
    """One processing attempt ended after `seconds`: ready, failed, abandoned or error."""
    PROCESSING_SECONDS.labels(outcome=outcome).observe(seconds)


# --- requests ----------------------------------------------------------------------------------


class MetricsMiddleware:
    """First in MIDDLEWARE: counts and times every request, and answers /metrics itself (before
    the host check and the HTTPS redirect, so each instance can be scraped by its address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        if request.path in METRICS_PATHS and request.method in ("GET", "HEAD"):
            response = metrics_response(request)
        else:
            response = self.get_response(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        view = view_label(request)
        REQUEST_SECONDS.labels(method=method, view=view).observe(time.perf_counter() - started)
        REQUESTS.labels(method=method, view=view, status=str(response.status_code)).inc()
        return response


def view_label(request: HttpRequest) -> str:
    """The URL pattern's name (or its view's dotted path); a bounded set of values. Requests no
    pattern matched (404s for random paths, answers given by middleware) share a few labels."""
    if request.path in METRICS_PATHS:
        return "metrics"
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match._func_path
    if request.path.rstrip("/") in ("/healthz", "/readyz"):
        return request.path.strip("/")
    return "unmatched"


def metrics_response(request: HttpRequest) -> HttpResponse:
    """404 unless a token is configured; 401 without the right one; else the exposition text."""
    token = settings.STORIES_METRICS_TOKEN
    if not token:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse("A valid metrics token is needed.", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(with_site_gauges=True), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# --- exposition ----------------------------------------------------------------------------


class _ThisProcess:
    """The process's own default registry, when there is no multiprocess directory."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def exposition(*, with_site_gauges: bool) -> bytes:
    """The text Prometheus reads: this host's processes (or this process) plus, for the web
    process, the gauges read from the database and the broker."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    if with_site_gauges:
        registry.register(SiteCollector())
    return generate_latest(registry)


# Gauges an app reads from the database at each scrape, added by the app from its
# AppConfig.ready (stories/metrics.py: stories by state, the purge backlog). This module is
# plumbing below every app (settings' middleware and the Celery app load it), so it names none.
_site_gauges: list[Callable[[], Iterator[Metric]]] = []


def site_gauges_register(provider: Callable[[], Iterator[Metric]]) -> None:
    """Add an app's scrape-time gauges; registering the same provider twice adds it once."""
    if provider not in _site_gauges:
        _site_gauges.append(provider)


class SiteCollector:
    """Gauges computed at each scrape: the same for every instance, read from shared state."""

    def collect(self) -> Iterator[Metric]:
        for provider in _site_gauges:
            yield from provider()
        yield from queue_gauges()


def queue_gauges() -> Iterator[Metric]:
    """Messages waiting in each Celery queue (Redis: the list's length; the filesystem broker of
    `make run`: its message files). A broker that cannot be read gives up=0, not a failed scrape."""
    depth = GaugeMetricFamily(
        "stories_queue_messages", "Messages waiting in the broker, by Celery queue.", labels=["queue"]
    )
    try:
        for queue, count in queue_depths().items():
            depth.add_metric([queue], count)
    except Exception as exc:  # any broker failure: report it as a value, never fail the scrape
        logger.warning("Could not read the queue depths: %r", exc)
        yield GaugeMetricFamily("stories_queue_metrics_up", "1 when the broker could be read.", value=0)
        return
    yield depth
    yield GaugeMetricFamily("stories_queue_metrics_up", "1 when the broker could be read.", value=1)


def queue_depths() -> dict[str, int]:
    from stories_site.celery import app

    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        channel = connection.default_channel
        # A (non-passive) declare of a virtual transport's queue creates nothing and reports its
        # size: the sum of the priority lists on Redis, the message files on the filesystem.
        return {queue: int(channel.queue_declare(queue=queue).message_count) for queue in QUEUES}


# --- Celery workers ------------------------------------------------------------------------


def serve_worker_metrics(address: str) -> None:
    """Serve this host's metrics (no site gauges, no token) on `address` ("host:port") from a
    thread of the Celery worker's main process. Called once the worker is ready."""
    host, _, port = address.rpartition(":")
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), _WorkerMetricsHandler)
    Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    logger.info("Worker metrics on http://%s:%s/metrics", host or "127.0.0.1", port)


class _WorkerMetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?")[0] not in METRICS_PATHS:
            self.send_error(404)
            return
        body = exposition(with_site_gauges=False)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        """Scrapes every 15 s are not worth a log line each."""
