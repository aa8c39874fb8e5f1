"""Scheduled stories (issue 17 item 1), below the API: the state machine's new moves, processing
into `scheduled` (or straight to ready when the time has come), the beat sweep going live on
time with the clock moved (time-machine, no sleeping), the ETA task and the sweep racing, and
rescheduling while a clip is still being processed.

Uploads are real photos through the real pipeline (processed inline, CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from feed.models import Notification
from stories import lifecycle, services, tasks
from stories.lifecycle import State
from stories.models import Story
from stories.services import scheduling
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 160), (40, 90, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def schedule(author, publish_at, *, process: bool = True, **options) -> Story:
    """Post a photo story for `publish_at` as an upload does; processed at once unless told not."""
    cleaned = services.story_options_clean(author=author, publish_at=publish_at, **options)
    story = services.story_create(author=author, upload=photo(), options=cleaned, enqueue=False)
    if process:
        services.story_process(story_id=story.pk)
    story.refresh_from_db()
    return story


# --- the state machine -------------------------------------------------------------------------


def test_scheduled_is_a_state_of_the_one_state_machine():
    assert lifecycle.can_transition(State.PROCESSING, State.SCHEDULED)
    for target in (State.READY, State.DELETED, State.REMOVED):
        assert lifecycle.can_transition(State.SCHEDULED, target)
    for target in (State.EXPIRED, State.FAILED, State.PROCESSING):
        assert not lifecycle.can_transition(State.SCHEDULED, target)
    assert not lifecycle.can_transition(State.READY, State.SCHEDULED)


def test_a_transition_with_a_condition_that_does_not_hold_changes_nothing():
    story = schedule(UserFactory(), timezone.now() + timedelta(hours=2))
    assert story.state == State.SCHEDULED
    with pytest.raises(lifecycle.ConditionNotMet):
        lifecycle.transition(story, State.READY, where=Q(publish_at__lte=timezone.now()))
    assert Story.objects.get(pk=story.pk).state == State.SCHEDULED


# --- processing --------------------------------------------------------------------------------


def test_a_scheduled_story_is_processed_at_once_and_waits():
    author = UserFactory()
    when = timezone.now() + timedelta(hours=3)
    story = schedule(author, when, lifetime_hours="6")
    assert story.state == State.SCHEDULED
    assert story.media, "processed now, so it is ready on time"
    assert not story.original, "the original goes once processed, as for any story"
    assert story.publish_at == when
    assert story.published_at is None
    assert story.expires_at is None


def test_processing_that_ends_after_publish_at_goes_straight_to_ready():
    author = UserFactory()
    start = timezone.now()
    story = schedule(author, start + timedelta(minutes=1), process=False)
    later = start + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert story.state == State.READY
    assert story.published_at == later
    assert story.expires_at == later + timedelta(hours=story.lifetime_hours)


def test_a_reschedule_during_processing_is_what_processing_obeys():
    """The processing reads publish_at in its own UPDATE, not from the copy it loaded before
    encoding: a story moved to tomorrow while its clip encoded must not go live now."""
    author = UserFactory()
    start = timezone.now()
    story = schedule(author, start + timedelta(minutes=1), process=False)
    scheduling.story_reschedule(story=story, publish_at=start + timedelta(days=1), by=author)
    stale = Story.objects.get(pk=story.pk)
    stale.publish_at = start + timedelta(minutes=1)  # what a worker that loaded it earlier holds
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        lease = lifecycle.claim(story.pk)
        scheduling.story_finish_processing(story=stale, lease_token=lease.token, media="stories/x.jpg")
    story.refresh_from_db()
    assert story.state == State.SCHEDULED
    assert story.publish_at == start + timedelta(days=1)


# --- going live on time ------------------------------------------------------------------------


def test_the_beat_sweep_publishes_on_time_with_the_clock_moved():
    author, friend = UserFactory(), UserFactory(username="mentioned")
    start = timezone.now()
    when = start + timedelta(hours=5)
    story = schedule(
        author, when, lifetime_hours="12", stickers=[{"type": "mention", "username": friend.username}]
    )
    assert story.state == State.SCHEDULED

    with time_machine.travel(when - timedelta(seconds=30), tick=False):
        assert tasks.publish_due_stories() == 0
    assert Story.objects.get(pk=story.pk).state == State.SCHEDULED

    went_live = when + timedelta(seconds=20)  # the sweep runs every minute: within 60 s
    with time_machine.travel(went_live, tick=False):
        assert tasks.publish_due_stories() == 1
        assert tasks.publish_due_stories() == 0, "a second sweep finds nothing to do"
        assert tasks.publish_story(str(story.pk)) is False, "the ETA task arriving late does nothing"
    story.refresh_from_db()
    assert story.state == State.READY
    assert story.published_at == went_live, "published_at: the moment it actually went live"
    assert story.expires_at == went_live + timedelta(hours=12)
    assert (
        Notification.objects.filter(recipient=friend, kind=Notification.Kind.MENTION, story=story).count()
        == 1
    )


def test_the_eta_task_publishes_only_once_its_time_has_come():
    story = schedule(UserFactory(), timezone.now() + timedelta(hours=1))
    assert tasks.publish_story(str(story.pk)) is False  # early (a stale message): nothing happens
    assert Story.objects.get(pk=story.pk).state == State.SCHEDULED
    with time_machine.travel(story.publish_at, tick=False):
        assert tasks.publish_story(str(story.pk)) is True
    assert Story.objects.get(pk=story.pk).state == State.READY


def test_the_sweep_sends_the_eta_tasks_falling_due_before_the_next_sweep(monkeypatch):
    author = UserFactory()
    start = timezone.now()
    soon = schedule(author, start + timedelta(minutes=10))
    later = schedule(author, start + timedelta(hours=2))
    sent: list[tuple[list, object]] = []
    monkeypatch.setattr(
        tasks.publish_story, "apply_async", lambda args, eta: sent.append((args, eta)), raising=False
    )
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert tasks.publish_due_stories() == 0
    assert sent == [([str(soon.pk)], soon.publish_at)]
    assert set(Story.objects.values_list("state", flat=True)) == {State.SCHEDULED}
    assert later.publish_at > start + timedelta(minutes=9) + scheduling.ETA_WINDOW


def test_a_broker_that_is_down_leaves_the_sweep_to_publish(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.publish_story, "apply_async", down, raising=False)
    story = schedule(UserFactory(), timezone.now() + timedelta(minutes=10))
    with time_machine.travel(story.publish_at - timedelta(seconds=30), tick=False):
        assert tasks.publish_due_stories() == 0  # could not send the ETA task: no error
    with time_machine.travel(story.publish_at + timedelta(seconds=5), tick=False):
        assert tasks.publish_due_stories() == 1


def test_the_eta_task_and_the_sweep_one_after_the_other_publish_once():
    author, friend = UserFactory(), UserFactory(username="told")
    story = schedule(
        author,
        timezone.now() + timedelta(minutes=30),
        stickers=[{"type": "mention", "username": friend.username}],
    )
    with time_machine.travel(story.publish_at + timedelta(seconds=1), tick=False):
        assert tasks.publish_story(str(story.pk)) is True
        first = Story.objects.get(pk=story.pk).published_at
        assert tasks.publish_due_stories() == 0
    assert Story.objects.get(pk=story.pk).published_at == first
    assert Notification.objects.filter(recipient=friend, story=story).count() == 1


@pytest.mark.postgres
def test_the_eta_task_and_the_beat_sweep_racing_publish_once(requires_postgres):
    """The ETA task and beat's sweep run at the same instant in separate connections, for
    several stories in turn: the conditional UPDATE lets exactly one of them publish each; the
    person named is told once a story, and published_at is the winner's."""
    author, friend = UserFactory(), UserFactory(username="raced")
    start = timezone.now()
    mention = [{"type": "mention", "username": friend.username}]
    stories = [schedule(author, start + timedelta(minutes=20 + 10 * n), stickers=mention) for n in range(4)]

    def at_once(*actions) -> list:
        barrier = threading.Barrier(len(actions))

        def run(action):
            try:
                barrier.wait()
                return action()
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(actions)) as pool:
            return [future.result() for future in [pool.submit(run, action) for action in actions]]

    for story in stories:
        due = story.publish_at + timedelta(seconds=1)
        with time_machine.travel(due, tick=False):
            eta, swept = at_once(
                lambda story=story: tasks.publish_story(str(story.pk)), tasks.publish_due_stories
            )
        assert (eta, swept) in [(True, 0), (False, 1)], "exactly one of the two published it"
        story.refresh_from_db()
        assert story.state == State.READY
        assert story.published_at == due
    assert Notification.objects.filter(recipient=friend, kind=Notification.Kind.MENTION).count() == len(
        stories
    )


