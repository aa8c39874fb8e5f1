"""Each moderator action takes effect at once everywhere a story or person shows (feeds, API
answers, media URLs), is recorded in the audit trail, and tells the people concerned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from feed import selectors as feed
from feed.models import Comment, Notification
from moderation import services
from moderation.models import ActionKind, Case, ModerationAction, ReportStatus
from stories import services as story_services
from stories.lifecycle import State
from stories.models import ArchivedStory, Story
from tests.factories import CommentFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

from .conftest import api_as, stored_files

pytestmark = pytest.mark.django_db


def everywhere(client, viewer, story) -> dict[str, object]:
    """Where a story shows: the For You feed, the API and its media URL."""
    client.force_login(viewer)
    return {
        "feed": story.pk in {s.pk for s in feed.for_you_page(viewer=viewer, cursor=None, size=60).items},
        "api": api_as(viewer).get(f"/api/v1/stories/{story.pk}/").status_code,
        "media": client.get(reverse("stories:media", args=[story.pk])).status_code,
        "home": str(story.pk) in client.get("/").content.decode(),
    }


VISIBLE = {"feed": True, "api": 200, "media": 200, "home": True}
GONE = {"feed": False, "api": 404, "media": 404, "home": False}


def notices(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person, kind="moderation").values_list("text", flat=True)
    )


@pytest.fixture
def reported_story():
    story = ReadyStoryFactory(caption="look")
    reporters = [UserFactory(), UserFactory()]
    for reporter in reporters:
        services.report_create(reporter=reporter, target=story, reason="spam")
    return story, reporters


def test_remove_story_hides_it_everywhere_at_once_and_keeps_media_until_the_purge(
    client, moderator, reported_story, media_root
):
    story, _ = reported_story
    viewer = UserFactory()
    assert everywhere(client, viewer, story) == VISIBLE
    files = stored_files(media_root)
    assert len(files) == 2  # the clip and its poster

    services.story_remove(story=story, by=moderator, reason="Spam links in the caption")

    assert everywhere(client, viewer, story) == GONE
    assert Story.objects.get(pk=story.pk).state == State.REMOVED
    assert stored_files(media_root) == files  # kept, private, for the case
    # Every report on it is resolved by the removal, so the next purge takes it.
    assert story_services.stories_purge() == 1
    assert stored_files(media_root) == []
    assert ArchivedStory.objects.get(story_id=story.pk).final_state == State.REMOVED
    case = Case.objects.get(pk=Case.objects.get(label__contains=str(story.pk)).pk)
    assert case.story is None
    assert case.actions.get().kind == ActionKind.REMOVE_STORY


def test_remove_story_resolves_reports_records_and_tells_everyone(moderator, reported_story):
    story, reporters = reported_story
    action = services.story_remove(story=story, by=moderator, reason="Spam links")
    assert (action.actor, action.kind, action.reason, action.person) == (
        moderator,
        ActionKind.REMOVE_STORY,
        "Spam links",
        story.author,
    )
    case = Case.objects.get(story=story)
    assert set(case.reports.values_list("status", flat=True)) == {ReportStatus.RESOLVED}
    assert set(case.reports.values_list("resolved_by", flat=True)) == {moderator.pk}
    for reporter in reporters:
        assert notices(reporter) == ["Thanks for your report. We removed the story you reported."]
    assert notices(story.author) == ["We removed your story. Why: Spam links"]
    # The notice comes from the team account, never from the moderator.
    assert not Notification.objects.filter(actor=moderator).exists()


def test_a_reason_is_required(moderator, reported_story):
    story, _ = reported_story
    with pytest.raises(ValidationError):
        services.story_remove(story=story, by=moderator, reason="   ")
    assert Story.objects.get(pk=story.pk).state == State.READY
    assert not ModerationAction.objects.exists()


def test_people_without_the_permission_cannot_act(staff, ordinary, reported_story):
    story, _ = reported_story
    for person in (staff, ordinary):
        with pytest.raises(PermissionDenied):
            services.story_remove(story=story, by=person, reason="no")
        with pytest.raises(PermissionDenied):
            services.person_suspend(person=story.author, by=person, days=1, reason="no")


def test_an_expired_story_with_an_open_report_keeps_its_media_and_preview_until_resolved(
    client, moderator, reported_story, media_root
):
    story, _ = reported_story
    Story.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - timedelta(hours=25), expires_at=timezone.now() - timedelta(hours=1)
    )
    assert story_services.stories_expire_due() == 1
    assert story_services.stories_purge() == 0  # held for the case
    client.force_login(moderator)
    preview = reverse("admin:moderation_story_media", args=[story.pk, "media"])
    response = client.get(preview)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == bytes(range(4))
    assert client.get(reverse("stories:media", args=[story.pk])).status_code == 404  # public: gone

    services.case_dismiss(case=Case.objects.get(story=story), by=moderator, reason="Not spam")
    assert story_services.stories_purge() == 1
    assert stored_files(media_root) == []
    assert client.get(preview).status_code == 404


def test_dismiss_closes_reports_and_tells_the_reporters(moderator, reported_story):
    story, reporters = reported_story
    case = Case.objects.get(story=story)
    services.case_dismiss(case=case, by=moderator, reason="Satire, allowed")
    assert set(case.reports.values_list("status", flat=True)) == {ReportStatus.DISMISSED}
    assert "did not find that it breaks our rules" in notices(reporters[0])[0]
    assert notices(story.author) == []  # nothing happened to them
    assert Story.objects.get(pk=story.pk).state == State.READY
    with pytest.raises(ValidationError):
        services.case_dismiss(case=case, by=moderator, reason="again")


def test_delete_comment_removes_it_keeps_counts_right_and_tells_both_sides(moderator):
    story = ReadyStoryFactory(comment_count=1)
    comment = CommentFactory(story=story, text="you are awful")
    reporter = UserFactory()
    services.report_create(reporter=reporter, target=comment, reason="harassment")
    services.comment_delete(comment=comment, by=moderator, reason="Bullying")
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Story.objects.get(pk=story.pk).comment_count == 0
    case = Case.objects.get(kind="comment")
    assert case.comment is None
    # Neither the case nor the notice keeps the deleted text (issue 13: point, never copy).
    assert "awful" not in case.label
    assert case.label == f"Comment by @{comment.author.username} ({comment.pk})"
    assert case.reports.get().status == ReportStatus.RESOLVED
    assert case.actions.get().kind == ActionKind.DELETE_COMMENT
    assert notices(reporter) == ["Thanks for your report. We deleted the comment you reported."]
    assert notices(comment.author) == ["We deleted one of your comments. Why: Bullying"]


def test_warn_tells_the_person_and_resolves_the_case(moderator, reported_story):
    story, _ = reported_story
    case = Case.objects.get(story=story)
    services.person_warn(person=story.author, by=moderator, reason="Second spam post", case=case)
    assert notices(story.author) == ["A warning from the Stories team: Second spam post"]
    assert set(case.reports.values_list("status", flat=True)) == {ReportStatus.RESOLVED}
    assert ModerationAction.objects.get().case == case
    assert Story.objects.get(pk=story.pk).state == State.READY


def test_suspension_hides_the_person_and_lifting_it_before_expiry_brings_stories_back(
    client, moderator, reported_story
):
    story, reporters = reported_story
    author = story.author
    token = Token.objects.create(user=author)
    viewer = UserFactory()
    services.person_suspend(
        person=author, by=moderator, days=3, reason="Spam ring", case=Case.objects.get(story=story)
    )

    assert everywhere(client, viewer, story) == GONE
    assert client.get(author.get_absolute_url()).status_code == 404
    assert api_as(viewer).get(f"/api/v1/users/{author.username}/").status_code == 404
    # Cannot log in, and the open token stops working.
    client.logout()
    refused = client.post(reverse("accounts:login"), {"username": author.username, "password": "pass12345!"})
    assert "Your account is suspended" in refused.content.decode()
    assert client.get("/api/v1/me/stories/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    assert notices(author) == ["Your account is suspended for 3 days. Why: Spam ring"]
    assert "We suspended the account responsible." in notices(reporters[0])[0]

    services.person_unsuspend(person=author, by=moderator, reason="Appeal accepted")
    assert everywhere(client, viewer, story) == VISIBLE
    kinds = list(ModerationAction.objects.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds == [ActionKind.SUSPEND, ActionKind.UNSUSPEND]
    assert ModerationAction.objects.get(kind=ActionKind.SUSPEND).duration_days == 3


def test_stories_that_expired_during_a_suspension_stay_gone(client, moderator):
    story = ReadyStoryFactory()
    services.person_suspend(person=story.author, by=moderator, days=None, reason="Permanent ban")
    assert story.author.suspended_until.year == 9999
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.person_unsuspend(person=story.author, by=moderator, reason="Lifted")
    assert everywhere(client, UserFactory(), story) == GONE


def test_suspend_checks_its_input(moderator, ordinary):
    with pytest.raises(ValidationError):
        services.person_suspend(person=ordinary, by=moderator, days=0, reason="x")
    with pytest.raises(ValidationError):
        services.person_suspend(person=moderator, by=moderator, days=1, reason="myself")
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        services.person_suspend(person=admin, by=moderator, days=1, reason="x")
    with pytest.raises(ValidationError):
        services.person_unsuspend(person=ordinary, by=moderator, reason="not suspended")


def test_every_action_writes_one_audit_row(moderator):
    story = ReadyStoryFactory()
    comment = CommentFactory()
    person = UserFactory()
    services.report_create(reporter=UserFactory(), target=person, reason="spam")
    services.story_remove(story=story, by=moderator, reason="a")
    services.comment_delete(comment=comment, by=moderator, reason="b")
    services.case_dismiss(case=Case.objects.get(account=person), by=moderator, reason="c")
    services.person_warn(person=person, by=moderator, reason="d")
    services.person_suspend(person=person, by=moderator, days=1, reason="e")
    services.person_unsuspend(person=person, by=moderator, reason="f")
    rows = ModerationAction.objects.order_by("created_at", "pk")
    assert [(r.kind, r.reason, r.actor_id) for r in rows] == [
        (ActionKind.REMOVE_STORY, "a", moderator.pk),
        (ActionKind.DELETE_COMMENT, "b", moderator.pk),
        (ActionKind.DISMISS, "c", moderator.pk),
        (ActionKind.WARN, "d", moderator.pk),
        (ActionKind.SUSPEND, "e", moderator.pk),
        (ActionKind.UNSUSPEND, "f", moderator.pk),
    ]


def test_no_notice_comes_from_a_person_who_took_the_team_name(moderator, reported_story):
    story, reporters = reported_story
    UserFactory(username=services.SENDER_USERNAME)  # a real person, with a password
    services.story_remove(story=story, by=moderator, reason="Spam")
    assert notices(reporters[0]) == []
    assert notices(story.author) == []
    assert Story.objects.get(pk=story.pk).state == State.REMOVED
