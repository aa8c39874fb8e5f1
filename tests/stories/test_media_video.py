"""process_video(): every output is a web-ready H.264/AAC MP4 of at most 15 s, judged by ffprobe."""

from __future__ import annotations

import re
import subprocess

import pytest
from PIL import Image

from stories.media import (
    MediaError,
    MediaTimeout,
    TransientMediaError,
    VideoResult,
    probe,
    process_video,
    runner,
)
from stories_site.dev import synth
from tests.media_fixtures import top_level_boxes, zero_crossing_frequency

pytestmark = [pytest.mark.slow, pytest.mark.media]

ALLOWED_STREAM_TAGS = {"language", "handler_name", "vendor_id", "encoder"}
ALLOWED_FORMAT_TAGS = {"major_brand", "minor_version", "compatible_brands", "encoder"}
# ffmpeg's verbose summary of an input's video stream (5.1 and 7.0 word it so).
DECODED_VIDEO_FRAMES = re.compile(r"\(video\): \d+ packets read.*?(\d+) frames decoded")


def _rate(value: str) -> float:
    numerator, _, denominator = value.partition("/")
    return float(numerator) / float(denominator or 1)


def assert_story_mp4(result: VideoResult, report: dict) -> None:
    """Everything a story video must be, as measured on the file."""
    streams = report["streams"]
    assert [stream["codec_type"] for stream in streams] == ["video", "audio"]
    video, audio = streams
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    assert float(report["format"]["duration"]) <= 15.0
    width, height = video["width"], video["height"]
    assert width % 2 == 0
    assert height % 2 == 0
    assert (width <= 1080 and height <= 1920) or (width <= 1920 and height <= 1080)
    assert (result.width, result.height) == (width, height)
    assert _rate(video["avg_frame_rate"]) <= 30.01
    assert _rate(video["r_frame_rate"]) <= 30.01
    assert not [
        data for data in video.get("side_data_list", []) if data.get("side_data_type") == "Display Matrix"
    ]
    assert "rotate" not in video.get("tags", {})
    for stream in streams:
        assert set(stream.get("tags", {})) <= ALLOWED_STREAM_TAGS
    assert set(report["format"].get("tags", {})) <= ALLOWED_FORMAT_TAGS
    boxes = top_level_boxes(result.video)
    assert boxes.index(b"moov") < boxes.index(b"mdat"), "faststart: moov must come first"
    assert (result.content_type, result.poster_content_type) == ("video/mp4", "image/jpeg")
    assert result.duration == pytest.approx(float(report["format"]["duration"]), abs=0.01)
    with Image.open(result.poster) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (width, height)
        poster.load()


SOURCES = {
    # fixture: (expected display size, stream copied?)
    "h264_clip": ((360, 640), True),
    "phone_mov": ((360, 640), True),
    "hevc_mp4": ((360, 640), False),
    "hevc_10bit_mov": ((360, 640), False),
    "vp9_webm": ((360, 640), False),
    "vp8_webm": ((360, 640), False),
    "av1_mkv": ((360, 640), False),
    "rotated_clip": ((360, 640), False),
    "odd_silent_clip": ((332, 590), False),
    "vfr_clip": ((360, 640), False),
    "fast_clip": ((160, 284), False),
    "landscape_clip": ((640, 360), True),
    "big_landscape_clip": ((1920, 1080), False),
}


@pytest.mark.parametrize("fixture", SOURCES)
def test_every_source_becomes_a_story_mp4(request, tmp_path, ffprobe_report, fixture):
    size, copied = SOURCES[fixture]
    result = process_video(request.getfixturevalue(fixture), tmp_path)
    assert_story_mp4(result, ffprobe_report(result.video))
    assert (result.width, result.height) == size
    assert result.copied is copied
    assert result.video.parent == tmp_path
    assert result.poster.parent == tmp_path


def test_phone_tags_never_reach_the_output(tmp_path, phone_mov, ffprobe_report):
    for filter_name in ("none", "warm"):  # the copy path and the transcode path
        out = tmp_path / filter_name
        out.mkdir()
        result = process_video(phone_mov, out, filter_name=filter_name)
        data = result.video.read_bytes() + result.poster.read_bytes()
        for leaked in (b"+48.8584", b"my secret title", b"private comment", b"2024-05-01"):
            assert leaked not in data
        report = ffprobe_report(result.video)
        assert "creation_time" not in report["format"].get("tags", {})
        assert "location" not in report["format"].get("tags", {})


