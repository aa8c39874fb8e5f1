"""Prometheus metrics (stories_site/observability.py): /metrics behind its token, request counts
and latency by view, the gauges read at scrape time, and the processing histogram observed by a
real prefork worker and added up across processes through PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from stories import services, tasks
from stories.lifecycle import State
from stories_site import observability
from stories_site.celery import app
from stories_site.dev import synth
from tests.factories import UserFactory
from tests.platform import processes
from tests.platform.observed_stack import observed_stack
from tests.stories.factories import ReadyStoryFactory, StoryFactory

TOKEN = "scrape-" + "x" * 24


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of an exposition text."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def scrape(client, settings):
    settings.STORIES_METRICS_TOKEN = TOKEN

    def get() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        return samples(response.content.decode())

    return get


# --- the endpoint ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_configured_token_there_is_no_metrics_page(client, settings):
    settings.STORIES_METRICS_TOKEN = ""
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}, {"HTTP_AUTHORIZATION": "Bearer anything"}):
        response = client.get("/metrics", **headers)
        assert response.status_code == 404
        assert b"stories_" not in response.content


@pytest.mark.django_db
def test_the_token_is_required(client, settings):
    settings.STORIES_METRICS_TOKEN = TOKEN
    for headers in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"},
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
    ):
        response = client.get("/metrics", **headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"stories_" not in response.content
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_metrics_answer_before_the_host_check_and_the_https_redirect(client, settings):
    """Prometheus scrapes each instance by its address, over the private network."""
    settings.STORIES_METRICS_TOKEN = TOKEN
    settings.ALLOWED_HOSTS = ["stories.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/metrics", HTTP_HOST="10.0.0.5:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # the rest still checks


# --- request rate and latency --------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_view_not_by_path(client, scrape):
    stories = [ReadyStoryFactory() for _ in range(2)]
    before = scrape()
    for story in stories:
        assert client.get(f"/api/v1/stories/{story.pk}/").status_code == 200
    assert client.get(f"/api/v1/stories/{uuid.uuid4()}/").status_code == 404
    after = scrape()
    labels = {"method": "GET", "view": "api:story-detail"}
    assert value(after, "stories_http_requests_total", status="200", **labels) == (
        value(before, "stories_http_requests_total", status="200", **labels) + 2
    )
    assert value(after, "stories_http_requests_total", status="404", **labels) == (
        value(before, "stories_http_requests_total", status="404", **labels) + 1
    )
    count = "stories_http_request_duration_seconds_count"
    assert value(after, count, **labels) == value(before, count, **labels) + 3
    assert value(after, "stories_http_request_duration_seconds_sum", **labels) > value(
        before, "stories_http_request_duration_seconds_sum", **labels
    )
    # No raw path (a story id) ever becomes a label value.
    assert not any(str(story.pk) in repr(key) for story in stories for key in after)


@pytest.mark.django_db
def test_paths_no_pattern_matched_share_one_label(client, scrape):
    before = scrape()
    for _ in range(3):
        client.get(f"/no-such-page-{uuid.uuid4().hex}/")
    after = scrape()
    key = {"method": "GET", "view": "unmatched", "status": "404"}
    assert (
        value(after, "stories_http_requests_total", **key)
        == value(before, "stories_http_requests_total", **key) + 3
    )


# --- gauges read at scrape time ------------------------------------------------------------


@pytest.mark.django_db
def test_stories_by_state_and_the_purge_backlog(scrape):
    ReadyStoryFactory.create_batch(3)
    StoryFactory()  # processing
    now = timezone.now()
    expired = ReadyStoryFactory(state=State.EXPIRED, expires_at=now - timedelta(hours=1))
    StoryFactory(state=State.FAILED, state_changed_at=now - timedelta(hours=30))
    StoryFactory(state=State.FAILED, state_changed_at=now)  # kept a day for its author to see
    found = scrape()
    assert value(found, "stories_stories", state="ready") == 3
    assert value(found, "stories_stories", state="processing") == 1
    assert value(found, "stories_stories", state="expired") == 1
    assert value(found, "stories_stories", state="failed") == 2
    assert value(found, "stories_stories", state="deleted") == 0
    assert value(found, "stories_purge_backlog") == 2
    services.stories_purge_backlog()
    found = scrape()
    assert value(found, "stories_purge_backlog") == 0
    assert value(found, "stories_stories", state="expired") == 0, expired.pk


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task is never eager
def test_queue_depth_counts_messages_waiting_in_the_broker(scrape, monkeypatch):
    """On whichever broker the suite runs (the filesystem one, or Redis in CI): a queue of its
    own, so no other test's worker takes the messages."""
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(observability, "QUEUES", (queue,))
    assert value(scrape(), "stories_queue_messages", queue=queue) == 0
    for _ in range(2):
        app.send_task("stories_site.ping", queue=queue, ignore_result=True)
    try:
        found = scrape()
        assert value(found, "stories_queue_messages", queue=queue) == 2
        assert value(found, "stories_queue_metrics_up") == 1
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)


