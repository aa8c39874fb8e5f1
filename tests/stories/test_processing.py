"""Processing attempts under a lease: exclusive claims, the heartbeat, the attempt cap, permanent
failures (timeouts, crashing decoders), the sweeper, and uploads while the broker is down."""

import os
import stat
import threading
import time
from datetime import timedelta
from pathlib import Path

import kombu.exceptions
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from stories import lifecycle, media, services, tasks
from stories.lifecycle import LeaseLost, State
from stories.media.errors import UNREADABLE
from stories.models import Story
from stories.services import processing
from tests.factories import UserFactory
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author():
    return UserFactory()


@pytest.fixture
def upload(author, rotated_photo_with_gps):
    """A committed photo upload whose message was never sent (as if the broker were down)."""

    def make(path: Path = rotated_photo_with_gps) -> Story:
        options = services.story_options_clean(author=author)
        with path.open("rb") as handle:
            return services.story_create(author=author, upload=handle, options=options, enqueue=False)

    return make


@pytest.fixture
def sent(monkeypatch):
    """Record processing messages instead of running them (tests run tasks eagerly otherwise)."""
    messages: list[str] = []
    monkeypatch.setattr(tasks.process_story, "apply_async", lambda args, **kw: messages.append(args[0]))
    return messages


def lapse(story: Story, **fields) -> None:
    Story.objects.filter(pk=story.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1), lease_token="a" * 32, **fields
    )


# --- claims ------------------------------------------------------------------------------------


