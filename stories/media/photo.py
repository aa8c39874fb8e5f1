"""Photos and avatars, with Pillow only: photos never go through ffmpeg.

The pixel count is checked from the header before anything is decoded, the decoder is limited to
the formats we accept (Pillow would otherwise try every plugin, EPS through Ghostscript
included), and the output is a fresh image built from pixels alone, so EXIF, GPS, XMP, ICC
profiles, comments and bytes appended after the image never survive.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .errors import DAMAGED, UNREADABLE, MediaError, TransientMediaError
from .filters import get_filter

try:
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - pillow-heif is in requirements; HEIC is refused without it
    pass
else:
    register_heif_opener()

# Pillow format name -> (MIME type, ffprobe-style container name, ffprobe-style codec name).
PHOTO_FORMATS: dict[str, tuple[str, str, str]] = {
    "JPEG": ("image/jpeg", "jpeg_pipe", "mjpeg"),
    "PNG": ("image/png", "png_pipe", "png"),
    "WEBP": ("image/webp", "webp_pipe", "webp"),
    "HEIF": ("image/heic", "heif", "hevc"),
    "AVIF": ("image/avif", "avif", "av1"),
}
# Phone panoramas are long but thin; the pixel cap does the real work.
MAX_PHOTO_SIDE = 16384
JPEG_QUALITY = 85
# Transparent areas become white: dark logos on transparent PNGs stay readable.
BACKGROUND = (255, 255, 255)
EXIF_ORIENTATION_TAG = 0x0112
ROTATION_BY_ORIENTATION = {3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}
PHOTO_MAX_SIZE = (1080, 1920)
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class SanitizedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class PhotoResult:
    image: Path
    content_type: str
    width: int
    height: int


def max_pixels() -> int:
    return int(settings.STORIES_MAX_PIXELS)


@contextmanager
def open_image(src: str | os.PathLike | IO[bytes]):
    """Open an image lazily (header only) and refuse it before decoding if it is too large.

    Yields the open Image; pixels are decoded only when the caller asks for them.
    """
    limit = max_pixels()
    # Pillow's own guard as a second line: over the limit it warns (made an error here), over
    # twice the limit it raises DecompressionBombError.
    Image.MAX_IMAGE_PIXELS = limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(src, formats=list(PHOTO_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError(_too_large_reason(limit)) from None
        except UnidentifiedImageError:
            raise MediaError(UNREADABLE) from None
        except (OSError, SyntaxError, ValueError, struct.error, EOFError, zlib.error):
            raise MediaError(DAMAGED) from None
        with image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise MediaError(DAMAGED)
            if width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE:
                raise MediaError(f"The image is too large (over {MAX_PHOTO_SIDE} pixels on a side).")
            if width * height > limit:
                raise MediaError(_too_large_reason(limit))
            yield image


def _too_large_reason(limit: int) -> str:
    return f"The image is too large (over {limit / 1_000_000:g} megapixels)."


def exif_rotation(image: Image.Image) -> int:
    """Clockwise rotation the EXIF orientation asks for; reads the header, not the pixels."""
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not fail a readable photo
        return 0
    return ROTATION_BY_ORIENTATION.get(orientation, 0)


def sanitize_image(
    src: str | os.PathLike | IO[bytes],
    *,
    max_size: tuple[int, int] = PHOTO_MAX_SIZE,
    square: bool = False,
    filter_name: str = "none",
) -> SanitizedImage:
    """Decode, orient, shrink and re-encode an image as a metadata-free JPEG.

    The picture fits within max_size in either orientation (a landscape photo fits 1920x1080
    when max_size is (1080, 1920)); square=True centre-crops first (avatars).
    """
    look = get_filter(filter_name)
    with open_image(src) as image:
        target = _fit_within(_oriented_size(image), max_size, square)
        if image.format == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is much smaller.
            image.draft("RGB", _draft_request(image, target, square))
        try:
            image.load()
            picture = _to_srgb(ImageOps.exif_transpose(image))
            picture = _flatten(picture)
        except MediaError:
            raise
        except Exception:
            raise MediaError(DAMAGED) from None
    if square:
        picture = ImageOps.fit(picture, target, Image.Resampling.LANCZOS)
    elif picture.size != target:
        picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    picture = look.apply_to_image(picture)
    # A fresh image from raw pixels: nothing from the upload's metadata can come along.
    clean = Image.frombytes("RGB", picture.size, picture.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return SanitizedImage(
        data=buffer.getvalue(),
        content_type="image/jpeg",
        extension="jpg",
        width=clean.width,
        height=clean.height,
    )


def process_photo(
    src: str | os.PathLike, out_dir: str | os.PathLike, *, filter_name: str = "none"
) -> PhotoResult:
    """A story photo: sanitized JPEG written to out_dir under a server-made name."""
    sanitized = sanitize_image(src, max_size=PHOTO_MAX_SIZE, filter_name=filter_name)
    path = Path(out_dir) / f"photo.{sanitized.extension}"
    try:
        path.write_bytes(sanitized.data)
    except OSError as exc:
        raise TransientMediaError("Could not write the processed photo.") from exc
    return PhotoResult(
        image=path, content_type=sanitized.content_type, width=sanitized.width, height=sanitized.height
    )


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if exif_rotation(image) in (90, 270) else (width, height)


def _fit_within(size: tuple[int, int], max_size: tuple[int, int], square: bool) -> tuple[int, int]:
    width, height = size
    if square:
        side = min(width, height, *max_size)
        return side, side
    short_bound, long_bound = sorted(max_size)
    bound_w, bound_h = (long_bound, short_bound) if width > height else (short_bound, long_bound)
    scale = min(1.0, bound_w / width, bound_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _draft_request(image: Image.Image, target: tuple[int, int], square: bool) -> tuple[int, int]:
    """The smallest stored-orientation size that still covers the target after cropping."""
    width, height = image.size
    scale = target[0] / min(width, height) if square else max(target) / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert wide-gamut (e.g. Display P3) pictures to sRGB before the profile is dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB without alpha: transparency composited on BACKGROUND, other modes converted."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


# Truncated files raise instead of being padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False