# --- the author's controls ---------------------------------------------------------------------


def test_reschedule_moves_it_and_the_old_time_no_longer_publishes():
    author = UserFactory()
    story = schedule(author, timezone.now() + timedelta(hours=1))
    new_time = timezone.now() + timedelta(days=2)
    scheduling.story_reschedule(story=story, publish_at=new_time.isoformat(), by=author)
    story.refresh_from_db()
    assert story.publish_at == new_time
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=False):
        assert tasks.publish_story(str(story.pk)) is False, "the first time's ETA task does nothing"
        assert tasks.publish_due_stories() == 0
    assert Story.objects.get(pk=story.pk).state == State.SCHEDULED


@pytest.mark.parametrize("when", [timedelta(hours=-1), timedelta(days=7, minutes=5)])
def test_reschedule_outside_the_window_is_refused(when):
    author = UserFactory()
    story = schedule(author, timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError) as raised:
        scheduling.story_reschedule(story=story, publish_at=timezone.now() + when, by=author)
    assert raised.value.message_dict["publish_at"] == [scheduling.WINDOW_MESSAGE]


def test_only_the_author_reschedules_or_publishes():
    from django.core.exceptions import PermissionDenied

    story = schedule(UserFactory(), timezone.now() + timedelta(hours=1))
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        scheduling.story_reschedule(story=story, publish_at=timezone.now() + timedelta(hours=2), by=stranger)
    with pytest.raises(PermissionDenied):
        scheduling.story_publish_now(story=story, by=stranger)
    assert Story.objects.get(pk=story.pk).state == State.SCHEDULED


