"""A Quick camera clip as Chromium's MediaRecorder writes it (issue 17 item 7): H.264 with AAC (or
with Opus, where Chromium has no AAC encoder) in a fragmented MP4, whose frame rate ffprobe may
read as variable (its average comes from a duration the fragments round up). Its picture must be
stream copied, not re-encoded (Opus sound is encoded to AAC), and it must still come out as a
plain web-ready story MP4 (moov first, no fragments) of the clip's length, with its poster."""

from __future__ import annotations

import pytest
from PIL import Image

from stories import services
from stories.lifecycle import State
from stories.media import probe, process_video, runner
from stories.models import Story
from stories_site.dev import synth
from tests.factories import UserFactory
from tests.media_fixtures import top_level_boxes
from tests.stories.test_media_video import assert_story_mp4

pytestmark = [pytest.mark.slow, pytest.mark.media]

SIZE = {"width": 360, "height": 640}


@pytest.fixture(scope="module", params=["aac", "opus"])
def recorder_clip(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"recorder-{request.param}")
    return synth.make_recorder_clip(folder / "camera-clip.mp4", seconds=2, audio_codec=request.param, **SIZE)


def test_the_generated_clip_is_fragmented_like_mediarecorders(recorder_clip):
    boxes = top_level_boxes(recorder_clip)
    assert boxes[:2] == [b"ftyp", b"moov"]
    assert b"moof" in boxes, "samples in movie fragments"
    info = probe(recorder_clip)
    assert info.container.split(",")[0] == "mov"
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.audio_codec in ("aac", "opus")


def test_a_fragmented_camera_clip_is_stream_copied_into_a_plain_story_mp4(
    tmp_path, recorder_clip, ffprobe_report
):
    result = process_video(recorder_clip, tmp_path)
    assert result.copied, "a MediaRecorder MP4 takes the copy path"
    report = ffprobe_report(result.video)
    assert_story_mp4(result, report)
    assert b"moof" not in top_level_boxes(result.video), "the story MP4 is not fragmented"
    assert float(report["format"]["duration"]) == pytest.approx(2.0, abs=0.1)
    with Image.open(result.poster) as poster:
        assert poster.size == (360, 640)
        # The poster is the test pattern, not a black or grey frame.
        assert len(set(poster.convert("RGB").getdata())) > 50


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_camera_clip_is_ready_through_the_copy_path(recorder_clip, monkeypatch, runner_commands):
    copied = []
    original = process_video

    def watched(*args, **kwargs):
        result = original(*args, **kwargs)
        copied.append(result.copied)
        return result

    monkeypatch.setattr("stories.media.process_video", watched)
    commands = runner_commands
    author = UserFactory()
    with recorder_clip.open("rb") as handle:
        story = services.story_create(
            author=author, upload=handle, options=services.story_options_clean(author=author), enqueue=False
        )
    services.story_process(story_id=story.pk)
    story = Story.objects.get(pk=story.pk)
    assert story.state == State.READY, story.failure_reason
    assert copied == [True]
    # Issue 17's 2 s, and a tenth of a re-encode: each process start costs ~0.1 s, so the
    # upload is probed once and copied with its poster in one ffmpeg run, nothing more.
    assert len(commands) == 2, [command[0] for command in commands]
    assert commands[1][0] == runner.ffmpeg_binary()
    assert story.media_content_type == "video/mp4"
    assert story.poster
    assert story.duration == pytest.approx(2.0, abs=0.1)
    assert (story.width, story.height) == (360, 640)
