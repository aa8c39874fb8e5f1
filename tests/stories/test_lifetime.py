"""A story's lifetime: the author picks 1 hour to 7 days (the editor offers 1, 6, 12, 24, 48 and
168 hours), `expires_at` follows from the moment it went live, and the item leaves the feeds,
the tray and the player when it runs out, not at the site's 24 hours."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from stories import services
from stories.lifecycle import State
from stories.models import Story
from tests.factories import LiveStoryFactory, UserFactory

# Real commits: an upload's processing is sent after its commit, and runs eagerly in tests.
pytestmark = pytest.mark.django_db(transaction=True)


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 160), (200, 40, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def post(author, **fields):
    api = APIClient()
    api.force_authenticate(author)
    return api.post("/api/v1/stories/", {"media": photo(), **fields})


@pytest.mark.parametrize("hours", [1, 6, 48, 168])
def test_expiry_follows_the_chosen_lifetime(hours):
    answer = post(UserFactory(), lifetime_hours=str(hours))
    assert answer.status_code in (201, 202), answer.content
    story = Story.objects.get(pk=answer.json()["id"])
    assert story.state == State.READY
    assert story.lifetime_hours == hours
    assert story.expires_at - story.published_at == timedelta(hours=hours)


def test_the_default_is_the_sites_lifetime(settings):
    settings.STORIES_LIFETIME_HOURS = 12
    story = Story.objects.get(pk=post(UserFactory()).json()["id"])
    assert story.expires_at - story.published_at == timedelta(hours=12)


@pytest.mark.parametrize("hours", ["0", "169", "-1", "1.5", "a day", "99999999999999999999"])
def test_outside_1_to_168_hours_is_a_400(hours):
    answer = post(UserFactory(), lifetime_hours=hours)
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"]["lifetime_hours"]
    assert not Story.objects.exists()


def test_a_one_hour_story_leaves_the_feed_after_an_hour():
    author, viewer = UserFactory(), UserFactory()
    story_id = post(author, lifetime_hours="1").json()["id"]
    api = APIClient()
    api.force_authenticate(viewer)

    def in_for_you() -> bool:
        return story_id in [item["id"] for item in api.get("/api/v1/feed/for-you/").json()["results"]]

    assert in_for_you()
    with time_machine.travel(timezone.now() + timedelta(minutes=59), tick=False):
        assert in_for_you()
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        assert not in_for_you()
        assert services.stories_expire_due() == 1
    assert Story.objects.get(pk=story_id).state == State.EXPIRED


def test_the_json_and_the_cards_say_how_long_is_left():
    author = UserFactory()
    story_id = post(author, lifetime_hours="6").json()["id"]
    body = APIClient().get(f"/api/v1/stories/{story_id}/").json()
    assert body["lifetime_hours"] == 6
    page = Client().get("/").content.decode()
    assert " · 5h left" in page or " · 6h left" in page  # a few seconds may have passed


def test_the_editor_offers_the_lifetimes_with_the_default_chosen(settings):
    page = Client()
    page.force_login(UserFactory())
    html = page.get("/stories/create/").content.decode()
    for label in ("1 hour", "6 hours", "12 hours", "24 hours", "2 days", "7 days"):
        assert label in html
    assert '<option value="24" selected>24 hours</option>' in html


def test_time_left_reads_in_days_hours_and_minutes():
    from stories.templatetags.story_time import time_left

    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert time_left(now + timedelta(days=6, hours=23)) == "6d left"
        assert time_left(now + timedelta(hours=47, minutes=59)) == "47h left"
        assert time_left(now + timedelta(minutes=59)) == "59m left"
        assert time_left(now + timedelta(seconds=20)) == "1m left"
        assert time_left(now - timedelta(seconds=1)) == ""
        assert time_left(None) == ""


def test_a_factory_story_keeps_its_own_expiry():
    story = LiveStoryFactory()
    assert story.expires_at - story.published_at == timedelta(hours=24)
