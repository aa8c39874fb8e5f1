"""What a moderator sees of a reported private message on its case page: the message, who sent
it to whom and when, the story it answered, and the messages just around it in the conversation,
so a threat or a scam can be judged in its context. Only a reported message is shown, and only
this window of its conversation: moderators read what was reported, not people's inboxes."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from feed.models import Message

CONTEXT_MESSAGES = 5  # on each side of the reported one


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def message_context(message: Message, around: int = CONTEXT_MESSAGES) -> list[Message]:
    """The reported message with up to `around` messages before and after it, oldest first."""
    thread = Message.objects.filter(conversation_id=message.conversation_id).select_related("sender")
    moment = message.created_at
    earlier = Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=message.pk)
    later = Q(created_at__gt=moment) | Q(created_at=moment, pk__gt=message.pk)
    before = list(thread.filter(earlier).order_by("-created_at", "-pk")[:around])
    after = list(thread.filter(later).order_by("created_at", "pk")[:around])
    return [*reversed(before), message, *after]


def message_preview(message: Message) -> SafeString:
    conversation = message.conversation
    a, b = conversation.person_a, conversation.person_b
    recipient = b if message.sender_id == a.pk else a
    story = (
        format_html(
            ' in answer to <a href="{}">a story</a>',
            reverse("admin:stories_story_change", args=[message.story_id]),
        )
        if message.story_id
        else ""
    )
    rows = format_html_join(
        "",
        "<tr{}><td>{}</td><td>@{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                mark_safe(' class="selected"') if one.pk == message.pk else "",
                _when(one.created_at),
                one.sender.username,
                one.get_kind_display(),
                format_html("<strong>{}</strong>", one.text) if one.pk == message.pk else one.text,
            )
            for one in message_context(message)
        ),
    )
    return format_html(
        "<p>“{}”</p><p>{} from @{} to @{}{}, {}</p>"
        "<p><strong>The conversation around it</strong> (up to {} messages either side; the reported"
        " one in bold):</p><table><thead><tr><th>when</th><th>from</th><th>kind</th><th>text</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        message.text,
        message.get_kind_display(),
        message.sender.username,
        recipient.username,
        story,
        _when(message.created_at),
        CONTEXT_MESSAGES,
        rows,
    )
