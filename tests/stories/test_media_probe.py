"""probe(): what an upload is, read from its bytes, identically with ffprobe or PyAV."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from stories.media import MediaError, MediaInfo, probe, runner
from stories_site.dev import synth

pytestmark = [pytest.mark.slow, pytest.mark.media]

VIDEOS = {
    # fixture: (mime type, codec, display width, height, rotation)
    "h264_clip": ("video/mp4", "h264", 360, 640, 0),
    "phone_mov": ("video/quicktime", "h264", 360, 640, 0),
    "hevc_mp4": ("video/mp4", "hevc", 360, 640, 0),
    "hevc_10bit_mov": ("video/quicktime", "hevc", 360, 640, 0),
    "vp9_webm": ("video/webm", "vp9", 360, 640, 0),
    "vp8_webm": ("video/webm", "vp8", 360, 640, 0),
    "av1_mkv": ("video/x-matroska", "av1", 360, 640, 0),
    "rotated_clip": ("video/mp4", "h264", 360, 640, 90),
    "odd_silent_clip": ("video/webm", "vp9", 333, 591, 0),
    "landscape_clip": ("video/mp4", "h264", 640, 360, 0),
}


@pytest.fixture(params=[pytest.param("ffprobe", marks=pytest.mark.system_ffmpeg), "pyav"])
def backend(request, settings):
    """Run the test with ffprobe, then with the PyAV fallback a machine without ffprobe uses."""
    settings.STORIES_PROBE_BACKEND = "auto" if request.param == "ffprobe" else "pyav"
    if request.param == "ffprobe" and runner.ffprobe_binary() is None:
        pytest.skip("ffprobe is not installed")
    return request.param


@pytest.mark.parametrize("fixture", VIDEOS)
def test_videos_are_described_from_their_content(request, backend, fixture):
    mime_type, codec, width, height, rotation = VIDEOS[fixture]
    info = probe(request.getfixturevalue(fixture))
    assert info.kind == "video"
    assert (info.mime_type, info.video_codec, info.width, info.height, info.rotation) == (
        mime_type,
        codec,
        width,
        height,
        rotation,
    )
    assert info.duration == pytest.approx(1.0 if fixture != "h264_clip" else 2.0, abs=0.06)
    assert info.fps == pytest.approx(30)
    assert info.has_audio is (fixture != "odd_silent_clip")


def test_the_colour_space_is_read_where_the_file_states_it(
    backend, patches_clip, patches_bt709_clip, patches_full_range_clip
):
    """The looks work in the clip's own luma/chroma space, and every conversion is told the
    clip's matrix and range, so they need to be known."""
    assert probe(patches_bt709_clip).colour_space == "bt709"
    assert probe(patches_clip).colour_space is None
    assert (probe(patches_bt709_clip).colour_transfer, probe(patches_clip).colour_transfer) == ("bt709", None)
    assert (probe(patches_bt709_clip).colour_primaries, probe(patches_clip).colour_primaries) == (
        "bt709",
        None,
    )
    assert (probe(patches_bt709_clip).colour_range, probe(patches_full_range_clip).colour_range) == (
        "tv",
        "pc",
    )


@pytest.mark.parametrize(
    "fixture",
    [
        *VIDEOS,
        "vfr_clip",
        "fast_clip",
        "tone_mp3",
        "patches_bt709_clip",
        "patches_full_range_clip",
        "patches_hlg_clip",
    ],
)
@pytest.mark.system_ffmpeg
def test_both_probes_agree(request, settings, fixture):
    if runner.ffprobe_binary() is None:
        pytest.skip("ffprobe is not installed")
    path = request.getfixturevalue(fixture)
    with_ffprobe = probe(path)
    settings.STORIES_PROBE_BACKEND = "pyav"
    with_pyav = probe(path)
    assert with_pyav == with_ffprobe


def test_probing_works_without_any_ffprobe(h264_clip, settings, monkeypatch):
    """A fresh machine with only Python: no ffprobe on PATH and none configured."""
    real_which = shutil.which
    monkeypatch.setattr(runner.shutil, "which", lambda name: None if name == "ffprobe" else real_which(name))
    settings.FFPROBE_BINARY = ""
    assert runner.ffprobe_binary() is None
    assert probe(h264_clip).video_codec == "h264"


def test_variable_and_high_frame_rates_are_flagged(vfr_clip, fast_clip):
    assert probe(vfr_clip).variable_frame_rate
    assert probe(fast_clip).fps == pytest.approx(60)


