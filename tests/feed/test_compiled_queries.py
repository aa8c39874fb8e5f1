"""Feed queries compiled once per process (stories/compiled.py): later requests reuse the
SQL with their own values, and a value the stand-ins do not cover is refused, never frozen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feed import selectors
from stories import compiled
from stories.models import Story
from tests.factories import FollowFactory, LiveStoryFactory, StoryViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_shape_is_built_once_and_run_with_each_requests_values(viewer):
    builds = []

    def build(slots: compiled.Slots):
        builds.append(1)
        rows = Story.objects.filter(author=slots.viewer(), published_at__lte=slots.moment("t"))
        return rows.values_list("pk")

    mine = LiveStoryFactory(author=viewer)
    other = UserFactory()
    theirs = LiveStoryFactory(author=other)
    later = timezone.now() + timedelta(minutes=1)
    key = ("test-shape", object())
    first = compiled.query_compiled(key=key, build=build).tuples({"viewer": viewer.pk, "t": later})
    second = compiled.query_compiled(key=key, build=build).tuples({"viewer": other.pk, "t": later})
    assert (first, second) == ([(mine.pk,)], [(theirs.pk,)])
    assert len(builds) == 1
    at_publication = {"viewer": other.pk, "t": theirs.published_at}
    assert compiled.query_compiled(key=key, build=build).tuples(at_publication) == [(theirs.pk,)]
    before = theirs.published_at - timedelta(seconds=1)
    assert compiled.query_compiled(key=key, build=build).tuples({"viewer": other.pk, "t": before}) == []


def test_the_current_time_is_the_requests_not_the_first_ones(viewer):
    def build(slots: compiled.Slots):
        return Story.objects.filter(expires_at__gt=timezone.now()).values_list("pk")

    story = LiveStoryFactory(author=viewer)
    query = compiled.query_compiled(key=("test-now", object()), build=build)
    assert query.tuples({compiled.NOW: timezone.now()}) == [(story.pk,)]
    assert query.tuples({compiled.NOW: story.expires_at + timedelta(seconds=1)}) == []


def test_a_date_that_is_no_stand_in_is_refused():
    def build(slots: compiled.Slots):
        return Story.objects.filter(published_at__gt=timezone.now() - timedelta(hours=24))

    with pytest.raises(compiled.UnplacedValue):
        compiled.query_compiled(key=("test-frozen-date", object()), build=build)


def test_a_rule_reading_more_of_the_viewer_than_the_id_is_refused():
    def build(slots: compiled.Slots):
        viewer = slots.viewer()
        return Story.objects.filter(caption__contains=viewer.username)

    with pytest.raises(Exception, match="does not exist"):
        compiled.query_compiled(key=("test-viewer-field", object()), build=build)


def test_each_viewer_gets_their_own_feeds_from_the_same_compiled_queries():
    """Two viewers in a row through the same compiled shapes: nothing of the first leaks."""
    first, second = UserFactory(), UserFactory()
    author = UserFactory()
    FollowFactory(follower=first, followee=author)
    story = LiveStoryFactory(author=author, audience="followers")
    StoryViewFactory(story=story, viewer=first)
    for page in (selectors.for_you_page, selectors.following_page):
        assert [s.pk for s in page(viewer=first).items] == [story.pk]
        assert page(viewer=second).items == []
    [entry] = [e for e in selectors.tray_page(viewer=first).entries if e.author == author]
    assert not entry.has_unseen
    assert [e.author for e in selectors.tray_page(viewer=second).entries] == []
    [seen] = selectors.for_you_page(viewer=first).items
    assert seen.seen_by_me
