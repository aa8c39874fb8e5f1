"""Issue 13, item 7: caps while streaming, heavy work in workers. The avatar cap stops reading the
body at the cap (the story uploads' handler, stories/uploads.py), and decoding a photo or running
ffmpeg on a sound happens in the media worker, never in the web request: the new avatar shows once
made (the old one until then), a sound once ready, and a file the worker cannot read ends in a
plain message, never a 500 (docs/security.md). Real generated images and audio; the worker is
Celery's eager mode, or held back to look at the state in between."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from stories import media
from stories import tasks as story_tasks
from stories.services import avatars
from stories_site.celery import app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media-private/"},
        },
    }


def jpeg(colour=(200, 30, 30), size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def photo(data: bytes, name: str = "me.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def api_for(user) -> APIClient:
    """Signed in as a fresh copy of `user`, as a real request loads it (force_authenticate would
    hand every request the same object, changed in memory by earlier requests)."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def patch_avatar(user, data: bytes):
    return api_for(user).patch(reverse("api:users-me"), {"avatar": photo(data)}, format="multipart")


def served_colour(user) -> tuple[int, int, int]:
    response = api_for(user).get(f"/@{user.username}/avatar")
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB")
    return image.getpixel((200, 200))


@pytest.fixture
def held_back(monkeypatch):
    """The media queue as a list: tasks sent but not run, until the test runs them."""
    sent: list[tuple] = []

    def hold(task):
        monkeypatch.setattr(task, "apply_async", lambda args=(), **kwargs: sent.append((task, args)))

    hold(story_tasks.process_avatar)
    hold(story_tasks.process_sound)

    def run_all():
        while sent:
            task, args = sent.pop(0)
            task.apply(args=args).get()

    return sent, run_all


def forbidden(*args, **kwargs):
    raise AssertionError("heavy media work ran in the web request")


@contextmanager
def no_heavy_work():
    """Inside: any photo decoding or ffmpeg run fails the test (the request must not do them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(avatars, "sanitize_image", forbidden)
        patch.setattr(media, "process_sound", forbidden)
        yield


def test_both_tasks_go_to_the_media_queue():
    """Routed as `Task.apply_async` routes them: the task's own options, then the routes."""
    for task in (story_tasks.process_avatar, story_tasks.process_sound):
        assert app.amqp.router.route(task._get_exec_options(), task.name)["queue"].name == "media"


class TestAvatarCap:
    def test_the_avatar_cap_stops_the_body_while_it_streams(self, settings, monkeypatch):
        settings.STORIES_MAX_AVATAR_BYTES = 64 * 1024
        received = []
        original = TemporaryFileUploadHandler.receive_data_chunk

        def counting(self, raw_data, start):
            received.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
        user = UserFactory()
        big = jpeg(size=(3000, 3000)) + bytes(3 * 1024 * 1024)  # a real photo, 3 MB over
        response = patch_avatar(user, big)
        assert response.status_code == 413
        assert "too large" in response.json()["errors"]["avatar"][0]
        # Stopped at the cap: not the 3 MB, at most one 64 KiB chunk past it.
        assert sum(received) <= settings.STORIES_MAX_AVATAR_BYTES + 64 * 1024
        user.refresh_from_db()
        assert not user.avatar
        assert not user.avatar_pending


class TestAvatarInTheWorker:
    def test_the_old_avatar_shows_until_the_worker_made_the_new_one(self, held_back):
        sent, run_all = held_back
        user = UserFactory()
        assert patch_avatar(user, jpeg((200, 30, 30))).status_code == 202
        run_all()
        first = User.objects.get(pk=user.pk).avatar.name
        assert served_colour(user)[0] > 150  # red

        with no_heavy_work():
            response = patch_avatar(user, jpeg((30, 30, 200)))
        assert response.status_code == 202
        assert response.json()["avatar_state"] == "processing"
        assert len(sent) == 1
        assert served_colour(user)[2] < 100  # still the old, red one
        assert default_storage.exists(first)

        run_all()
        assert served_colour(user)[2] > 150  # now blue
        assert not default_storage.exists(first)
        me = api_for(user).get(reverse("api:users-me")).json()
        assert me["avatar_state"] == "ready"
        assert me["avatar_error"] == ""

    def test_a_photo_the_worker_cannot_decode_is_a_plain_error_and_keeps_the_old_one(self, held_back):
        _, run_all = held_back
        user = UserFactory()
        patch_avatar(user, jpeg((200, 30, 30)))
        run_all()
        old = User.objects.get(pk=user.pk).avatar.name
        # A real JPEG header, cut off in the middle of the picture: the request cannot tell.
        good = jpeg((30, 30, 200), size=(1200, 1200))
        assert patch_avatar(user, good[: len(good) // 3]).status_code == 202
        run_all()
        me = api_for(user).get(reverse("api:users-me")).json()
        assert me["avatar_state"] == "failed"
        assert "damaged" in me["avatar_error"]
        assert User.objects.get(pk=user.pk).avatar.name == old
        assert served_colour(user)[0] > 150

    def test_a_newer_upload_supersedes_a_waiting_one(self, held_back):
        sent, run_all = held_back
        assert sent == []
        user = UserFactory()
        patch_avatar(user, jpeg((200, 30, 30)))
        patch_avatar(user, jpeg((30, 30, 200)))
        run_all()  # the first task finds its upload superseded and does nothing
        assert served_colour(user)[2] > 150


class TestSoundsInTheWorker:
    def upload(self, user, path, title="Bells"):
        with path.open("rb") as handle:
            return api_for(user).post("/api/v1/sounds/", {"file": handle, "title": title}, format="multipart")

    def test_a_sound_is_listed_once_the_worker_made_it(
        self, tone_mp3, held_back, django_capture_on_commit_callbacks
    ):
        sent, run_all = held_back
        owner, other = UserFactory(), UserFactory()
        with no_heavy_work(), django_capture_on_commit_callbacks(execute=True):
            response = self.upload(owner, tone_mp3)
        assert response.status_code == 202, response.content
        sound = response.json()
        assert sound["state"] == "processing"
        assert len(sent) == 1
        assert api_for(other).get("/api/v1/sounds/").json()["results"] == []
        assert api_for(other).get(f"/api/v1/sounds/{sound['id']}/").status_code == 404
        assert api_for(owner).get(f"/api/v1/sounds/{sound['id']}/").json()["state"] == "processing"

        run_all()
        ready = api_for(other).get(f"/api/v1/sounds/{sound['id']}/").json()
        assert ready["state"] == "ready"
        assert 2.5 <= ready["duration"] <= 3.5
        assert api_for(other).get(ready["audio_url"]).status_code == 200

    def test_a_sound_the_worker_cannot_read_fails_plainly(
        self, tmp_path, held_back, django_capture_on_commit_callbacks
    ):
        _, run_all = held_back
        owner = UserFactory()
        fake = tmp_path / "fake.mp3"
        fake.write_bytes(b"ID3" + b"\x00" * 200)  # looks like an MP3 to the sniffer, is none
        with django_capture_on_commit_callbacks(execute=True):
            sound_id = self.upload(owner, fake).json()["id"]
        run_all()
        failed = api_for(owner).get(f"/api/v1/sounds/{sound_id}/").json()
        assert failed["state"] == "failed"
        assert failed["failure_reason"]
        assert "Traceback" not in failed["failure_reason"]
