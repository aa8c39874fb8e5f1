"""stories.media.isobmff: what the copy path reads of the MP4 it wrote, instead of probing it."""

from __future__ import annotations

import pytest

from stories.media import probe, process_video
from stories.media.isobmff import written_movie

pytestmark = [pytest.mark.slow, pytest.mark.media]


def test_a_copied_story_reads_as_the_probe_reads_it(tmp_path, h264_clip):
    result = process_video(h264_clip, tmp_path)
    assert result.copied
    movie = written_movie(result.video)
    assert movie is not None
    assert movie.has_picture
    assert movie.duration == pytest.approx(probe(result.video).duration, abs=0.001)
    assert result.duration == movie.duration


def test_a_file_cut_short_or_without_a_movie_box_is_no_movie(tmp_path, h264_clip):
    data = h264_clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    assert written_movie(cut) is None
    no_moov = tmp_path / "no-moov.mp4"
    ftyp = int.from_bytes(data[:4], "big")
    no_moov.write_bytes(data[:ftyp] + b"\x00\x00\x00\x08free")  # whole boxes, no moov
    assert written_movie(no_moov) is None
    assert written_movie(tmp_path / "missing.mp4") is None


def test_sound_alone_is_no_picture(tmp_path, short_tone):
    movie = written_movie(short_tone)  # an .m4a: an MP4 with one sound track
    assert movie is not None
    assert not movie.has_picture
