"""Figures one person cannot inflate, and followers counted as the profile counts them
(issue 19, items 2, 4 and 5), through the analytics API the author reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts import selectors as people
from accounts import services as accounts
from accounts.models import User
from analytics import selectors
from feed import services as feed
from stories.services.follows import follow_from_story
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _live(clock, **fields):
    return LiveStoryFactory(
        published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24), **fields
    )


def _story_figures(story) -> dict:
    response = _client(story.author).get(f"/api/v1/analytics/stories/{story.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_completion_only_reports_cannot_take_the_rate_past_one(clock):
    """One impression, then five `{"completed": true, "impression": false}`: was 5.0."""
    story = _live(clock)
    api = _client(UserFactory())
    url = f"/api/v1/stories/{story.pk}/views/"
    assert api.post(url, {"completed": False}, format="json").status_code == 204
    for _ in range(5):
        assert api.post(url, {"completed": True, "impression": False}, format="json").status_code == 204
    figures = _story_figures(story)
    assert (figures["impressions"], figures["completions"], figures["completion_rate"]) == (1, 1, 1.0)


def test_unfollowing_and_following_again_from_a_story_counts_once(clock):
    """Five unfollow/refollow rounds with `from_story` took `follows_from_story` from 1 to 6."""
    story = _live(clock)
    fan = UserFactory()
    api = _client(fan)
    follow_url = f"/api/v1/users/{story.author.username}/follow/"
    assert api.post(follow_url, {"from_story": str(story.pk)}, format="json").status_code == 201
    for _ in range(5):
        assert api.delete(follow_url).status_code == 204
        assert api.post(follow_url, {"from_story": str(story.pk)}, format="json").status_code == 201
    assert _story_figures(story)["follows_from_story"] == 1


def test_a_follow_from_a_story_ended_on_a_later_day_is_taken_back_that_day(clock):
    story = _live(clock)
    fan = UserFactory()
    follow_from_story(viewer=fan, followee=story.author, story_id=story.pk)
    clock.set(clock.moment + timedelta(days=1))
    accounts.block_create(blocker=story.author, blocked=fan)  # a block ends the follow as an unfollow does
    figures = _story_figures(story)
    assert figures["follows_from_story"] == 0
    assert [day["follows_from_story"] for day in figures["by_day"]] == [1, -1]


def test_the_authors_own_likes_comments_and_shares_are_not_engagement(clock):
    """One viewer who did nothing, and the author's own like, comment and share: was 3.0."""
    story = _live(clock)
    feed.view_record(viewer=UserFactory(), story=story)
    feed.like_create(viewer=story.author, story=story)
    feed.comment_create(viewer=story.author, story=story, text="thanks for watching")
    feed.share_create(viewer=story.author, story=story)
    figures = _story_figures(story)
    assert (figures["reach"], figures["likes"], figures["comments"], figures["shares"]) == (1, 0, 0, 0)
    assert figures["engagement_rate"] == 0.0


def test_followers_are_counted_as_the_profile_counts_them(clock):
    """A suspended follower was in the analytics `followers` but not in the profile's count."""
    author = UserFactory()
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        accounts.follow_create(follower=fan, followee=author)
    clock.set(clock.moment + timedelta(days=1))
    User.objects.filter(pk=fans[0].pk).update(suspended_until=clock.moment + timedelta(days=7))
    profile = _client(author).get(f"/api/v1/users/{author.username}/").json()
    summary = _client(author).get("/api/v1/analytics/summary/?days=3").json()
    assert profile["followers_count"] == summary["followers"] == 2
    growth = [(day["gained"], day["lost"], day["followers"]) for day in summary["follower_growth"]]
    # The suspended follower's follow is left out of the day it was made, so the chart ends at
    # the count shown and never goes below zero.
    assert growth == [(0, 0, 0), (2, 0, 2), (0, 0, 2)]

    User.objects.filter(pk=fans[0].pk).update(suspended_until=None)
    assert (
        selectors.author_summary(author=author, days=3).followers
        == people.followers_count(person=author, viewer=author)
        == 3
    )
    assert [day.followers for day in selectors.author_summary(author=author, days=3).follower_growth] == [
        0,
        3,
        3,
    ]
