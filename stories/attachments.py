"""What other apps may attach to a story when it is posted: the one extension point of posting.

stories sits below the apps that build on it (docs/architecture.md, "Layers"), so posting a
story cannot import them. An app that attaches things to a story (stickers: its stickers, the
Add Yours prompt or the question it answers) declares one `Attachment` and registers it
explicitly from its AppConfig.ready():

- `options`: the upload fields it reads, declared like the story's own (stories/options.py), so
  the upload serializer, the schema and the one check (options_clean) take them in too;
- `create(story, cleaned)`: saves them, inside the upload's transaction (services/upload.py), so
  a story is never committed without them, nor they without it;
- `announce(story)`: tells the people they name, once the story is live. It is called exactly
  once per story going live (services/scheduling.py: only the call whose conditional UPDATE
  moved the story), and must be safe to call twice all the same;
- `show(*, stories, viewer, request=...)`, optional: what the story JSON shows of them under the
  attachment's name, set as the attribute `shown_as` on each story of a page at once
  (serializers.story_json); a story that already carries it (its page attached it) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Story
    from .options import Option


@dataclass(frozen=True)
class Attachment:
    name: str
    options: tuple[Option, ...]
    create: Callable[[Story, Mapping[str, Any]], None]  # the cleaned options, by name
    announce: Callable[[Story], int]  # how many people were told
    show: Callable[..., Any] | None = None
    shown_as: str = ""


_registered: dict[str, Attachment] = {}


def attachment_register(attachment: Attachment) -> None:
    """Plug an attachment in (from an AppConfig.ready()); registering the same name again
    replaces it, so a reloaded app does not attach twice."""
    _registered[attachment.name] = attachment


def registered() -> tuple[Attachment, ...]:
    return tuple(_registered.values())
