"""The Scheduled page (/stories/scheduled/): the author's stories waiting to go live, soonest
first, each with edit, reschedule, publish now and cancel. The forms post here; the rules are in
stories/services/scheduling.py. Times reach the server as ISO 8601 with the browser's offset
(static/js/scheduled.js fills `publish_at` from the date and time picked in the person's
timezone), so 18:30 means 18:30 where they are."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from stories_site.errors import NotFound, flash_refusals

from . import selectors, services
from .models import Story
from .services import scheduling


def _waiting(request: HttpRequest, story_id) -> Story:
    story = selectors.stories_scheduled(author=request.user).filter(pk=story_id).first()
    if story is None:
        raise Http404("You have no such scheduled story.")
    return story


def _back_to_scheduled(request: HttpRequest, story_id) -> str:
    return reverse("stories:scheduled")


@login_required
@require_GET
def scheduled(request: HttpRequest) -> HttpResponse:
    items = list(selectors.stories_scheduled(author=request.user).select_related("author"))
    context = {"items": items, "schedule_limits": scheduling.publish_at_picker_limits()}
    return render(request, "stories/scheduled.html", context)


@login_required
@require_POST
@flash_refusals(back=_back_to_scheduled)
def scheduled_reschedule(request: HttpRequest, story_id) -> HttpResponse:
    story = _waiting(request, story_id)
    when = request.POST.get("publish_at")
    services.story_reschedule(story=story, publish_at=when, by=request.user)
    messages.success(request, "Rescheduled.")
    return redirect("stories:scheduled")


@login_required
@require_POST
@flash_refusals(back=_back_to_scheduled)
def scheduled_publish_now(request: HttpRequest, story_id) -> HttpResponse:
    story = _waiting(request, story_id)
    story = services.story_publish_now(story=story, by=request.user)
    if story.is_live:
        messages.success(request, "Your story is live.")
        return redirect(story.get_absolute_url())
    messages.success(request, "Your story goes live as soon as it is processed.")
    return redirect("stories:scheduled")


@login_required
@require_POST
def scheduled_cancel(request: HttpRequest, story_id) -> HttpResponse:
    story = _waiting(request, story_id)
    try:
        services.story_delete(story=story, by=request.user)
    except NotFound:  # deleted or removed since the page was drawn
        messages.error(request, scheduling.NOT_SCHEDULED)
    else:
        messages.success(request, "Cancelled. The story is deleted and will not go live.")
    return redirect("stories:scheduled")
