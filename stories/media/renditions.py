"""Sized renditions of a story's still picture (a clip's poster, or the photo itself), with Pillow.

Why: the pages show posters small (a feed card is about 180 CSS pixels wide on a phone) while the
poster is the clip's full 1080x1920 frame as JPEG. Each rendition is a WebP sized to cover a
9:16 box `width` pixels wide (the shape of a feed card and of the player's frame, both cropped or
fitted into 9:16), so a page's `srcset` can name the rendition by that width whatever the
picture's own shape: a portrait 9:16 poster comes out exactly `width` wide, a landscape one wider,
so that it still fills the box's height. A picture is never enlarged: the first box it is too
small for gets it at its own size (re-encoded to WebP, about half the bytes of the JPEG), and
the larger boxes are not made (the endpoint answers them with the largest rendition).

WebP rather than AVIF: Pillow here encodes both, but AVIF took 10x the CPU of WebP for files of
about the same size at the speeds tried (docs/benchmarks.md, Lighthouse), and renditions are made
on the media worker after every upload.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import DAMAGED, MediaError, TransientMediaError
from .photo import open_image

# The 9:16 box widths (CSS pixels times the screen's density) a page can ask for: a feed card
# on a phone at 1x to 3x (240 to 540), the player's frame on most phones (810: 412 px at 1.75x,
# Lighthouse's phone, needs 721; 390 px at 2x needs 780) and on 3x phones and desktops (1080).
# Browsers take the smallest width that covers what they need, so a box just under a common
# need (720 for 721) would send them to the next one.
RENDITION_WIDTHS = (240, 360, 540, 810, 1080)
RENDITION_FORMAT = "WEBP"
RENDITION_CONTENT_TYPE = "image/webp"
RENDITION_EXTENSION = "webp"
# libwebp quality 0-100, method 0 (fast) - 6 (small): 4 is libwebp's default trade-off.
WEBP_QUALITY = 72
WEBP_METHOD = 4
BOX_RATIO = 16 / 9  # height / width of the box a rendition covers


@dataclass(frozen=True)
class Rendition:
    box_width: int  # the 9:16 box it covers, the name the pages use
    width: int  # its real size
    height: int
    path: Path
    content_type: str


def rendition_size(size: tuple[int, int], box_width: int) -> tuple[int, int]:
    """The size that covers a 9:16 box `box_width` wide with the picture's shape kept, never
    larger than the picture itself."""
    width, height = size
    scale = min(1.0, max(box_width / width, box_width * BOX_RATIO / height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def rendition_plan(size: tuple[int, int], widths: tuple[int, ...]) -> list[tuple[int, tuple[int, int]]]:
    """(box width, size) of each rendition to make, smallest first: every box the picture
    covers, then the picture at its own size for the first box it does not (none when a
    smaller box already came out at its own size)."""
    plan: list[tuple[int, tuple[int, int]]] = []
    for box in sorted(widths):
        target = rendition_size(size, box)
        if plan and plan[-1][1] == target:
            break  # already at its own size: a larger box would be the same file
        plan.append((box, target))
        if target == tuple(size):
            break
    return plan


def make_renditions(
    src: str | os.PathLike, out_dir: str | os.PathLike, *, widths: tuple[int, ...] = RENDITION_WIDTHS
) -> list[Rendition]:
    """WebP renditions of the still picture `src` (our own poster or sanitized photo) in out_dir,
    one per box width the picture is large enough for, smallest first. Each is resized from the
    next larger one (each step at most 2x), which costs a fraction of resizing from the original
    every time and looks the same."""
    out_dir = Path(out_dir)
    with open_image(src) as image:
        plan = rendition_plan(image.size, widths)
        if image.format == "JPEG":
            # libjpeg decodes at 1/2 or 1/4 scale when the largest rendition allows it.
            image.draft("RGB", plan[-1][1])
        try:
            image.load()
            picture = image.convert("RGB")
        except Exception:
            raise MediaError(DAMAGED) from None
    made: list[Rendition] = []
    for box, size in reversed(plan):
        if picture.size != size:
            picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        path = out_dir / f"rendition-{box}.{RENDITION_EXTENSION}"
        buffer = io.BytesIO()
        picture.save(buffer, format=RENDITION_FORMAT, quality=WEBP_QUALITY, method=WEBP_METHOD)
        try:
            path.write_bytes(buffer.getvalue())
        except OSError as exc:
            raise TransientMediaError("Could not write a poster rendition.") from exc
        made.append(Rendition(box, size[0], size[1], path, RENDITION_CONTENT_TYPE))
    return made[::-1]
