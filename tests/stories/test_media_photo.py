"""sanitize_image() / process_photo(): Pillow only, size checked before decoding, nothing kept
but pixels."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib

import pytest
from PIL import Image, ImageCms

from stories.media import MediaError, SanitizedImage, process_photo, sanitize_image
from stories_site.dev import synth

SECRET = b"SECRET-appended-after-EOI-91be"


def _open(result: SanitizedImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.data))
    image.load()
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height but carries a few bytes of pixel data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_exif_orientation_is_applied_and_all_metadata_dropped(rotated_photo_with_gps):
    with Image.open(rotated_photo_with_gps) as source:
        assert source.getexif().get_ifd(0x8825)  # the source does carry a GPS position
    result = sanitize_image(rotated_photo_with_gps)
    image = _open(result)
    assert (result.content_type, result.extension, image.format) == ("image/jpeg", "jpg", "JPEG")
    assert image.size == (result.width, result.height) == (300, 400)
    assert not image.getexif()
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert "xmp" not in image.info
    assert b"Exif" not in result.data
    assert b"GPS" not in result.data


def test_appended_bytes_comments_and_profiles_do_not_survive(tmp_path):
    source = tmp_path / "tricky.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture = Image.new("RGB", (120, 80), (10, 120, 200))
    picture.save(source, format="JPEG", comment=b"comment " + SECRET, icc_profile=icc)
    source.write_bytes(source.read_bytes() + b"JUNK" * 100 + SECRET + b"\xff\xd9")
    result = sanitize_image(source)
    assert SECRET not in result.data
    assert b"comment" not in result.data
    assert "icc_profile" not in _open(result).info
    assert result.data.endswith(b"\xff\xd9")


def test_alpha_is_composited_onto_white(alpha_png):
    image = _open(sanitize_image(alpha_png))
    assert image.mode == "RGB"
    assert all(channel > 245 for channel in image.getpixel((0, 0)))  # a transparent corner


@pytest.mark.parametrize("fixture", ["webp_photo", "heic_photo", "alpha_png"])
def test_other_formats_become_jpeg(request, fixture):
    result = sanitize_image(request.getfixturevalue(fixture))
    assert _open(result).format == "JPEG"


def test_large_photos_fit_in_either_orientation(large_photo, tmp_path):
    assert (sanitize_image(large_photo).width, sanitize_image(large_photo).height) == (1080, 1440)
    landscape = synth.make_photo(tmp_path / "wide.png", width=4000, height=1000, format="PNG")
    result = sanitize_image(landscape)
    assert (result.width, result.height) == (1920, 480)


def test_square_avatar_from_a_file_object(rotated_photo_with_gps):
    with rotated_photo_with_gps.open("rb") as handle:
        result = sanitize_image(handle, max_size=(400, 400), square=True)
    assert (result.width, result.height) == (300, 300)
    with io.BytesIO(rotated_photo_with_gps.read_bytes()) as buffer:
        assert sanitize_image(buffer, max_size=(128, 128), square=True).width == 128


def test_process_photo_writes_a_server_named_jpeg(tmp_path, webp_photo):
    result = process_photo(webp_photo, tmp_path, filter_name="mono")
    assert result.image.parent == tmp_path
    assert result.image.name == "photo.jpg"
    assert result.content_type == "image/jpeg"
    with Image.open(result.image) as image:
        red, green, blue = image.convert("RGB").getpixel((image.width // 2, image.height // 3))
    assert abs(red - green) <= 3
    assert abs(green - blue) <= 3


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (100000, 100000), (20000, 1)])
def test_decompression_bombs_fail_fast_without_allocating(width, height):
    bomb = png_header_only(width, height)
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(MediaError, match="The image is too large"):
        sanitize_image(io.BytesIO(bomb))
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024


def test_pixel_cap_follows_the_setting(settings, large_photo):
    settings.STORIES_MAX_PIXELS = 1_000_000
    with pytest.raises(MediaError, match=r"over 1 megapixels"):
        sanitize_image(large_photo)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is text",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    ],
)
def test_non_images_are_refused_plainly(data):
    with pytest.raises(MediaError) as caught:
        sanitize_image(io.BytesIO(data))
    assert "/" not in str(caught.value)


def test_truncated_jpeg_is_refused(tmp_path, large_photo):
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(large_photo.read_bytes()[:5000])
    with pytest.raises(MediaError, match="damaged or incomplete"):
        sanitize_image(cut)


def test_unknown_filter_is_refused(webp_photo):
    with pytest.raises(MediaError, match="Unknown filter"):
        sanitize_image(webp_photo, filter_name="sepia;rm")
