"""Feed queries compiled once per process (stories_site/compiled.py): later requests reuse the
SQL with their own values, and a value the stand-ins do not cover is refused, never frozen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feed import selectors
from stories.models import Story
from stories_site import compiled
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


def test_a_feed_request_after_the_first_builds_no_sql(client, monkeypatch):
    """The whole of a For You request through the API (the token lookup, the page, its stories,
    their stickers and the Q&A answer cards) runs SQL compiled by an earlier request: building
    and compiling querysets cost more than running them (docs/benchmarks.md, "Feed"). Each
    viewer still gets their own answer: their own token's person and their own likes."""
    from django.db.models.sql.compiler import SQLCompiler

    from accounts.tokens import token_create
    from stickers.models import StickerType
    from tests.factories import LikeFactory
    from tests.stickers.factories import QuestionStickerFactory, StickerFactory

    author = UserFactory()
    story = LiveStoryFactory(author=author)
    QuestionStickerFactory(story=story, position=0)
    StickerFactory(story=story, position=1, type=StickerType.EMOJI, data={"emoji": "🔥"})
    first, second = UserFactory(), UserFactory()
    LikeFactory(story=story, user=second)
    keys = {person: token_create(user=person)[1] for person in (first, second)}

    def for_you(person) -> dict:
        response = client.get("/api/v1/feed/for-you/", HTTP_AUTHORIZATION=f"Token {keys[person]}")
        assert response.status_code == 200
        [item] = [item for item in response.json()["results"] if item["id"] == str(story.pk)]
        return item

    assert for_you(first)["liked_by_me"] is False
    compiles = []
    real_as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiles.append(1) or real_as_sql(self, *a, **k)
    )
    item = for_you(second)
    assert item["liked_by_me"] is True
    assert [sticker["type"] for sticker in item["stickers"]] == ["question", "emoji"]
    assert compiles == []
