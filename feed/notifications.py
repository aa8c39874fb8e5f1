"""The inbox: storing notifications (plugged into accounts' door, accounts/notices.py), reading
them and marking them read.

Every app notifies through `accounts.notices.notice_send` (or `accounts.services.notice_send`, the same),
which checks the people rules and hands the notice here. The rows live in feed because they point
at stories, comments and messages, and a deleted comment or message takes its notification with
it (a foreign key with CASCADE; a purged story's are detached, SET_NULL), in the ORM's delete and
in the purge's one-round-trip cascade (stories/services/cascade.py) alike.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import selectors as people
from accounts.models import User
from stories import selectors as story_selectors

from .models import Comment, Message, Notification

# One "started following you" per pair in this window, however often they unfollow and follow.
FOLLOW_NOTICE_WINDOW = timedelta(hours=24)
RINGS_ONCE_WHILE_UNREAD = (Notification.Kind.LIKE, Notification.Kind.REACTION)


class FeedInbox:
    """The inbox accounts' door delivers to (registered in FeedConfig.ready)."""

    def deliver(
        self,
        *,
        recipient: User,
        actor: User,
        kind: str,
        story: Any,
        text: str,
        comment: Comment | None,
        message: Message | None,
    ) -> Notification | None:
        """Store the notice unless it is about someone else's story the recipient may not see
        (the notification would reveal it), repeats an unread like or reaction, or repeats a
        follow within FOLLOW_NOTICE_WINDOW (a follow and unfollow loop cannot flood anyone)."""
        someone_elses = story is not None and story.author_id != recipient.pk
        if someone_elses and not story_selectors.story_visible(story=story, viewer=recipient):
            return None
        story_id = story.pk if story is not None else None
        earlier = Notification.objects.filter(recipient=recipient, actor=actor, kind=kind)
        unread_again = earlier.filter(story_id=story_id, read_at__isnull=True)
        if kind in RINGS_ONCE_WHILE_UNREAD and unread_again.exists():
            return None
        if (
            kind == Notification.Kind.FOLLOW
            and earlier.filter(created_at__gt=timezone.now() - FOLLOW_NOTICE_WINDOW).exists()
        ):
            return None
        if comment is not None or message is not None:
            text = ""
        return Notification.objects.create(
            recipient=recipient,
            actor=actor,
            kind=kind,
            story_id=story_id,
            comment=comment,
            message=message,
            text=text[:500],
        )

    def recipients_told(self, *, story: Any, kind: str) -> QuerySet:
        return Notification.objects.filter(story=story, kind=kind, text="").values("recipient_id")


INBOX = FeedInbox()


def notifications_for(*, viewer: User) -> QuerySet[Notification]:
    """The inbox, newest first, leaving out actors who are now blocked (either way) or gone, and
    notifications about someone else's live story the person may no longer see (a follow that
    ended, an audience they left): a notification never points at a story that answers 404."""
    hidden_story = (
        Q(story__in=story_selectors.stories_live().values("pk"))
        & ~Q(story__author=viewer)
        & ~Q(story__in=story_selectors.stories_visible(viewer=viewer).values("pk"))
    )
    return (
        Notification.objects.filter(recipient=viewer, actor__in=people.people_visible(viewer=viewer))
        .exclude(hidden_story)
        .select_related("actor", "comment", "message", "story__author")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(*, viewer: User) -> int:
    """The header badge: the same notifications `notifications_for` lists, not yet read."""
    return notifications_for(viewer=viewer).filter(read_at__isnull=True).count()


def notifications_mark_read(*, viewer: User) -> int:
    """Everything in the inbox counts as read from now; returns how many changed."""
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).update(read_at=timezone.now())
