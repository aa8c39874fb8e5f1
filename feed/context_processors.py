"""Template context every page shares."""

from __future__ import annotations

from functools import partial

from accounts import selectors as people

from .badge_api import poll_seconds
from .models import MESSAGE_MAX_LENGTH, REACTIONS
from .notifications import unread_notification_count
from .selectors.conversations import unread_message_count


def notifications(request) -> dict:
    """The header's unread badges (notifications, messages). Callables, so the count queries run
    only on pages that draw the header (the template resolves each once, in a `with`), and never
    for anonymous visitors. Then static/js/badge.js keeps them current by polling
    /api/v1/me/badge/ every `badge_poll_seconds`."""
    user = getattr(request, "user", None)
    if not people.viewer_authenticated(viewer=user):
        return {"unread_notifications": 0, "unread_messages": 0}
    return {
        "unread_notifications": partial(unread_notification_count, viewer=user),
        "unread_messages": partial(unread_message_count, viewer=user),
        "badge_poll_seconds": poll_seconds(),
        # The reply box and reaction buttons under a story (feed/_story_answer.html).
        "story_reactions": REACTIONS,
        "message_max_length": MESSAGE_MAX_LENGTH,
    }