def test_photos_are_read_from_headers_with_exif_orientation(
    rotated_photo_with_gps, alpha_png, webp_photo, heic_photo
):
    rotated = probe(rotated_photo_with_gps)
    assert (rotated.kind, rotated.mime_type, rotated.width, rotated.height, rotated.rotation) == (
        "photo",
        "image/jpeg",
        300,
        400,
        90,
    )
    assert probe(alpha_png).mime_type == "image/png"
    assert probe(webp_photo).mime_type == "image/webp"
    assert probe(heic_photo).mime_type == "image/heic"


def test_audio(tone_mp3, short_tone):
    tone = probe(tone_mp3)
    assert (tone.kind, tone.mime_type, tone.audio_codec, tone.has_audio) == (
        "audio",
        "audio/mpeg",
        "mp3",
        True,
    )
    assert tone.duration == pytest.approx(3, abs=0.1)
    assert probe(short_tone).mime_type == "audio/mp4"


def test_type_comes_from_content_not_the_name(tmp_path, h264_clip, rotated_photo_with_gps):
    video_named_photo = tmp_path / "holiday.jpg"
    shutil.copy(h264_clip, video_named_photo)
    photo_named_video = tmp_path / "clip.mp4"
    shutil.copy(rotated_photo_with_gps, photo_named_video)
    assert probe(video_named_photo).mime_type == "video/mp4"
    assert probe(photo_named_video).mime_type == "image/jpeg"


def test_media_info_is_frozen(h264_clip):
    info = probe(h264_clip)
    assert isinstance(info, MediaInfo)
    with pytest.raises(AttributeError):
        info.kind = "photo"  # type: ignore[misc]


# --- Refusals ------------------------------------------------------------------------------------


def _assert_plain(error: MediaError) -> None:
    reason = str(error)
    assert reason == error.reason
    assert reason.endswith(".")
    assert "/" not in reason
    assert "ffmpeg" not in reason.lower()


def _refused(path: Path, fragment: str) -> None:
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert fragment in str(caught.value)
    _assert_plain(caught.value)


def test_zero_bytes(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    _refused(empty, "empty")


def test_renamed_text_and_zip_files(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("just some notes, not a video\n" * 20)
    _refused(text, "not a video or photo")
    archive = tmp_path / "archive.mp4"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("video.mp4", b"\x00" * 1000)
    _refused(archive, "not a video or photo")


def test_truncated_mp4_either_layout(tmp_path, h264_clip):
    data = h264_clip.read_bytes()  # moov at the end, as phones write it
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cut, "damaged or incomplete")
    faststart = tmp_path / "faststart.mp4"
    subprocess.run(
        [
            runner.ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(h264_clip),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(faststart),
        ],
        check=True,
    )
    cut.write_bytes(faststart.read_bytes()[: faststart.stat().st_size * 2 // 3])
    _refused(cut, "damaged or incomplete")


def test_truncated_webm(tmp_path, vp9_webm):
    cut = tmp_path / "cut.webm"
    cut.write_bytes(vp9_webm.read_bytes()[:2000])
    _refused(cut, "damaged or incomplete")


def test_a_file_claiming_ten_hours_is_too_long(ten_hour_clip):
    _refused(ten_hour_clip, "too long to process (over 10 minutes)")


def test_absurd_video_dimensions(tmp_path):
    wide = synth.make_video(tmp_path / "wide.mp4", seconds=0.04, width=8200, height=16, audio=False)
    _refused(wide, "over 8192 pixels")


def test_more_than_one_video_track_is_refused_but_subtitles_are_ignored(tmp_path, h264_clip):
    ffmpeg = runner.ffmpeg_binary()
    two = tmp_path / "two.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(h264_clip),
            "-i",
            str(h264_clip),
            "-map",
            "0:v",
            "-map",
            "1:v",
            "-c",
            "copy",
            str(two),
        ],
        check=True,
    )
    _refused(two, "more than one video track")

    subtitles = tmp_path / "subs.srt"
    subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    subtitled = tmp_path / "subtitled.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(h264_clip),
            "-i",
            str(subtitles),
            "-map",
            "0",
            "-map",
            "1",
            "-c",
            "copy",
            "-c:s",
            "mov_text",
            str(subtitled),
        ],
        check=True,
    )
    assert probe(subtitled).kind == "video"
