from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stories import selectors as story_selectors

from . import selectors
from .notifications import notifications_for, notifications_mark_read


def bad_request(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"status": 400, "message": "That request did not make sense."},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(
        request, "errors/error.html", {"status": 403, "message": "You cannot see this."}, status=403
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"status": 404, "message": "There is nothing here. Stories last 24 hours; this one may be gone."},
        status=404,
    )


def server_error(request):
    return render(
        request,
        "errors/error.html",
        {"status": 500, "message": "Something broke on our side. Please try again."},
        status=500,
    )


FEED_PAGE_SIZE = 30
TRAY_PAGE_SIZE = 30


def _more_url(tab: str, name: str, cursor: str | None) -> str | None:
    return f"?{urlencode({'tab': tab, name: cursor})}" if cursor else None


@never_cache
@require_safe
def home(request):
    """Tray and a feed, each continued by a cursor link: scripts fetch the next page as a
    fragment (`part=cards` or `part=tray`) as it scrolls into view; without them the link opens
    the next page. Never cached, so coming back from the player shows the rings it dimmed."""
    tab = (
        "following" if request.GET.get("tab") == "following" and request.user.is_authenticated else "for-you"
    )
    part = request.GET.get("part")
    feed_page = selectors.following_page if tab == "following" else selectors.for_you_page
    context = {"tab": tab}
    try:
        if part != "cards":
            tray = selectors.tray_page(
                viewer=request.user, cursor=request.GET.get("tray") or None, size=TRAY_PAGE_SIZE
            )
            context.update(tray=tray.entries, more_tray=_more_url(tab, "tray", tray.next_cursor))
        if part != "tray":
            feed = feed_page(
                viewer=request.user, cursor=request.GET.get("cursor") or None, size=FEED_PAGE_SIZE
            )
            context.update(items=feed.items, more_items=_more_url(tab, "cursor", feed.next_cursor))
    except selectors.InvalidCursor:
        return bad_request(request)
    if part == "cards":
        return render(request, "feed/_cards.html", context)
    if part == "tray":
        return render(request, "feed/_tray.html", context)
    return render(request, "feed/home.html", context)


NOTIFICATIONS_PER_PAGE = 50


@login_required
@never_cache
@require_safe
def notifications(request):
    """The inbox. Opening it reads everything: the page is built first, so what was new still
    shows as new this once, then the badge goes to zero."""
    rows = notifications_for(viewer=request.user).select_related("story__author")
    page = Paginator(rows, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    story_ids = [n.story_id for n in page if n.story_id]
    watchable = set(
        story_selectors.stories_visible(viewer=request.user)
        .filter(pk__in=story_ids)
        .values_list("pk", flat=True)
    )
    context = {"page": page, "watchable": watchable, "unread_notifications": 0}
    response = render(request, "feed/notifications.html", context)
    notifications_mark_read(viewer=request.user)
    return response
