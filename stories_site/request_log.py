"""Request ids and JSON-lines logs.

Every request gets an id: the caller's `X-Request-ID` when it is short and made of safe
characters (a proxy's `$request_id`, a client's own), otherwise a new one. It is echoed in the
response's `X-Request-ID`, added to every log record made while the request is served, and sent
along with every Celery task the request queues (a message header, `stories_request_id`), so the
worker's log lines for that task carry it too. One grep finds an upload's request, its encode
and its failure.

With STORIES_LOG_FORMAT=json, the site and the Celery workers log one JSON object a line
(time, level, logger, message, request_id, task, task_id, exception); otherwise the
human-readable lines `make run` shows.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "stories_request_id"
# Short and safe to print anywhere (a log line, a header): no spaces, quotes or control characters.
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("task", default=None)


def accepted_id(value: str | None) -> str:
    """The caller's id when it is acceptable, else a new one."""
    if value and VALID_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every later log line of the request, health checks included,
    carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current = accepted_id(request.headers.get(HEADER))
        request.request_id = current
        # Not reset on the way out: Django logs a 4xx/5xx ("Not Found: ...") after the whole
        # middleware chain has returned. request_finished clears it once the response is done.
        request_id.set(current)
        response = self.get_response(request)
        response[HEADER] = current
        return response


@receiver(request_finished)
def _request_done(**kwargs) -> None:
    request_id.set(None)


# --- logging ---------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds `request_id`, `task` and `task_id` to every record (None outside a request or task),
    so any formatter may use them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        running = task.get()
        record.task, record.task_id = running if running else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; keys with no value are left out."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        running = task.get()
        if running:
            entry["task"], entry["task_id"] = running
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps({k: v for k, v in entry.items() if v is not None}, default=str)


def use_json_logs(logger: logging.Logger) -> None:
    """Give the handlers Celery installed on `logger` the JSON format and the request id."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


# --- Celery ------------------------------------------------------------------------------------


def add_task_header(headers: dict[str, Any] | None) -> None:
    """before_task_publish: a task queued while serving a request (or running a task that
    carries an id) carries the same id."""
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault(TASK_HEADER, current)


def task_started(task_request: Any, task_name: str) -> list[contextvars.Token]:
    """task_prerun: the id the message carried (if any), and the task, for the log lines of this
    run. Tokens to give back to `task_finished`."""
    tokens = [task.set((task_name, getattr(task_request, "id", None) or ""))]
    carried = getattr(task_request, TASK_HEADER, None)
    if isinstance(carried, str) and VALID_ID.fullmatch(carried):
        tokens.append(request_id.set(carried))
    return tokens


def task_finished(tokens: list[contextvars.Token]) -> None:
    """task_postrun: back to what was current before the task (an eager task runs inside the
    request that queued it, whose id must stay)."""
    for token in reversed(tokens):
        with contextlib.suppress(ValueError):  # a token from another context: nothing to undo
            token.var.reset(token)