def test_a_minute_long_clip_is_cut_to_fifteen_seconds(tmp_path, long_clip, ffprobe_report):
    result = process_video(long_clip, tmp_path)
    assert result.copied
    assert 14.8 <= float(ffprobe_report(result.video)["format"]["duration"]) <= 15.0


def test_trim_start_keeps_the_next_fifteen_seconds(tmp_path, long_clip, ffprobe_report):
    result = process_video(long_clip, tmp_path, trim_start=20)
    report = ffprobe_report(result.video)
    assert_story_mp4(result, report)
    assert not result.copied
    assert float(report["format"]["duration"]) == pytest.approx(15.0, abs=0.05)
    # The source's audio is mono 22 kHz; the story's is 48 kHz stereo whatever came in.
    assert report["streams"][1]["sample_rate"] == "48000"


def test_trim_near_the_end_keeps_what_is_left(tmp_path, long_clip, ffprobe_report):
    result = process_video(long_clip, tmp_path, trim_start=58.5)
    assert float(ffprobe_report(result.video)["format"]["duration"]) == pytest.approx(1.5, abs=0.1)


@pytest.mark.parametrize("trim_start", [60, 61, 3600])
def test_trim_start_past_the_end(tmp_path, long_clip, trim_start):
    with pytest.raises(MediaError, match="Trim start is past the end of the clip"):
        process_video(long_clip, tmp_path, trim_start=trim_start)


def test_a_copied_clip_without_audio_gets_a_silent_track(tmp_path, ffprobe_report):
    silent = synth.make_video(tmp_path / "silent.mp4", seconds=0.5, width=180, height=320, audio=False)
    out = tmp_path / "out"
    out.mkdir()
    result = process_video(silent, out)
    assert result.copied
    assert_story_mp4(result, ffprobe_report(result.video))


def test_a_clip_without_audio_gets_a_silent_track(tmp_path, odd_silent_clip, ffprobe_report):
    result = process_video(odd_silent_clip, tmp_path)
    audio = ffprobe_report(result.video)["streams"][1]
    assert audio["codec_name"] == "aac"
    assert float(audio["duration"]) == pytest.approx(result.duration, abs=0.1)


def test_replace_puts_the_sound_under_the_whole_clip_looping_it(
    tmp_path, h264_clip, short_tone, ffprobe_report
):
    """The 0.4 s tone (880 Hz) loops to fill the 2 s clip and the clip's own 262 Hz tone is gone."""
    result = process_video(h264_clip, tmp_path, sound=short_tone, sound_mode="replace")
    report = ffprobe_report(result.video)
    assert_story_mp4(result, report)
    assert not result.copied
    assert float(report["streams"][1]["duration"]) == pytest.approx(2.0, abs=0.1)
    assert zero_crossing_frequency(result.video, seconds=1.5) == pytest.approx(880, rel=0.1)


def test_mix_keeps_the_clip_audio_and_adds_the_sound(tmp_path, h264_clip, tone_mp3, ffprobe_report):
    result = process_video(h264_clip, tmp_path, sound=tone_mp3, sound_mode="mix")
    assert_story_mp4(result, ffprobe_report(result.video))
    pitch = zero_crossing_frequency(result.video)
    assert 262 * 1.1 < pitch < 523 * 1.1  # neither tone alone: both are there


def test_sound_on_a_silent_clip_is_the_sound(tmp_path, odd_silent_clip, tone_mp3, ffprobe_report):
    result = process_video(odd_silent_clip, tmp_path, sound=tone_mp3)
    report = ffprobe_report(result.video)
    assert_story_mp4(result, report)
    assert float(report["format"]["duration"]) == pytest.approx(1.0, abs=0.1)
    assert zero_crossing_frequency(result.video, seconds=0.8) == pytest.approx(523, rel=0.1)


