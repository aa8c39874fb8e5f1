"""Private replies, reactions and messages between two people (writes).

A reply or a reaction to a story starts (or continues) the one conversation between the viewer
and the story's author; after that either of them can write in it. The rules, checked here and
nowhere else:
* suspended or disabled people cannot write (feed.services.engagement_ensure_allowed);
* a block, either way, stops every message, old conversations included;
* nobody replies to their own story, and a story whose author turned replies off takes none;
* the story must be one the sender may see (the callers get it through the visibility gate).
A reply or a reaction also rings the author's notifications (kinds `reply` and `reaction`,
pointing at the message); a plain message counts only in the messages badge.
Rate limits live on the API and page views (MessageThrottle), like the other write throttles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services as people_services
from accounts.models import User
from stories.models import Story
from stories_site.errors import Invalid, NotAllowed

from .models import MESSAGE_MAX_LENGTH, REACTIONS, Conversation, Message, Notification
from .selectors.conversations import message_allowed
from .services import engagement_ensure_allowed, written_text_clean

BLOCKED = "You can't send messages to this person."
REPLIES_OFF = "Replies are off for this story."


def _pair(one: User, two: User) -> tuple[int, int]:
    return (one.pk, two.pk) if one.pk < two.pk else (two.pk, one.pk)


def conversation_get_or_create(*, viewer: User, other: User) -> Conversation:
    """The pair's one conversation, created on first use (racing first messages meet the unique
    pair and share the row)."""
    a, b = _pair(viewer, other)
    try:
        with transaction.atomic():
            return Conversation.objects.get_or_create(person_a_id=a, person_b_id=b)[0]
    except IntegrityError:
        return Conversation.objects.get(person_a_id=a, person_b_id=b)


def _ensure_can_write(sender: User, recipient: User) -> None:
    engagement_ensure_allowed(viewer=sender)
    if sender.pk == recipient.pk:
        raise Invalid({"detail": ["You can't send messages to yourself."]})
    if not message_allowed(sender=sender, recipient=recipient):
        raise NotAllowed(BLOCKED)


def _post(conversation: Conversation, sender: User, kind: str, text: str, story: Story | None) -> Message:
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation, sender=sender, kind=kind, text=text, story=story, created_at=now
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
        if story is not None:
            kind = Notification.Kind.REACTION if kind == Message.Kind.REACTION else Notification.Kind.REPLY
            people_services.notice_send(
                recipient=story.author, actor=sender, kind=kind, story=story, message=message
            )
    return message


def _ensure_can_answer(viewer: User, story: Story) -> None:
    if story.author_id == viewer.pk:
        raise Invalid({"detail": ["This is your own story: there is nobody to reply to."]})
    _ensure_can_write(viewer, story.author)
    if not story.allow_replies:
        raise NotAllowed(REPLIES_OFF)


def story_reply_send(*, viewer: User, story: Story, text: str) -> Message:
    """A private reply to `story`, in the conversation between the viewer and its author."""
    _ensure_can_answer(viewer, story)
    text = written_text_clean(text=text, max_length=MESSAGE_MAX_LENGTH, noun="Messages")
    conversation = conversation_get_or_create(viewer=viewer, other=story.author)
    return _post(conversation, viewer, Message.Kind.REPLY, text, story)


def story_reaction_send(*, viewer: User, story: Story, emoji: str) -> Message:
    """A quick reaction (one of REACTIONS) to `story`, shown to its author as a message."""
    if emoji not in REACTIONS:
        raise Invalid({"emoji": [f"Pick one of {' '.join(REACTIONS)}."]})
    _ensure_can_answer(viewer, story)
    conversation = conversation_get_or_create(viewer=viewer, other=story.author)
    return _post(conversation, viewer, Message.Kind.REACTION, emoji, story)


def message_send(*, viewer: User, conversation: Conversation, text: str) -> Message:
    """Write in a conversation the viewer is in (the callers find it through
    selectors.conversations.conversation_for, which answers only its two people)."""
    other = User.objects.get(pk=conversation.other(viewer.pk))
    _ensure_can_write(viewer, other)
    text = written_text_clean(text=text, max_length=MESSAGE_MAX_LENGTH, noun="Messages")
    return _post(conversation, viewer, Message.Kind.TEXT, text, None)


def conversation_mark_read(*, viewer: User, conversation: Conversation) -> int:
    """The viewer has seen the conversation: the other person's messages are read."""
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender=viewer)
        .update(read_at=timezone.now())
    )
