"""Discovery pages: search (`/search?q=`), a hashtag (`/tags/<tag>`) and a sound
(`/sounds/<id>`). Plain GET pages that work without scripts; reads are in
feed/selectors/search.py, so the pages show exactly what the API answers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from stories import captions
from stories import selectors as story_selectors
from stories_site.cursors import InvalidCursor
from stories_site.errors import Invalid

from .selectors import search as discovery
from .views import bad_request

STORIES_PER_PAGE = 30


def _more_url(cursor: str | None) -> str | None:
    return f"?{urlencode({'cursor': cursor})}" if cursor else None


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The search form and, once something was asked, people, hashtags and sounds."""
    raw = request.GET.get("q")
    context: dict = {"q": (raw or "").strip()[: discovery.MAX_QUERY_LENGTH * 2]}
    if raw is not None and raw.strip():
        try:
            found = discovery.search(raw_query=raw, viewer=request.user)
        except Invalid as exc:
            context["error"] = exc.text
        else:
            live = story_selectors.authors_with_live_story(
                author_ids=[person.pk for person in found.people], viewer=request.user
            )
            context.update(found=found, live_ids=live)
    return render(request, "feed/search.html", context)


@require_safe
def hashtag(request: HttpRequest, tag: str) -> HttpResponse:
    """A hashtag's live stories that the viewer may see, newest first, 30 a page."""
    normal = captions.normalize_tag(tag)
    if normal is None:
        raise Http404("No such hashtag.")
    if normal != tag:
        return redirect("feed:hashtag", tag=normal, permanent=True)
    try:
        page = discovery.hashtag_stories_page(
            viewer=request.user, tag=normal, cursor=request.GET.get("cursor") or None, size=STORIES_PER_PAGE
        )
    except InvalidCursor:
        return bad_request(request)
    context = {
        "tag": normal,
        "story_count": discovery.hashtag_count(tag=normal, viewer=request.user),
        "items": page.items,
        "more_items": _more_url(page.next_cursor),
    }
    return render(request, "feed/hashtag.html", context)


@require_safe
def sound(request: HttpRequest, sound_id) -> HttpResponse:
    """A sound: its title, who made it, how many stories used it, and its live stories."""
    found = discovery.visible_sound(viewer=request.user, sound_id=sound_id)
    if found is None:
        raise Http404("This sound does not exist or is not available.")
    try:
        page = discovery.sound_stories_page(
            viewer=request.user, sound=found, cursor=request.GET.get("cursor") or None, size=STORIES_PER_PAGE
        )
    except InvalidCursor:
        return bad_request(request)
    context = {"sound": found, "items": page.items, "more_items": _more_url(page.next_cursor)}
    return render(request, "feed/sound.html", context)
