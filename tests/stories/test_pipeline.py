"""A story from upload to ready, failed, deleted, expired and purged, on real generated media
through the real API, services and (eager) Celery task."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from stories import services
from stories.lifecycle import State
from stories.models import ArchivedStory, Story
from tests.factories import UserFactory
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author():
    return UserFactory()


@pytest.fixture
def api(author):
    client = APIClient()
    client.force_authenticate(author)
    return client


def post_story(api, path: Path, **fields):
    with path.open("rb") as handle:
        return api.post(reverse("api:story-list"), {"media": handle, **fields}, format="multipart")


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_clip_goes_from_upload_to_ready(api, h264_clip, ffprobe_report, tmp_path):
    response = post_story(api, h264_clip, caption="Morning run", audience="everyone")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "ready"
    assert body["kind"] == "video"
    assert body["caption"] == "Morning run"
    assert body["media_url"].endswith(f"/stories/{body['id']}/media")
    assert 0 < body["duration"] <= 15.0
    assert (body["width"], body["height"]) == (360, 640)
    story = Story.objects.get(pk=body["id"])
    assert story.expires_at - story.published_at == timedelta(hours=24)
    # Only the outputs remain in storage: the original went once the story was ready. The
    # poster's WebP renditions (stories/renditions.py) sit beside it: a 360x640 clip is large
    # enough for the 240 and 360 boxes only.
    assert story.rendition_widths == [240, 360]
    renditions = {f"{story.poster.name}.240w.webp", f"{story.poster.name}.360w.webp"}
    assert stored_files() == {story.media.name, story.poster.name, *renditions}
    output = tmp_path / "out.mp4"
    output.write_bytes(read_stored(story.media.name))
    report = ffprobe_report(output)
    codecs = {stream["codec_type"]: stream["codec_name"] for stream in report["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    assert read_stored(story.poster.name)[:3] == b"\xff\xd8\xff"


def test_long_clip_is_trimmed_to_fifteen_seconds_from_trim_start(api, long_clip, ffprobe_report, tmp_path):
    response = post_story(api, long_clip, trim_start="20")
    assert response.status_code == 201, response.content
    story = Story.objects.get(pk=response.json()["id"])
    output = tmp_path / "trimmed.mp4"
    output.write_bytes(read_stored(story.media.name))
    duration = float(ffprobe_report(output)["format"]["duration"])
    assert 14.5 <= duration <= 15.0
    assert story.duration <= 15.0


def test_photo_story_is_sanitised(api, rotated_photo_with_gps, tmp_path):
    response = post_story(api, rotated_photo_with_gps, filter="sepia", alt_text="A red square")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["state"], body["filter"]) == ("photo", "ready", "sepia")
    assert body["duration"] == 5.0
    assert (body["width"], body["height"]) == (300, 400)
    story = Story.objects.get(pk=body["id"])
    data = read_stored(story.media.name)
    assert story.media_content_type in {"image/jpeg", "image/webp"}
    assert b"Exif" not in data
    assert b"GPS" not in data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some text, not a video at all", "not a video or photo"),
        (b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n", "not a video or photo"),
        (b"ffconcat version 1.0\nfile /etc/passwd\n", "not a video or photo"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "not a video or photo"),
    ],
)
def test_non_media_is_refused_at_upload_with_a_plain_message(api, tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    response = post_story(api, path)
    assert response.status_code == 400
    assert message in str(response.json()["errors"]["media"]).lower()
    assert not Story.objects.exists()
    assert stored_files() == set()


def test_truncated_clip_fails_with_a_reason_and_the_worker_goes_on(api, h264_clip, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(h264_clip.read_bytes()[:4000])
    response = post_story(api, broken)
    assert response.status_code == 202
    failed = Story.objects.get(pk=response.json()["id"])
    assert failed.state == State.FAILED
    assert failed.failure_reason
    assert str(tmp_path) not in failed.failure_reason
    assert "ffmpeg" not in failed.failure_reason.lower()
    assert stored_files() == set()  # nothing made, the original gone too
    detail = api.get(reverse("api:story-detail", args=[failed.pk])).json()
    assert detail["state"] == "failed"
    assert detail["failure_reason"] == failed.failure_reason
    # The next upload is processed as usual.
    assert post_story(api, h264_clip).json()["state"] == "ready"


def test_upload_over_the_cap_is_413_and_nothing_is_kept(api, h264_clip, settings):
    settings.STORIES_MAX_UPLOAD_BYTES = 10_000
    response = post_story(api, h264_clip)
    assert response.status_code == 413
    assert "too large" in str(response.json()).lower()
    assert not Story.objects.exists()
    assert stored_files() == set()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"filter": "sparkle"}, "filter"),
        ({"audience": "world"}, "audience"),
        ({"trim_start": "-3"}, "trim_start"),
        ({"trim_start": "soon"}, "trim_start"),
        ({"overlays": "not json"}, "overlays"),
        ({"overlays": '[{"text": "hi", "x": 4}]'}, "overlays"),
        ({"overlays": '[{"text": "' + "x" * 300 + '"}]'}, "overlays"),
        ({"sound": "9b7a3c1e-0000-4000-8000-000000000000"}, "sound"),
        ({"sound": "abc"}, "sound"),
        ({"caption": "x" * 501}, "caption"),
    ],
)
def test_bad_fields_get_a_plain_400(api, h264_clip, fields, field):
    response = post_story(api, h264_clip, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Story.objects.exists()


def test_anonymous_cannot_post(h264_clip):
    client = APIClient()
    with h264_clip.open("rb") as handle:
        response = client.post(reverse("api:story-list"), {"media": handle}, format="multipart")
    assert response.status_code in (401, 403)


def test_delete_removes_media_at_once(api, author, h264_clip):
    story_id = post_story(api, h264_clip).json()["id"]
    story = Story.objects.get(pk=story_id)
    renditions = {f"{story.poster.name}.240w.webp", f"{story.poster.name}.360w.webp"}
    assert stored_files() == {story.media.name, story.poster.name, *renditions}
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.delete(reverse("api:story-detail", args=[story_id])).status_code == 403
    assert api.delete(reverse("api:story-detail", args=[story_id])).status_code == 204
    assert stored_files() == set()
    assert api.get(reverse("api:story-detail", args=[story_id])).status_code == 404
    assert api.get(reverse("stories:media", args=[story_id])).status_code == 404
    assert api.delete(reverse("api:story-detail", args=[story_id])).status_code == 404


def test_delete_during_processing_leaves_nothing_behind(author, h264_clip):
    options = services.story_options_clean(author=author)
    with h264_clip.open("rb") as handle:
        story = services.story_create(author=author, upload=handle, options=options, enqueue=False)
    services.story_delete(story=story, by=author)
    services.story_process(story_id=story.pk)  # the worker picks up the message afterwards
    assert Story.objects.get(pk=story.pk).state == State.DELETED
    assert stored_files() == set()


def test_processing_twice_is_harmless(author, h264_clip):
    options = services.story_options_clean(author=author)
    with h264_clip.open("rb") as handle:
        story = services.story_create(author=author, upload=handle, options=options, enqueue=False)
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    files = stored_files()
    services.story_process(story_id=story.pk)
    assert stored_files() == files
    assert Story.objects.get(pk=story.pk).media.name == story.media.name


def test_expiry_then_purge_keeps_only_aggregates(api, author, h264_clip):
    story_id = post_story(api, h264_clip).json()["id"]
    Story.objects.filter(pk=story_id).update(
        expires_at=timezone.now() - timedelta(seconds=1), like_count=4, comment_count=2, share_count=1
    )
    # Invisible the moment expires_at passes, before any task ran.
    assert api.get(reverse("api:story-detail", args=[story_id])).status_code == 404
    assert services.stories_expire_due() == 1
    assert Story.objects.get(pk=story_id).state == State.EXPIRED
    assert services.stories_purge() == 1
    assert not Story.objects.filter(pk=story_id).exists()
    assert stored_files() == set()
    archived = ArchivedStory.objects.get(story_id=story_id)
    assert (archived.author, archived.like_count, archived.comment_count, archived.share_count) == (
        author,
        4,
        2,
        1,
    )


def test_failed_stories_are_purged_after_a_day(author):
    from tests.stories.factories import StoryFactory

    recent = StoryFactory(author=author, state=State.FAILED)
    old = StoryFactory(author=author, state=State.FAILED)
    Story.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(hours=25))
    assert services.stories_purge() == 1
    assert Story.objects.filter(pk=recent.pk).exists()
    assert not Story.objects.filter(pk=old.pk).exists()


def test_sound_library_upload_and_use(api, author, tone_mp3, h264_clip, ffprobe_report, tmp_path):
    with tone_mp3.open("rb") as handle:
        response = api.post(reverse("api:sound-list"), {"file": handle, "title": "Bells"}, format="multipart")
    assert response.status_code == 201, response.content
    sound = response.json()
    assert 2.5 <= sound["duration"] <= 3.5
    listed = api.get(reverse("api:sound-list")).json()["results"]
    assert [item["id"] for item in listed] == [sound["id"]]
    audio = api.get(reverse("stories:sound_audio", args=[sound["id"]]))
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/mp4"

    story = post_story(api, h264_clip, sound=sound["id"], sound_mode="replace").json()
    assert story["state"] == "ready"
    assert story["sound"]["id"] == sound["id"]

    reused = api.post(reverse("api:story-use-sound", args=[story["id"]]))
    assert reused.status_code == 201
    assert reused.json()["id"] == sound["id"]  # a replaced sound is the sound itself


def test_use_this_sound_lifts_a_clips_audio(api, author, h264_clip):
    story = post_story(api, h264_clip).json()
    lifted = api.post(reverse("api:story-use-sound", args=[story["id"]]))
    assert lifted.status_code == 201, lifted.content
    assert lifted.json()["title"] == f"Original sound - @{author.username}"
    again = api.post(reverse("api:story-use-sound", args=[story["id"]]))
    assert again.json()["id"] == lifted.json()["id"]


def test_bad_sound_upload_is_400(api, tmp_path):
    path = tmp_path / "fake.mp3"
    path.write_bytes(b"ID3" + b"\x00" * 200)
    with path.open("rb") as handle:
        response = api.post(reverse("api:sound-list"), {"file": handle, "title": "Noise"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_user_stories_lists_live_items_oldest_first(api, author, h264_clip, rotated_photo_with_gps):
    first = post_story(api, h264_clip).json()["id"]
    second = post_story(api, rotated_photo_with_gps).json()["id"]
    Story.objects.filter(pk=first).update(published_at=timezone.now() - timedelta(hours=1))
    anonymous = APIClient()
    body = anonymous.get(reverse("api:user-stories", args=[author.username])).json()
    assert [item["id"] for item in body["results"]] == [first, second]
    assert body["next"] is None
