"""Notifications: who gets told, who never is, the unread count and marking read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as accounts
from feed import notifications, services
from feed.models import Notification
from tests.factories import BlockFactory, LiveStoryFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def inbox(user) -> list[tuple[str, str]]:
    return [(n.kind, n.actor.username) for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_likes_comments_and_follows_notify_the_author(viewer):
    story = LiveStoryFactory()
    author = story.author
    services.like_create(viewer=viewer, story=story)
    services.comment_create(viewer=viewer, story=story, text="lovely")
    accounts.follow_create(follower=viewer, followee=author)
    assert inbox(author) == [("like", "viewer"), ("comment", "viewer"), ("follow", "viewer")]
    comment = Notification.objects.get(kind="comment")
    # It points at the comment and copies none of its words (they go when the comment goes).
    assert (comment.story_id, comment.comment.text, comment.text) == (story.pk, "lovely", "")
    assert inbox(viewer) == []


def test_never_yourself(viewer):
    story = LiveStoryFactory(author=viewer)
    services.like_create(viewer=viewer, story=story)
    services.comment_create(viewer=viewer, story=story, text="me")
    assert accounts.notice_send(recipient=viewer, actor=viewer, kind="mention", story=story) is None
    assert not Notification.objects.exists()


def test_never_across_a_block_either_way():
    recipient, actor = UserFactory(), UserFactory()
    BlockFactory(blocker=recipient, blocked=actor)
    assert accounts.notice_send(recipient=recipient, actor=actor, kind="mention") is None
    assert accounts.notice_send(recipient=actor, actor=recipient, kind="mention") is None
    assert not Notification.objects.exists()


def test_never_from_a_suspended_actor():
    recipient = UserFactory()
    actor = UserFactory(suspended_until=timezone.now() + timedelta(hours=1))
    assert accounts.notice_send(recipient=recipient, actor=actor, kind="mention") is None


def test_mentions_are_ready_for_stickers():
    story = LiveStoryFactory()
    mentioned = UserFactory()
    notification = accounts.notice_send(
        recipient=mentioned, actor=story.author, kind="mention", story=story, text="@you"
    )
    assert (notification.kind, notification.story_id) == ("mention", story.pk)
    with pytest.raises(ValueError, match="Unknown notification kind"):
        accounts.notice_send(recipient=mentioned, actor=story.author, kind="poke")


def test_like_unlike_like_rings_once_until_read(viewer):
    story = LiveStoryFactory()
    for _ in range(3):
        services.like_create(viewer=viewer, story=story)
        services.like_delete(viewer=viewer, story=story)
    assert inbox(story.author) == [("like", "viewer")]
    notifications.notifications_mark_read(viewer=story.author)
    services.like_create(viewer=viewer, story=story)
    assert inbox(story.author) == [("like", "viewer"), ("like", "viewer")]


def test_api_list_unread_count_and_mark_read(viewer):
    story = LiveStoryFactory()
    author = story.author
    LiveStoryFactory(author=viewer)  # the actor's ring is live
    services.like_create(viewer=viewer, story=story)
    services.comment_create(viewer=viewer, story=story, text="hi")
    client = client_for(author)
    body = client.get("/api/v1/notifications/").json()
    assert body["unread_count"] == 2
    assert body["next"] is None
    assert [n["kind"] for n in body["results"]] == ["comment", "like"]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "kind",
        "actor",
        "story_id",
        "conversation_id",
        "text",
        "summary",
        "link",
        "created_at",
        "read",
    }
    assert (first["summary"], first["link"]) == (
        "commented on your story:",
        f"/@{author.username}/story?item={story.pk}",
    )
    assert first["actor"]["username"] == "viewer"
    assert first["actor"]["has_active_story"] is True
    assert first["story_id"] == str(story.pk)
    assert first["read"] is False
    assert client.post("/api/v1/notifications/read/").status_code == 204
    body = client.get("/api/v1/notifications/").json()
    assert body["unread_count"] == 0
    assert [n["read"] for n in body["results"]] == [True, True]


def test_blocking_later_hides_their_notifications(viewer):
    story = LiveStoryFactory()
    services.like_create(viewer=viewer, story=story)
    accounts.block_create(blocker=story.author, blocked=viewer)
    body = client_for(story.author).get("/api/v1/notifications/").json()
    assert (body["results"], body["unread_count"]) == ([], 0)


def test_signed_out_gets_no_inbox(api_client):
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)
    assert api_client.post("/api/v1/notifications/read/").status_code in (401, 403)


# --- Issue 19, item 3: notifications never reveal a story the recipient cannot see ------------------


def _ready_story_with(author, audience: str, stickers: list[dict], answering=None):
    """A story as an upload makes it (stickers cleaned and saved while processing), then ready."""
    from stickers import services as sticker_services
    from stickers import validation as sticker_validation
    from stories import lifecycle
    from stories.lifecycle import State
    from tests.stories.factories import StoryFactory

    story = StoryFactory(author=author, audience=audience)
    sticker_services.stickers_create(
        story=story, cleaned=sticker_validation.stickers_clean(raw=stickers, author=author)
    )
    if answering is not None:
        sticker_services.add_yours_response_create(sticker=answering, story=story)
    now = timezone.now()
    lifecycle.transition(story, State.READY, published_at=now, expires_at=now + timedelta(hours=24))
    return story


@pytest.mark.parametrize("audience", ["friends", "followers"])
def test_a_mention_on_a_story_the_mentioned_person_cannot_see_is_not_sent(audience):
    """A friends-only story mentioning someone who is not a friend sent them a `mention` with
    the story's id, and the story itself answered 404 to them."""
    from stickers import services as sticker_services

    author, stranger, friend = UserFactory(), UserFactory(), UserFactory()
    for a, b in ((author, friend), (friend, author)):
        accounts.follow_create(follower=a, followee=b)
    mentions = [
        {"type": "mention", "username": stranger.username},
        {"type": "mention", "username": friend.username},
    ]
    story = _ready_story_with(author, audience, mentions)
    assert sticker_services.mentions_notify(story=story) == 1
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert Notification.objects.get(recipient=friend, kind="mention").story_id == story.pk
    assert client_for(stranger).get(f"/api/v1/stories/{story.pk}/").status_code == 404


