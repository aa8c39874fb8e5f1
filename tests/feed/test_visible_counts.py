"""Counts agree with the lists they sum up (issue 19, item 4): a story's `comment_count` is the
number of comments its list shows the same viewer, after blocks (either way) and suspensions;
the same for a Q&A sticker's `question_count` and the author's questions list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as accounts
from accounts.models import User
from feed import services
from stickers import services as stickers
from tests.factories import LiveStoryFactory, UserFactory
from tests.stickers.factories import QuestionStickerFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def _suspend(person) -> None:
    User.objects.filter(pk=person.pk).update(suspended_until=timezone.now() + timedelta(days=3))


def _comment_figures(client, story) -> tuple[int, int]:
    """(comment_count in the story's JSON, comments in its list), as this client sees them."""
    count = client.get(f"/api/v1/stories/{story.pk}/").json()["comment_count"]
    listed = client.get(f"/api/v1/stories/{story.pk}/comments/").json()["results"]
    return count, len(listed)


def test_comment_count_leaves_out_people_the_viewer_blocked_or_who_blocked_them():
    story = LiveStoryFactory()
    viewer, blocked, blocker = UserFactory(), UserFactory(), UserFactory()
    for person, text in ((viewer, "mine"), (blocked, "rude"), (blocker, "hidden from you")):
        services.comment_create(viewer=person, story=story, text=text)
    client = client_for(viewer)
    assert _comment_figures(client, story) == (3, 3)
    accounts.block_create(blocker=viewer, blocked=blocked)
    accounts.block_create(blocker=blocker, blocked=viewer)
    assert _comment_figures(client, story) == (1, 1)  # was (3, 1) before the fix
    assert _comment_figures(client_for(story.author), story) == (3, 3)


def test_a_suspended_persons_comments_are_neither_counted_nor_listed():
    story = LiveStoryFactory()
    suspended = UserFactory()
    services.comment_create(viewer=suspended, story=story, text="spam")
    services.comment_create(viewer=UserFactory(), story=story, text="nice")
    _suspend(suspended)
    assert _comment_figures(client_for(UserFactory()), story) == (1, 1)
    assert _comment_figures(client_for(story.author), story) == (1, 1)


def test_feed_items_carry_the_same_count(viewer):
    story = LiveStoryFactory()
    rude = UserFactory()
    services.comment_create(viewer=rude, story=story, text="rude")
    services.comment_create(viewer=UserFactory(), story=story, text="kind")
    accounts.block_create(blocker=viewer, blocked=rude)
    accounts.follow_create(follower=viewer, followee=story.author)
    client = client_for(viewer)
    for feed in ("for-you", "following"):
        items = {item["id"]: item for item in client.get(f"/api/v1/feed/{feed}/").json()["results"]}
        assert items[str(story.pk)]["comment_count"] == 1, feed


def _question_figures(sticker) -> tuple[int, int]:
    """(question_count on the sticker, questions in its list), as the sticker's author sees."""
    client = client_for(sticker.story.author)
    story = client.get(f"/api/v1/stories/{sticker.story.pk}/").json()
    (shaped,) = [one for one in story["stickers"] if one["type"] == "question"]
    listed = client.get(f"/api/v1/stickers/{sticker.pk}/questions/").json()["results"]
    return shaped["question_count"], len(listed)


def test_question_count_agrees_with_the_authors_list_after_blocks_and_suspensions():
    sticker = QuestionStickerFactory()
    author = sticker.story.author
    askers = [UserFactory() for _ in range(3)]
    for asker in askers:
        stickers.question_ask(sticker=sticker, viewer=asker, text=f"question from {asker.username}?")
    assert _question_figures(sticker) == (3, 3)
    accounts.block_create(blocker=author, blocked=askers[0])
    assert _question_figures(sticker) == (2, 2)  # was (3, 2) before the fix
    _suspend(askers[1])
    assert _question_figures(sticker) == (1, 1)
