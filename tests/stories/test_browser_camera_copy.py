"""Quick camera clips take the copy path (issue 17 item 7): in real Chromium with its fake camera
and microphone, the camera records H.264 MP4 with MediaRecorder (with AAC where the browser can
encode it, as Chrome does; with Opus in Chromium builds without an AAC encoder, as Debian's), the
upload is that MP4, and the worker stream-copies its picture instead of re-encoding it (Opus
sound is encoded to AAC), so the story is ready in about a second (bench/media_bench.py measures
it against the 2 s target)."""

from __future__ import annotations

import re
import time

import pytest

from stories import media, services
from stories.lifecycle import State
from stories.models import Kind, Story
from tests.browser import login
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STORY_PAGE = re.compile(r".*/stories/[0-9a-f-]{36}/$")
H264_MP4 = ("video/mp4;codecs=avc1.42E01E,mp4a.40.2", "video/mp4;codecs=avc1,opus")


def test_a_camera_clip_is_an_h264_mp4_that_is_stream_copied(phone_page, live_server, monkeypatch):
    page = phone_page
    seen = []
    original = media.process_video

    def watched(source, out_dir, **kwargs):
        info = kwargs.get("info") or media.probe(source)
        result = original(source, out_dir, **kwargs)
        seen.append((info, result))
        return result

    monkeypatch.setattr("stories.media.process_video", watched)
    uploads = []
    create_story = services.story_create

    def upload_seen(*, upload, **kwargs):
        uploads.append((upload.name, upload.content_type))
        return create_story(upload=upload, **kwargs)

    monkeypatch.setattr("stories.services.story_create", upload_seen)
    UserFactory(username="ada")
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    supported = page.evaluate("types => types.map(t => MediaRecorder.isTypeSupported(t))", list(H264_MP4))
    assert any(supported), "this Chromium records H.264 in MP4"
    page.get_by_role("button", name="Quick camera").click()
    page.wait_for_function("() => document.getElementById('camera-video').videoWidth > 0")
    page.get_by_role("radio", name="Clip", exact=True).check()
    page.get_by_role("button", name="Start recording").click()
    started = time.monotonic()
    page.locator("#camera-countdown").wait_for(state="visible")
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Stop recording").click()
    # The camera records from one click to the other: the 2 s waited, longer on a loaded machine
    # (3.9 s was seen), so the window is measured, not assumed.
    recorded_for = time.monotonic() - started
    page.locator("#preview-video").wait_for(state="visible")
    page.get_by_role("button", name="Post to Story").click()
    page.wait_for_url(STORY_PAGE, timeout=60_000)
    story = Story.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[-1])

    assert story.state == State.READY, story.failure_reason
    assert story.kind == Kind.VIDEO
    # The upload was the camera's MP4, named and typed so.
    assert uploads == [("camera-clip.mp4", "video/mp4")]
    [(info, result)] = seen
    assert info.container.split(",")[0] == "mov"
    assert info.video_codec == "h264"
    assert info.audio_codec == ("aac" if supported[0] else "opus")
    assert result.copied, "the camera's MP4 is stream copied, not re-encoded"
    assert story.poster
    # The clip is what was recorded, never more: the window plus half a second of container rounding.
    assert 1.0 <= story.duration <= recorded_for + 0.5
    # The story plays in the browser: its media loads as a video with frames of the story's size.
    width = page.evaluate(
        """url => new Promise(done => {
            const v = document.createElement('video');
            v.muted = true;
            v.preload = 'auto';
            v.addEventListener('loadeddata', () => done(v.videoWidth));
            v.addEventListener('error', () => done(-1));
            v.src = url;
        })""",
        f"/stories/{story.pk}/media",
    )
    assert width == story.width