def test_a_claim_is_exclusive_until_the_lease_lapses(upload):
    story = upload()
    first = lifecycle.claim(story.pk)
    assert first is not None
    assert first.attempt == 1
    assert lifecycle.claim(story.pk) is None  # a second message for the same story does nothing
    assert Story.objects.get(pk=story.pk).processing_attempts == 1

    Story.objects.filter(pk=story.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = lifecycle.claim(story.pk)
    assert second is not None
    assert (second.attempt, second.token != first.token) == (2, True)
    # The first attempt lost its story: it may neither renew nor publish.
    assert lifecycle.renew(first) is False
    with pytest.raises(LeaseLost):
        lifecycle.transition(story, State.READY, lease_token=first.token)
    lifecycle.transition(story, State.READY, lease_token=second.token)
    row = Story.objects.get(pk=story.pk)
    assert (row.state, row.lease_token, row.lease_expires_at) == (State.READY, "", None)


def test_a_story_no_longer_processing_is_never_claimed(upload, author):
    story = upload()
    services.story_delete(story=story, by=author)
    assert lifecycle.claim(story.pk) is None


@pytest.mark.postgres
def test_racing_claims_have_one_winner(upload):
    story = upload()
    barrier = threading.Barrier(8)
    won: list[object] = []

    def race() -> None:
        barrier.wait()
        try:
            if lifecycle.claim(story.pk) is not None:
                won.append(True)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert Story.objects.get(pk=story.pk).processing_attempts == 1


def test_the_heartbeat_moves_the_deadline_and_stops_when_the_lease_is_lost(upload, settings):
    settings.STORIES_HEARTBEAT_SECONDS = 0.05
    story = upload()
    lease = lifecycle.claim(story.pk)
    with processing.Heartbeat(lease) as heartbeat:
        time.sleep(0.5)
        renewed = Story.objects.get(pk=story.pk).lease_expires_at
        assert renewed > lease.expires_at
        Story.objects.filter(pk=story.pk).update(lease_token="b" * 32)  # another attempt took over
        deadline = time.monotonic() + 5
        while not heartbeat.lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heartbeat.lost
    assert Story.objects.get(pk=story.pk).lease_token == "b" * 32


# --- how attempts end --------------------------------------------------------------------------


def test_a_transient_error_retries_and_the_next_attempt_succeeds(upload, monkeypatch):
    real_probe = media.probe
    calls = []

    def flaky_probe(path):
        calls.append(path)
        if len(calls) == 1:
            raise media.TransientMediaError("disk full")
        return real_probe(path)

    monkeypatch.setattr(media, "probe", flaky_probe)
    story = upload()
    tasks.process_story.apply(args=[str(story.pk)], throw=False)  # the retry runs eagerly, inline
    story.refresh_from_db()
    assert len(calls) == 2
    assert (story.state, story.processing_attempts, story.lease_token) == (State.READY, 2, "")


def test_endless_transient_errors_stop_at_the_attempt_cap(upload, monkeypatch):
    calls = []

    def broken_disk(path):
        calls.append(path)
        raise media.TransientMediaError("disk full")

    monkeypatch.setattr(media, "probe", broken_disk)
    story = upload()
    for _ in range(5):  # each retry the task would make; a failed attempt frees the lease at once
        try:
            services.story_process(story_id=story.pk)
        except media.TransientMediaError:
            assert Story.objects.get(pk=story.pk).lease_token == ""
    story.refresh_from_db()
    assert len(calls) == services.MAX_PROCESSING_ATTEMPTS == 3
    assert story.state == State.FAILED
    assert story.failure_reason == processing.TOO_MANY_ATTEMPTS
    assert stored_files() == set()  # the original went with the failure


def test_a_timeout_fails_the_story_at_once(upload, monkeypatch):
    calls = []

    def too_slow(path):
        calls.append(path)
        raise media.MediaTimeout("ffprobe ran longer than 30 s and was stopped.")

    monkeypatch.setattr(media, "probe", too_slow)
    story = upload()
    tasks.process_story.apply(args=[str(story.pk)], throw=False)
    story.refresh_from_db()
    assert len(calls) == 1  # the same file would time out again: no retry
    assert (story.state, story.failure_reason) == (State.FAILED, processing.TIMED_OUT)
    assert "ffprobe" not in story.failure_reason


def test_a_crashing_decoder_fails_the_story_at_once(upload, settings, tmp_path, h264_clip):
    """A real child that dies of SIGSEGV, as a decoder crashing on a hostile file would."""
    crashing = tmp_path / "ffprobe"
    crashing.write_text(f"#!/bin/sh\necho called >> {tmp_path / 'calls'}\nkill -SEGV $$\n")
    crashing.chmod(crashing.stat().st_mode | stat.S_IXUSR)
    settings.FFPROBE_BINARY = str(crashing)
    settings.STORIES_PROBE_BACKEND = "auto"
    story = upload(h264_clip)
    tasks.process_story.apply(args=[str(story.pk)], throw=False)
    story.refresh_from_db()
    assert (tmp_path / "calls").read_text().count("called") == 1
    assert story.state == State.FAILED
    assert story.processing_attempts == 1
    assert story.failure_reason == UNREADABLE


def test_the_fourth_claim_fails_the_story(upload):
    story = upload()
    Story.objects.filter(pk=story.pk).update(processing_attempts=3)
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert (story.state, story.failure_reason) == (State.FAILED, processing.TOO_MANY_ATTEMPTS)


def test_an_attempt_that_lost_its_lease_does_not_publish(upload, monkeypatch):
    """The sweeper handed the story to a new attempt while this one still ran: only one wins."""
    real_probe = media.probe

    def probe_while_taken_over(path):
        Story.objects.filter(pk=story.pk).update(lease_token="c" * 32)
        return real_probe(path)

    monkeypatch.setattr(media, "probe", probe_while_taken_over)
    story = upload()
    services.story_process(story_id=story.pk)
    row = Story.objects.get(pk=story.pk)
    assert (row.state, row.media.name, row.lease_token) == (State.PROCESSING, "", "c" * 32)
    assert stored_files() == {row.original.name}  # its outputs went; the original stays


# --- the sweeper -------------------------------------------------------------------------------


def test_the_sweeper_requeues_lapsed_leases_and_fails_used_up_stories(upload, sent):
    lapsed = upload()
    lapse(lapsed, processing_attempts=1, dispatched_at=timezone.now())
    used_up = upload()
    lapse(used_up, processing_attempts=3, dispatched_at=timezone.now())
    working = upload()
    assert lifecycle.claim(working.pk) is not None

    assert services.stories_requeue_stuck() == 2
    assert sent == [str(lapsed.pk)]
    row = Story.objects.get(pk=lapsed.pk)
    assert (row.state, row.lease_token, row.lease_expires_at) == (State.PROCESSING, "", None)
    assert row.dispatched_at is not None
    row = Story.objects.get(pk=used_up.pk)
    assert (row.state, row.failure_reason) == (State.FAILED, processing.TOO_MANY_ATTEMPTS)
    assert Story.objects.get(pk=working.pk).lease_token != ""  # a live lease is left alone


def test_the_sweeper_leaves_stories_waiting_in_the_backlog_alone(upload, sent, settings):
    waiting = upload()
    Story.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=30),
        dispatched_at=timezone.now() - timedelta(minutes=30),
    )
    just_posted = upload()  # its own request is sending it right now
    assert services.stories_requeue_stuck() == 0
    assert sent == []

    # Unclaimed long past the safety net: the message is taken for lost and sent again.
    Story.objects.filter(pk=waiting.pk).update(
        dispatched_at=timezone.now() - timedelta(seconds=settings.STORIES_REDISPATCH_SECONDS + 1)
    )
    Story.objects.filter(pk=just_posted.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert services.stories_requeue_stuck() == 2
    assert sorted(sent) == sorted([str(waiting.pk), str(just_posted.pk)])
    assert services.stories_requeue_stuck() == 0  # sent now: not again on the next sweep


def test_a_requeued_story_is_processed_by_its_next_attempt(upload):
    story = upload()
    lapse(story, processing_attempts=1)
    assert services.stories_requeue_stuck() == 1  # eager: the message runs at once
    story.refresh_from_db()
    assert (story.state, story.processing_attempts) == (State.READY, 2)


# --- the broker down at upload -----------------------------------------------------------------


def test_an_upload_while_the_broker_is_down_is_kept_and_sent_later(
    author, rotated_photo_with_gps, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.process_story, "apply_async", broker_down)
    api = APIClient()
    api.force_authenticate(author)
    with rotated_photo_with_gps.open("rb") as handle:
        response = api.post(reverse("api:story-list"), {"media": handle}, format="multipart")
    assert response.status_code == 202, response.content
    story = Story.objects.get(pk=response.json()["id"])
    assert (story.state, story.dispatched_at) == (State.PROCESSING, None)
    assert stored_files() == {story.original.name}

    monkeypatch.undo()  # the broker is back
    Story.objects.filter(pk=story.pk).update(created_at=timezone.now() - processing.DISPATCH_GRACE)
    assert services.stories_requeue_stuck() == 1
    story.refresh_from_db()
    assert story.state == State.READY


def test_an_unexpected_error_while_queueing_never_fails_the_upload(
    author, rotated_photo_with_gps, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("something nobody planned for")

    monkeypatch.setattr(tasks.process_story, "apply_async", broken)
    api = APIClient()
    api.force_authenticate(author)
    with rotated_photo_with_gps.open("rb") as handle:
        response = api.post(reverse("api:story-list"), {"media": handle}, format="multipart")
    assert response.status_code == 202, response.content
    story = Story.objects.get(pk=response.json()["id"])
    assert stored_files() == {story.original.name}


# --- scratch directories -----------------------------------------------------------------------


def _hold_directory_in_child(path_file: Path, hold: bool) -> int:
    """A real child process that makes a scratch directory and then exits (its lock goes with it)
    or keeps it (its lock stays). Returns its pid."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        with services.work_directory() as path:
            path_file.write_text(str(path))
            (path / "half-written.mp4").write_bytes(b"x" * 1000)
            os.write(write_end, b"1")
            if hold:
                time.sleep(60)
            os._exit(0)  # no cleanup: as if killed
    os.close(write_end)
    os.read(read_end, 1)
    os.close(read_end)
    return pid


def test_workers_clear_scratch_directories_of_dead_encodes_only(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    dead_pid = _hold_directory_in_child(tmp_path / "dead", hold=False)
    os.waitpid(dead_pid, 0)
    live_pid = _hold_directory_in_child(tmp_path / "live", hold=True)
    try:
        dead = Path((tmp_path / "dead").read_text())
        live = Path((tmp_path / "live").read_text())
        assert dead.exists()
        assert live.exists()
        assert services.work_dirs_clear_abandoned() == 1
        assert not dead.exists()
        assert (live / "half-written.mp4").exists()
    finally:
        os.kill(live_pid, 9)
        os.waitpid(live_pid, 0)
    assert services.work_dirs_clear_abandoned() == 1  # its owner died too
    assert not live.exists()
