"""Ranking on constructed data: For You (docs/ranking.md), Following and the tray."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feed import selectors, services
from feed.models import Affinity
from stories.models import Story
from tests.factories import FollowFactory, LiveStoryFactory, StoryViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def names(stories: list[Story]) -> list[str]:
    return [s.caption for s in stories]


# The first page of each list, as the home page and the API ask for it.
def for_you(viewer) -> list[Story]:
    return selectors.for_you_page(viewer=viewer, cursor=None, size=60).items


def following(viewer) -> list[Story]:
    return selectors.following_page(viewer=viewer, cursor=None, size=60).items


def tray(viewer) -> list[selectors.TrayEntry]:
    return selectors.tray_page(viewer=viewer, cursor=None, size=30).entries


def test_sql_score_matches_the_python_formula():
    story = LiveStoryFactory(like_count=7, comment_count=2, share_count=1, published_at=ago(3))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT feed_hot(like_count, comment_count, share_count, published_at) FROM stories_story"
        )
        (from_sql,) = cursor.fetchone()
    assert from_sql == pytest.approx(
        selectors.hot_score(likes=7, comments=2, shares=1, published_at=story.published_at), abs=1e-9
    )


@pytest.mark.postgres
def test_the_sql_score_is_inlined_and_still_matches_its_index():
    """`feed_hot` is inlined (migration feed/0012: a call per scored row cost about 14 times as
    much), and the inlined expression still matches the `feed_story_hot` index: with sorting
    priced out, the order comes from the index, which it could not if the forms differed."""
    score = "feed_hot(like_count, comment_count, share_count, published_at)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (VERBOSE) SELECT {score} FROM stories_story")
        scored = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_sort = off")
        ready = "SELECT id FROM stories_story WHERE state = 'ready'"
        cursor.execute(f"EXPLAIN {ready} ORDER BY {score} DESC, id DESC LIMIT 20")
        walked = "\n".join(row[0] for row in cursor.fetchall())
    assert "feed_hot(" not in scored, scored
    assert "ln(" in scored, scored
    assert "feed_story_hot" in walked, walked
    assert "Sort" not in walked, walked


def test_fresh_engaging_story_beats_a_stale_one(viewer):
    LiveStoryFactory(caption="stale", like_count=100, published_at=ago(10))
    LiveStoryFactory(caption="fresh", like_count=10, published_at=ago(0.1))
    LiveStoryFactory(caption="fresh but ignored", like_count=0, published_at=ago(0.1))
    assert names(for_you(viewer)) == ["fresh", "stale", "fresh but ignored"]


def test_engagement_beats_a_little_freshness(viewer):
    LiveStoryFactory(caption="new, nothing", published_at=ago(0))
    LiveStoryFactory(caption="hour old, loved", like_count=20, comment_count=5, published_at=ago(1))
    assert names(for_you(viewer)) == ["hour old, loved", "new, nothing"]


def test_affinity_boosts_followed_liked_and_commented_authors(viewer):
    when = ago(1)
    stranger = LiveStoryFactory(caption="stranger", like_count=2, published_at=when)
    followed = LiveStoryFactory(caption="followed", published_at=when)
    liked = LiveStoryFactory(caption="liked", published_at=when)
    FollowFactory(follower=viewer, followee=followed.author)
    Affinity.objects.create(user=viewer, author=liked.author, likes=3)
    # follow boost 1.5 > like boost 0.5 * ln(4) = 0.69 > ln(3) - ln(1) = 1.10? no: stranger's 2
    # likes are worth ln(3) = 1.10, more than 0.69 from liking the author three times.
    assert names(for_you(viewer)) == ["followed", "stranger", "liked"]
    Affinity.objects.filter(user=viewer, author=liked.author).update(likes=20, comments=5)
    assert names(for_you(viewer)) == ["liked", "followed", "stranger"]
    assert stranger.pk  # (kept for readability)


def test_likes_and_comments_through_the_services_build_affinity(viewer):
    when = ago(1)
    LiveStoryFactory(caption="a", published_at=when)
    b = LiveStoryFactory(caption="b", published_at=when)
    elsewhere = LiveStoryFactory(author=b.author, caption="b elsewhere", published_at=ago(20))
    services.comment_create(viewer=viewer, story=elsewhere, text="x")  # affinity with b's author
    services.like_create(viewer=viewer, story=elsewhere)
    ranked = names(for_you(viewer))
    assert ranked.index("b") < ranked.index("a")  # same engagement and age; b's author boosted


def test_unseen_before_seen(viewer):
    top = LiveStoryFactory(caption="top", like_count=50)
    LiveStoryFactory(caption="weak", published_at=ago(5))
    followed_seen = LiveStoryFactory(caption="followed seen", like_count=10)
    FollowFactory(follower=viewer, followee=followed_seen.author)
    StoryViewFactory(story=top, viewer=viewer, first_seen_at=ago(0.01))
    StoryViewFactory(story=followed_seen, viewer=viewer, first_seen_at=ago(0.01))
    ranked = for_you(viewer)
    assert names(ranked) == ["weak", "top", "followed seen"]
    assert [s.seen_by_me for s in ranked] == [False, True, True]


def test_own_stories_are_not_in_for_you(viewer):
    LiveStoryFactory(author=viewer)
    assert for_you(viewer) == []


def test_no_more_than_three_in_a_row_per_author(viewer):
    busy = UserFactory()
    for n in range(8):
        LiveStoryFactory(author=busy, caption=f"busy{n}", like_count=100 - n)
    for n in range(2):
        LiveStoryFactory(caption=f"other{n}", like_count=1 - n)
    ranked = for_you(viewer)
    authors = [s.author_id for s in ranked]
    assert names(ranked)[:4] == ["busy0", "busy1", "busy2", "other0"]
    assert max_run(authors) <= 3 or authors[-3:] == [busy.pk] * 3  # only busy left at the end
    assert len(ranked) == 10


def max_run(authors: list[int]) -> int:
    longest = run = 0
    for i, author in enumerate(authors):
        run = run + 1 if i and author == authors[i - 1] else 1
        longest = max(longest, run)
    return longest


def test_anonymous_for_you_sees_only_public_stories(api_client):
    LiveStoryFactory(caption="public")
    LiveStoryFactory(caption="followers", audience="followers")
    assert names(for_you(None)) == ["public"]


class TestFollowing:
    def test_unseen_authors_first_then_recency_items_oldest_first(self, viewer):
        seen_author, fresh_author, older_author = UserFactory(), UserFactory(), UserFactory()
        for person in (seen_author, fresh_author, older_author):
            FollowFactory(follower=viewer, followee=person)
        s1 = LiveStoryFactory(author=seen_author, caption="seen", published_at=ago(0))
        StoryViewFactory(story=s1, viewer=viewer, first_seen_at=ago(0.001))
        LiveStoryFactory(author=older_author, caption="older 1", published_at=ago(3))
        LiveStoryFactory(author=older_author, caption="older 2", published_at=ago(2))
        LiveStoryFactory(author=fresh_author, caption="fresh 1", published_at=ago(1))
        LiveStoryFactory(author=fresh_author, caption="fresh 2", published_at=ago(0.5))
        LiveStoryFactory(caption="not followed")
        assert names(following(viewer)) == ["fresh 1", "fresh 2", "older 1", "older 2", "seen"]

    def test_partly_seen_author_still_counts_as_unseen(self, viewer):
        author = UserFactory()
        FollowFactory(follower=viewer, followee=author)
        first = LiveStoryFactory(author=author, caption="1", published_at=ago(1))
        LiveStoryFactory(author=author, caption="2", published_at=ago(0.5))
        StoryViewFactory(story=first, viewer=viewer, first_seen_at=ago(0.1))
        other = UserFactory()
        FollowFactory(follower=viewer, followee=other)
        LiveStoryFactory(author=other, caption="other", published_at=ago(2))
        assert names(following(viewer)) == ["1", "2", "other"]


class TestTray:
    def test_order_own_then_unseen_followed_first_then_seen(self, viewer):
        followed, stranger, seen_one = UserFactory(), UserFactory(), UserFactory()
        FollowFactory(follower=viewer, followee=followed)
        FollowFactory(follower=viewer, followee=seen_one)
        LiveStoryFactory(author=stranger, published_at=ago(0.1))
        LiveStoryFactory(author=followed, published_at=ago(2))
        watched = LiveStoryFactory(author=seen_one, published_at=ago(0))
        StoryViewFactory(story=watched, viewer=viewer, first_seen_at=ago(0.001))
        LiveStoryFactory(author=viewer, published_at=ago(5))
        entries = tray(viewer)
        assert [e.author for e in entries] == [viewer, followed, stranger, seen_one]
        assert [e.has_unseen for e in entries] == [True, True, True, False]

    def test_entry_fields_and_the_ring_dimming(self, viewer):
        author = UserFactory()
        first = LiveStoryFactory(author=author, published_at=ago(2))
        second = LiveStoryFactory(author=author, published_at=ago(1))
        (entry,) = tray(viewer)
        assert (entry.item_count, entry.first_unseen_story_id, entry.has_unseen) == (2, first.pk, True)
        assert entry.latest_published_at == second.published_at
        services.view_record(viewer=viewer, story=first)
        (entry,) = tray(viewer)
        assert (entry.first_unseen_story_id, entry.has_unseen) == (second.pk, True)
        services.view_record(viewer=viewer, story=second, completed=True)
        (entry,) = tray(viewer)
        assert (entry.first_unseen_story_id, entry.has_unseen) == (None, False)

    def test_seen_stranger_goes_to_the_end(self, viewer):
        stranger, other = UserFactory(), UserFactory()
        story = LiveStoryFactory(author=stranger, published_at=ago(0))
        LiveStoryFactory(author=other, published_at=ago(3))
        services.view_record(viewer=viewer, story=story)
        assert [e.author for e in tray(viewer)] == [other, stranger]

    def test_anonymous_tray_and_hidden_stories(self, api_client):
        public = LiveStoryFactory(published_at=ago(1))
        LiveStoryFactory(audience="friends")
        body = api_client.get("/api/v1/feed/tray/").json()
        assert [e["author"]["username"] for e in body["results"]] == [public.author.username]
        assert set(body["results"][0]) == {
            "author",
            "has_unseen",
            "item_count",
            "first_unseen_story_id",
            "latest_published_at",
        }
