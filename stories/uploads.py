"""Accepting an upload: a size cap enforced while the body streams. (The type is read from the
file's content by the media module, never from its name or the client's Content-Type.)"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest


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
