"""The visibility gate (stories.selectors.story_for_viewer): which of an author's items each
purpose lets the author and a follower have, the one not-found error, and who may download.
The endpoints' own tests pin the answers page by page; this pins the table in one place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from stories import selectors
from stories.lifecycle import State
from stories.models import Audience, Highlight, HighlightItem
from stories.selectors import Purpose, StoryNotFound
from stories_site import compiled
from tests.clients import api_for, page_for
from tests.factories import FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory

pytestmark = pytest.mark.django_db

A, F = "author", "follower"
# Each kind of item, and who gets it for each purpose.
EXPECTED = {
    "live": {p: {A, F} for p in Purpose},
    "processing": {Purpose.PAGE: {A}, Purpose.API: {A}, Purpose.DOWNLOAD: {A}},
    "failed": {Purpose.PAGE: {A}, Purpose.API: {A}, Purpose.DOWNLOAD: {A}},
    "scheduled": {Purpose.API: {A}, Purpose.DOWNLOAD: {A}, Purpose.MEDIA: {A}},
    "archived": {Purpose.API: {A}, Purpose.DOWNLOAD: {A}, Purpose.MEDIA: {A}},
    "highlighted": {Purpose.API: {A}, Purpose.DOWNLOAD: {A}, Purpose.MEDIA: {A, F}},
    "expired": {},
}


def archived(author, **fields):
    past = timezone.now() - timedelta(days=3)
    return ReadyStoryFactory(
        author=author,
        state=State.EXPIRED,
        published_at=past,
        archived_at=past + timedelta(hours=24),
        **fields,
    )


@pytest.fixture
def world():
    author, follower = UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=author)
    past = timezone.now() - timedelta(days=2)
    items = {
        "live": ReadyStoryFactory(author=author, audience=Audience.FOLLOWERS),
        "processing": StoryFactory(author=author),
        "failed": StoryFactory(author=author, state=State.FAILED),
        "scheduled": ReadyStoryFactory(
            author=author,
            state=State.SCHEDULED,
            published_at=None,
            expires_at=None,
            publish_at=timezone.now() + timedelta(hours=2),
        ),
        "archived": archived(author),
        "highlighted": archived(author, allow_downloads=True),
        "expired": ReadyStoryFactory(author=author, state=State.EXPIRED, published_at=past),
    }
    highlight = Highlight.objects.create(owner=author, title="Kept")
    HighlightItem.objects.create(highlight=highlight, story=items["highlighted"])
    return {A: author, F: follower}, items


@pytest.mark.parametrize("purpose", list(Purpose))
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_purpose_lets_in_whom_its_ways_allow(world, kind, purpose):
    people, items = world
    story = items[kind]
    for who, viewer in people.items():
        allowed = who in EXPECTED[kind].get(purpose, set())
        if allowed:
            found = selectors.story_for_viewer(story_id=story.pk, viewer=viewer, purpose=purpose)
            assert found.pk == story.pk, (kind, purpose, who)
        else:
            with pytest.raises(StoryNotFound):
                selectors.story_for_viewer(story_id=story.pk, viewer=viewer, purpose=purpose)


def test_not_found_is_a_404_with_the_one_sentence():
    with pytest.raises(Http404, match="does not exist or is no longer available"):
        selectors.story_for_viewer(story_id="00000000-0000-4000-8000-000000000000", viewer=UserFactory())


def test_who_may_download_is_the_author_or_anyone_when_allowed():
    author, other = UserFactory(), UserFactory()
    closed = ReadyStoryFactory(author=author, allow_downloads=False)
    opened = ReadyStoryFactory(author=author, allow_downloads=True)
    assert selectors.story_download_allowed(story=closed, viewer=author)
    assert not selectors.story_download_allowed(story=closed, viewer=other)
    assert not selectors.story_download_allowed(story=closed, viewer=None)
    assert selectors.story_download_allowed(story=opened, viewer=other)


def test_a_highlights_archived_item_plays_for_its_audience_but_downloads_for_its_author_only(world):
    """The page's download once followed the media rule (a highlight's audience) and the API's
    the story rule: both now follow the stricter one, so the page and the API agree."""
    people, items = world
    story = items["highlighted"]
    follower = page_for(people[F])
    assert follower.get(f"/stories/{story.pk}/media").status_code == 200
    assert follower.get(f"/stories/{story.pk}/download").status_code == 404
    assert api_for(people[F]).get(f"/api/v1/stories/{story.pk}/download/").status_code == 404
    assert page_for(people[A]).get(f"/stories/{story.pk}/download").status_code == 200
    assert api_for(people[A]).get(f"/api/v1/stories/{story.pk}/download/").status_code == 200


def test_the_gate_is_compiled_once_and_answers_each_viewer_by_their_own_rights(monkeypatch):
    """The gate's SQL is built once per way and kind of viewer (stories_site/compiled.py), with the
    viewer, the story and the time as values: a follower let in first must not let a stranger
    in after them, and the other way round."""
    builds = []
    real = compiled._compile
    monkeypatch.setattr(compiled, "_compile", lambda *args: builds.append(1) or real(*args))
    monkeypatch.setattr(compiled, "_cache", type(compiled._cache)())
    author, follower, stranger = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=author)
    followers_only = ReadyStoryFactory(author=author, audience=Audience.FOLLOWERS)
    everyone = ReadyStoryFactory(author=author)

    def gets(viewer, story) -> bool:
        try:
            return selectors.story_for_viewer(story_id=story.pk, viewer=viewer) == story
        except StoryNotFound:
            return False

    assert gets(follower, followers_only)
    assert not gets(stranger, followers_only)
    assert gets(stranger, everyone)
    assert gets(follower, everyone)
    assert len(builds) == 1  # one shape: Purpose.ENGAGE's one way, signed in
    assert gets(AnonymousUser(), everyone)
    assert not gets(AnonymousUser(), followers_only)
    assert len(builds) == 2  # and signed out
    with pytest.raises(StoryNotFound):
        selectors.story_for_viewer(story_id="not-a-story-id", viewer=follower)
