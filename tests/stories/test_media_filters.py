"""Looks: one definition, the same colours on video (ffmpeg) and photo (Pillow), a CSS preview."""

from __future__ import annotations

import os
import re
import shutil

import imageio_ffmpeg
import pytest
from PIL import Image, ImageStat

from stories.media import FILTERS, Filter, filter_choices, probe, process_photo, process_video, runner
from stories.media.filters import (
    BT601,
    BT709,
    Brightness,
    Cast,
    Contrast,
    Invert,
    Saturate,
    fold,
    sepia,
    steps_of,
)
from tests.media_fixtures import PATCH_COLOURS, patch_centres

pytestmark = [pytest.mark.slow, pytest.mark.media]

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


# --- The Tone algebra: what the ffmpeg graph and the Pillow matrix are built from ---------------

COLOURS = [(200, 120, 80), (30, 60, 90), (128, 128, 128), (240, 230, 220), (90, 70, 200), (0, 0, 0)]


def _rgb(colour) -> tuple[float, float, float]:
    return tuple(channel / 255 for channel in colour)


@pytest.mark.parametrize("weights", [BT601, BT709])
@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_a_folded_look_is_its_steps_one_after_another(name, weights):
    folded = fold(FILTERS[name].steps, weights)
    for colour in COLOURS:
        stepwise = weights.to_ycc(_rgb(colour))
        for step in FILTERS[name].steps:
            stepwise = step.tone(weights).on_ycc(stepwise)
        assert folded.on_ycc(weights.to_ycc(_rgb(colour))) == pytest.approx(stepwise, abs=1e-9)


def test_a_looks_steps_are_read_from_its_css():
    assert steps_of("none") == ()
    assert steps_of("sepia(0.4) saturate(0.85) invert(1)") == (*sepia(0.4), Saturate(0.85), Invert())
    for unknown in ("blur(2px)", "opacity(1)", "hue-rotate(12deg)", "invert(0.5)", "saturate(1.2);", ""):
        with pytest.raises(ValueError, match=r"filter list|invert\(1\)"):
            steps_of(unknown)


def test_the_steps_are_the_css_filter_functions_on_rgb():
    """contrast() and brightness() exactly; saturate() up to CSS's rounded luma weights."""
    css_saturate = [[0.213, 0.715, 0.072]] * 3
    for colour in COLOURS:
        rgb = _rgb(colour)
        contrast = Contrast(1.3).tone(BT709).on_rgb(rgb, BT709)
        assert contrast == pytest.approx([(v - 0.5) * 1.3 + 0.5 for v in rgb], abs=1e-9)
        assert Brightness(0.8).tone(BT709).on_rgb(rgb, BT709) == pytest.approx(
            [v * 0.8 for v in rgb], abs=1e-9
        )
        grey = sum(w * v for w, v in zip(css_saturate[0], rgb, strict=True))
        assert Saturate(0).tone(BT709).on_rgb(rgb, BT709) == pytest.approx([grey] * 3, abs=0.5 / 255)


def test_a_cast_tints_greys_by_their_luma_and_leaves_black_alone():
    warm = Cast((1.0, 0.6, 0.25), 1.0).tone(BT709)
    assert warm.on_rgb((0.0, 0.0, 0.0), BT709) == pytest.approx((0.0, 0.0, 0.0))
    for level in (0.25, 0.5):
        red, green, blue = warm.on_rgb((level, level, level), BT709)
        assert red > green > blue
        assert BT709.to_ycc((red, green, blue))[0] == pytest.approx(level)  # luma kept


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_the_photo_matrix_is_the_tone(name):
    look = FILTERS[name]
    tone = fold(look.steps, BT709)
    for colour in COLOURS:
        out = look.apply_to_image(Image.new("RGB", (1, 1), colour)).getpixel((0, 0))
        want = [min(255, max(0, 255 * v)) for v in tone.on_rgb(_rgb(colour), BT709)]
        assert out == pytest.approx(want, abs=1)


# --- Real ffmpeg on real colour patches ----------------------------------------------------------


def _patches(path) -> list[tuple[int, int, int]]:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        return [rgb.getpixel(centre) for centre in patch_centres()]


def _poster(tmp_path, clip, name: str):
    out = tmp_path / name
    out.mkdir()
    return process_video(clip, out, filter_name=name).poster


