"""The story JSON is built by `stories.serializers.story_json` (fast, for feed pages) while
`StorySerializer` documents it: the two must agree, and every story of a page must get its own
URLs even though each route is reversed once per page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from stories.models import Sound
from stories.serializers import StorySerializer
from tests.factories import FollowFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_documented_field_and_nothing_else():
    story = LiveStoryFactory()
    body = signed_in(UserFactory()).get(f"/api/v1/stories/{story.pk}/").json()
    assert list(body) == list(StorySerializer().fields)
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert set(schema["components"]["schemas"]["Story"]["properties"]) == set(body)


def test_each_story_of_a_page_links_to_itself():
    viewer = UserFactory()
    authors = [UserFactory(), UserFactory()]
    for author in authors:
        FollowFactory(follower=viewer, followee=author)
    stories = [LiveStoryFactory(author=author) for author in authors for _ in range(2)]
    results = signed_in(viewer).get("/api/v1/feed/following/").json()["results"]
    assert {item["id"] for item in results} == {str(story.pk) for story in stories}
    for item in results:
        for field, route in (("media_url", "stories:media"), ("poster_url", "stories:poster")):
            assert item[field].startswith("http://testserver/")
            match = resolve(item[field].removeprefix("http://testserver"))
            assert f"{match.namespace}:{match.url_name}" == route
            assert str(match.kwargs["story_id"]) == item["id"]
        assert item["author"]["id"] in {author.pk for author in authors}


def test_download_url_for_the_author_or_when_allowed():
    author = UserFactory()
    private = LiveStoryFactory(author=author, allow_downloads=False)
    shared = LiveStoryFactory(author=author, allow_downloads=True)
    stranger = signed_in(UserFactory())
    assert stranger.get(f"/api/v1/stories/{private.pk}/").json()["download_url"] is None
    assert (
        stranger.get(f"/api/v1/stories/{shared.pk}/")
        .json()["download_url"]
        .endswith(f"/api/v1/stories/{shared.pk}/download/")
    )
    assert (
        signed_in(author)
        .get(f"/api/v1/stories/{private.pk}/")
        .json()["download_url"]
        .endswith(f"/api/v1/stories/{private.pk}/download/")
    )


def test_dates_sound_and_counts_read_as_documented():
    author = UserFactory()
    sound = Sound.objects.create(title="Rain", owner=author, file="sounds/rain.m4a", duration=12.5)
    published = datetime(2026, 11, 22, 3, 0, 0, 250000, tzinfo=UTC)
    # A fixed instant an hour after publishing, so the story is live whatever today's date is.
    with time_machine.travel(published + timedelta(hours=1), tick=False):
        story = LiveStoryFactory(author=author, sound=sound, like_count=3, published_at=published)
        body = signed_in(author).get(f"/api/v1/stories/{story.pk}/").json()
    assert body["published_at"] == "2026-11-22T03:00:00.250000Z"
    assert body["expires_at"] == "2026-11-23T03:00:00.250000Z"
    assert body["like_count"] == 3
    assert body["liked_by_me"] is False
    assert body["sound"]["id"] == str(sound.pk)
    assert body["sound"]["owner"] == author.username
    assert body["sound"]["audio_url"].endswith(f"/sounds/{sound.pk}/audio")
    assert body["author"] == {
        "id": author.pk,
        "username": author.username,
        "display_name": author.display_name,
        "avatar_url": None,
    }
