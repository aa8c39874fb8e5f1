"""The comment rules of issue 19 through the API: a comment of invisible characters is a plain
400 (item 8), and the same comment sent twice in a row is one comment (item 9)."""

from __future__ import annotations

import pytest

from feed.models import Comment, Notification
from tests.factories import LiveStoryFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_invisible_text_is_a_plain_400(viewer):
    story = LiveStoryFactory()
    response = client_for(viewer).post(
        f"/api/v1/stories/{story.pk}/comments/", {"text": "\u202e\u200b"}, format="json"
    )
    assert response.status_code == 400
    assert "Write something people can see." in str(response.json())
    assert not Comment.objects.exists()


def test_enter_pressed_twice_posts_one_comment(viewer):
    story = LiveStoryFactory()
    client = client_for(viewer)
    url = f"/api/v1/stories/{story.pk}/comments/"
    first = client.post(url, {"text": "great shot"}, format="json")
    second = client.post(url, {"text": "great shot"}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get(url).json()["results"]) == 1
    assert client.get(f"/api/v1/stories/{story.pk}/").json()["comment_count"] == 1
    assert Notification.objects.filter(recipient=story.author, kind="comment").count() == 1