@pytest.mark.django_db
def test_an_unreachable_broker_is_reported_not_a_failed_scrape(scrape, monkeypatch):
    monkeypatch.setitem(app.conf, "broker_read_url", "redis://127.0.0.1:9/0")  # the discard port
    found = scrape()
    assert value(found, "stories_queue_metrics_up") == 0
    assert not any(name == "stories_queue_messages" for name, _ in found)
    assert value(found, "stories_stories", state="ready") == 0  # the rest is still there


# --- the processing histogram --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_processed_story_is_observed_in_this_process(tmp_path):
    labels = {"outcome": "ready"}
    before = REGISTRY.get_sample_value("stories_media_processing_seconds_count", labels) or 0
    author = UserFactory()
    photo = synth.make_photo(tmp_path / "photo.jpg", width=320, height=480)
    with photo.open("rb") as handle:
        story = services.story_create(
            author=author, upload=handle, options=services.story_options_clean(author=author), enqueue=False
        )
    tasks.process_story.apply(args=[str(story.pk)])
    story.refresh_from_db()
    assert story.state == State.READY
    assert REGISTRY.get_sample_value("stories_media_processing_seconds_count", labels) == before + 1
    assert REGISTRY.get_sample_value("stories_media_processing_seconds_sum", labels) > 0


@pytest.mark.slow
def test_a_prefork_worker_reports_processing_time_across_processes(tmp_path):
    """The attempt runs in the worker's pool child; the worker's main process serves the sum on
    its metrics address, and the site's /metrics on the same host (another process, sharing
    PROMETHEUS_MULTIPROC_DIR) shows the same, plus the upload request counted by a third."""
    photo = synth.make_photo(tmp_path / "photo.jpg", width=320, height=480)
    with observed_stack(tmp_path / "stack") as stack:
        status, body = stack.scrape_worker()
        assert status == 200
        assert value(samples(body), "stories_media_processing_seconds_count", outcome="ready") == 0
        posted = stack.upload(photo, "upload-1")
        assert posted["status"] == 202, posted
        assert stack.wait_until_processed(posted["id"]) == "ready"
        stack.wait_until_task_succeeded("stories.tasks.make_renditions")

        status, body = stack.scrape_worker()
        assert status == 200
        worker = samples(body)
        assert value(worker, "stories_media_processing_seconds_count", outcome="ready") == 1
        assert 0 < value(worker, "stories_media_processing_seconds_sum", outcome="ready") < 120
        assert not any(name == "stories_stories" for name, _ in worker)  # site gauges: web only

        scraped = stack.scrape_site()
        assert scraped["status"] == 200
        site = samples(scraped["body"])
        assert value(site, "stories_media_processing_seconds_count", outcome="ready") == 1
        assert value(site, "stories_stories", state="ready") == 1
        assert value(site, "stories_queue_messages", queue="media") == 0
        assert (
            value(site, "stories_http_requests_total", method="POST", view="api:story-list", status="202")
            == 1
        )


def test_a_missing_multiprocess_directory_is_made_not_a_failed_request(tmp_path):
    """After a reboot the tmpfs directory may be gone: requests must not fail for it."""
    directory = tmp_path / "run" / "stories-metrics"
    env = processes.clean_env(
        DEBUG="1",
        STORIES_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="stories_site.settings",
        PROMETHEUS_MULTIPROC_DIR=str(directory),
    )
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "print(Client().get('/healthz', HTTP_HOST='127.0.0.1').status_code)\n"
    )
    done = processes.run([processes.PYTHON, "-c", code], env=env, cwd=tmp_path)
    assert done.stdout.strip().splitlines()[-1] == "200"
    assert list(directory.glob("*.db")), "the request was counted in the directory"
