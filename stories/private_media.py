"""The private media endpoints: a story's clip, poster and download, and a sound's audio, for
pages and API clients alike (session or `Authorization: Token`).

Media never has a public URL: every request for a clip, poster or sound comes here, where the
viewer's right to see the story is asked of the gate (stories.selectors.story_for_viewer), so an
expired, deleted or removed story's media answers 404 the moment it stops being visible."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import ActiveTokenAuthentication

from . import renditions, selectors, services
from .lifecycle import State
from .models import Story

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def viewer_of(request: HttpRequest):
    """The session user, or the owner of an `Authorization: Token` header (API clients)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = ActiveTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return request.user
    return found[0] if found else request.user


def viewable_story(request: HttpRequest, story_id, purpose=selectors.Purpose.MEDIA) -> Story:
    """The gate (stories.selectors.story_for_viewer) for the session's or the token's viewer."""
    return selectors.story_for_viewer(story_id=story_id, viewer=viewer_of(request), purpose=purpose)


def _seconds_left(story: Story) -> int:
    if story.archived_at is not None:  # kept past its expiry, for its author alone
        return settings.STORIES_MEDIA_URL_TTL
    if story.state == State.SCHEDULED:  # not live yet: it has no expiry to stop at
        return settings.STORIES_MEDIA_URL_TTL
    left = int((story.expires_at - timezone.now()).total_seconds()) if story.expires_at else 0
    return max(1, min(settings.STORIES_MEDIA_URL_TTL, left))


def _is_local(name: str) -> bool:
    try:
        default_storage.path(name)
    except NotImplementedError:
        return False
    return True


def _iter_range(handle: IO[bytes], length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _private_headers(response: HttpResponse, content_type: str, etag: str) -> HttpResponse:
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def serve_private_file(
    request: HttpRequest, name: str, content_type: str, *, story: Story | None = None, attachment: str = ""
) -> HttpResponse:
    """Stream a stored file with HTTP Range support (Safari will not play video without it),
    or on S3 redirect to a URL presigned for minutes and never past the story's expiry."""
    if not name:
        raise Http404("Nothing to show.")
    disposition = f'attachment; filename="{attachment}"' if attachment else "inline"
    if not _is_local(name):
        expire = _seconds_left(story) if story else settings.STORIES_MEDIA_URL_TTL
        parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        response = HttpResponseRedirect(default_storage.url(name, parameters=parameters, expire=expire))
        response["Cache-Control"] = "private, no-store"
        return response
    etag = '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag and not attachment:
        return _private_headers(HttpResponse(status=304), content_type, etag)
    try:
        size = default_storage.size(name)
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404("Nothing to show.") from exc
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and match.group(1) + match.group(2):
        first, last = match.groups()
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private_headers(response, content_type, etag)
        handle.seek(start)
        length = end - start + 1
        response = StreamingHttpResponse(_iter_range(handle, length), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(handle)
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = disposition
    return _private_headers(response, content_type, etag)


@require_GET
def story_media(request: HttpRequest, story_id) -> HttpResponse:
    story = viewable_story(request, story_id)
    return serve_private_file(request, story.media.name, story.media_content_type, story=story)


@require_GET
def story_poster(request: HttpRequest, story_id) -> HttpResponse:
    """The poster (a photo story's photo), or with `?w=<width>` the smallest of its WebP
    renditions that covers a 9:16 box that wide (stories/renditions.py), behind the same gate.
    A story without renditions (older than them, or still making them) gets the poster itself,
    so a page's srcset never breaks."""
    story = viewable_story(request, story_id)
    wanted = _wanted_width(request.GET.get("w", ""))
    rendition = renditions.rendition_for(story, wanted) if wanted else None
    if rendition:
        try:
            return serve_private_file(request, rendition, renditions.RENDITION_CONTENT_TYPE, story=story)
        except Http404:  # listed but gone from storage: the poster still is there
            pass
    if story.poster:
        return serve_private_file(request, story.poster.name, "image/jpeg", story=story)
    return serve_private_file(request, story.media.name, story.media_content_type, story=story)


def _wanted_width(value: str) -> int:
    """`?w=` as a width in pixels; anything else (missing, not a number, absurd) is 0: the poster."""
    if not (value.isascii() and value.isdigit() and len(value) <= 5):
        return 0
    return int(value) if 0 < int(value) <= 10_000 else 0


def download_response(request: HttpRequest, story: Story) -> HttpResponse:
    """The story's file as an attachment, to whoever `story_download_allowed` lets have it."""
    if not selectors.story_download_allowed(story=story, viewer=viewer_of(request)):
        raise Http404("The author does not allow downloads of this story.")
    if not story.media or story.state not in (State.READY, State.EXPIRED):  # expired: an archived item
        raise Http404("This story is not ready to download.")
    extension = story.media.name.rsplit(".", 1)[-1]
    filename = f"story-{story.author.username}-{story.published_at:%Y%m%d-%H%M%S}.{extension}"
    return serve_private_file(
        request, story.media.name, story.media_content_type, story=story, attachment=filename
    )


@require_GET
def story_download(request: HttpRequest, story_id) -> HttpResponse:
    return download_response(request, viewable_story(request, story_id, selectors.Purpose.DOWNLOAD))


@require_GET
def sound_audio(request: HttpRequest, sound_id) -> HttpResponse:
    sound = get_object_or_404(services.sounds_available(viewer=viewer_of(request)), pk=sound_id)
    return serve_private_file(request, sound.file.name, "audio/mp4")
