"""Telling someone what someone did: the kinds of notice, the people rules, and the one door
every app uses (`notice_send`). A declared extension point: the inbox plugs in here.

Why a door here and the inbox elsewhere: a notification points at a story, a comment or a
message, so the `Notification` model is feed's (feed/notifications.py), the lowest app that
knows all three. Apps below feed still tell people things: accounts (a new follower), stories
(a caption's new mentions) and stickers (mentions, questions, Add Yours). They call `notice_send`
here; feed plugs its inbox in from `FeedConfig.ready` with `inbox_register`. The `Inbox`
protocol is everything that may be plugged in.

One place per rule: the people rules (never yourself, never across a block either way, never
from or to someone who cannot be seen) are checked here, before the inbox is asked; the story
rule (never about someone else's story the recipient may not see) is the inbox's, through
`stories.selectors.story_visible`; so are the inbox's own (a like rings once while unread, a follow
once a day per pair).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models

from . import selectors
from .models import User


class NoticeKind(models.TextChoices):
    """What happened; the Notification model's `kind` choices (feed.models.Notification.Kind)."""

    LIKE = "like", "Like"
    COMMENT = "comment", "Comment"
    FOLLOW = "follow", "Follow"
    MENTION = "mention", "Mention"
    MODERATION = "moderation", "Moderation notice"
    QUESTION = "question", "Question"
    ADD_YOURS = "add_yours", "Add Yours"
    REPLY = "reply", "Reply to a story"
    REACTION = "reaction", "Reaction to a story"


class Inbox(Protocol):
    """What feed plugs in (feed.notifications.FeedInbox)."""

    def deliver(
        self, *, recipient: User, actor: User, kind: str, story: Any, text: str, comment: Any, message: Any
    ) -> Any | None:
        """Store the notice after the story rule and the inbox's own; None when nobody is told."""

    def recipients_told(self, *, story: Any, kind: str) -> models.QuerySet:
        """The ids (a `values` subquery) of the people already told about `story` with `kind`,
        the notice's words empty."""


_inbox: Inbox | None = None


def inbox_register(*, inbox: Inbox) -> None:
    """Plug in the inbox; feed does, once, from FeedConfig.ready."""
    global _inbox
    _inbox = inbox


def _plugged() -> Inbox:
    if _inbox is None:
        raise RuntimeError("No inbox registered: feed.apps.FeedConfig.ready registers it.")
    return _inbox


def notice_send(
    *,
    recipient: User,
    actor: User,
    kind: str,
    story: Any = None,
    text: str = "",
    comment: Any = None,
    message: Any = None,
) -> Any | None:
    """Tell `recipient` what `actor` did; the new notification, or None when the rules say
    nobody should be told.

    Here: never yourself, never across a block (either way), never from or to someone who
    cannot be seen (inactive or suspended). Then the inbox (feed.notifications): never about
    someone else's story the recipient may not see (a friends-only story mentioning someone who
    is not a friend), as the notification would reveal the story; a like or a reaction repeated
    while the first is still unread does not ring twice, and a follow rings once per pair a day.
    A comment notification points at the comment (`comment`), a reply or reaction at the
    message (`message`), and copies none of its words: `text` is for the site's own notices."""
    if kind not in NoticeKind.values:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    if recipient.pk == actor.pk:
        return None
    people = selectors.users_active().filter(pk__in=[recipient.pk, actor.pk]).count()
    if people != 2 or selectors.block_either_way_exists(viewer=recipient, person=actor):
        return None
    return _plugged().deliver(
        recipient=recipient, actor=actor, kind=kind, story=story, text=text, comment=comment, message=message
    )


def recipients_told(*, story: Any, kind: str) -> models.QuerySet:
    """The ids of the people already told about `story` with `kind` (a subquery), for a rule
    such as "a new caption mention tells only those never told about this story"."""
    return _plugged().recipients_told(story=story, kind=kind)
