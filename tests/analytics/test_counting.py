"""The counting rules one by one: a day's reach, completion-only reports, follows from a story
(only the followee's own and visible story counts), unfollows and blocks as lost followers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import FollowerDaily
from analytics import selectors
from feed import services as feed
from feed.models import StoryView
from stories.models import Audience, StoryDailyStats
from tests.factories import FollowFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def _day(story, moment) -> StoryDailyStats:
    return StoryDailyStats.objects.get(story_id=story.pk, day=moment.date())


def test_a_viewer_counts_once_in_reach_and_once_a_day_in_day_reach(clock):
    clock.set(MORNING)
    story = LiveStoryFactory(published_at=MORNING, expires_at=MORNING + timedelta(hours=24))
    viewer = UserFactory()
    feed.view_record(viewer=viewer, story=story)
    clock.set(MORNING + timedelta(minutes=5))  # one person's repeats within a minute count once
    feed.view_record(viewer=viewer, story=story)
    clock.set(MORNING + timedelta(hours=17))  # 01:00 the next day
    feed.view_record(viewer=viewer, story=story)
    clock.set(MORNING + timedelta(hours=17, minutes=5))
    feed.view_record(viewer=viewer, story=story)
    first, second = _day(story, MORNING), _day(story, clock.moment)
    assert (first.impressions, first.reach, first.day_reach) == (2, 1, 1)
    assert (second.impressions, second.reach, second.day_reach) == (2, 0, 1)
    assert StoryView.objects.get().impressions == 4
    assert selectors.story_figures(story_id=story.pk).reach == 1
    assert [day.reach for day in selectors.story_days(story_id=story.pk)] == [1, 1]


def test_a_completion_only_report_is_not_a_second_impression(clock):
    story = LiveStoryFactory(published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24))
    viewer = UserFactory()
    feed.view_record(viewer=viewer, story=story)
    feed.view_record(viewer=viewer, story=story, completed=True, impression=False)
    feed.view_record(viewer=None, story=story)
    feed.view_record(viewer=None, story=story, completed=True, impression=False)
    row = _day(story, clock.moment)
    assert (row.impressions, row.completions, row.reach) == (2, 2, 1)
    assert StoryView.objects.get().completed_at == clock.moment
    assert selectors.story_figures(story_id=story.pk).completion_rate == 1.0


def test_a_completion_without_an_impression_before_it_is_both(clock):
    story = LiveStoryFactory(published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24))
    feed.view_record(viewer=UserFactory(), story=story, completed=True, impression=False)
    row = _day(story, clock.moment)
    assert (row.impressions, row.completions, row.reach, row.day_reach) == (1, 1, 1, 1)


def test_the_views_endpoint_takes_impression_false(clock):
    story = LiveStoryFactory(published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24))
    api = APIClient()
    api.force_authenticate(UserFactory())
    url = f"/api/v1/stories/{story.pk}/views/"
    assert api.post(url, {"completed": False}, format="json").status_code == 204
    assert api.post(url, {"completed": True, "impression": False}, format="json").status_code == 204
    assert (_day(story, clock.moment).impressions, _day(story, clock.moment).completions) == (1, 1)


class TestFollowsFromAStory:
    def _follow(self, follower, followee, body):
        api = APIClient()
        api.force_authenticate(follower)
        return api.post(f"/api/v1/users/{followee.username}/follow/", body, format="json")

    def test_counted_on_the_story(self, clock):
        story = LiveStoryFactory(published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24))
        response = self._follow(UserFactory(), story.author, {"from_story": str(story.pk)})
        assert response.status_code == 201
        assert _day(story, clock.moment).follows_from_story == 1

    def test_a_bad_id_is_a_400_and_no_follow(self):
        author = UserFactory()
        follower = UserFactory()
        response = self._follow(follower, author, {"from_story": "not-a-story"})
        assert response.status_code == 400
        assert "from_story" in response.json()["errors"]
        assert not accounts.selectors.follow_exists(follower=follower, followee=author)

    @pytest.mark.parametrize("case", ["someone_elses", "expired", "unknown", "followers_only"])
    def test_not_counted_unless_the_followees_visible_story(self, case, clock):
        now = clock.moment
        author = UserFactory()
        live = {"published_at": now, "expires_at": now + timedelta(hours=24)}
        story = {
            "someone_elses": lambda: LiveStoryFactory(**live),
            "expired": lambda: LiveStoryFactory(
                author=author, published_at=now - timedelta(hours=30), expires_at=now - timedelta(hours=6)
            ),
            "unknown": lambda: None,
            "followers_only": lambda: LiveStoryFactory(author=author, audience=Audience.FOLLOWERS, **live),
        }[case]()
        story_id = str(story.pk) if story else "00000000-0000-0000-0000-000000000001"
        follower = UserFactory()
        assert self._follow(follower, author, {"from_story": story_id}).status_code == 201
        assert not StoryDailyStats.objects.filter(follows_from_story__gt=0).exists()
        assert accounts.selectors.follow_exists(follower=follower, followee=author)
        assert FollowerDaily.objects.get(author=author).gained == 1

    def test_no_body_still_follows(self):
        author = UserFactory()
        assert self._follow(UserFactory(), author, {}).status_code == 201
        assert FollowerDaily.objects.get(author=author).gained == 1


def test_unfollows_and_blocks_are_lost_followers_counted_once(clock):
    author = UserFactory()
    fan, critic = UserFactory(), UserFactory()
    accounts.follow_create(follower=fan, followee=author)
    accounts.follow_create(follower=critic, followee=author)
    accounts.follow_create(follower=author, followee=critic)
    assert accounts.follow_delete(follower=fan, followee=author)
    assert not accounts.follow_delete(follower=fan, followee=author)  # nothing left to end
    accounts.block_create(blocker=author, blocked=critic)  # ends both follows
    mine = FollowerDaily.objects.get(author=author)
    theirs = FollowerDaily.objects.get(author=critic)
    assert (mine.gained, mine.lost) == (2, 2)
    assert (theirs.gained, theirs.lost) == (1, 1)
    growth, followers = selectors.follower_growth(
        author=author, start=clock.moment.date(), end=clock.moment.date()
    )
    assert followers == 0
    assert [(day.gained, day.lost, day.followers) for day in growth] == [(2, 2, 0)]


def test_follower_count_before_the_period_comes_from_todays(clock):
    author = UserFactory()
    FollowFactory(followee=author)  # an old follow, from before any counting
    accounts.follow_create(follower=UserFactory(), followee=author)
    summary = selectors.author_summary(author=author, days=3)
    assert [day.followers for day in summary.follower_growth] == [1, 1, 2]
