"""Editing a story after posting (issue 17 item 3): PATCH /api/v1/stories/{id}/ changes the
caption (hashtags and mentions found again), alt text, audience, comments, downloads and replies,
and a scheduled story's publish_at; each value is checked by the upload's own rule; only the author
edits; and the change shows at once in the feeds, the pages and the media answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from feed.models import Notification
from stories import services
from stories.lifecycle import State
from stories.models import Story
from tests.clients import api_for
from tests.factories import BlockFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory

pytestmark = pytest.mark.django_db


def patch(user, story, **body):
    return api_for(user).patch(f"/api/v1/stories/{story.pk}/", body, format="json")


def feed_ids(user, path: str) -> dict[str, dict]:
    body = api_for(user).get(path).json()
    return {item["id"]: item for item in body["results"]}


# --- Each field ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("caption", "  A new caption  ", "A new caption"),
        ("alt_text", "A red square on grey", "A red square on grey"),
        ("audience", "followers", "followers"),
        ("audience", "friends", "friends"),
        ("allow_comments", False, False),
        ("allow_downloads", True, True),
        ("allow_replies", False, False),
    ],
)
def test_the_author_changes_each_field(field, value, stored):
    story = ReadyStoryFactory(caption="Old", alt_text="Old text")
    answer = patch(story.author, story, **{field: value})
    assert answer.status_code == 200, answer.content
    assert answer.json()[field] == stored
    story.refresh_from_db()
    assert getattr(story, field) == stored


def test_only_the_fields_sent_change():
    story = ReadyStoryFactory(caption="Keep me", alt_text="Keep too", allow_comments=True)
    answer = patch(story.author, story, allow_downloads=True)
    assert answer.status_code == 200
    story.refresh_from_db()
    assert (story.caption, story.alt_text, story.allow_comments, story.allow_downloads) == (
        "Keep me",
        "Keep too",
        True,
        True,
    )


def test_a_new_caption_is_parsed_again_hashtags_and_mentions():
    friend = UserFactory(username="dana")
    story = ReadyStoryFactory(caption="first #sunrise")
    assert patch(story.author, story, caption="first #sunrise").status_code == 200
    answer = patch(story.author, story, caption="Now #Lisbon with @Dana")
    assert answer.status_code == 200
    body = answer.json()
    assert body["hashtags"] == ["lisbon"]
    assert {"type": "mention", "value": friend.username} == {
        key: value for key, value in body["caption_entities"][1].items() if key in ("type", "value")
    }
    story.refresh_from_db()
    assert list(story.story_hashtags.values_list("hashtag__name", flat=True)) == ["lisbon"]
    # The hashtag's page finds it under the new tag only, at once.
    assert [item["id"] for item in api_for().get("/api/v1/hashtags/lisbon/stories/").json()["results"]] == [
        str(story.pk)
    ]
    assert api_for().get("/api/v1/hashtags/sunrise/stories/").json()["results"] == []


def test_the_newly_mentioned_are_told_once_never_twice():
    author = UserFactory()
    dana, eli = UserFactory(username="dana"), UserFactory(username="eli")
    story = ReadyStoryFactory(author=author, caption="")

    def mentions_of(person):
        return Notification.objects.filter(
            recipient=person, kind=Notification.Kind.MENTION, story=story
        ).count()

    assert patch(author, story, caption="with @dana").status_code == 200
    assert (mentions_of(dana), mentions_of(eli)) == (1, 0)
    assert patch(author, story, caption="with @dana and @eli").status_code == 200
    assert (mentions_of(dana), mentions_of(eli)) == (1, 1)
    # Dropped, then named again: still told only once.
    assert patch(author, story, caption="nobody").status_code == 200
    assert patch(author, story, caption="@dana @eli again").status_code == 200
    assert (mentions_of(dana), mentions_of(eli)) == (1, 1)


def test_a_mention_in_a_story_the_person_cannot_see_tells_nobody():
    author = UserFactory()
    stranger = UserFactory(username="stranger")
    story = ReadyStoryFactory(author=author, audience="friends")
    assert patch(author, story, caption="hi @stranger").status_code == 200
    assert not Notification.objects.filter(recipient=stranger).exists()


# --- Refusals: the upload's own rule, plain 400s ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"caption": "x" * 501}, "caption", "The caption can be at most 500 characters."),
        ({"alt_text": "x" * 501}, "alt_text", "The description can be at most 500 characters."),
        ({"audience": "nobody"}, "audience", "Audience must be everyone, followers or friends."),
        ({"allow_comments": "perhaps"}, "allow_comments", "Must be a valid boolean."),
        ({"allow_replies": None}, "allow_replies", "This field may not be null."),
        ({"filter": "mono"}, "filter", "filter cannot be changed after posting"),
        ({"media": "x"}, "media", "media cannot be changed after posting"),
        ({"lifetime_hours": 6}, "lifetime_hours", "lifetime_hours cannot be changed after posting"),
    ],
)
def test_a_value_an_upload_would_refuse_is_a_plain_400(body, field, message):
    story = ReadyStoryFactory(caption="Unchanged")
    answer = patch(story.author, story, **body)
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert message in errors[field][0]
    story.refresh_from_db()
    assert story.caption == "Unchanged"


def test_the_edit_refuses_in_the_uploads_own_words():
    author = UserFactory()
    with pytest.raises(ValidationError) as upload:
        services.story_options_clean(author=author, caption="x" * 501, alt_text="y" * 501, audience="nobody")
    story = ReadyStoryFactory(author=author)
    edit = patch(author, story, caption="x" * 501, alt_text="y" * 501, audience="nobody")
    assert edit.status_code == 400
    assert edit.json()["errors"] == upload.value.message_dict


def test_one_bad_field_refuses_the_whole_edit():
    story = ReadyStoryFactory(caption="Old", allow_comments=True)
    answer = patch(story.author, story, caption="New", allow_comments=False, audience="everybody")
    assert answer.status_code == 400
    story.refresh_from_db()
    assert (story.caption, story.allow_comments) == ("Old", True)


def test_publish_at_on_a_story_that_is_live_is_refused():
    story = ReadyStoryFactory()
    answer = patch(story.author, story, publish_at=(timezone.now() + timedelta(hours=2)).isoformat())
    assert answer.status_code == 400
    assert answer.json()["errors"]["publish_at"]


def test_publish_at_reschedules_a_scheduled_story_through_the_scheduling_rule():
    when = timezone.now() + timedelta(hours=3)
    story = ReadyStoryFactory(state=State.SCHEDULED, publish_at=when, published_at=None, expires_at=None)
    later = timezone.now() + timedelta(days=2)
    answer = patch(story.author, story, publish_at=later.isoformat(), caption="Soon")
    assert answer.status_code == 200, answer.content
    story.refresh_from_db()
    assert abs((story.publish_at - later).total_seconds()) < 1
    assert story.caption == "Soon"
    # Its rule: never past 7 days, never without an offset.
    too_far = patch(story.author, story, publish_at=(timezone.now() + timedelta(days=8)).isoformat())
    assert too_far.status_code == 400
    naive = patch(story.author, story, publish_at="2031-01-01T09:00:00")
    assert naive.status_code == 400
    assert naive.json()["errors"]["publish_at"]


def test_a_story_still_processing_can_be_edited_before_it_goes_live():
    story = StoryFactory(caption="draft")
    assert patch(story.author, story, caption="final").status_code == 200
    story.refresh_from_db()
    assert story.caption == "final"


def test_an_expired_story_can_no_longer_be_edited():
    story = ReadyStoryFactory()
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    answer = patch(story.author, story, caption="late")
    assert answer.status_code == 400
    assert "can no longer be edited" in answer.json()["detail"]


# --- Who may edit -------------------------------------------------------------------------------


def test_someone_who_can_see_the_story_gets_403():
    story = ReadyStoryFactory(caption="Mine")
    answer = patch(UserFactory(), story, caption="Hijacked")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Only the author can edit this story."
    story.refresh_from_db()
    assert story.caption == "Mine"


def test_someone_who_cannot_see_it_gets_404_and_signed_out_401():
    story = ReadyStoryFactory(audience="friends")
    assert patch(UserFactory(), story, caption="x").status_code == 404
    blocked = UserFactory()
    everyone = ReadyStoryFactory()
    BlockFactory(blocker=everyone.author, blocked=blocked)
    assert patch(blocked, everyone, caption="x").status_code == 404
    assert api_for().patch(f"/api/v1/stories/{story.pk}/", {"caption": "x"}, format="json").status_code == 401


def test_a_deleted_story_is_a_404_even_for_its_author():
    story = ReadyStoryFactory()
    Story.objects.filter(pk=story.pk).update(state=State.DELETED)
    assert patch(story.author, story, caption="x").status_code == 404


# --- At once, everywhere ------------------------------------------------------------------------


def test_an_edit_shows_at_once_in_the_feeds_and_the_authors_story():
    author = UserFactory()
    follower = UserFactory()
    FollowFactory(follower=follower, followee=author)
    story = ReadyStoryFactory(author=author, caption="Before")
    for path in ("/api/v1/feed/for-you/", "/api/v1/feed/following/"):
        assert feed_ids(follower, path)[str(story.pk)]["caption"] == "Before"
    assert patch(author, story, caption="After #now", allow_comments=False).status_code == 200
    for path in (
        "/api/v1/feed/for-you/",
        "/api/v1/feed/following/",
        f"/api/v1/users/{author.username}/stories/",
    ):
        item = feed_ids(follower, path)[str(story.pk)]
        assert (item["caption"], item["hashtags"], item["allow_comments"]) == ("After #now", ["now"], False)


def test_narrowing_the_audience_takes_it_out_of_feeds_pages_and_media_at_once():
    author = UserFactory()
    stranger = UserFactory()
    follower = UserFactory()
    FollowFactory(follower=follower, followee=author)
    story = ReadyStoryFactory(author=author, caption="Open to all")
    page = Client()
    page.force_login(stranger)
    token_media = f"/stories/{story.pk}/media"
    assert page.get(token_media).status_code == 200
    assert str(story.pk) in feed_ids(stranger, "/api/v1/feed/for-you/")

    assert patch(author, story, audience="followers").status_code == 200

    assert str(story.pk) not in feed_ids(stranger, "/api/v1/feed/for-you/")
    assert page.get(token_media).status_code == 404
    assert page.get(f"/stories/{story.pk}/poster").status_code == 404
    assert page.get(f"/stories/{story.pk}/").status_code == 404
    assert api_for(stranger).get(f"/api/v1/stories/{story.pk}/").status_code == 404
    # The follower still sees it, the same moment.
    assert str(story.pk) in feed_ids(follower, "/api/v1/feed/for-you/")
    fan = Client()
    fan.force_login(follower)
    assert fan.get(token_media).status_code == 200


def test_comments_switched_off_refuse_new_comments_at_once():
    story = ReadyStoryFactory()
    viewer = UserFactory()
    url = f"/api/v1/stories/{story.pk}/comments/"
    assert api_for(viewer).post(url, {"text": "first"}, format="json").status_code == 201
    assert patch(story.author, story, allow_comments=False).status_code == 200
    assert api_for(viewer).post(url, {"text": "second"}, format="json").status_code in (400, 403)


def test_downloads_switched_on_give_viewers_a_download_link_at_once():
    story = ReadyStoryFactory(allow_downloads=False)
    viewer = UserFactory()
    assert api_for(viewer).get(f"/api/v1/stories/{story.pk}/").json()["download_url"] is None
    assert patch(story.author, story, allow_downloads=True).status_code == 200
    assert api_for(viewer).get(f"/api/v1/stories/{story.pk}/").json()["download_url"]
    assert api_for(viewer).get(f"/api/v1/stories/{story.pk}/download/").status_code == 200
