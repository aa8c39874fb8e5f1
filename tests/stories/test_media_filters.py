"""Looks: one definition, the same colours on video (ffmpeg) and photo (Pillow), a CSS preview."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageStat

from stories.media import FILTERS, Filter, filter_choices, process_photo, process_video
from stories.media.filters import ColourMatrix

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


def _step_by_step(look: Filter, rgb: tuple[int, int, int]) -> tuple[float, ...]:
    """The look as CSS applies it: one step after another, clipped after each."""
    value = [float(c) for c in rgb]
    for step in look.steps:
        if isinstance(step, ColourMatrix):
            value = [sum(step.rows[i][k] * value[k] for k in range(3)) for i in range(3)]
        else:
            value = [(v - 127.5) * step.amount + 127.5 for v in value]
        value = [min(255.0, max(0.0, v)) for v in value]
    return tuple(value)


@pytest.mark.parametrize("name", sorted(REQUIRED))
@pytest.mark.parametrize("rgb", [(200, 120, 80), (30, 60, 90), (128, 128, 128), (240, 230, 220)])
def test_one_pass_matches_the_steps_one_after_another(name, rgb):
    look = FILTERS[name]
    folded = look.apply_to_image(Image.new("RGB", (1, 1), rgb)).getpixel((0, 0))
    for once, stepwise in zip(folded, _step_by_step(look, rgb), strict=True):
        assert once == pytest.approx(stepwise, abs=1.5), (folded, _step_by_step(look, rgb))
