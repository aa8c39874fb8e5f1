"""Story pages and the private media endpoint.

Media never has a public URL: every request for a clip, poster or sound comes here, where the
viewer's right to see the story is checked (session or token), so an expired, deleted or removed
story's media answers 404 the moment it stops being visible."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import ActiveTokenAuthentication

from . import media, selectors, services
from .lifecycle import InvalidTransition, State
from .models import Audience, Kind, SoundMode, Story

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


def viewable_story(request: HttpRequest, story_id) -> Story:
    viewer = viewer_of(request)
    story = selectors.visible_stories(viewer).filter(pk=story_id).first()
    if story is None:
        # An item of the viewer's own private archive: theirs alone to play.
        story = selectors.own_archive(viewer).filter(pk=story_id).first()
    if story is None:
        # An archived item a highlight holds: for whoever its audience and blocks allow.
        story = selectors.highlight_visible_stories(viewer).filter(pk=story_id).first()
    if story is None and viewer_of(request).is_authenticated:
        # The author's own scheduled item: its poster on the Scheduled page, their preview.
        waiting = selectors.scheduled_stories(viewer_of(request)).filter(state=State.SCHEDULED)
        story = waiting.filter(pk=story_id).first()
    if story is None:
        raise Http404("This story does not exist or is no longer available.")
    return story


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
    story = viewable_story(request, story_id)
    if story.poster:
        return serve_private_file(request, story.poster.name, "image/jpeg", story=story)
    return serve_private_file(request, story.media.name, story.media_content_type, story=story)


def download_response(request: HttpRequest, story: Story) -> HttpResponse:
    viewer = viewer_of(request)
    if not (story.allow_downloads or viewer.pk == story.author_id):
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
    return download_response(request, viewable_story(request, story_id))


@require_GET
def sound_audio(request: HttpRequest, sound_id) -> HttpResponse:
    sound = get_object_or_404(services.available_sounds(viewer_of(request)), pk=sound_id)
    return serve_private_file(request, sound.file.name, "audio/mp4")


def lifetime_label(hours: int) -> str:
    """ "1 hour", "6 hours", "2 days", "7 days": how the editor names a lifetime."""
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


@login_required
@require_GET
def create(request: HttpRequest) -> HttpResponse:
    """The create page: camera or upload, then the editor. `?add_yours=<sticker id>` continues an
    Add Yours chain the person may see (else 404); `?answer=<question id>` answers a question sent
    to one of the person's own stickers (anyone else's, or an unknown one, is a 404)."""
    import uuid

    from stickers import selectors as sticker_selectors
    from stickers import services as sticker_services
    from stickers.models import StickerType

    from .options import editor_limits
    from .overlays import FONTS, MAX_OVERLAYS

    def _uuid_or_none(value: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(value)
        except (TypeError, ValueError, AttributeError):
            return None

    add_yours = None
    if "add_yours" in request.GET:
        sticker = sticker_selectors.sticker_by_id(_uuid_or_none(request.GET["add_yours"]))
        if (
            sticker is None
            or sticker.type != StickerType.ADD_YOURS
            or sticker_selectors.sticker_access(sticker, request.user) != sticker_selectors.LIVE
        ):
            raise Http404("This Add Yours prompt does not exist or is no longer available.")
        add_yours = sticker
    answer = None
    if "answer" in request.GET:
        pk = _uuid_or_none(request.GET["answer"])
        answer = sticker_selectors.inbox(request.user).filter(pk=pk).first() if pk else None
        if answer is None:
            raise Http404("This question does not exist.")
        if answer.answered_story_id is not None:
            messages.info(request, "You already answered this question; this story will not answer it again.")
            answer = None
    editor = {
        "fonts": [{"value": value, "label": label} for value, label in FONTS.items()],
        "add_yours": {
            "id": str(add_yours.pk),
            "prompt": add_yours.prompt,
            "author": add_yours.story.author.username,
        }
        if add_yours
        else None,
        "answer": {"id": str(answer.pk), "text": answer.text, "prompt": answer.sticker.prompt}
        if answer
        else None,
        "me": request.user.username,
        # The server's limits, for the editor to refuse on the spot what the upload would refuse.
        "max_clip_seconds": settings.STORIES_MAX_CLIP_SECONDS,
        "max_upload_bytes": settings.STORIES_MAX_UPLOAD_BYTES,
        "max_overlays": MAX_OVERLAYS,
        "option_limits": editor_limits(),  # the story options' (stories/options.py), by field name
        "max_stickers": sticker_services.MAX_STICKERS,
        "min_options": sticker_services.MIN_OPTIONS,
        "max_options": sticker_services.MAX_OPTIONS,
        "max_option_length": sticker_services.MAX_OPTION_LENGTH,
        "answer_card": {"x": sticker_selectors.ANSWER_CARD["x"], "y": sticker_selectors.ANSWER_CARD["y"]},
        # The schedule picker's window (stories/services/scheduling.py).
        "schedule": services.scheduling.picker_limits(),
    }
    sounds = list(services.available_sounds(request.user).select_related("owner")[:50])
    # "Use this sound" from the player: that sound chosen, even when it is not among the first 50.
    chosen_sound = None
    if "sound" in request.GET:
        chosen_sound = (
            services.available_sounds(request.user)
            .select_related("owner")
            .filter(pk=_uuid_or_none(request.GET["sound"]))
            .first()
        )
        if chosen_sound is None:
            raise Http404("This sound does not exist or is not available.")
        if chosen_sound not in sounds:
            sounds.insert(0, chosen_sound)
    return render(
        request,
        "stories/create.html",
        {
            "filters": media.FILTERS.values(),
            "audiences": Audience.choices,
            "lifetimes": [(hours, lifetime_label(hours)) for hours in services.LIFETIMES],
            "default_lifetime": settings.STORIES_LIFETIME_HOURS,
            "sound_modes": SoundMode.choices,
            "sounds": sounds,
            "chosen_sound": chosen_sound,
            "fonts": FONTS.items(),
            "add_yours": add_yours,
            "answer": answer,
            "editor": editor,
            "max_upload_bytes": settings.STORIES_MAX_UPLOAD_BYTES,
            "max_clip_seconds": settings.STORIES_MAX_CLIP_SECONDS,
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    items = selectors.own_stories(request.user).select_related("author").order_by("-created_at")
    return render(request, "stories/mine.html", {"items": items})


@require_GET
def detail(request: HttpRequest, story_id) -> HttpResponse:
    viewer = viewer_of(request)
    story = selectors.visible_stories(viewer).select_related("author", "sound").filter(pk=story_id).first()
    if story is None and viewer.is_authenticated:
        story = selectors.own_stories(viewer).select_related("author", "sound").filter(pk=story_id).first()
    if story is None:
        raise Http404("This story does not exist or is no longer available.")
    # The stickers as the player gets them (the same JSON, drawn by the same static/js/stickers.js),
    # so a shared link shows the story people see in the player.
    from stickers import selectors as sticker_selectors

    stickers = []
    if story.state == State.READY:
        stickers = sticker_selectors.stickers_for([story], viewer, request=request)[story.pk]
    context = {"story": story, "is_video": story.kind == Kind.VIDEO, "sticker_item": {"stickers": stickers}}
    return render(request, "stories/detail.html", context)


@login_required
@require_POST
def delete(request: HttpRequest, story_id) -> HttpResponse:
    story = get_object_or_404(Story, pk=story_id, author=request.user)
    try:
        services.delete_story(story, by=request.user)
    except InvalidTransition as exc:
        raise Http404("This story is already gone.") from exc
    messages.success(request, "Story deleted. Its media is gone.")
    return redirect("stories:mine")
