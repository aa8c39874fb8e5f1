"""Engagement rules: exact counts, stats that outlive the purge, comments, shares and views."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from feed import services
from feed.models import Affinity, Comment, Like, Share, StoryDailyStats, StoryView
from stories.models import Story
from tests.factories import CommentFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def stats(story: Story) -> dict:
    row = StoryDailyStats.objects.get(story_id=story.pk, day=timezone.now().date())
    fields = ["impressions", "reach", "completions", "likes", "comments", "shares"]
    return {name: getattr(row, name) for name in fields}


class TestLikes:
    def test_like_unlike_and_counts(self, viewer):
        story = LiveStoryFactory()
        other = UserFactory()
        assert services.like(viewer, story) == (True, 1)
        assert services.like(viewer, story) == (False, 1)  # a second tap changes nothing
        assert services.like(other, story) == (True, 2)
        assert services.unlike(viewer, story) == (True, 1)
        assert services.unlike(viewer, story) == (False, 1)
        story.refresh_from_db()
        assert story.like_count == 1
        assert list(Like.objects.values_list("user", flat=True)) == [other.pk]
        assert stats(story)["likes"] == 1  # net: 2 likes, 1 unlike

    def test_likes_build_affinity_but_not_for_yourself(self, viewer):
        story = LiveStoryFactory()
        services.like(viewer, story)
        services.like(story.author, story)
        assert Affinity.objects.get(user=viewer, author=story.author).likes == 1
        assert not Affinity.objects.filter(user=story.author).exists()
        services.unlike(viewer, story)
        assert Affinity.objects.get(user=viewer, author=story.author).likes == 0

    def test_suspended_people_cannot_like(self, viewer):
        viewer.suspended_until = timezone.now() + timedelta(days=1)
        viewer.save()
        with pytest.raises(PermissionDenied):
            services.like(viewer, LiveStoryFactory())
        assert not Like.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_keep_the_count_exact(requires_postgres):
    """20 people like at once, each twice (double tap): exactly 20 likes counted."""
    story = LiveStoryFactory()
    people = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(len(people) * 2)
    errors: list[BaseException] = []

    def tap(person):
        try:
            barrier.wait()
            services.like(person, story)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(p,)) for p in people for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    story.refresh_from_db()
    assert story.like_count == 20
    assert Like.objects.filter(story=story).count() == 20
    assert stats(story)["likes"] == 20


class TestComments:
    def test_add_strips_and_counts(self, viewer):
        story = LiveStoryFactory()
        comment = services.add_comment(viewer, story, "  <b>hello</b>  ")
        assert comment.text == "<b>hello</b>"  # stored as typed; escaped when rendered
        story.refresh_from_db()
        assert story.comment_count == 1
        assert stats(story)["comments"] == 1
        assert Affinity.objects.get(user=viewer, author=story.author).comments == 1

    @pytest.mark.parametrize("text", ["", "   ", "x" * 501])
    def test_text_must_be_1_to_500_characters(self, viewer, text):
        with pytest.raises(ValidationError):
            services.add_comment(viewer, LiveStoryFactory(), text)
        assert not Comment.objects.exists()

    def test_500_characters_is_fine(self, viewer):
        assert len(services.add_comment(viewer, LiveStoryFactory(), "x" * 500).text) == 500

    def test_comments_off_refuses(self, viewer):
        story = LiveStoryFactory(allow_comments=False)
        with pytest.raises(PermissionDenied):
            services.add_comment(viewer, story, "hi")

    def test_delete_own_or_on_your_story_only(self, viewer):
        story = LiveStoryFactory()
        mine = services.add_comment(viewer, story, "mine")
        theirs = services.add_comment(UserFactory(), story, "theirs")
        with pytest.raises(PermissionDenied):
            services.delete_comment(viewer, theirs)
        services.delete_comment(viewer, mine)
        services.delete_comment(story.author, theirs)  # the story's author may delete any
        story.refresh_from_db()
        assert story.comment_count == 0
        assert not Comment.objects.exists()
        assert stats(story)["comments"] == 0

    def test_a_stranger_cannot_delete_on_someone_elses_story(self):
        comment = CommentFactory()
        with pytest.raises(PermissionDenied):
            services.delete_comment(UserFactory(), comment)


class TestSharesAndViews:
    def test_each_share_counts_and_leaves_a_row(self, viewer):
        story = LiveStoryFactory()
        assert services.share(viewer, story) == 1
        assert services.share(viewer, story) == 2
        assert Share.objects.filter(story=story, user=viewer).count() == 2
        assert stats(story)["shares"] == 2

    def test_views_one_row_per_viewer_impressions_add_up(self, viewer):
        story = LiveStoryFactory()
        for _ in range(3):
            services.record_view(viewer, story)
        row = StoryView.objects.get()
        assert (row.impressions, row.completed_at) == (3, None)
        assert stats(story) == {
            "impressions": 3,
            "reach": 1,
            "completions": 0,
            "likes": 0,
            "comments": 0,
            "shares": 0,
        }

    def test_every_completed_view_counts_and_the_first_completion_is_kept(self, viewer):
        """Completion rate is completed views / impressions, so each completed view counts."""
        story = LiveStoryFactory()
        services.record_view(viewer, story)
        services.record_view(viewer, story, completed=True)
        first = StoryView.objects.get().completed_at
        services.record_view(viewer, story, completed=True)
        row = StoryView.objects.get()
        assert row.impressions == 3
        assert row.completed_at == first
        assert stats(story)["completions"] == 2

    def test_completed_on_the_first_view(self, viewer):
        story = LiveStoryFactory()
        services.record_view(viewer, story, completed=True)
        assert StoryView.objects.get().completed_at is not None
        assert (stats(story)["reach"], stats(story)["completions"]) == (1, 1)

    def test_anonymous_views_only_in_the_aggregates(self):
        story = LiveStoryFactory()
        services.record_view(None, story)
        services.record_view(None, story, completed=True)
        assert not StoryView.objects.exists()
        assert stats(story) | {} == {
            "impressions": 2,
            "reach": 0,
            "completions": 1,
            "likes": 0,
            "comments": 0,
            "shares": 0,
        }

    def test_the_authors_own_views_mark_seen_but_count_nothing(self):
        story = LiveStoryFactory()
        services.record_view(story.author, story, completed=True)
        assert StoryView.objects.filter(viewer=story.author).exists()
        assert not StoryDailyStats.objects.exists()

    def test_daily_stats_outlive_the_story(self, viewer):
        story = LiveStoryFactory()
        services.record_view(viewer, story)
        story_id = story.pk
        Story.objects.filter(pk=story_id).delete()  # what the purge does to the row
        assert StoryDailyStats.objects.get(story_id=story_id).impressions == 1
        assert not StoryView.objects.exists()