@pytest.mark.parametrize(
    ("clip", "colours"),
    [
        ("patches_clip", (None, None, None, None)),
        ("patches_bt709_clip", ("bt709", "bt709", "bt709", "tv")),
        ("patches_full_range_clip", ("bt709", "bt709", "bt709", "tv")),
        ("patches_hlg_clip", ("bt2020nc", "bt2020", "arib-std-b67", "tv")),
    ],
)
def test_a_story_says_which_colours_it_holds(request, tmp_path, clip, colours):
    """Players read the stream's tags: a story keeps the clip's matrix, primaries and transfer
    (HDR stays HDR for players to tone-map), is limited range whatever the upload's range, and
    claims nothing an untagged clip did not."""
    result = process_video(request.getfixturevalue(clip), tmp_path, filter_name="vivid")
    story = probe(result.video)
    assert (story.colour_space, story.colour_primaries, story.colour_transfer, story.colour_range) == colours


def test_a_sound_without_audio_is_refused(tmp_path, h264_clip, rotated_photo_with_gps):
    with pytest.raises(MediaError, match="no audio"):
        process_video(h264_clip, tmp_path, sound=rotated_photo_with_gps)


def test_photos_and_audio_are_not_videos(tmp_path, rotated_photo_with_gps, tone_mp3):
    for upload in (rotated_photo_with_gps, tone_mp3):
        with pytest.raises(MediaError, match="not a video"):
            process_video(upload, tmp_path)


def test_the_poster_comes_from_the_same_ffmpeg_run(tmp_path, vp9_webm, runner_commands):
    result = process_video(vp9_webm, tmp_path, filter_name="vivid")
    ffmpeg_runs = [command for command in runner_commands if command[0] == runner.ffmpeg_binary()]
    assert len(ffmpeg_runs) == 1
    assert result.poster.stat().st_size > 0
    command = ffmpeg_runs[0]
    for required in ("-nostdin", "-hide_banner", "-threads", "-protocol_whitelist", "-format_whitelist"):
        assert required in command
    assert command[command.index("-protocol_whitelist") + 1] == "file"
    assert "hls" not in command[command.index("-format_whitelist") + 1]


def test_a_copied_clip_and_its_poster_are_one_ffmpeg_run_that_decodes_a_frame_or_two(
    tmp_path, long_clip, runner_commands
):
    """A start of Debian's ffmpeg or ffprobe costs about 0.1 s before it reads a byte, most of
    what a stream-copied clip waits: the copy and its poster are one run, and the result is not
    probed again. The poster must not make that run decode the clip (60 s, copied up to 15 s)."""
    info = probe(long_clip)
    runner_commands.clear()  # the upload's probe, before the path under test
    commands = runner_commands
    result = process_video(long_clip, tmp_path, info=info)
    assert result.copied
    assert [command[0] for command in commands] == [runner.ffmpeg_binary()], "one process, ffmpeg"
    command = commands[0]
    inputs = command.count("-i")
    assert inputs == 2, "the upload, opened once for the copy and once for the poster"
    assert command.count("-protocol_whitelist") == command.count("-format_whitelist") == inputs

    verbose = list(command)
    verbose[verbose.index("-loglevel") + 1] = "verbose"
    report = subprocess.run(verbose, capture_output=True, text=True, timeout=120, check=True).stderr
    decoded = [int(count) for count in re.findall(DECODED_VIDEO_FRAMES, report)]
    assert decoded, report[-2000:]
    assert max(decoded) < 30, f"the poster decoded {max(decoded)} frames of the clip"


def test_a_timeout_is_the_inputs_failure_not_a_reason_to_retry(tmp_path, vp9_webm, settings):
    settings.STORIES_FFMPEG_TIMEOUT = 0.001
    with pytest.raises(MediaTimeout) as caught:
        process_video(vp9_webm, tmp_path)
    assert isinstance(caught.value, MediaError)
    assert not isinstance(caught.value, TransientMediaError)


def test_works_with_only_the_bundled_ffmpeg_and_pyav(tmp_path, hevc_mp4, settings, ffprobe_report):
    """A fresh machine: imageio-ffmpeg's binary and no ffprobe at all."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    settings.FFMPEG_BINARY = imageio_ffmpeg.get_ffmpeg_exe()
    settings.STORIES_PROBE_BACKEND = "pyav"
    result = process_video(hevc_mp4, tmp_path, filter_name="fade", trim_start=0.2)
    assert_story_mp4(result, ffprobe_report(result.video))
