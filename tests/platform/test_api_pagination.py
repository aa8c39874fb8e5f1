"""Pagination means the same on every list of the API: one cursor codec (stories_site/cursors.py)
and one reading of `page_size` (stories_site/api.py). Before, a bad cursor was 404 {"detail":
"Invalid cursor"} on the plain lists and 400 {"cursor": [...]} on the feeds; page_size=0 was
ignored on the lists and clamped on the feeds; tampered feed cursors answered 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from feed.models import Notification
from stickers.models import AddYoursResponse, Question, Sticker, StickerType
from stories.models import Sound
from stories_site import cursors
from tests.factories import CommentFactory, FollowFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db

INVALID = "Invalid cursor: start again from the first page."


@pytest.fixture
def lists() -> tuple[APIClient, list[str]]:
    """A signed-in viewer and every paginated list of the API, each with something in it."""
    viewer = UserFactory(username="viewer")
    ada = UserFactory(username="ada")
    FollowFactory(follower=viewer, followee=ada)
    FollowFactory(follower=ada, followee=viewer)
    story = LiveStoryFactory(author=ada)
    own = LiveStoryFactory(author=viewer)
    CommentFactory(story=story)
    Notification.objects.create(recipient=viewer, actor=ada, kind=Notification.Kind.FOLLOW)
    question = Sticker.objects.create(story=own, type=StickerType.QUESTION, data={"prompt": "Ask"})
    Question.objects.create(sticker=question, author=ada, text="Why?")
    prompt = Sticker.objects.create(story=story, type=StickerType.ADD_YOURS, data={"prompt": "Desk"})
    AddYoursResponse.objects.create(sticker=prompt, story=LiveStoryFactory(author=viewer))
    Sound.objects.create(owner=ada, title="Beat", duration=3.0, file="sounds/beat.m4a")
    client = APIClient()
    client.force_authenticate(viewer)
    paths = [
        "/api/v1/feed/for-you/",
        "/api/v1/feed/following/",
        "/api/v1/feed/tray/",
        f"/api/v1/stories/{story.pk}/comments/",
        "/api/v1/notifications/",
        "/api/v1/users/ada/followers/",
        "/api/v1/users/ada/following/",
        "/api/v1/users/?search=a",
        f"/api/v1/stickers/{question.pk}/questions/",
        f"/api/v1/stickers/{prompt.pk}/responses/",
        "/api/v1/me/stories/",
        "/api/v1/sounds/",
    ]
    return client, paths


def _with(path: str, **params: str) -> str:
    joiner = "&" if "?" in path else "?"
    return path + joiner + "&".join(f"{key}={value}" for key, value in params.items())


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "%%%",
        _cursor({"k": "other"}),
        _cursor([1, 2]),
        base64.b64encode(b"o=1&p=2026-01-01").decode(),  # DRF's own format, no longer made
        _cursor({"k": "list:-created_at", "p": "not a date"}),
        "A" * 5000,
    ],
)
def test_a_bad_cursor_is_the_same_400_on_every_list(lists, cursor):
    client, paths = lists
    for path in paths:
        response = client.get(_with(path, cursor=cursor))
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json() == {"detail": INVALID, "errors": {"cursor": [INVALID]}}, path


@pytest.mark.parametrize("size", ["abc", "0", "-1", "2.5", "1e3"])
def test_a_bad_page_size_is_the_same_400_on_every_list(lists, size):
    client, paths = lists
    for path in paths:
        response = client.get(_with(path, page_size=size))
        assert response.status_code == 400, (path, size)
        assert list(response.json()["errors"]) == ["page_size"], path


def test_a_large_page_size_reads_as_the_largest_on_every_list(lists):
    client, paths = lists
    for path in paths:
        response = client.get(_with(path, page_size="100000"))
        assert response.status_code == 200, path
        assert response.json()["results"], path


def test_every_list_follows_its_own_next_link(lists):
    client, paths = lists
    for path in paths:
        first = client.get(_with(path, page_size="1")).json()
        if first["next"]:
            assert client.get(first["next"]).status_code == 200, path


NOW = cursors.micros(timezone.now())


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    ("feed", "payload"),
    [
        ("for-you", {"k": "for-you", "t": NOW, "p": [0, "1.0", 5]}),  # AttributeError before
        ("for-you", {"k": "for-you", "t": NOW, "p": [0, "1e400", "0" * 32]}),
        ("for-you", {"k": "for-you", "t": NOW, "a": 10**30, "r": 1}),
        ("for-you", {"k": "for-you", "t": 10**30}),
        ("for-you", {"k": "for-you", "t": NOW, "x": "!!"}),
        ("tray", {"k": "tray", "t": NOW, "p": [2, 1e30, 1]}),  # OverflowError before
        ("tray", {"k": "tray", "t": NOW, "p": [2, -NOW, -(10**30)]}),  # an author id of 10^30
        ("tray", {"k": "tray", "t": NOW, "p": [2, "x", 1]}),
        ("tray", {"k": "tray", "t": True}),
        ("following", {"k": "following", "t": NOW, "p": [0, NOW, 10**30, NOW, "0" * 32]}),
        ("following", {"k": "following", "t": NOW, "p": [0, 10**30, 1, NOW, "0" * 32]}),
        ("following", {"k": "following", "t": NOW, "p": [0, NOW, 1, NOW, 5]}),
    ],
)
def test_tampered_feed_cursors_are_a_400(lists, signed_in, feed, payload):
    client = lists[0] if signed_in else APIClient()
    response = client.get(f"/api/v1/feed/{feed}/?cursor={_cursor(payload)}")
    if feed == "following" and not signed_in:
        assert response.status_code == 401  # signed in only: nothing to read a cursor for
        return
    assert response.status_code == 400, response.content[:200]
    assert response.json() == {"detail": INVALID, "errors": {"cursor": [INVALID]}}
