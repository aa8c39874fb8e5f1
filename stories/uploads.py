"""Accepting an upload: a size cap enforced while the body streams, and the type read from the
file's first bytes (never its name or the client's Content-Type)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

# Containers we take, by their magic bytes. The media module's probe checks the rest for real.
_FTYP_PHOTO_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"}


def sniff_kind(head: bytes) -> str | None:
    """'video', 'photo' or None from the first bytes of a file."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return "photo"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # Matroska / WebM (EBML)
        return "video"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "photo" if head[8:12] in _FTYP_PHOTO_BRANDS else "video"
    if len(head) >= 8 and head[4:8] in {b"moov", b"mdat", b"wide", b"free", b"skip"}:  # old QuickTime
        return "video"
    return None


def sniff_audio(head: bytes) -> bool:
    """Whether the first bytes look like an audio file we take for the sound library."""
    return (
        head[:3] == b"ID3"
        or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)  # MPEG audio frame
        or head[:4] in {b"OggS", b"fLaC"}
        or (head[:4] == b"RIFF" and head[8:12] == b"WAVE")
        or (len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in {b"M4A ", b"mp42", b"isom", b"M4B "})
        or head[:4] == b"\x1a\x45\xdf\xa3"
    )


class UploadTooLarge(Exception):
    pass


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading the body as soon as it passes the cap, so a 10 GB upload never lands on disk."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 1024 * 1024:
            self.request.upload_too_large = True
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit or getattr(self.request, "upload_too_large", False):
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None


def limit_uploads(request: HttpRequest, limit: int | None = None) -> None:
    """Install the size cap before anything reads the body (CSRF checks read it too)."""
    cap = limit if limit is not None else settings.STORIES_MAX_UPLOAD_BYTES
    request.upload_handlers = [SizeLimitedUploadHandler(request, cap), TemporaryFileUploadHandler(request)]


def too_large_message(limit: int | None = None) -> str:
    cap = limit if limit is not None else settings.STORIES_MAX_UPLOAD_BYTES
    return f"The file is too large. The limit is {cap // (1024 * 1024)} MB."
