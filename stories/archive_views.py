"""The private archive's pages (issue 17): the grid at /archive/, the author's archived items in
the story player, deleting one, and the switch on the settings page. Thin: selectors.archive_for
reads, services.archive and services.retention change things."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import page_parts, selectors
from .forms import ArchiveSettingsForm
from .serializers import StorySerializer
from .services.archive import archive_switch
from .services.retention import story_delete

ARCHIVE_PAGE_SIZE = 60
# The player takes the archive this many items at a time, from the one tapped.
PLAYER_ITEMS = 50


@login_required
@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.archive_for(viewer=request.user), ARCHIVE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "stories/archive.html", {"page": page})


@never_cache
@login_required
@require_safe
def play(request: HttpRequest) -> HttpResponse:
    """The story player on the person's archive, from the item asked for onwards (newest first,
    like the grid): the same page and script as a Story (accounts/story.html, player.js), as one
    collection that ends at its last item."""
    archived = selectors.archive_for(viewer=request.user)
    start = request.GET.get("item", "")
    ids = [str(pk) for pk in archived.values_list("pk", flat=True)]
    if not ids:
        raise Http404("Your archive is empty.")
    first = ids.index(start) if start in ids else 0
    chosen = ids[first : first + PLAYER_ITEMS]
    # The viewer's state in the same query (stories/page_parts.py); the serializer attaches the
    # stickers for the whole page at once (stories/attachments.py).
    rows = page_parts.stories_annotate(
        stories=archived.filter(pk__in=chosen).select_related("author", "sound"), viewer=request.user
    )
    items = StorySerializer(rows, many=True, context={"request": request}).data
    context = {
        "person": request.user,
        "archive": True,
        "items": items,
        "start_item": chosen[0],
        "player_config": {"photo_seconds": settings.STORIES_PHOTO_SECONDS},
    }
    return render(request, "accounts/story.html", context)


@login_required
@require_POST
def delete(request: HttpRequest, story_id) -> HttpResponse:
    """Delete one archived item: its files leave storage at once."""
    story = selectors.archive_for(viewer=request.user).filter(pk=story_id).first()
    if story is None:
        raise Http404("This story is not in your archive.")
    story_delete(story=story, by=request.user)  # already gone: its NotFound is the 404 page
    messages.success(request, "Deleted from your archive. Its media is gone.")
    return redirect("archive:list")


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """The settings page's switch. Turning the archive off while it holds stories asks first
    whether to keep them (they stay until deleted) or delete the archive now."""
    form = ArchiveSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to keep or delete your archive.")
        return redirect("accounts:edit")
    enabled = form.cleaned_data["archive_stories"]
    then = form.cleaned_data["then"]
    held = selectors.archive_for(viewer=request.user).count()
    if not enabled and held and not then:
        return render(request, "stories/archive_off.html", {"held": held, "form": form})
    was_on = request.user.archive_stories
    deleted = archive_switch(viewer=request.user, enabled=enabled, delete_archive=then == "delete")
    if deleted:
        stories = "1 story" if deleted == 1 else f"{deleted} stories"
        messages.success(request, f"Your archive is deleted ({stories}).")
    if enabled and not was_on:
        messages.success(request, "Archive on: stories that expire from now on are kept, only for you.")
    elif was_on and not enabled:
        kept = " Stories already in your archive stay until you delete them." if held and not deleted else ""
        messages.success(request, "Archive off: stories that expire from now on disappear for good." + kept)
    if request.POST.get("from") == "archive":
        return redirect("archive:list")
    return redirect("accounts:edit")