def test_a_live_story_cannot_be_rescheduled():
    author = UserFactory()
    story = schedule(author, None)
    assert story.state == State.READY
    with pytest.raises(ValidationError) as raised:
        scheduling.story_reschedule(story=story, publish_at=timezone.now() + timedelta(hours=2), by=author)
    assert raised.value.message_dict["publish_at"] == [scheduling.NOT_SCHEDULED]


def test_publish_now_while_still_processing_goes_live_once_processed():
    author = UserFactory()
    story = schedule(author, timezone.now() + timedelta(hours=4), process=False)
    scheduling.story_publish_now(story=story, by=author)
    assert Story.objects.get(pk=story.pk).state == State.PROCESSING
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert story.state == State.READY
    assert story.published_at is not None


def test_deleting_an_account_deletes_its_scheduled_stories_and_their_files():
    from privacy.services import _delete_stories

    author = UserFactory()
    story = schedule(author, timezone.now() + timedelta(hours=2))
    _delete_stories(author)
    story.refresh_from_db()
    assert story.state == State.DELETED
    assert not story.media


@pytest.mark.parametrize(
    "value",
    ["tomorrow", "2026-13-45T10:00:00+01:00", "2026-12-01T10:00:00+99:00", "9999-12-31T23:59:59-23:59"],
)
def test_times_that_are_not_a_moment_in_the_window_are_refused(value):
    with pytest.raises(ValidationError) as raised:
        scheduling.publish_at_clean(value=value)
    assert raised.value.message_dict["publish_at"]


def test_a_time_without_an_offset_is_refused():
    naive = (timezone.now() + timedelta(hours=2)).replace(tzinfo=None).isoformat()
    with pytest.raises(ValidationError) as raised:
        scheduling.publish_at_clean(value=naive)
    assert "offset" in raised.value.message_dict["publish_at"][0]


def test_the_window_is_now_to_seven_days_ahead_whatever_the_offset():
    now = timezone.now()
    almost_a_week = (now + timedelta(days=7) - timedelta(minutes=1)).astimezone(
        timezone.get_fixed_timezone(-180)
    )
    assert scheduling.publish_at_clean(value=almost_a_week.isoformat(), now=now) == almost_a_week
    assert scheduling.publish_at_clean(value="", now=now) is None


def test_the_demo_has_a_scheduled_story_whose_mention_waits(tmp_path):
    from stories_site.dev import demo

    quiet = lambda *args: None  # noqa: E731
    people = demo.ensure_people(quiet)
    demo.ensure_scheduled(people, tmp_path, quiet)
    username, caption, hours = demo.SCHEDULED[0]
    story = Story.objects.get(author__username=username, caption=caption)
    assert story.state == State.SCHEDULED
    assert abs(story.publish_at - (timezone.now() + timedelta(hours=hours))) < timedelta(minutes=5)
    assert not Notification.objects.filter(story=story).exists()
    demo.ensure_scheduled(people, tmp_path, quiet)  # idempotent, like the rest of the demo
    assert Story.objects.filter(caption=caption).count() == 1
