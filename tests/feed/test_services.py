"""Engagement rules: exact counts, stats that outlive the purge, comments, shares and views."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from feed import services
from feed.models import Affinity, Comment, Like, Notification, Share, StoryView
from stories.models import Story, StoryDailyStats
from stories_site.celery import beat_schedule
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
        assert services.like_create(viewer=viewer, story=story) == (True, 1)
        assert services.like_create(viewer=viewer, story=story) == (False, 1)  # a second tap changes nothing
        assert services.like_create(viewer=other, story=story) == (True, 2)
        assert services.like_delete(viewer=viewer, story=story) == (True, 1)
        assert services.like_delete(viewer=viewer, story=story) == (False, 1)
        story.refresh_from_db()
        assert story.like_count == 1
        assert list(Like.objects.values_list("user", flat=True)) == [other.pk]
        assert stats(story)["likes"] == 1  # net: 2 likes, 1 unlike

    def test_likes_build_affinity_but_not_for_yourself(self, viewer):
        story = LiveStoryFactory()
        services.like_create(viewer=viewer, story=story)
        services.like_create(viewer=story.author, story=story)
        assert Affinity.objects.get(user=viewer, author=story.author).likes == 1
        assert not Affinity.objects.filter(user=story.author).exists()
        services.like_delete(viewer=viewer, story=story)
        assert Affinity.objects.get(user=viewer, author=story.author).likes == 0

    def test_suspended_people_cannot_like(self, viewer):
        viewer.suspended_until = timezone.now() + timedelta(days=1)
        viewer.save()
        with pytest.raises(PermissionDenied):
            services.like_create(viewer=viewer, story=LiveStoryFactory())
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
            services.like_create(viewer=person, story=story)
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_comment_sent_at_once_from_two_tabs_is_one_comment(requires_postgres):
    """Issue 19, item 9, under a real race: 6 copies of one comment at the same instant."""
    story = LiveStoryFactory()
    person = UserFactory()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    made: list[int] = []

    def send():
        try:
            barrier.wait()
            made.append(services.comment_create(viewer=person, story=story, text="first!").pk)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(made)) == 1
    story.refresh_from_db()
    assert story.comment_count == Comment.objects.filter(story=story).count() == 1
    assert stats(story)["comments"] == 1
    assert Notification.objects.filter(recipient=story.author, kind="comment").count() == 1


class TestComments:
    def test_add_strips_and_counts(self, viewer):
        story = LiveStoryFactory()
        comment = services.comment_create(viewer=viewer, story=story, text="  <b>hello</b>  ")
        assert comment.text == "<b>hello</b>"  # stored as typed; escaped when rendered
        story.refresh_from_db()
        assert story.comment_count == 1
        assert stats(story)["comments"] == 1
        assert Affinity.objects.get(user=viewer, author=story.author).comments == 1

    @pytest.mark.parametrize("text", ["", "   ", "x" * 501])
    def test_text_must_be_1_to_500_characters(self, viewer, text):
        with pytest.raises(ValidationError):
            services.comment_create(viewer=viewer, story=LiveStoryFactory(), text=text)
        assert not Comment.objects.exists()

    def test_500_characters_is_fine(self, viewer):
        assert (
            len(services.comment_create(viewer=viewer, story=LiveStoryFactory(), text="x" * 500).text) == 500
        )

    def test_comments_off_refuses(self, viewer):
        story = LiveStoryFactory(allow_comments=False)
        with pytest.raises(PermissionDenied):
            services.comment_create(viewer=viewer, story=story, text="hi")

    def test_delete_own_or_on_your_story_only(self, viewer):
        story = LiveStoryFactory()
        mine = services.comment_create(viewer=viewer, story=story, text="mine")
        theirs = services.comment_create(viewer=UserFactory(), story=story, text="theirs")
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=theirs, by=viewer)
        services.comment_delete(comment=mine, by=viewer)
        services.comment_delete(comment=theirs, by=story.author)  # the story's author may delete any
        story.refresh_from_db()
        assert story.comment_count == 0
        assert not Comment.objects.exists()
        assert stats(story)["comments"] == 0

    def test_a_stranger_cannot_delete_on_someone_elses_story(self):
        comment = CommentFactory()
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=comment, by=UserFactory())

    @pytest.mark.parametrize(
        "text", ["\u202e\u200b", "\u200b", "\u200d\ufe0f", "\u200b\u2028\u200b", "\u0301\u0301"]
    )
    def test_text_of_invisible_characters_only_is_refused(self, viewer, text):
        """Issue 19, item 8: a comment of "\u202e\u200b" (a bidi override, a zero-width space)
        was accepted and showed as an empty bubble."""
        with pytest.raises(ValidationError) as caught:
            services.comment_create(viewer=viewer, story=LiveStoryFactory(), text=text)
        assert caught.value.message_dict == {"text": ["Write something people can see."]}
        assert not Comment.objects.exists()

    @pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "\x1b[31mred"])
    def test_control_characters_are_refused(self, viewer, text):
        with pytest.raises(ValidationError) as caught:
            services.comment_create(viewer=viewer, story=LiveStoryFactory(), text=text)
        assert caught.value.message_dict == {"text": ["Comments cannot contain control characters."]}

    @pytest.mark.parametrize("text", ["🔥", "ok\u200b", "two\nlines", "é", "\u05e9\u05dc\u05d5\u05dd"])
    def test_visible_text_with_invisible_characters_in_it_is_fine(self, viewer, text):
        assert services.comment_create(viewer=viewer, story=LiveStoryFactory(), text=text).text == text


class TestDuplicateComments:
    """Issue 19, item 9: Enter pressed twice posted the same comment twice, counted twice and
    told the author twice."""

    def test_the_same_comment_twice_in_a_row_is_one_comment(self, viewer):
        story = LiveStoryFactory()
        first = services.comment_create(viewer=viewer, story=story, text="so good")
        second = services.comment_create(viewer=viewer, story=story, text="  so good ")
        assert second.pk == first.pk
        story.refresh_from_db()
        assert story.comment_count == 1
        assert Comment.objects.count() == 1
        assert stats(story)["comments"] == 1
        assert Affinity.objects.get(user=viewer, author=story.author).comments == 1
        assert Notification.objects.filter(recipient=story.author, kind="comment").count() == 1

    def test_after_the_window_or_in_other_words_it_is_a_new_comment(self, viewer):
        story = LiveStoryFactory()
        first = services.comment_create(viewer=viewer, story=story, text="so good")
        assert services.comment_create(viewer=viewer, story=story, text="so good!").pk != first.pk
        Comment.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - timedelta(seconds=services.DUPLICATE_COMMENT_SECONDS + 1)
        )
        assert services.comment_create(viewer=viewer, story=story, text="so good").pk != first.pk
        assert services.comment_create(viewer=UserFactory(), story=story, text="so good").author != viewer
        story.refresh_from_db()
        assert story.comment_count == Comment.objects.count() == 4

    def test_the_same_text_on_another_story_is_another_comment(self, viewer):
        first = services.comment_create(viewer=viewer, story=LiveStoryFactory(), text="same")
        assert services.comment_create(viewer=viewer, story=LiveStoryFactory(), text="same").pk != first.pk


class TestTheAuthorsOwnActions:
    """Issue 19, item 5: the author's own like, comment and share counted as engagement (one
    viewer who did nothing, and an engagement rate of 3.0), though their views were left out."""

    def test_leave_the_daily_figures_alone_but_count_on_the_story(self):
        story = LiveStoryFactory()
        author = story.author
        services.like_create(viewer=author, story=story)
        comment = services.comment_create(viewer=author, story=story, text="thanks all")
        services.share_create(viewer=author, story=story)
        assert not StoryDailyStats.objects.filter(story_id=story.pk).exists()
        story.refresh_from_db()
        assert (story.like_count, story.comment_count, story.share_count) == (1, 1, 1)
        services.like_delete(viewer=author, story=story)
        services.comment_delete(comment=comment, by=author)
        assert not StoryDailyStats.objects.filter(story_id=story.pk).exists()

    def test_someone_elses_comment_deleted_by_the_author_is_taken_back(self, viewer):
        story = LiveStoryFactory()
        comment = services.comment_create(viewer=viewer, story=story, text="hi")
        services.comment_delete(comment=comment, by=story.author)
        assert stats(story)["comments"] == 0


class TestSharesAndViews:
    def test_a_share_counts_once_per_person(self, viewer):
        story = LiveStoryFactory()
        assert services.share_create(viewer=viewer, story=story) == 1
        assert services.share_create(viewer=viewer, story=story) == 1  # answered, not counted
        assert services.share_create(viewer=UserFactory(), story=story) == 2
        assert Share.objects.filter(story=story, user=viewer).count() == 1
        assert stats(story)["shares"] == 2
        story.refresh_from_db()
        assert story.share_count == 2

    def test_views_one_row_per_viewer_impressions_add_up(self, viewer, settings):
        settings.STORIES_VIEW_REPEAT_SECONDS = 0  # every impression counts (the window: test_abuse)
        story = LiveStoryFactory()
        for _ in range(3):
            services.view_record(viewer=viewer, story=story)
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

    def test_a_person_completes_an_item_once_and_the_first_completion_is_kept(self, viewer, settings):
        """Issue 19, item 5: completions count once per person per item, like reach, so the
        completion rate (completions / impressions) stays within 0..1."""
        settings.STORIES_VIEW_REPEAT_SECONDS = 0
        story = LiveStoryFactory()
        services.view_record(viewer=viewer, story=story)
        services.view_record(viewer=viewer, story=story, completed=True)
        first = StoryView.objects.get().completed_at
        services.view_record(viewer=viewer, story=story, completed=True)
        row = StoryView.objects.get()
        assert row.impressions == 3
        assert row.completed_at == first
        assert stats(story)["completions"] == 1

    def test_repeated_completion_only_reports_count_once(self, viewer):
        """Issue 19, item 5: one impression then five `{"completed": true, "impression": false}`
        reports took the completion rate to 5.0."""
        story = LiveStoryFactory()
        services.view_record(viewer=viewer, story=story)
        for _ in range(5):
            services.view_record(viewer=viewer, story=story, completed=True, impression=False)
        assert (stats(story)["impressions"], stats(story)["completions"]) == (1, 1)

    def test_anonymous_completion_only_reports_never_pass_the_impressions(self):
        story = LiveStoryFactory()
        services.view_record(viewer=None, story=story)
        for _ in range(5):
            services.view_record(viewer=None, story=story, completed=True, impression=False)
        assert (stats(story)["impressions"], stats(story)["completions"]) == (1, 1)

    def test_completed_on_the_first_view(self, viewer):
        story = LiveStoryFactory()
        services.view_record(viewer=viewer, story=story, completed=True)
        assert StoryView.objects.get().completed_at is not None
        assert (stats(story)["reach"], stats(story)["completions"]) == (1, 1)

    def test_anonymous_views_only_in_the_aggregates(self):
        story = LiveStoryFactory()
        services.view_record(viewer=None, story=story)
        services.view_record(viewer=None, story=story, completed=True)
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
        services.view_record(viewer=story.author, story=story, completed=True)
        assert StoryView.objects.filter(viewer=story.author).exists()
        assert not StoryDailyStats.objects.exists()

    def test_daily_stats_outlive_the_story(self, viewer):
        story = LiveStoryFactory()
        services.view_record(viewer=viewer, story=story)
        story_id = story.pk
        Story.objects.filter(pk=story_id).delete()  # what the purge does to the row
        assert StoryDailyStats.objects.get(story_id=story_id).impressions == 1
        assert not StoryView.objects.exists()


def test_beat_flushes_the_view_buffer_only_while_it_is_on(settings):
    """feed/view_buffer.py: beat counts the buffer every STORIES_VIEW_FLUSH_SECONDS, and a run
    queued behind a stopped worker expires rather than piling up."""
    settings.STORIES_VIEW_BUFFER = True
    settings.STORIES_VIEW_FLUSH_SECONDS = 3
    assert beat_schedule()["flush-views"] == {
        "task": "feed.tasks.flush_views",
        "schedule": 3.0,
        "options": {"expires": 3.0},
    }
    settings.STORIES_VIEW_BUFFER = False
    assert "flush-views" not in beat_schedule()
