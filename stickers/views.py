"""Sticker pages: the Add Yours chain of a prompt, and the author's Q&A inbox. Thin: the reads
are in selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors
from .models import StickerType

RESPONSES_PER_PAGE = 60
QUESTIONS_PER_PAGE = 50


@require_safe
def responses(request: HttpRequest, sticker_id) -> HttpResponse:
    """A prompt, its author and the live contributions to its whole chain the viewer may see,
    newest first: the same list from whichever story of the chain the viewer came."""
    sticker = selectors.sticker_by_id(sticker_id=sticker_id)
    if (
        sticker is None
        or sticker.type != StickerType.ADD_YOURS
        or selectors.sticker_access(sticker=sticker, viewer=request.user) != selectors.LIVE
    ):
        raise Http404("This Add Yours prompt does not exist or is no longer available.")
    page = Paginator(
        selectors.add_yours_responses_live(sticker=sticker, viewer=request.user), RESPONSES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "stickers/responses.html", {"sticker": sticker, "page": page})


@login_required
@never_cache
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """Every question sent to the author's Q&A stickers, newest first."""
    page = Paginator(selectors.question_inbox(viewer=request.user), QUESTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "stickers/inbox.html", {"page": page})
