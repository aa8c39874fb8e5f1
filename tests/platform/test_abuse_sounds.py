"""Issue 13, item 5: "use this sound" must not turn a clip's audio into a public sound behind its
author's back. A lifted sound keeps its story's audience and blocks until its author publishes
it, a clip not shared with everyone lends its sound to its author only, and deleting, expiring
or removing the story withdraws the unpublished sounds lifted from it, files included
(docs/security.md). Real clips, lifted by the real ffmpeg path (eager worker)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from moderation import services as moderation
from stories import media, services
from stories.models import Audience, Sound
from tests.factories import BlockFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory, _stored
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores files in its own folder, so storage shows only its own files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media-private/"},
        },
    }


@pytest.fixture
def clip_story(h264_clip):
    """A live story whose stored media is a real H.264 + AAC clip."""

    def make(author, audience=Audience.EVERYONE):
        return ReadyStoryFactory(
            author=author, audience=audience, media=_stored("stories", "mp4", h264_clip.read_bytes())
        )

    return make


def jpeg_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def lift(user, story):
    return api_for(user).post(f"/api/v1/stories/{story.pk}/use-sound/")


def audio(sound_id, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/stories/sounds/{sound_id}/audio")


def listed(sound_id, user) -> bool:
    results = api_for(user).get("/api/v1/sounds/").json()["results"]
    return str(sound_id) in {item["id"] for item in results}


class TestAudienceKept:
    def test_a_followers_only_clip_lends_its_sound_to_nobody_but_its_author(self, clip_story):
        author, follower = UserFactory(), UserFactory()
        FollowFactory(follower=follower, followee=author)
        story = clip_story(author, Audience.FOLLOWERS)

        refused = lift(follower, story)
        assert refused.status_code == 403
        assert "shared with followers or friends only" in refused.json()["detail"]
        assert not Sound.objects.filter(source_story=story).exists()

        own = lift(author, story)
        assert own.status_code == 201, own.content
        sound = own.json()
        assert sound["state"] == "ready"
        assert sound["published"] is False
        # The author's alone: a follower could otherwise post it in a public story.
        assert audio(sound["id"], author).status_code == 200
        assert audio(sound["id"], follower).status_code == 404
        assert audio(sound["id"]).status_code == 404
        assert not listed(sound["id"], follower)
        assert lift(follower, story).status_code == 403  # even now that it exists
        posted = api_for(follower).post(
            "/api/v1/stories/",
            {"media": jpeg_upload(), "sound": sound["id"], "audience": "everyone"},
            format="multipart",
        )
        assert posted.status_code == 400
        assert "sound" in posted.json()["errors"]

    def test_a_lifted_sound_keeps_the_storys_blocks_until_published(self, clip_story):
        author, lifter, blocked = UserFactory(), UserFactory(), UserFactory()
        BlockFactory(blocker=author, blocked=blocked)
        story = clip_story(author)
        response = lift(lifter, story)
        assert response.status_code == 201, response.content
        sound_id = response.json()["id"]
        assert response.json()["published"] is False
        assert Sound.objects.get(pk=sound_id).owner == author  # the author's sound, not the lifter's

        assert audio(sound_id, lifter).status_code == 200
        assert audio(sound_id, blocked).status_code == 404
        assert not listed(sound_id, blocked)
        # Nobody but its author publishes it (to anyone else it is no sound of theirs).
        assert api_for(lifter).post(f"/api/v1/sounds/{sound_id}/publish/").status_code == 404

        published = api_for(author).post(f"/api/v1/sounds/{sound_id}/publish/")
        assert published.status_code == 200
        assert published.json()["published"] is True
        assert audio(sound_id, blocked).status_code == 200
        # Published, it is a sound of its own: deleting the story no longer takes it.
        services.story_delete(story=story, by=author)
        assert audio(sound_id, lifter).status_code == 200

    def test_a_suspended_authors_lifted_sound_goes_silent(self, clip_story):
        author, lifter = UserFactory(), UserFactory()
        sound_id = lift(lifter, clip_story(author)).json()["id"]
        author.suspended_until = timezone.now() + timedelta(days=3)
        author.save(update_fields=["suspended_until"])
        assert audio(sound_id, lifter).status_code == 404


def withdrawn(sound_id, name: str) -> bool:
    sound = Sound.objects.get(pk=sound_id)
    return sound.is_removed and not sound.file and not default_storage.exists(name)


class TestWithdrawnWithTheStory:
    def lifted(self, clip_story, author):
        story = clip_story(author)
        sound_id = lift(UserFactory(), story).json()["id"]
        name = Sound.objects.get(pk=sound_id).file.name
        assert name
        assert default_storage.exists(name)
        return story, sound_id, name

    def test_deleting_the_story(self, clip_story):
        author = UserFactory()
        story, sound_id, name = self.lifted(clip_story, author)
        api_for(author).delete(f"/api/v1/stories/{story.pk}/")
        assert withdrawn(sound_id, name)
        assert audio(sound_id).status_code == 404

    def test_expiry(self, clip_story):
        story, sound_id, name = self.lifted(clip_story, UserFactory())
        with time_machine.travel(story.expires_at + timedelta(minutes=1), tick=False):
            assert audio(sound_id).status_code == 404  # the clock hides it before the task runs
            assert services.stories_expire_due() == 1
        assert withdrawn(sound_id, name)

    def test_removal_by_a_moderator(self, clip_story):
        moderator = UserFactory(is_staff=True, is_superuser=True)
        story, sound_id, name = self.lifted(clip_story, UserFactory())
        moderation.story_remove(story=story, by=moderator, reason="Stolen music")
        assert withdrawn(sound_id, name)

    def test_a_sound_made_while_its_story_is_deleted_is_not_kept(self, clip_story, monkeypatch):
        """The worker finishes after the author deleted the story: what it made is deleted."""
        author = UserFactory()
        story = clip_story(author)
        real = media.process_sound

        def deleted_meanwhile(*args, **kwargs):
            result = real(*args, **kwargs)
            services.story_delete(story=story, by=author)
            return result

        monkeypatch.setattr(media, "process_sound", deleted_meanwhile)
        response = lift(UserFactory(), story)
        assert response.status_code == 404
        assert Sound.objects.get(source_story=story).is_removed
        assert stored_files("sounds") == set()
