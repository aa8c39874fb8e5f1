"""The retention curve: the player reports how far each view got (`watched_ms`), the story's
analytics answer, for each second of the item, the share of views still watching, and the
analytics page draws it. Progressive reports of one view (`view_key`) count once; the curve
outlives the purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from feed.models import StoryRetention
from stories import services as stories
from stories.models import Story
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _watch(story, body: dict, user=None, **extra):
    return _client(user).post(f"/api/v1/stories/{story.pk}/views/", body, format="json", **extra)


def _retention(story) -> list[float]:
    answer = _client(story.author).get(f"/api/v1/analytics/stories/{story.pk}/")
    assert answer.status_code == 200, answer.content
    return answer.json()["retention"]


@pytest.fixture
def photo():
    """A five-second item: one value a second, five values."""
    return LiveStoryFactory(duration=5.0)


def test_no_reports_no_curve(photo):
    assert _retention(photo) == []


def test_each_second_counts_the_views_that_reached_it(photo):
    for watched in (5000, 2500, 0):  # to the end, into second 2, left at once
        assert _watch(photo, {"impression": False, "watched_ms": watched}, UserFactory()).status_code == 204
    assert _retention(photo) == [1.0, 0.6667, 0.6667, 0.3333, 0.3333]
    rows = StoryRetention.objects.filter(story_id=photo.pk).order_by("second")
    assert [row.views for row in rows] == [3, 2, 2, 1, 1]


def test_a_view_reporting_several_times_counts_once_to_its_furthest_point(photo):
    viewer, key = UserFactory(), "view-abc123"
    for watched in (1200, 3400, 2000):  # pause, pause, then a late report from further back
        _watch(photo, {"impression": False, "watched_ms": watched, "view_key": key}, viewer)
    assert [row.views for row in StoryRetention.objects.filter(story_id=photo.pk).order_by("second")] == [
        1,
        1,
        1,
        1,
        0,
    ]
    # The same key from someone else is another view: nobody can spend another person's key.
    _watch(photo, {"impression": False, "watched_ms": 900, "view_key": key}, UserFactory())
    assert _retention(photo) == [1.0, 0.5, 0.5, 0.5, 0.0]


def test_signed_out_views_count_by_address(photo):
    key = "anon-view-1"
    _watch(photo, {"impression": False, "watched_ms": 1000, "view_key": key})
    _watch(photo, {"impression": False, "watched_ms": 4999, "view_key": key})
    _watch(photo, {"impression": False, "watched_ms": 4999, "view_key": key}, REMOTE_ADDR="198.51.100.7")
    assert _retention(photo) == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert StoryRetention.objects.get(story_id=photo.pk, second=0).views == 2


def test_longer_than_the_item_is_the_end_and_the_authors_own_views_do_not_count(photo):
    _watch(photo, {"impression": False, "watched_ms": 60_000}, UserFactory())
    _watch(photo, {"impression": False, "watched_ms": 0}, photo.author)
    assert _retention(photo) == [1.0] * 5


@pytest.mark.parametrize(
    "body",
    [
        {"watched_ms": -1},
        {"watched_ms": "far"},
        {"watched_ms": 3_600_001},
        {"watched_ms": 100, "view_key": "short"},
        {"watched_ms": 100, "view_key": "<script>alert(1)</script>"},
    ],
)
def test_bad_reports_are_refused_with_a_plain_message(photo, body):
    answer = _watch(photo, {"impression": False, **body}, UserFactory())
    assert answer.status_code == 400
    assert answer.json()["detail"]
    assert not StoryRetention.objects.filter(story_id=photo.pk).exists()


def test_a_clip_has_one_value_a_second_of_its_length():
    clip = LiveStoryFactory(duration=12.4)
    _watch(clip, {"impression": False, "watched_ms": 6100}, UserFactory())
    assert _retention(clip) == [1.0] * 7 + [0.0] * 6


def test_the_curve_outlives_the_purge(photo):
    _watch(photo, {"impression": False, "watched_ms": 2500}, UserFactory())
    _watch(photo, {"impression": False, "watched_ms": 5000}, UserFactory())
    Story.objects.filter(pk=photo.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    stories.stories_expire_due()
    stories.stories_purge()
    assert not Story.objects.filter(pk=photo.pk).exists()
    assert _retention(photo) == [1.0, 1.0, 1.0, 0.5, 0.5]


def test_the_analytics_page_draws_where_viewers_drop_off(photo):
    _watch(photo, {"impression": False, "watched_ms": 1500}, UserFactory())
    _watch(photo, {"impression": False, "watched_ms": 5000}, UserFactory())
    client = Client()
    client.force_login(photo.author)
    html = client.get(f"/analytics/stories/{photo.pk}/").content.decode()
    assert "Where viewers drop off" in html
    assert '<th scope="col">Second</th>' in html
    assert '<th scope="row">0:03</th><td>50.0%</td>' in html