@pytest.mark.parametrize("name", sorted(REQUIRED - {"none"}))
@pytest.mark.parametrize(("clip", "weights"), [("patches_clip", BT601), ("patches_bt709_clip", BT709)])
def test_a_look_on_video_is_the_tone_in_the_clips_own_colour_space(request, tmp_path, name, clip, weights):
    """The filter graph on 4:2:0 planes does what the Tone says, in the clip's colour space:
    each patch of the poster is the Tone applied to the same patch without a look."""
    source = request.getfixturevalue(clip)
    plain = _patches(_poster(tmp_path, source, "none"))
    looked = _patches(_poster(tmp_path, source, name))
    tone = fold(FILTERS[name].steps, weights)
    for before, after in zip(plain, looked, strict=True):
        want = [255 * v for v in tone.on_rgb(_rgb(before), weights)]
        if all(0 <= v <= 255 for v in want):  # past the RGB cube the two clip differently
            assert after == pytest.approx(want, abs=5), (name, before, after, want)


def test_a_bt709_clip_keeps_its_colours_in_the_poster(tmp_path, patches_bt709_clip):
    """JPEG readers assume BT.601; the poster of a BT.709 clip is converted, not relabelled."""
    for made, wanted in zip(
        _patches(_poster(tmp_path, patches_bt709_clip, "none")), PATCH_COLOURS, strict=True
    ):
        assert made == pytest.approx(wanted, abs=4), (made, wanted)


def test_a_full_range_clip_keeps_its_colours_in_the_poster(tmp_path, patches_full_range_clip):
    """Full-range YCbCr read as limited crushes the dark patches and blows out the light ones
    (15 levels and more); the probe's range is what every conversion is told."""
    for made, wanted in zip(
        _patches(_poster(tmp_path, patches_full_range_clip, "none")), PATCH_COLOURS, strict=True
    ):
        assert made == pytest.approx(wanted, abs=5), (made, wanted)


@pytest.mark.parametrize("name", ["none", "warm"])
@pytest.mark.parametrize(
    "clip", ["patches_clip", "patches_bt709_clip", "patches_full_range_clip", "patches_hlg_clip"]
)
@pytest.mark.system_ffmpeg
def test_the_bundled_and_the_system_ffmpeg_make_the_same_poster(request, tmp_path, settings, clip, name):
    """A machine without ffmpeg uses the imageio-ffmpeg wheel's (7.0), CI and servers Debian's
    (5.1): a story must look the same on both. Its 7.0 once kept a BT.709 poster's matrix."""
    system = shutil.which("ffmpeg")
    bundled = imageio_ffmpeg.get_ffmpeg_exe()
    if os.path.realpath(system or bundled) == os.path.realpath(bundled):
        pytest.skip("the ffmpeg on PATH is the bundled one")
    source = request.getfixturevalue(clip)
    posters = []
    for label, binary in (("system", system), ("bundled", bundled)):
        settings.FFMPEG_BINARY = binary
        (tmp_path / label).mkdir()
        posters.append(_patches(_poster(tmp_path / label, source, name)))
    for on_system, on_bundled in zip(*posters, strict=True):
        assert on_bundled == pytest.approx(on_system, abs=2), (clip, name, posters)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_photo_and_bt709_video_get_the_same_look_on_every_patch(
    tmp_path, patches_bt709_clip, patches_photo, name
):
    on_video = _patches(_poster(tmp_path, patches_bt709_clip, name))
    photo_out = tmp_path / "photo"
    photo_out.mkdir()
    on_photo = _patches(process_photo(patches_photo, photo_out, filter_name=name).image)
    for video_patch, photo_patch in zip(on_video, on_photo, strict=True):
        # Each side rounds in its own places (4:2:0 planes, x264, the JPEG poster): 8 levels.
        assert video_patch == pytest.approx(photo_patch, abs=8), (name, video_patch, photo_patch)


def _mean_error(patches) -> float:
    return sum(
        abs(a - b)
        for got, want in zip(patches, PATCH_COLOURS, strict=True)
        for a, b in zip(got, want, strict=False)
    ) / (3 * len(PATCH_COLOURS))


def test_an_hlg_clip_gets_a_tone_mapped_poster(tmp_path, patches_hlg_clip, monkeypatch):
    """iPhones record HLG by default. Players tone-map the clip; a poster taken as it is would be
    grey and flat, so it is tone-mapped too, and falls back to the plain frame without zscale."""
    assert probe(patches_hlg_clip).colour_transfer == "arib-std-b67"
    mapped = _patches(_poster(tmp_path, patches_hlg_clip, "none"))
    monkeypatch.setattr(runner, "has_filter", lambda name: False)  # an ffmpeg built without zscale
    (tmp_path / "plain").mkdir()
    plain = _patches(process_video(patches_hlg_clip, tmp_path / "plain", filter_name="none").poster)
    assert _mean_error(mapped) < 15 < 25 < _mean_error(plain), (mapped, plain)
