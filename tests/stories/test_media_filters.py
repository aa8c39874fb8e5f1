"""Looks: one definition, the same colours on video (ffmpeg) and photo (Pillow), a CSS preview."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageStat

from stories.media import FILTERS, Filter, filter_choices, process_photo, process_video

pytestmark = pytest.mark.slow

REQUIRED = {"none", "mono", "sepia", "vivid", "vintage", "cool", "warm", "fade"}
CSS_FUNCTION = re.compile(r"^(none|([a-z-]+\([0-9.\-]+(deg)?\))( [a-z-]+\([0-9.\-]+(deg)?\))*)$")


def _mean_rgb(path) -> tuple[float, ...]:
    with Image.open(path) as image:
        return tuple(ImageStat.Stat(image.convert("RGB")).mean)


def test_the_catalogue():
    assert set(FILTERS) >= REQUIRED
    assert filter_choices()[0] == ("none", "Original")
    assert [name for name, _ in filter_choices()] == list(FILTERS)
    for name, look in FILTERS.items():
        assert isinstance(look, Filter)
        assert look.name == name
        assert look.label
        assert CSS_FUNCTION.match(look.css), look.css
        assert look.is_identity is (name == "none")


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_video_and_photo_get_the_same_look(tmp_path, flat_colour_clip, flat_colour_photo, name):
    video_out, photo_out = tmp_path / "video", tmp_path / "photo"
    video_out.mkdir()
    photo_out.mkdir()
    video = process_video(flat_colour_clip, video_out, filter_name=name)
    photo = process_photo(flat_colour_photo, photo_out, filter_name=name)
    on_video, on_photo = _mean_rgb(video.poster), _mean_rgb(photo.image)
    for channel_video, channel_photo in zip(on_video, on_photo, strict=True):
        assert channel_video == pytest.approx(channel_photo, abs=8), (on_video, on_photo)
    if name != "none":
        assert max(abs(a - b) for a, b in zip(on_photo, (200, 120, 80), strict=True)) > 5
