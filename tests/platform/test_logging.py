"""Request ids and JSON-lines logs (stories_site/request_log.py): the id a request gets (or
brings), echoed back, on every log line of the request, in the header of every task it queues,
and on the log lines of that task in a real prefork worker."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest

from stories_site import request_log
from stories_site.celery import app
from stories_site.dev import synth
from tests.platform.observed_stack import json_lines, observed_stack

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The root logger's records as the production JSON handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request_log.JsonFormatter())
    handler.addFilter(request_log.RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


# --- the id --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_acceptable_id_is_echoed(client):
    for given in ("abc-123", "5f0c2b0e8d4a4c1f9b7e2a6d3c1b0a99", "edge.lb:42_x", "a" * 64):
        response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
        assert response["X-Request-ID"] == given


@pytest.mark.django_db
def test_an_unacceptable_id_is_replaced(client):
    for given in ("", "a" * 65, "has space", "new\nline", "quote'", "<script>", "é"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
        assert GENERATED.fullmatch(response["X-Request-ID"]), given
    first, second = (client.get("/healthz")["X-Request-ID"] for _ in range(2))
    assert GENERATED.fullmatch(first)
    assert first != second


# --- log lines -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id(client, json_log):
    logging.getLogger("before").warning("outside any request")
    client.get(f"/no-such-page-{uuid.uuid4().hex}/", HTTP_X_REQUEST_ID="req-404")
    lines = json_log()
    assert lines[0]["message"] == "outside any request"
    assert "request_id" not in lines[0]
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found, lines
    assert all(line["request_id"] == "req-404" for line in not_found)
    assert not_found[0]["level"] == "WARNING"
    assert not_found[0]["message"].startswith("Not Found: /no-such-page-")
    assert {"time", "level", "logger", "message"} <= set(not_found[0])


def test_exceptions_are_one_json_line(json_log):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("it broke")
    (line,) = json_log()
    assert line["message"] == "it broke"
    assert "ValueError: boom" in line["exception"]


def test_the_default_format_stays_readable(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert settings.STORIES_LOG_FORMAT == "plain"
    assert console["formatter"] == "plain"
    assert "request_id" in console["filters"]


# --- into the tasks a request queues -------------------------------------------------------


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task is never eager
def test_a_task_queued_during_a_request_carries_its_id_in_the_message():
    """Through the real broker (filesystem, or Redis in CI), on a queue of its own."""
    queue = f"log-test-{uuid.uuid4().hex[:8]}"
    token = request_log.request_id.set("req-queued")
    try:
        app.send_task("stories_site.ping", queue=queue, ignore_result=True)
    finally:
        request_log.request_id.reset(token)
    app.send_task("stories_site.ping", queue=queue, ignore_result=True)  # outside a request
    with app.connection_for_read() as connection:
        inbox = connection.SimpleQueue(queue)
        try:
            carried = [inbox.get(timeout=10), inbox.get(timeout=10)]
            for message in carried:
                message.ack()
        finally:
            inbox.queue.delete()
            inbox.close()
    # The filesystem broker does not promise the order of two messages sent in one instant.
    ids = sorted(str(message.headers.get(request_log.TASK_HEADER)) for message in carried)
    assert ids == ["None", "req-queued"]


def test_an_eager_task_logs_with_the_id_of_the_request_that_ran_it(json_log):
    token = request_log.request_id.set("req-eager")
    try:
        app.tasks["stories_site.ping"].apply(args=["x"])
        logging.getLogger("after").warning("back in the request")
    finally:
        request_log.request_id.reset(token)
    lines = json_log()
    done = [line for line in lines if line["logger"] == "celery.app.trace"]
    assert done, lines
    assert "succeeded" in done[0]["message"]
    assert (done[0]["request_id"], done[0]["task"]) == ("req-eager", "stories_site.ping")
    back = [line for line in lines if line["logger"] == "after"]
    assert back[0]["request_id"] == "req-eager"
    assert "task" not in back[0]


def test_a_worker_restores_the_carried_id_for_the_run_and_then_forgets_it():
    """What task_prerun and task_postrun do with a message's header in a worker."""

    class Delivered:  # what Celery makes of a message's headers: attributes of task.request
        id = "task-1"
        stories_request_id = "req-carried"

    tokens = request_log.task_started(Delivered(), "stories.tasks.process_story")
    assert request_log.request_id.get() == "req-carried"
    assert request_log.task.get() == ("stories.tasks.process_story", "task-1")
    request_log.task_finished(tokens)
    assert request_log.request_id.get() is None
    assert request_log.task.get() is None

    Delivered.stories_request_id = "bad id\nwith a newline"
    tokens = request_log.task_started(Delivered(), "x")
    assert request_log.request_id.get() is None  # a forged header is not logged as an id
    request_log.task_finished(tokens)


@pytest.mark.slow
def test_an_upload_and_its_encode_in_a_real_worker_log_the_same_id(tmp_path):
    photo = synth.make_photo(tmp_path / "photo.jpg", width=320, height=480)
    request_id = f"upload-{uuid.uuid4().hex[:12]}"
    with observed_stack(tmp_path / "stack") as stack:
        posted = stack.upload(photo, request_id)
        assert posted["status"] == 202, posted
        assert posted["request_id"] == request_id
        assert stack.wait_until_processed(posted["id"]) == "ready"
        stack.wait_until_task_succeeded("stories.tasks.process_story")
        lines = json_lines(stack.worker.log())
    assert lines, stack.worker.log()[-3000:]
    ours = [line for line in lines if line.get("request_id") == request_id]
    # The poster's renditions task, queued by the encode, may finish first: look for the encode's.
    done = [
        line
        for line in ours
        if "succeeded" in line["message"] and line.get("task") == "stories.tasks.process_story"
    ]
    assert done, lines[-20:]
    assert done[0]["task_id"]
    assert done[0]["task_id"] in done[0]["message"]
    # Worker lines of other work (start-up, the metrics server) carry no request id.
    assert any("request_id" not in line for line in lines)
