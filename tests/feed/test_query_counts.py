"""A feed page costs the same few queries whatever its size and however much data there is
(issue #4: at most 6). Clients here authenticate without a query (force_authenticate); a token
adds one, a session two."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feed import services
from stickers.models import PollVote
from tests.factories import FollowFactory, LiveStoryFactory, StoryViewFactory, UserFactory
from tests.stickers.factories import MentionStickerFactory, PollStickerFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

# For You: ranked ids + stories with authors; Following: the page's stories with authors in
# one query. Then the questions the page's stories answer, the page's stickers, and one UNION
# of every sticker count, the viewer's own votes and the mentions they may see. Tray: known
# authors + walk + walked authors' items (no stickers).
EXPECTED = {"for-you": 5, "following": 4, "tray": 3}


def populate(viewer, authors: int, items: int) -> None:
    now = timezone.now()
    for a in range(authors):
        author = UserFactory()
        if a % 2:
            FollowFactory(follower=viewer, followee=author)
        for i in range(items):
            story = LiveStoryFactory(
                author=author, like_count=a + i, published_at=now - timedelta(minutes=a * i)
            )
            if i == 0 and a % 4 == 1:  # some followed authors partly seen; strangers unseen
                StoryViewFactory(story=story, viewer=viewer)
            # stickers whose counts and mentions cost queries, some voted on by the viewer
            poll = PollStickerFactory(story=story)
            if a % 2:
                PollVote.objects.create(sticker=poll, voter=viewer, option=0)
            MentionStickerFactory(story=story)
            if a % 3 == 0:
                services.like_create(viewer=viewer, story=story)
    LiveStoryFactory(author=viewer)


@pytest.mark.parametrize("feed", list(EXPECTED))
@pytest.mark.parametrize(("authors", "items"), [(3, 2), (14, 4)])
@pytest.mark.parametrize("size", [2, 25])
def test_constant_queries_per_page(
    django_assert_num_queries, django_assert_max_num_queries, viewer, feed, authors, items, size
):
    populate(viewer, authors, items)
    client = client_for(viewer)
    with django_assert_num_queries(EXPECTED[feed]):
        first = client.get(f"/api/v1/feed/{feed}/?page_size={size}").json()
    assert first["results"]
    if first["next"]:  # a later page costs no more (the tray skips its walk once past it)
        with django_assert_max_num_queries(EXPECTED[feed]):
            client.get(first["next"])


def test_token_auth_stays_within_six(django_assert_max_num_queries, viewer):
    from rest_framework.test import APIClient

    from accounts.tokens import token_create

    populate(viewer, 5, 3)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=viewer)[1]}")
    for feed in EXPECTED:
        with django_assert_max_num_queries(6):
            assert client.get(f"/api/v1/feed/{feed}/").status_code == 200
