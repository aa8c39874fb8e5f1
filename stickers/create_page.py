"""The create page (/stories/create/, named `stories:create`): camera or upload, then the editor.

It lives in stickers because it composes a story's options (stories: filters, audiences,
lifetimes, sounds, overlay fonts, the schedule picker) with the stickers the editor offers: an
Add Yours prompt to continue, a question to answer, and the stickers' limits. stories sits below
stickers and never imports it, so the page is served from here and stories_site/urls.py puts the
route in the stories namespace. Posting goes to the upload
endpoint, POST /api/v1/stories/, which checks everything again."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stories import media
from stories import services as story_services
from stories.models import Audience, SoundMode
from stories.options import options_editor_limits
from stories.overlays import FONTS, MAX_OVERLAYS

from . import selectors, services, validation
from .models import Question, Sticker

ADD_YOURS_GONE = "This Add Yours prompt does not exist or is no longer available."


def lifetime_label(hours: int) -> str:
    """ "1 hour", "6 hours", "2 days", "7 days": how the editor names a lifetime."""
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return None


def _add_yours(request: HttpRequest) -> Sticker | None:
    """`?add_yours=<sticker id>`: a live Add Yours prompt the person may see, by the upload's own
    check (services.add_yours_reply_clean), else 404."""
    if "add_yours" not in request.GET:
        return None
    try:
        return services.add_yours_reply_clean(sticker_id=request.GET["add_yours"], author=request.user)
    except ValidationError:
        raise Http404(ADD_YOURS_GONE) from None


def _answer(request: HttpRequest) -> Question | None:
    """`?answer=<question id>`: a question sent to one of the person's own stickers (anyone
    else's, or an unknown one, is a 404); one already answered is said so, and not answered again."""
    if "answer" not in request.GET:
        return None
    pk = _uuid_or_none(request.GET["answer"])
    answer = selectors.question_inbox(viewer=request.user).filter(pk=pk).first() if pk else None
    if answer is None:
        raise Http404("This question does not exist.")
    if answer.answered_story_id is not None:
        messages.info(request, "You already answered this question; this story will not answer it again.")
        return None
    return answer


@login_required
@require_GET
def create(request: HttpRequest) -> HttpResponse:
    """The create page: camera or upload, then the editor, continuing an Add Yours chain
    (`?add_yours=`), answering a question (`?answer=`) or using a sound (`?sound=`)."""
    add_yours = _add_yours(request)
    answer = _answer(request)
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
        "option_limits": options_editor_limits(),  # the story options' (stories/options.py), by field name
        "max_stickers": validation.MAX_STICKERS,
        "min_options": validation.MIN_OPTIONS,
        "max_options": validation.MAX_OPTIONS,
        "max_option_length": validation.MAX_OPTION_LENGTH,
        "answer_card": {"x": selectors.ANSWER_CARD["x"], "y": selectors.ANSWER_CARD["y"]},
        # The schedule picker's window (stories/services/scheduling.py).
        "schedule": story_services.scheduling.publish_at_picker_limits(),
    }
    sounds = list(story_services.sounds_available(viewer=request.user).select_related("owner")[:50])
    # "Use this sound" from the player: that sound chosen, even when it is not among the first 50.
    chosen_sound = None
    if "sound" in request.GET:
        chosen_sound = (
            story_services.sounds_available(viewer=request.user)
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
            "lifetimes": [(hours, lifetime_label(hours)) for hours in story_services.LIFETIMES],
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
