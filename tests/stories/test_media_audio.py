"""process_sound(): an original sound or a clip's audio becomes a clean AAC .m4a."""

from __future__ import annotations

import subprocess

import pytest

from stories.media import MediaError, process_sound, runner

pytestmark = [pytest.mark.slow, pytest.mark.media]


def test_an_mp3_becomes_aac_in_m4a(tmp_path, tone_mp3, ffprobe_report):
    result = process_sound(tone_mp3, tmp_path)
    assert (result.audio, result.content_type) == (tmp_path / "sound.m4a", "audio/mp4")
    report = ffprobe_report(result.audio)
    (audio,) = report["streams"]
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    assert result.duration == pytest.approx(3.0, abs=0.1)
    assert set(report["format"].get("tags", {})) <= {"major_brand", "minor_version", "compatible_brands"}


def test_use_this_sound_lifts_and_caps_a_clips_audio(tmp_path, long_clip, ffprobe_report):
    result = process_sound(long_clip, tmp_path, max_seconds=5)
    report = ffprobe_report(result.audio)
    assert [stream["codec_type"] for stream in report["streams"]] == ["audio"]
    assert float(report["format"]["duration"]) <= 5.05


def test_files_without_exactly_one_audio_track_are_refused(tmp_path, odd_silent_clip, h264_clip, large_photo):
    with pytest.raises(MediaError, match="no sound"):
        process_sound(odd_silent_clip, tmp_path)
    with pytest.raises(MediaError, match="no sound"):
        process_sound(large_photo, tmp_path)
    two = tmp_path / "two-tracks.mp4"
    subprocess.run(
        [
            runner.ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(h264_clip),
            "-map",
            "0:a",
            "-map",
            "0:a",
            "-c",
            "copy",
            str(two),
        ],
        check=True,
    )
    with pytest.raises(MediaError, match="more than one sound track"):
        process_sound(two, tmp_path)


@pytest.mark.parametrize("max_seconds", [0, -5, float("nan")])
def test_bad_length_limit(tmp_path, tone_mp3, max_seconds):
    with pytest.raises(MediaError):
        process_sound(tone_mp3, tmp_path, max_seconds=max_seconds)
