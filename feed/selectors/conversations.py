"""Conversations and messages as the people in them see them (reads). Only the two people of a
conversation ever get it; a block hides nothing already written but stops new messages
(feed/messaging.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts import selectors as people
from accounts.models import User
from stories import selectors as story_selectors

from ..models import Conversation, Message


def conversations_of(*, viewer: User) -> QuerySet[Conversation]:
    """The viewer's conversations, newest message first, with `unread_count`, `last_text`,
    `last_kind` and `last_sender_id`: one query for the whole inbox page."""
    latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Conversation.objects.filter(Q(person_a=viewer) | Q(person_b=viewer))
        .select_related("person_a", "person_b")
        .annotate(
            unread_count=Count(
                "messages", filter=Q(messages__read_at__isnull=True) & ~Q(messages__sender=viewer)
            ),
            last_text=Subquery(latest.values("text")[:1]),
            last_kind=Subquery(latest.values("kind")[:1]),
            last_sender_id=Subquery(latest.values("sender_id")[:1]),
        )
        .order_by("-last_message_at", "-pk")
    )


def conversation_for(*, viewer: User, conversation_id: int) -> Conversation | None:
    """The conversation if the viewer is one of its two people, else None (a 404: whether it
    exists is nobody else's business)."""
    return (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(person_a=viewer) | Q(person_b=viewer))
        .select_related("person_a", "person_b")
        .first()
    )


def unread_message_count(*, viewer: User) -> int:
    """The header badge: messages from others the viewer has not opened."""
    return (
        Message.objects.filter(Q(conversation__person_a=viewer) | Q(conversation__person_b=viewer))
        .filter(read_at__isnull=True)
        .exclude(sender=viewer)
        .count()
    )


def conversation_other_person(*, conversation: Conversation, viewer: User) -> User:
    return conversation.person_b if conversation.person_a_id == viewer.pk else conversation.person_a


@dataclass(frozen=True)
class ShownMessage:
    """A message as the viewer sees it: `story_available` is False once the story it answered
    is gone or no longer visible to the viewer ("story unavailable" in its place)."""

    message: Message
    story_available: bool


def messages_in(*, viewer: User, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("story", "sender").order_by("created_at", "pk")


def shown_messages(*, viewer: User, messages: list[Message]) -> list[ShownMessage]:
    """Mark which answered stories the viewer can still watch (one query for the page)."""
    story_ids = {message.story_id for message in messages if message.story_id}
    visible = set(
        story_selectors.stories_visible(viewer=viewer).filter(pk__in=story_ids).values_list("pk", flat=True)
    )
    return [ShownMessage(message, message.story_id in visible) for message in messages]


def message_allowed(*, sender: User, recipient: User) -> bool:
    """No block either way, and the recipient is neither disabled nor suspended: the one rule
    feed/messaging.py enforces and the compose box follows."""
    reachable = people.users_active().filter(pk=recipient.pk).exists()
    return reachable and not people.block_either_way_exists(viewer=sender, person=recipient)


def conversation_writable(*, viewer: User, conversation: Conversation) -> bool:
    """Whether the compose box is offered."""
    return message_allowed(
        sender=viewer, recipient=conversation_other_person(conversation=conversation, viewer=viewer)
    )
