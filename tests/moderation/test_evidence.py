"""Issue 13, item 8: evidence kept, previews recorded. A reported story its author deletes is
hidden from everyone at once, but its media and row stay for the moderators until the reports are
resolved, and then the purge takes them; the admin media preview shows only stories with a case,
and every opening of it is written to the audit trail (docs/security.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import ActionKind, Case, ModerationAction
from stories import services as story_services
from stories.lifecycle import State
from stories.models import ArchivedStory, Story
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory

from .conftest import stored_files
from .test_actions import GONE, everywhere

pytestmark = pytest.mark.django_db


def preview_url(story, part: str = "media") -> str:
    return reverse("admin:moderation_story_media", args=[story.pk, part])


def previews(story) -> list[ModerationAction]:
    return list(ModerationAction.objects.filter(case__story=story, kind=ActionKind.PREVIEW_MEDIA))


class TestDeletedWhileReported:
    def test_hidden_at_once_kept_for_the_case_then_purged(self, client, moderator, media_root):
        story = ReadyStoryFactory()
        services.report_create(reporter=UserFactory(), target=story, reason="violence")
        files = stored_files(media_root)
        assert len(files) == 2  # the clip and its poster

        story_services.story_delete(story=story, by=story.author)

        assert everywhere(client, UserFactory(), story) == GONE
        assert Story.objects.get(pk=story.pk).state == State.DELETED
        assert stored_files(media_root) == files  # the evidence stays, private
        assert story_services.stories_purge() == 0  # an open report holds it
        client.force_login(moderator)
        watched = client.get(preview_url(story))
        assert watched.status_code == 200
        assert b"".join(watched.streaming_content) != b""

        services.case_dismiss(case=Case.objects.get(story=story), by=moderator, reason="Gone anyway")
        assert story_services.stories_purge() == 1
        assert stored_files(media_root) == []
        assert ArchivedStory.objects.get(story_id=story.pk).final_state == State.DELETED

    def test_an_unreported_story_still_goes_at_once(self, media_root):
        story = ReadyStoryFactory()
        story_services.story_delete(story=story, by=story.author)
        assert stored_files(media_root) == []

    def test_a_resolved_report_does_not_hold_it(self, moderator, media_root):
        story = ReadyStoryFactory()
        services.report_create(reporter=UserFactory(), target=story, reason="spam")
        services.case_dismiss(case=Case.objects.get(story=story), by=moderator, reason="Not spam")
        story_services.story_delete(story=story, by=story.author)
        assert stored_files(media_root) == []


class TestPreviewLimitedAndRecorded:
    def test_a_story_without_a_case_cannot_be_previewed(self, client, moderator):
        story = ReadyStoryFactory(caption="holiday")
        client.force_login(moderator)
        assert client.get(preview_url(story)).status_code == 404
        assert client.get(preview_url(story, "poster")).status_code == 404
        page = client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
        assert preview_url(story) not in page
        assert "only a reported story" in page
        assert not ModerationAction.objects.filter(kind=ActionKind.PREVIEW_MEDIA).exists()

    def test_every_preview_is_in_the_audit_trail(self, client, moderator):
        story = ReadyStoryFactory()
        services.report_create(reporter=UserFactory(), target=story, reason="nudity")
        client.force_login(moderator)
        assert client.get(preview_url(story)).status_code == 200
        assert client.get(preview_url(story, "poster")).status_code == 200
        # The player seeking inside the clip it opened is the same viewing.
        assert client.get(preview_url(story), HTTP_RANGE="bytes=100-").status_code == 206
        assert client.get(preview_url(story), HTTP_RANGE="bytes=0-").status_code == 206
        rows = previews(story)
        assert len(rows) == 3
        assert {row.actor for row in rows} == {moderator}
        assert {row.person for row in rows} == {story.author}
        assert sorted("poster" in row.reason for row in rows) == [False, False, True]
        page = client.get(
            reverse("admin:moderation_case_change", args=[Case.objects.get(story=story).pk])
        ).content.decode()
        assert "Watched the media" in page  # the case's own audit trail shows it

    def test_someone_without_the_permission_records_nothing(self, client, staff):
        story = ReadyStoryFactory()
        services.report_create(reporter=UserFactory(), target=story, reason="spam")
        client.force_login(staff)
        assert client.get(preview_url(story)).status_code == 403
        assert previews(story) == []
