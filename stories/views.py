"""Story pages: the author's list of their own items, a story's own page (a shared link), and
deleting an item. Media is served by stories/private_media.py; the create page by
stickers/create_page.py (it composes the stickers the editor offers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .lifecycle import State
from .models import Kind, Story
from .private_media import viewer_of
from .serializers import attachments_shown


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    items = selectors.stories_own(author=request.user).select_related("author").order_by("-created_at")
    return render(request, "stories/mine.html", {"items": items})


@require_GET
def detail(request: HttpRequest, story_id) -> HttpResponse:
    viewer = viewer_of(request)
    story = selectors.story_for_viewer(story_id=story_id, viewer=viewer, purpose=selectors.Purpose.PAGE)
    # The stickers as the player gets them (the same JSON, drawn by the same static/js/stickers.js,
    # shown through stories/attachments.py), so a shared link shows the story people see in the player.
    stickers = []
    if story.state == State.READY:
        stickers = attachments_shown(story, {"request": request}).get("stickers", [])
    context = {"story": story, "is_video": story.kind == Kind.VIDEO, "sticker_item": {"stickers": stickers}}
    return render(request, "stories/detail.html", context)


@login_required
@require_POST
def delete(request: HttpRequest, story_id) -> HttpResponse:
    story = get_object_or_404(Story, pk=story_id, author=request.user)
    services.story_delete(story=story, by=request.user)  # already gone: its NotFound is the 404 page
    messages.success(request, "Story deleted. Its media is gone.")
    return redirect("stories:mine")
