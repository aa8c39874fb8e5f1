"""The messages pages: the inbox (/messages/), one conversation (/messages/<id>/) with its
compose form, and the reply and reaction forms of a story's page. Plain forms that work without
JavaScript; the rules are in feed/messaging.py."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stories import selectors as story_selectors
from stories_site.errors import Invalid, flash_refusals

from . import messaging
from .messaging_api import MessageThrottle
from .models import MESSAGE_MAX_LENGTH
from .selectors import conversations as selectors

CONVERSATIONS_PER_PAGE = 30
MESSAGES_SHOWN = 200  # the newest ones; the API pages through all of them


def _back_to_story(request, story_id) -> str:
    """Where the story's reply and reaction forms go back to: their `next`, else the story."""
    back = request.POST.get("next") or reverse("stories:detail", args=[story_id])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("stories:detail", args=[story_id])
    return back


def _throttled(request, view) -> bool:
    return not MessageThrottle().allow_request(request, view)


@never_cache
@login_required
def inbox(request):
    rows = selectors.conversations_of(viewer=request.user)
    page = Paginator(rows, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    entries = [
        (conversation, selectors.conversation_other_person(conversation=conversation, viewer=request.user))
        for conversation in page
    ]
    return render(request, "feed/inbox.html", {"page": page, "entries": entries})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request, conversation_id: int):
    found = selectors.conversation_for(viewer=request.user, conversation_id=conversation_id)
    if found is None:
        raise Http404("No such conversation, or not one of yours.")
    error, draft = "", ""
    if request.method == "POST":
        draft = request.POST.get("text", "")
        if _throttled(request, conversation):
            error = "You are sending messages too fast. Wait a minute and try again."
        else:
            try:
                messaging.message_send(viewer=request.user, conversation=found, text=draft)
            except Invalid as exc:
                error = exc.text
            else:
                return HttpResponseRedirect(reverse("feed:conversation", args=[found.pk]) + "#latest")
    newest = list(selectors.messages_in(viewer=request.user, conversation=found).reverse()[:MESSAGES_SHOWN])[
        ::-1
    ]
    context = {
        "conversation": found,
        "other": selectors.conversation_other_person(conversation=found, viewer=request.user),
        "shown": selectors.shown_messages(viewer=request.user, messages=newest),
        "can_write": selectors.conversation_writable(viewer=request.user, conversation=found),
        "error": error,
        "draft": draft,
        "max_length": MESSAGE_MAX_LENGTH,
    }
    # Read before the header is drawn, so its messages badge does not count what is on screen.
    messaging.conversation_mark_read(viewer=request.user, conversation=found)
    return render(request, "feed/conversation.html", context, status=400 if error else 200)


@login_required
@require_POST
def story_answer(request, story_id):
    """The reply box and the reaction buttons under a story: back to the story with a note. A
    story the person may not see is the 404 page (the gate's StoryNotFound, looked up here, outside
    `_send_answer`, whose refusals become a note)."""
    story = story_selectors.story_for_viewer(
        story_id=story_id, viewer=request.user, purpose=story_selectors.Purpose.ENGAGE
    )
    back = _back_to_story(request, story.pk)
    if _throttled(request, story_answer):
        flash.error(request, "You are sending messages too fast. Wait a minute and try again.")
        return HttpResponseRedirect(back)
    return _send_answer(request, story, back)


@flash_refusals(back=lambda request, story, back: back)
def _send_answer(request, story, back: str):
    if "emoji" in request.POST:
        messaging.story_reaction_send(viewer=request.user, story=story, emoji=request.POST["emoji"])
        flash.success(request, f"Sent {request.POST['emoji']} to {story.author.username}.")
    else:
        messaging.story_reply_send(viewer=request.user, story=story, text=request.POST.get("text", ""))
        flash.success(request, f"Reply sent to {story.author.username}.")
    return HttpResponseRedirect(back)
