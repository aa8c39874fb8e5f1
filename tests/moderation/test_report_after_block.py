"""Blocking someone does not take away the right to report them (issue 19, item 8). Before the
fix, once you blocked a person, reporting them or their comments answered 404, though you could
still delete their comment on your own story. A block against you still hides them."""

from __future__ import annotations

import pytest

from accounts import services as accounts
from feed import services as feed
from moderation.models import Report
from tests.factories import LiveStoryFactory, UserFactory

from .conftest import api_as

pytestmark = pytest.mark.django_db


def _report(client, url: str) -> int:
    return client.post(url, {"reason": "harassment"}, format="json").status_code


def test_you_can_report_whom_you_blocked_their_comments_and_their_story():
    me, troll = UserFactory(), UserFactory()
    my_story = LiveStoryFactory(author=me)
    elsewhere = LiveStoryFactory()
    on_mine = feed.comment_create(viewer=troll, story=my_story, text="go away")
    on_theirs = feed.comment_create(viewer=troll, story=elsewhere, text="and you")
    their_story = LiveStoryFactory(author=troll)
    accounts.block_create(blocker=me, blocked=troll)
    client = api_as(me)
    assert _report(client, f"/api/v1/users/{troll.username}/report/") == 201
    assert _report(client, f"/api/v1/comments/{on_mine.pk}/report/") == 201
    assert _report(client, f"/api/v1/comments/{on_theirs.pk}/report/") == 201
    assert _report(client, f"/api/v1/stories/{their_story.pk}/report/") == 201
    assert Report.objects.filter(reporter=me).count() == 4
    # Deleting their comment on your story still works, as before.
    assert client.delete(f"/api/v1/comments/{on_mine.pk}/").status_code == 204


def test_a_block_against_you_still_hides_them():
    me, blocker = UserFactory(), UserFactory()
    comment = feed.comment_create(viewer=blocker, story=LiveStoryFactory(), text="hidden from you")
    accounts.block_create(blocker=blocker, blocked=me)
    client = api_as(me)
    assert _report(client, f"/api/v1/users/{blocker.username}/report/") == 404
    assert _report(client, f"/api/v1/comments/{comment.pk}/report/") == 404
    assert not Report.objects.exists()


def test_what_was_never_visible_stays_unreportable_after_a_block():
    me, stranger = UserFactory(), UserFactory()
    friends_only = LiveStoryFactory(author=stranger, audience="friends")
    comment = feed.comment_create(
        viewer=UserFactory(), story=LiveStoryFactory(author=stranger, audience="followers"), text="x"
    )
    accounts.block_create(blocker=me, blocked=stranger)
    client = api_as(me)
    assert _report(client, f"/api/v1/stories/{friends_only.pk}/report/") == 404
    assert _report(client, f"/api/v1/comments/{comment.pk}/report/") == 404
