"""Cursor pages: no overlap, no gap, stable while the viewer watches, bad cursors are 400s."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from feed import selectors, services
from tests.factories import FollowFactory, LiveStoryFactory, StoryViewFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def build_world(viewer, authors: int = 8, items: int = 5) -> set:
    """Authors with several items each, some followed, some partly seen, with varied engagement."""
    rng = random.Random(4)
    now = timezone.now()
    ids = set()
    for a in range(authors):
        author = UserFactory()
        if a % 3 == 0:
            FollowFactory(follower=viewer, followee=author)
        for i in range(items):
            story = LiveStoryFactory(
                author=author,
                like_count=rng.randint(0, 30),
                comment_count=rng.randint(0, 5),
                published_at=now - timedelta(minutes=rng.randint(1, 600)),
            )
            ids.add(story.pk)
            if (a + i) % 4 == 0:
                StoryViewFactory(story=story, viewer=viewer, first_seen_at=now - timedelta(seconds=1))
    ids.add(LiveStoryFactory(author=UserFactory(), like_count=500).pk)  # one very hot single item
    return ids


def walk(client, path: str, size: int, key=lambda item: item["id"], watch: bool = False) -> list:
    seen, link = [], f"{path}?page_size={size}"
    while link:
        response = client.get(link)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["results"]) <= size
        for item in body["results"]:
            seen.append(key(item))
            if watch:  # watching while scrolling must not make items come back later
                client.post(f"/api/v1/stories/{item['id']}/views/", {"completed": True}, format="json")
        link = body["next"]
    return seen


@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_for_you_pages_cover_everything_once(viewer, size):
    ids = build_world(viewer)
    client = client_for(viewer)
    walked = walk(client, "/api/v1/feed/for-you/", size)
    assert len(walked) == len(set(walked)) == len(ids)
    assert {str(i) for i in ids} == set(walked)


def test_for_you_pages_stay_put_while_the_viewer_watches(viewer):
    ids = build_world(viewer)
    walked = walk(client_for(viewer), "/api/v1/feed/for-you/", 4, watch=True)
    assert sorted(walked) == sorted(str(i) for i in ids)


def test_for_you_author_cap_holds_across_page_boundaries(viewer):
    busy = UserFactory()
    for n in range(9):
        LiveStoryFactory(author=busy, like_count=200 - n)
    for n in range(4):
        LiveStoryFactory(like_count=n)
    pages = [
        walk(client_for(viewer), "/api/v1/feed/for-you/", size, key=lambda i: i["author"]["id"])
        for size in (2, 5)
    ]
    for authors in pages:
        assert len(authors) == 13
        runs = [authors[i : i + 4] for i in range(len(authors) - 3)]
        # Four in a row only once nobody else is left.
        for start, run in enumerate(runs):
            if len(set(run)) == 1:
                assert busy.pk not in authors[start + 4 :] or set(authors[start:]) == {busy.pk}
        assert authors[:3] == [busy.pk] * 3
        assert authors[3] != busy.pk


@pytest.mark.parametrize("size", [1, 4, 100])
def test_following_pages(viewer, size):
    build_world(viewer)
    expected = [str(s.pk) for s in selectors.following_page(viewer=viewer, cursor=None, size=100).items]
    assert expected
    assert walk(client_for(viewer), "/api/v1/feed/following/", size) == expected


@pytest.mark.parametrize("size", [1, 2, 5, 100])
def test_tray_pages(viewer, size):
    build_world(viewer)
    LiveStoryFactory(author=viewer)
    expected = [e.author.pk for e in selectors.tray_page(viewer=viewer, cursor=None, size=100).entries]
    assert len(expected) == 10  # 9 others and the viewer
    walked = walk(client_for(viewer), "/api/v1/feed/tray/", size, key=lambda e: e["author"]["id"])
    assert walked == expected


def test_tray_pages_for_anonymous_viewers(api_client):
    for _ in range(5):
        LiveStoryFactory()
    expected = [e.author.pk for e in selectors.tray_page(viewer=None, cursor=None, size=100).entries]
    assert walk(api_client, "/api/v1/feed/tray/", 2, key=lambda e: e["author"]["id"]) == expected


@pytest.mark.parametrize("path", ["for-you", "following", "tray"])
@pytest.mark.parametrize(
    "cursor", ["nonsense", "eyJrIjoib3RoZXIifQ", "e30", "%%%", "eyJrIjoiZm9yLXlvdSIsInQiOiJ4In0"]
)
def test_bad_cursors_are_a_plain_400(viewer, path, cursor):
    response = client_for(viewer).get(f"/api/v1/feed/{path}/?cursor={cursor}")
    assert response.status_code == 400
    message = "Invalid cursor: start again from the first page."
    assert response.json() == {"detail": message, "errors": {"cursor": [message]}}


def test_bad_page_size_is_a_400_and_large_sizes_are_clamped(viewer):
    client = client_for(viewer)
    for bad in ("lots", "0", "-1", "1.5"):
        response = client.get(f"/api/v1/feed/for-you/?page_size={bad}")
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == ["page_size"]
    for _ in range(3):
        LiveStoryFactory()
    assert len(client.get("/api/v1/feed/for-you/?page_size=1").json()["results"]) == 1
    assert len(client.get("/api/v1/feed/for-you/?page_size=100000").json()["results"]) == 3


def test_following_needs_sign_in(api_client):
    assert api_client.get("/api/v1/feed/following/").status_code in (401, 403)


def test_liked_state_in_feed_items(viewer):
    story = LiveStoryFactory()
    services.like_create(viewer=viewer, story=story)
    (item,) = client_for(viewer).get("/api/v1/feed/for-you/").json()["results"]
    assert (item["liked_by_me"], item["like_count"], item["author"]["username"]) == (
        True,
        1,
        story.author.username,
    )