def test_an_add_yours_answer_the_prompts_author_cannot_see_is_not_sent():
    from stickers import services as sticker_services
    from tests.stickers.factories import AddYoursStickerFactory

    prompt = AddYoursStickerFactory()
    responder = UserFactory()
    hidden = _ready_story_with(responder, "followers", [], answering=prompt)
    assert sticker_services.mentions_notify(story=hidden) == 0
    assert not Notification.objects.filter(recipient=prompt.story.author).exists()
    accounts.follow_create(follower=prompt.story.author, followee=responder)
    seen = _ready_story_with(responder, "followers", [], answering=prompt)
    assert sticker_services.mentions_notify(story=seen) == 1
    told = Notification.objects.get(recipient=prompt.story.author)
    assert (told.story_id, told.text) == (seen.pk, "Show your desk")


def test_a_notification_about_a_story_that_became_hidden_is_not_listed():
    """Sent while the recipient could see the story; then they stopped following and the
    followers-only story is hidden from them: the inbox no longer points at it."""
    author, fan = UserFactory(), UserFactory()
    accounts.follow_create(follower=fan, followee=author)
    story = LiveStoryFactory(author=author, audience="followers")
    assert accounts.notice_send(recipient=fan, actor=author, kind="mention", story=story) is not None
    client = client_for(fan)
    body = client.get("/api/v1/notifications/").json()
    assert ([n["story_id"] for n in body["results"]], body["unread_count"]) == ([str(story.pk)], 1)

    accounts.follow_delete(follower=fan, followee=author)
    body = client.get("/api/v1/notifications/").json()
    assert (body["results"], body["unread_count"]) == ([], 0)
    # Following again shows it again: nothing was deleted.
    accounts.follow_create(follower=fan, followee=author)
    assert [n["kind"] for n in client.get("/api/v1/notifications/").json()["results"]] == ["mention"]


def test_notifications_about_your_own_or_finished_stories_stay_listed(viewer):
    story = LiveStoryFactory(audience="friends")
    services.like_create(viewer=viewer, story=story)  # the author's own story: always theirs to see
    story.expires_at = timezone.now() - timedelta(minutes=1)
    story.save()
    body = client_for(story.author).get("/api/v1/notifications/").json()
    assert [(n["kind"], n["story_id"]) for n in body["results"]] == [("like", str(story.pk))]
