"""Helpers for the accounts tests: a live story without media processing, and test images."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from stories.models import Story


def make_live_story(author, **fields) -> Story:
    """A ready story published now, live for 24 hours (no media processing involved)."""
    now = timezone.now()
    values = {
        "state": "ready",
        "published_at": now,
        "expires_at": now + timedelta(hours=24),
        "media": "x.mp4",
        "kind": "video",
    }
    values.update(fields)
    return Story.objects.create(author=author, **values)


def jpeg_with_exif(size=(1200, 800), orientation=6) -> bytes:
    """Left half red, right half blue, with an EXIF orientation and GPS position."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 29.0)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A real 1x1 PNG whose IHDR claims huge dimensions (CRC fixed so it parses)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (0, 0, 0)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # Signature (8) + length (4) + "IHDR" (4), then width and height.
    struct.pack_into(">II", data, 16, width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
