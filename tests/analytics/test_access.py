"""Only a story's author (and staff) reads its analytics; anyone else learns nothing, not even
that the story exists. The summary is always the requester's own. Bad `days` answer 400."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics import selectors
from feed import services as feed
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _api(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def story():
    story = LiveStoryFactory()
    feed.view_record(viewer=UserFactory(), story=story)
    return story


def test_the_author_and_staff_read_a_storys_analytics(story):
    url = f"/api/v1/analytics/stories/{story.pk}/"
    assert _api(story.author).get(url).json()["impressions"] == 1
    assert _api(UserFactory(is_staff=True)).get(url).status_code == 200


def test_anyone_else_gets_the_404_of_a_missing_story(story):
    url = f"/api/v1/analytics/stories/{story.pk}/"
    stranger = _api(UserFactory()).get(url)
    missing = _api(story.author).get("/api/v1/analytics/stories/00000000-0000-0000-0000-000000000000/")
    assert stranger.status_code == missing.status_code == 404
    assert (
        stranger.json()
        == missing.json()
        == {"detail": "No such story, or its analytics are not yours to see."}
    )
    assert _api().get(url).status_code in (401, 403)
    assert _api().get("/api/v1/analytics/summary/").status_code in (401, 403)


def test_pages_are_the_authors_only(story, client):
    page = reverse("analytics:story", args=[story.pk])
    assert client.get(page).status_code == 302  # to log in
    assert client.get(reverse("analytics:dashboard")).status_code == 302
    client.force_login(UserFactory())
    assert client.get(page).status_code == 404
    client.force_login(story.author)
    assert client.get(page).status_code == 200


def test_the_summary_is_the_requesters_own(story):
    other = _api(UserFactory()).get("/api/v1/analytics/summary/?days=7").json()
    mine = _api(story.author).get("/api/v1/analytics/summary/?days=7").json()
    assert (other["totals"]["impressions"], mine["totals"]["impressions"]) == (0, 1)


@pytest.mark.parametrize("days", ["0", "91", "-1", "abc", "1.5", "7days", " "])
def test_bad_days_answer_400_in_plain_words(story, days):
    response = _api(story.author).get("/api/v1/analytics/summary/", {"days": days})
    assert response.status_code == 400
    assert response.json() == {"detail": selectors.DAYS_MESSAGE}


@pytest.mark.parametrize("days", ["1", "90"])
def test_days_from_1_to_90(story, days):
    """And no `days` at all is 28."""
    response = _api(story.author).get("/api/v1/analytics/summary/", {"days": days})
    assert response.status_code == 200
    assert len(response.json()["by_day"]) == int(days)
    assert _api(story.author).get("/api/v1/analytics/summary/").json()["days"] == 28


def test_the_dashboard_falls_back_to_28_days_on_a_bad_period(story, client):
    client.force_login(story.author)
    page = client.get(reverse("analytics:dashboard"), {"days": "abc"})
    assert page.status_code == 200
    assert page.context["summary"].days == 28
