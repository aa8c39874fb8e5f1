"""Counting is exact under parallel requests: views through the HTTP endpoint from many
threads (the same person in several tabs too), follows from a story with double taps, poll votes
and racing unfollows. PostgreSQL only: SQLite serialises writers, so it cannot show a race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import FollowerDaily
from feed.models import StoryRetention, StoryView
from stickers import services as stickers
from stickers.models import StickerStats
from stories.models import StoryDailyStats
from tests.factories import LiveStoryFactory, UserFactory
from tests.stickers.factories import PollStickerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(actions: list) -> None:
    """Run every action at the same instant, each in its own thread and connection; a failure
    in any thread fails the test."""
    barrier = threading.Barrier(len(actions))

    def run(action) -> None:
        try:
            barrier.wait()
            action()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        for future in [pool.submit(run, action) for action in actions]:
            future.result()


def _live_story():
    now = timezone.now()
    return LiveStoryFactory(published_at=now, expires_at=now + timedelta(hours=24))


def _today(story) -> StoryDailyStats:
    return StoryDailyStats.objects.get(story_id=story.pk, day=timezone.now().date())


def _client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _race_views(story, people: list) -> None:
    """8 people x 3 tabs and 6 signed-out tabs (one address) report an impression at once, then
    every person's completion-only report at once."""
    url = f"/api/v1/stories/{story.pk}/views/"

    def post(client, body):
        def action():
            response = client.post(url, body, format="json")
            assert response.status_code == 204, response.content

        return action

    clients = [_client(person) for person in people for _ in range(3)] + [_client() for _ in range(6)]
    race([post(client, {"completed": False}) for client in clients])
    race([post(_client(person), {"completed": True, "impression": False}) for person in people])


def test_parallel_view_requests_count_exactly(requires_postgres, settings):
    """With no repeat window every impression counts: 30 impressions, 8 reached, 8 completions."""
    settings.STORIES_VIEW_REPEAT_SECONDS = 0
    story, people = _live_story(), [UserFactory() for _ in range(8)]
    _race_views(story, people)
    row = _today(story)
    assert (row.impressions, row.reach, row.day_reach, row.completions) == (30, 8, 8, 8)
    assert sorted(StoryView.objects.filter(story=story).values_list("impressions", flat=True)) == [3] * 8


def test_parallel_repeats_inside_the_window_count_once(requires_postgres, settings):
    """Within STORIES_VIEW_REPEAT_SECONDS a person's racing tabs count one impression, and so do
    the signed-out tabs of one address: 8 + 1 impressions, still 8 reached and 8 completions."""
    settings.STORIES_VIEW_REPEAT_SECONDS = 60
    story, people = _live_story(), [UserFactory() for _ in range(8)]
    _race_views(story, people)
    row = _today(story)
    assert (row.impressions, row.reach, row.day_reach, row.completions) == (9, 8, 8, 8)
    assert sorted(StoryView.objects.filter(story=story).values_list("impressions", flat=True)) == [1] * 8


def test_follows_from_a_story_with_double_taps_count_once_each(requires_postgres):
    story = _live_story()
    people = [UserFactory() for _ in range(10)]
    url = f"/api/v1/users/{story.author.username}/follow/"

    def follow(person):
        return lambda: _client(person).post(url, {"from_story": str(story.pk)}, format="json")

    race([follow(person) for person in people for _ in range(2)])
    assert _today(story).follows_from_story == 10
    assert FollowerDaily.objects.get(author=story.author).gained == 10


def test_racing_unfollows_lose_one_follower(requires_postgres):
    author, fan = UserFactory(), UserFactory()
    accounts.follow_create(follower=fan, followee=author)
    race([lambda: accounts.follow_delete(follower=fan, followee=author) for _ in range(6)])
    row = FollowerDaily.objects.get(author=author)
    assert (row.gained, row.lost) == (1, 1)


def test_parallel_poll_votes_are_all_counted(requires_postgres):
    poll = PollStickerFactory()
    people = [UserFactory() for _ in range(10)]
    race(
        [
            lambda person=person, n=n: stickers.poll_vote(sticker=poll, viewer=person, option=n % 2)
            for n, person in enumerate(people)
        ]
    )
    stats = StickerStats.objects.get(sticker_id=poll.pk)
    assert (stats.responses, stats.option_counts) == (10, [5, 5])
    assert _today(poll.story).sticker_responses == 10


def test_racing_views_add_to_the_retention_curve_exactly(requires_postgres):
    """24 views report how far they got at the same instant, each a different length; then
    12 of them report again, further: every second's count is exact."""
    story = LiveStoryFactory(duration=5.0)
    url = f"/api/v1/stories/{story.pk}/views/"
    people = [UserFactory() for _ in range(24)]

    def report(person, n: int, watched_ms: int):
        body = {"impression": False, "watched_ms": watched_ms, "view_key": f"view-{n:04d}"}
        return lambda: _client(person).post(url, body, format="json")

    race([report(person, n, (n % 5) * 1000) for n, person in enumerate(people)])
    race([report(person, n, 5000) for n, person in enumerate(people) if n % 2 == 0])
    counts = list(
        StoryRetention.objects.filter(story_id=story.pk).order_by("second").values_list("views", flat=True)
    )
    # First round: view n reached seconds 0..n%5. Second round: the even views reach all five.
    expected = [sum(1 for n in range(24) if n % 2 == 0 or n % 5 >= second) for second in range(5)]
    assert counts == expected
