"""Highlight pages: a highlight playing in the story player, its cover image, and the author's
page for making and arranging highlights. Thin: selectors read, the API (highlights_api.py)
writes, so the management page's script and API clients go through the same services."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from . import highlight_selectors, page_parts
from .private_media import serve_private_file, viewer_of
from .serializers import StorySerializer
from .services import highlights as services


@never_cache
@require_safe
def play(request: HttpRequest, highlight_id: int) -> HttpResponse:
    """The story player on a highlight's items (those this viewer may watch, in order). The same
    page and script as a person's Story (accounts/story.html, static/js/player.js), told by
    `highlight` that it plays one collection: no moving on to the next person."""
    # the stickers: the serializer, page at once
    viewer_state = page_parts.stories_annotator(viewer=request.user)
    entry = highlight_selectors.highlight_shown(
        highlight_id=highlight_id, viewer=request.user, prepare=viewer_state
    )
    if entry is None:
        raise Http404("This highlight does not exist or has nothing you can watch.")
    items = StorySerializer(entry.stories, many=True, context={"request": request}).data
    start = request.GET.get("item", "")
    context = {
        "person": entry.highlight.owner,
        "highlight": entry.highlight,
        "items": items,
        # A highlight starts at its beginning (a Story starts at its first unseen item).
        "start_item": start if any(item["id"] == start for item in items) else items[0]["id"],
        "player_config": {"photo_seconds": settings.STORIES_PHOTO_SECONDS},
    }
    return render(request, "accounts/story.html", context)


@require_GET
def cover(request: HttpRequest, highlight_id: int) -> HttpResponse:
    """The uploaded cover image, to whoever may see the highlight (an item of it at least)."""
    entry = highlight_selectors.highlight_shown(highlight_id=highlight_id, viewer=viewer_of(request))
    if entry is None or not entry.highlight.cover_image:
        raise Http404("No cover.")
    return serve_private_file(request, entry.highlight.cover_image.name, "image/jpeg")


@login_required
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """The author's highlights: make, rename, pick and order stories, cover, delete. The page
    lists what the server knows as json_script data; static/js/highlights.js does the rest
    through the API."""
    serializer_context = {"request": request}
    highlights = highlight_selectors.highlights_shown(
        owner=request.user, viewer=request.user, include_empty=True
    )
    pickable = list(highlight_selectors.stories_pickable(owner=request.user))
    data = {
        "highlights": [
            {
                "id": entry.pk,
                "title": entry.title,
                "cover_url": entry.cover_url,
                "cover_story": str(entry.highlight.cover_story_id or "") or None,
                "stories": [str(story.pk) for story in entry.stories],
            }
            for entry in highlights
        ],
        "stories": [
            {
                "id": str(story.pk),
                "kind": story.kind,
                "poster_url": item["poster_url"],
                "alt_text": story.alt_text,
                "caption": story.caption,
                "published_at": item["published_at"],
                "live": story.is_live,
            }
            for story, item in zip(
                pickable, StorySerializer(pickable, many=True, context=serializer_context).data, strict=True
            )
        ],
        "limits": {"title": services.MAX_TITLE_LENGTH, "items": services.MAX_HIGHLIGHT_ITEMS},
    }
    return render(request, "stories/highlights.html", {"highlight_data": data})
