"""Accepting an upload: a size cap enforced while the body streams. (The type is read from the
file's content by the media module, never from its name or the client's Content-Type.)"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest
from rest_framework import serializers, status


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


def upload_too_large(request: HttpRequest) -> bool:
    """Whether the body passed the cap (the handler stopped reading it)."""
    return getattr(request, "upload_too_large", False)


class CappedUploadMixin:
    """For DRF views that take a file: the streaming cap installed before anything reads the
    body, and over it a 413 with a plain message on `upload_field`. Story and sound uploads use
    STORIES_MAX_UPLOAD_BYTES; the profile photo its own, smaller STORIES_MAX_AVATAR_BYTES."""

    upload_limit_setting = "STORIES_MAX_UPLOAD_BYTES"
    upload_field = "media"

    def upload_limit(self) -> int:
        return int(getattr(settings, self.upload_limit_setting))

    def initialize_request(self, request, *args, **kwargs):
        limit_uploads(request, self.upload_limit())
        return super().initialize_request(request, *args, **kwargs)

    def upload_data(self, request):
        data = request.data
        if upload_too_large(request._request):
            message = too_large_message(self.upload_limit())
            raise serializers.ValidationError({self.upload_field: message}, code="too_large")
        return data

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if upload_too_large(self.request._request):
            response.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        return response
