"""What the database itself guarantees, whatever code writes to it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from feed.models import Affinity, Like, StoryView
from stories.models import StoryDailyStats
from tests.factories import LikeFactory, LiveStoryFactory, StoryViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_one_like_per_person_per_story():
    like = LikeFactory()
    assert refused(lambda: Like.objects.create(story=like.story, user=like.user))


def test_one_view_row_per_person_per_story():
    view = StoryViewFactory()
    assert refused(lambda: StoryView.objects.create(story=view.story, viewer=view.viewer))


def test_one_stats_row_per_story_per_day():
    story = LiveStoryFactory()
    today = timezone.now().date()
    StoryDailyStats.objects.create(story_id=story.pk, author=story.author, day=today)
    assert refused(lambda: StoryDailyStats.objects.create(story_id=story.pk, author=story.author, day=today))


def test_no_affinity_with_yourself():
    person = UserFactory()
    assert refused(lambda: Affinity.objects.create(user=person, author=person))


def test_engagement_rows_go_with_the_story_but_stats_stay():
    view = StoryViewFactory()
    LikeFactory(story=view.story)
    StoryDailyStats.objects.create(
        story_id=view.story.pk, author=view.story.author, day=timezone.now().date()
    )
    view.story.delete()
    assert not Like.objects.exists()
    assert not StoryView.objects.exists()
    assert StoryDailyStats.objects.count() == 1
