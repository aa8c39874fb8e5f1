"""The editor previews a look with its CSS string; the posted story gets the look's Tone. In real
Chromium, each look's CSS on the colour patches matches what process_photo makes of them, so
what one sees before posting is what one gets."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from stories.media import FILTERS, process_photo
from stories.media.filters import Cast
from tests.media_fixtures import patch_centres

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _patches(image: Image.Image) -> list[tuple[int, int, int]]:
    rgb = image.convert("RGB")
    return [rgb.getpixel(centre) for centre in patch_centres()]


@pytest.mark.parametrize("name", list(FILTERS))
def test_the_css_preview_is_the_look_the_story_gets(desktop_page, patches_photo, tmp_path, name):
    look = FILTERS[name]
    data = base64.b64encode(patches_photo.read_bytes()).decode()
    desktop_page.set_content(f"<img id=shown src='data:image/png;base64,{data}' style='filter: {look.css}'>")
    shown = _patches(Image.open(io.BytesIO(desktop_page.locator("#shown").screenshot())))
    with Image.open(process_photo(patches_photo, tmp_path, filter_name=name).image) as posted:
        made = _patches(posted)
    # CSS sepia() weighs coloured pixels with its own matrix rather than by luma, so looks with
    # a sepia tone differ a little on saturated colours; the others are exact up to rounding.
    tolerance = 16 if any(isinstance(step, Cast) for step in look.steps) else 2
    for preview, result in zip(shown, made, strict=True):
        assert preview == pytest.approx(result, abs=tolerance), (name, preview, result)
