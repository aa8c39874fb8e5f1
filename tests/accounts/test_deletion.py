"""Deleting an account: pages and API, files gone from storage, evidence kept for open reports."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, Follow, User
from accounts.tokens import token_create
from feed.models import Comment, Like, Notification
from moderation import services as moderation
from moderation.models import Case, Report
from privacy.models import AccountDeletion
from privacy.services import account_deletions_finish
from stories.models import Sound, Story, StoryDailyStats
from tests.factories import DEFAULT_PASSWORD, CommentFactory, FollowFactory, LikeFactory, UserFactory

from .helpers import make_live_story

pytestmark = pytest.mark.django_db


def stored(name: str, data: bytes = b"data") -> str:
    return default_storage.save(name, ContentFile(data))


def story_with_files(author, **fields) -> tuple[Story, list[str]]:
    names = [stored("stories/m.mp4"), stored("stories/p.jpg"), stored("stories/o.mov")]
    story = make_live_story(author, media=names[0], poster=names[1], original=names[2], **fields)
    return story, names


@pytest.fixture
def ada():
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def ada_with_everything(ada):
    """Ada with stories (live, expired), files, a sound, an avatar, comments, likes, follows."""
    bob = UserFactory(username="bob")
    live, live_files = story_with_files(ada)
    expired, expired_files = story_with_files(ada, state="expired")
    sound_file = stored("sounds/s.m4a")
    Sound.objects.create(title="mine", owner=ada, file=sound_file)
    avatar, pending = stored("avatars/a.jpg"), stored("avatars/waiting-for-the-worker.jpg")
    User.objects.filter(pk=ada.pk).update(avatar=avatar, avatar_pending=pending)
    bob_story = make_live_story(bob)
    CommentFactory(author=ada, story=bob_story)
    LikeFactory(user=ada, story=bob_story)
    FollowFactory(follower=ada, followee=bob)
    FollowFactory(follower=bob, followee=ada)
    Notification.objects.create(recipient=bob, actor=ada, kind="follow")
    token_create(user=ada)
    files = [*live_files, *expired_files, sound_file, avatar, pending]
    return {"bob": bob, "bob_story": bob_story, "files": files, "stories": [live.pk, expired.pk]}


def assert_all_gone(ada, world):
    assert not User.objects.filter(pk=ada.pk).exists()
    assert not Story.objects.filter(pk__in=world["stories"]).exists()
    for name in world["files"]:
        assert not default_storage.exists(name), name
    assert not Comment.objects.filter(author_id=ada.pk).exists()
    assert not Like.objects.filter(user_id=ada.pk).exists()
    assert not Follow.objects.filter(follower_id=ada.pk).exists()
    assert not Follow.objects.filter(followee_id=ada.pk).exists()
    assert not Notification.objects.filter(actor_id=ada.pk).exists()
    assert not ApiToken.objects.filter(user_id=ada.pk).exists()
    assert not Sound.objects.filter(owner_id=ada.pk).exists()
    assert not AccountDeletion.objects.exists()


def test_api_deletes_everything_with_the_password(
    api_client, ada, ada_with_everything, django_capture_on_commit_callbacks
):
    world = ada_with_everything
    for name in world["files"]:
        assert default_storage.exists(name)
    _token, key = token_create(user=ada)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    wrong = api_client.delete("/api/v1/users/me/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert "password" in wrong.json()["errors"]
    assert User.objects.get(pk=ada.pk).is_active
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete("/api/v1/users/me/", {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 204
    assert_all_gone(ada, world)
    assert world["bob"].stories.count() == 1  # other people's things stay
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_users_me_keeps_get_and_patch(api_client, ada):
    api_client.force_authenticate(ada)
    assert api_client.get("/api/v1/users/me/").json()["username"] == "ada"
    assert api_client.patch("/api/v1/users/me/", {"bio": "hi"}, format="json").status_code == 200
    assert User.objects.get(pk=ada.pk).bio == "hi"


def test_deactivation_is_immediate_and_the_sweep_finishes_without_the_task(
    client, ada, ada_with_everything, django_capture_on_commit_callbacks
):
    """The broker lost the message: the account is already signed out and hidden, and beat's
    sweep (every minute) deletes everything."""
    other_session = Client()
    other_session.force_login(ada)
    client.force_login(ada)
    assert "This cannot be undone" in client.get(reverse("privacy:delete")).content.decode()
    response = client.post(reverse("privacy:delete"), {"password": DEFAULT_PASSWORD})  # no on_commit run
    assert response.status_code == 302
    ada.refresh_from_db()
    assert not ada.is_active
    assert not ApiToken.objects.filter(user=ada).exists()
    assert other_session.get(reverse("accounts:edit")).status_code == 302  # signed out
    assert client.get("/@ada").status_code == 404
    assert account_deletions_finish() == 1
    assert_all_gone(ada, ada_with_everything)


def test_page_refuses_a_wrong_password(client, ada):
    client.force_login(ada)
    response = client.post(reverse("privacy:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert "not your password" in response.content.decode()
    assert User.objects.get(pk=ada.pk).is_active


def test_anonymous_aggregates_stay(ada, django_capture_on_commit_callbacks, api_client):
    bob = UserFactory(username="bob")
    bob_story = make_live_story(bob)
    LikeFactory(user=ada, story=bob_story)
    bob_story.like_count = 1
    bob_story.save(update_fields=["like_count"])
    api_client.force_authenticate(ada)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.delete("/api/v1/users/me/", {"password": DEFAULT_PASSWORD}, format="json")
    bob_story.refresh_from_db()
    assert bob_story.like_count == 1  # an anonymous count; the like row itself is gone
    assert not Like.objects.filter(story=bob_story).exists()
    assert StoryDailyStats.objects.filter(author=ada).count() == 0


def test_reported_content_is_kept_until_moderators_decide(
    ada, api_client, django_capture_on_commit_callbacks
):
    """Deleting an account does not destroy the evidence of an open report."""
    bob = UserFactory(username="bob")
    reported, reported_files = story_with_files(ada)
    _other, other_files = story_with_files(ada)
    moderation.report_create(reporter=bob, target=reported, reason="spam")
    kept_comment = CommentFactory(author=ada, story=make_live_story(bob))
    loose_comment = CommentFactory(author=ada, story=kept_comment.story)
    moderation.report_create(reporter=bob, target=kept_comment, reason="spam")
    FollowFactory(follower=ada, followee=bob)
    api_client.force_authenticate(ada)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api_client.delete("/api/v1/users/me/", {"password": DEFAULT_PASSWORD}, format="json").status_code
            == 204
        )
    # Pending: hidden and signed out, the reported story and comment kept, the rest gone.
    assert User.objects.filter(pk=ada.pk, is_active=False).exists()
    assert Story.objects.filter(pk=reported.pk).exists()
    assert all(default_storage.exists(name) for name in reported_files)
    assert not any(default_storage.exists(name) for name in other_files)
    assert Comment.objects.filter(pk=kept_comment.pk).exists()
    assert not Comment.objects.filter(pk=loose_comment.pk).exists()
    assert not Follow.objects.filter(follower=ada).exists()
    assert account_deletions_finish() == 0
    # Moderators resolve the reports: the next sweep finishes.
    Report.objects.update(status="dismissed")
    assert account_deletions_finish() == 1
    assert not User.objects.filter(pk=ada.pk).exists()
    assert not any(default_storage.exists(name) for name in reported_files)
    assert Case.objects.count() == 2  # the cases (with their labels) stay for the audit trail


def test_beat_finishes_deletions_every_minute():
    from stories_site.celery import beat_schedule

    entry = beat_schedule()["finish-account-deletions"]
    assert entry["task"] == "privacy.tasks.finish_account_deletions"
    assert entry["schedule"] <= 60


def test_a_session_needs_its_csrf_token_to_delete(ada):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)
    response = browser.delete(
        "/api/v1/users/me/", {"password": DEFAULT_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert User.objects.get(pk=ada.pk).is_active
