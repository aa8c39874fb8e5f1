"""`make run`'s demo content is real: people with avatars and follows, sounds, and live stories
made through the pipeline from generated media (a trimmed-down list keeps the test quick)."""

import pytest
from django.core.management import call_command

from accounts.models import Follow, User
from feed.models import Comment, Like, Notification, StoryView
from stories.lifecycle import State
from stories.models import Highlight, Sound, Story, StoryDailyStats
from stories_site.dev import demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_makes_live_stories_and_is_idempotent(monkeypatch, capsys):
    monkeypatch.setattr(demo, "STORIES", [demo.STORIES[0], demo.STORIES[1]])
    monkeypatch.setattr(demo, "SCHEDULED", [])  # tests/stories/test_scheduled.py seeds one
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "password: stories-demo" in out
    assert set(User.objects.values_list("username", flat=True)) >= {p.username for p in demo.PEOPLE}
    assert all(user.avatar for user in User.objects.filter(username__in=[p.username for p in demo.PEOPLE]))
    assert Follow.objects.count() == len(demo.FOLLOWS)
    assert Sound.objects.count() == len(demo.SOUNDS)
    stories = list(Story.objects.filter(archived_at__isnull=True))
    assert len(stories) == 2
    assert {story.state for story in stories} == {State.READY}
    assert {story.kind for story in stories} == {"video", "photo"}
    poll = Story.objects.get(caption=demo.STORIES[0][5]).stickers.get()
    assert poll.type == "poll"

    # Followers watched, liked and commented through the real services: the counters, the
    # author's notifications and analytics agree with the rows.
    for story in stories:
        followers = set(Follow.objects.filter(followee=story.author).values_list("follower", flat=True))
        story.refresh_from_db()
        assert set(StoryView.objects.filter(story=story).values_list("viewer", flat=True)) == followers
        assert story.like_count == Like.objects.filter(story=story).count() > 0
        assert set(Like.objects.filter(story=story).values_list("user", flat=True)) <= followers
        daily = StoryDailyStats.objects.filter(story_id=story.pk).values_list("impressions", flat=True)
        assert sum(daily) == len(followers)
    assert Comment.objects.exists()
    assert Notification.objects.filter(recipient__username=demo.STORIES[0][0], kind="like").exists()
    # A highlight on alice's profile holds her live stories (issue 17).
    highlight = Highlight.objects.get(owner__username=demo.STORIES[0][0])
    live = Story.objects.filter(author__username=demo.STORIES[0][0], state=State.READY)
    assert set(highlight.items.values_list("story_id", flat=True)) >= set(live.values_list("pk", flat=True))
    assert live.count() == 2
    # Alice keeps an archive, holding one expired story with its media (issue 17).
    archived = Story.objects.get(archived_at__isnull=False)
    assert (archived.author.username, archived.state) == (demo.STORIES[0][0], State.EXPIRED)
    assert archived.author.archive_stories
    assert archived.media
    views, likes, comments = StoryView.objects.count(), Like.objects.count(), Comment.objects.count()

    call_command("seed_demo")  # a second run reuses what is there, and engages nobody twice
    assert (StoryView.objects.count(), Like.objects.count(), Comment.objects.count()) == (
        views,
        likes,
        comments,
    )
    assert Story.objects.count() == 3  # the two live ones and the archived one
    assert Highlight.objects.count() == 1
    assert User.objects.filter(username="alice").count() == 1
