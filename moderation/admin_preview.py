"""A reported story as moderators see it in the admin: the preview on its case page (and on the
story's own admin page), and the admin-only view that serves its media in any state."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from stories.models import Kind, Story
from stories.private_media import serve_private_file

from . import services
from .models import Case

PREVIEW_PERMISSION = "moderation.preview_media"


def story_preview(story: Story) -> SafeString:
    """The story as its viewers saw it: media (through the admin-only view), caption, text
    overlays and stickers. Works in any state until the purge takes the files, and only for a
    story with a case: moderators watch what was reported, not whatever they like."""
    if not Case.objects.filter(story=story).exists():
        return format_html("<p>{}</p>", "No preview: only a reported story (one with a case) is shown here.")
    media_url = reverse("admin:moderation_story_media", args=[story.pk, "media"])
    if not story.media:
        player = format_html("<p>No media ({}).</p>", story.get_state_display())
    elif story.kind == Kind.VIDEO:
        poster = reverse("admin:moderation_story_media", args=[story.pk, "poster"])
        player = format_html(
            '<video controls preload="metadata" src="{}" poster="{}" '
            'width="270" height="480"></video>',  # attributes: the page policy bars style attributes
            media_url,
            poster,
        )
    else:
        player = format_html('<img src="{}" alt="{}" width="270">', media_url, story.alt_text)
    overlays = format_html_join("", "<li>text: “{}”</li>", ((o.get("text", ""),) for o in story.overlays))
    stickers = format_html_join(
        "",
        "<li>{}: {}</li>",
        ((sticker.get_type_display(), _sticker_text(sticker)) for sticker in story.stickers.all()),
    )
    return format_html(
        "{}<p><strong>State:</strong> {} · <strong>audience:</strong> {} · <strong>published:</strong> {} · "
        "<strong>expires:</strong> {}</p><p><strong>Caption:</strong> {}</p>"
        "<p><strong>Overlays and stickers:</strong></p><ul>{}{}</ul>",
        player,
        story.get_state_display(),
        story.get_audience_display(),
        when(story.published_at),
        when(story.expires_at),
        story.caption or "(none)",
        overlays,
        stickers or ("" if overlays else mark_safe("<li>none</li>")),
    )


def when(moment) -> str:
    # Formatted before format_html, which escapes its arguments into strings first.
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def _sticker_text(sticker) -> str:
    data = sticker.data or {}
    parts = [data.get("question") or data.get("prompt") or data.get("emoji") or data.get("username") or ""]
    if data.get("options"):
        parts.append("options: " + ", ".join(map(str, data["options"])))
    return " — ".join(p for p in parts if p)


def preview_media(request: HttpRequest, story_id, part: str) -> HttpResponse:
    """A story's media for moderators, whatever its state: the public media URL answers 404 the
    moment a story is removed, expires or is deleted by its author, but the case still needs it
    until it is resolved. Only stories with a case; every opening is written to the audit trail
    (the player's follow-up range requests, for seeking, are the same viewing)."""
    if not request.user.has_perm(PREVIEW_PERMISSION):
        raise PermissionDenied
    story = get_object_or_404(Story, pk=story_id)
    if part not in ("media", "poster"):
        raise PermissionDenied
    if not _continues_a_viewing(request):
        services.preview_record(story=story, by=request.user, part=part)
    if part == "poster" and story.poster:
        return serve_private_file(request, story.poster.name, "image/jpeg")
    return serve_private_file(request, story.media.name, story.media_content_type)


def _continues_a_viewing(request: HttpRequest) -> bool:
    """A range request that does not start at the beginning: the player seeking in a clip
    already opened (and recorded)."""
    spec = request.headers.get("Range", "").strip().lower()
    return spec.startswith("bytes=") and not spec.removeprefix("bytes=").startswith("0-")
