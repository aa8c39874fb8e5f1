"""Template context every page shares."""

from __future__ import annotations

from functools import partial

from accounts import selectors as people


def notifications(request) -> dict:
    """The header's unread badge. A callable, so the count query runs only on pages that draw the
    header (the template resolves it once, in a `with`), and never for anonymous visitors."""
    user = getattr(request, "user", None)
    if not people.is_authenticated(user):
        return {"unread_notifications": 0}
    return {"unread_notifications": partial(people.unread_notification_count, user)}
