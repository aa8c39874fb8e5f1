"""Scheduled stories through the API and the pages (issue 17 item 1): POST /api/v1/stories/ with
`publish_at`, 400 outside now .. 7 days ahead, invisible to everyone but the author (feeds, tray,
player, profile ring, search, hashtag and sound pages, media) until it goes live, the author's
GET /api/v1/me/scheduled/ soonest first, reschedule, publish now, cancel, and the people a story
names told when it goes live, not at upload."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from feed.models import Notification
from stickers.models import Sticker, StickerType
from stories import tasks
from stories.lifecycle import State
from stories.models import Sound, Story
from stories.services import scheduling
from tests.clients import api_for as client_for
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 160), (20, 160, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def post(author, **fields):
    return client_for(author).post("/api/v1/stories/", {"media": photo(), **fields})


def in_hours(hours: float, offset_minutes: int = 0) -> str:
    """An ISO time `hours` from now, written with a UTC offset (as the browser sends it)."""
    zone = timezone.get_fixed_timezone(offset_minutes)
    return (timezone.now() + timedelta(hours=hours)).astimezone(zone).isoformat()


@pytest.fixture
def people():
    author = UserFactory(username="planner")
    follower = UserFactory(username="watcher")
    FollowFactory(follower=follower, followee=author)
    FollowFactory(follower=author, followee=follower)  # friends: every audience would reach them
    return author, follower


# --- posting -----------------------------------------------------------------------------------


def test_posting_with_publish_at_makes_a_scheduled_story(people):
    author, _ = people
    when = in_hours(5, offset_minutes=330)  # +05:30
    answer = post(author, publish_at=when, lifetime_hours="48")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "scheduled"
    story = Story.objects.get(pk=body["id"])
    assert story.publish_at == datetime.fromisoformat(when)
    assert body["publish_at"] is not None
    assert body["published_at"] is None
    assert body["expires_at"] is None
    assert body["media_url"], "processed at once: the author can preview it"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("past", "from now up to 7 days ahead"),
        ("eight days", "from now up to 7 days ahead"),
        ("naive", "offset"),
        ("next tuesday", "ISO 8601"),
    ],
)
def test_a_time_outside_the_window_is_a_plain_400(people, value, words):
    author, _ = people
    times = {
        "past": in_hours(-1),
        "eight days": in_hours(24 * 7 + 0.25),
        "naive": (timezone.now() + timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        "next tuesday": "next tuesday",
    }
    answer = post(author, publish_at=times[value])
    assert answer.status_code == 400
    body = answer.json()
    assert words in body["errors"]["publish_at"][0]
    assert body["detail"] == body["errors"]["publish_at"][0]
    assert not Story.objects.exists()


def test_without_publish_at_a_story_is_live_at_once(people):
    author, _ = people
    answer = post(author)
    assert answer.status_code == 201
    assert answer.json()["state"] == "ready"
    assert answer.json()["publish_at"] is None


# --- nobody else sees it -----------------------------------------------------------------------


def assert_nowhere(viewer, story: Story, author) -> None:
    """Every place a live story shows: none shows this one to `viewer`."""
    api, page = APIClient(), Client()
    if viewer is not None:
        api.force_authenticate(viewer)
        page.force_login(viewer)
    sid = str(story.pk)
    for url in ("/api/v1/feed/for-you/", "/api/v1/feed/following/", "/api/v1/feed/tray/"):
        answer = api.get(url)
        assert answer.status_code in (200, 401, 403), url
        assert sid not in answer.content.decode(), url
        assert author.username not in answer.content.decode(), f"{url}: the author has nothing live"
    assert api.get(f"/api/v1/stories/{sid}/").status_code == 404
    assert api.get(f"/api/v1/users/{author.username}/stories/").json()["results"] == []
    assert api.get(f"/api/v1/users/{author.username}/").json()["has_active_story"] is False
    assert api.get("/api/v1/hashtags/launchday/stories/").json()["results"] == []
    assert api.get(f"/api/v1/sounds/{story.sound_id}/stories/").json()["results"] == []
    found = api.get("/api/v1/search/?q=launchday").json()
    assert all(tag["story_count"] == 0 for tag in found["hashtags"])
    for url in (f"/stories/{sid}/media", f"/stories/{sid}/poster", f"/stories/{sid}/"):
        assert page.get(url).status_code == 404, url
    assert page.get(f"/@{author.username}/story").status_code == 404
    for url in ("/", f"/@{author.username}", "/tags/launchday", f"/sounds/{story.sound_id}"):
        answer = page.get(url)
        assert answer.status_code == 200, url
        assert sid not in answer.content.decode(), url


@pytest.fixture
def scheduled(people):
    author, _ = people
    sound = Sound.objects.create(title="Launch hum", file="sounds/launch.m4a", duration=8)
    answer = post(
        author,
        publish_at=in_hours(2),
        caption="Big news #launchday",
        sound=str(sound.pk),
        audience="everyone",
    )
    assert answer.status_code == 201, answer.content
    return Story.objects.get(pk=answer.json()["id"])


def test_nobody_but_the_author_sees_a_scheduled_story(people, scheduled):
    author, follower = people
    stranger = UserFactory()
    for viewer in (follower, stranger, None):
        assert_nowhere(viewer, scheduled, author)


def test_the_author_sees_it_only_on_the_scheduled_page_and_their_own_story_api(people, scheduled):
    author, _ = people
    api = client_for(author)
    sid = str(scheduled.pk)
    assert api.get(f"/api/v1/stories/{sid}/").json()["state"] == "scheduled"
    assert [item["id"] for item in api.get("/api/v1/me/scheduled/").json()["results"]] == [sid]
    for url in ("/api/v1/feed/for-you/", "/api/v1/feed/following/", "/api/v1/feed/tray/"):
        assert sid not in api.get(url).content.decode(), url
    assert api.get(f"/api/v1/users/{author.username}/stories/").json()["results"] == []
    page = Client()
    page.force_login(author)
    listed = page.get("/stories/scheduled/")
    assert listed.status_code == 200
    assert sid in listed.content.decode()
    assert page.get(f"/stories/{sid}/poster").status_code == 200, "its preview, on the Scheduled page"


def test_once_live_everyone_who_may_sees_it(people, scheduled):
    author, follower = people
    with time_machine.travel(scheduled.publish_at + timedelta(seconds=10), tick=False):
        assert tasks.publish_due_stories() == 1
        api = client_for(follower)
        sid = str(scheduled.pk)
        assert sid in api.get("/api/v1/feed/for-you/").content.decode()
        assert author.username in api.get("/api/v1/feed/tray/").content.decode()
        assert api.get(f"/api/v1/stories/{sid}/").json()["state"] == "ready"
        for url in ("/api/v1/hashtags/launchday/stories/", f"/api/v1/sounds/{scheduled.sound_id}/stories/"):
            assert [item["id"] for item in api.get(url).json()["results"]] == [sid], url
        assert client_for(author).get("/api/v1/me/scheduled/").json()["results"] == []


# --- the author's list and controls ------------------------------------------------------------


def test_me_scheduled_lists_soonest_first_and_only_mine(people):
    author, follower = people
    later = post(author, publish_at=in_hours(30)).json()["id"]
    sooner = post(author, publish_at=in_hours(3)).json()["id"]
    post(author)  # live now: not scheduled
    post(follower, publish_at=in_hours(1))  # someone else's
    answer = client_for(author).get("/api/v1/me/scheduled/")
    assert [item["id"] for item in answer.json()["results"]] == [sooner, later]
    assert APIClient().get("/api/v1/me/scheduled/").status_code in (401, 403)


def test_publish_now_puts_it_live_at_once(people, scheduled):
    author, follower = people
    answer = client_for(author).post(f"/api/v1/stories/{scheduled.pk}/publish/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "ready"
    scheduled.refresh_from_db()
    assert timezone.now() - scheduled.published_at < timedelta(seconds=30)
    assert scheduled.expires_at == scheduled.published_at + timedelta(hours=scheduled.lifetime_hours)
    assert client_for(follower).get(f"/api/v1/stories/{scheduled.pk}/").status_code == 200
    again = client_for(author).post(f"/api/v1/stories/{scheduled.pk}/publish/")
    assert again.status_code == 400
    assert again.json()["detail"] == scheduling.NOT_SCHEDULED
    assert client_for(follower).post(f"/api/v1/stories/{scheduled.pk}/publish/").status_code == 404


def test_cancel_deletes_it_and_its_files(people, scheduled):
    from django.core.files.storage import default_storage

    author, follower = people
    media = scheduled.media.name
    assert default_storage.exists(media)
    assert client_for(follower).delete(f"/api/v1/stories/{scheduled.pk}/").status_code == 404
    assert client_for(author).delete(f"/api/v1/stories/{scheduled.pk}/").status_code == 204
    scheduled.refresh_from_db()
    assert scheduled.state == State.DELETED
    assert not default_storage.exists(media)
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert tasks.publish_due_stories() == 0
    assert Story.objects.get(pk=scheduled.pk).state == State.DELETED


def test_the_scheduled_page_reschedules_publishes_and_cancels(people):
    author, _ = people
    page = Client()
    page.force_login(author)
    first, second, third = (post(author, publish_at=in_hours(h)).json()["id"] for h in (2, 4, 6))

    new_time = in_hours(50, offset_minutes=-300)
    answer = page.post(f"/stories/scheduled/{first}/reschedule", {"publish_at": new_time}, follow=True)
    assert "Rescheduled." in answer.content.decode()
    assert Story.objects.get(pk=first).publish_at == datetime.fromisoformat(new_time)

    too_late = {"publish_at": in_hours(200)}
    refused = page.post(f"/stories/scheduled/{first}/reschedule", too_late, follow=True)
    assert scheduling.WINDOW_MESSAGE in refused.content.decode()
    assert Story.objects.get(pk=first).publish_at == datetime.fromisoformat(new_time)

    published = page.post(f"/stories/scheduled/{second}/publish")
    assert published.status_code == 302
    assert published["Location"] == f"/stories/{second}/"
    assert Story.objects.get(pk=second).state == State.READY

    page.post(f"/stories/scheduled/{third}/cancel")
    assert Story.objects.get(pk=third).state == State.DELETED

    listed = page.get("/stories/scheduled/").content.decode()
    assert first in listed
    assert second not in listed
    assert third not in listed

    other = Client()
    other.force_login(UserFactory())
    assert other.post(f"/stories/scheduled/{first}/publish").status_code == 404
    assert other.post(f"/stories/scheduled/{first}/cancel").status_code == 404
    assert Story.objects.get(pk=first).state == State.SCHEDULED


def test_the_scheduled_page_lists_soonest_first_with_its_links(people):
    author, _ = people
    later = post(author, publish_at=in_hours(20)).json()["id"]
    sooner = post(author, publish_at=in_hours(2)).json()["id"]
    page = Client()
    assert page.get("/stories/scheduled/").status_code == 302, "log in first"
    page.login(username=author.username, password=DEFAULT_PASSWORD)
    html = page.get("/stories/scheduled/").content.decode()
    assert html.index(sooner) < html.index(later)
    create_page = page.get("/stories/create/").content.decode()
    assert 'href="/stories/scheduled/"' in create_page, "from the create page"
    assert 'href="/stories/scheduled/"' in page.get("/").content.decode(), "from the person's menu"


# --- telling people at publish time ------------------------------------------------------------


def test_mentions_and_add_yours_are_told_when_it_goes_live_not_at_upload(people):
    author, follower = people
    prompter = UserFactory(username="prompter")
    UserFactory(username="named")
    prompt_story = post(prompter, stickers='[{"type": "add_yours", "prompt": "Show your desk"}]').json()
    prompt = Sticker.objects.get(story_id=prompt_story["id"], type=StickerType.ADD_YOURS)
    answer = post(
        author,
        publish_at=in_hours(1),
        reply_to_sticker=str(prompt.pk),
        stickers='[{"type": "mention", "username": "named"}]',
    )
    assert answer.status_code == 201, answer.content
    story = Story.objects.get(pk=answer.json()["id"])
    told = Notification.objects.filter(story=story)
    assert not told.exists(), "nobody is told about a story nobody can watch yet"

    with time_machine.travel(story.publish_at + timedelta(seconds=5), tick=False):
        assert tasks.publish_due_stories() == 1
    assert set(told.values_list("recipient__username", "kind")) == {
        ("named", Notification.Kind.MENTION),
        ("prompter", Notification.Kind.ADD_YOURS),
    }
    assert follower.pk not in told.values_list("recipient", flat=True)
