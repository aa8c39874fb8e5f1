"""What stickers add to posting a story, plugged into stories' one extension point of posting
(stories/attachments.py) by StickersConfig.ready(): stickers sits above stories in the layer
order, so stories never imports it.

- options `stickers`, `reply_to_sticker` (the Add Yours prompt the story answers) and `answer`
  (the question it answers), checked with the story's own options, each in its own words;
- create: the stickers, the place in the Add Yours chain and the answered question, in the
  upload's transaction;
- announce: the people the stickers mention and the prompt's author, once the story is live
  (services.mentions_notify, safe twice);
- show: the stickers as the viewer sees them in the story JSON (selectors.stories_with_stickers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.models import User
from stories.attachments import Attachment
from stories.models import Story
from stories.options import Option

from . import selectors, services, validation


def _stickers(value: Any, author: User) -> list[dict[str, Any]]:
    return validation.stickers_clean(raw=value, author=author)


def _reply_to_sticker(value: Any, author: User) -> Any:
    return None if value in (None, "") else services.add_yours_reply_clean(sticker_id=value, author=author)


def _answer(value: Any, author: User) -> Any:
    return None if value in (None, "") else services.question_answer_clean(question_id=value, author=author)


def story_stickers_create(story: Story, cleaned: Mapping[str, Any]) -> None:
    """Inside the upload's transaction: a failure here undoes the story too."""
    prompt = cleaned.get("reply_to_sticker")
    services.stickers_create(story=story, cleaned=cleaned.get("stickers") or [], answering=prompt)
    if prompt is not None:
        services.add_yours_response_create(sticker=prompt, story=story)
    if cleaned.get("answer") is not None:
        services.question_answer(question=cleaned["answer"], story=story)


def story_stickers_announce(story: Story) -> int:
    return services.mentions_notify(story=story)


STICKERS = Attachment(
    name="stickers",
    options=(
        Option("stickers", "json", list, _stickers, help_text="A JSON list of stickers."),
        Option(
            "reply_to_sticker",
            "text",
            "",
            _reply_to_sticker,
            help_text="The id of an Add Yours sticker this story answers.",
        ),
        Option(
            "answer",
            "text",
            "",
            _answer,
            help_text="The id of a Q&A question this story answers.",
        ),
    ),
    create=story_stickers_create,
    announce=story_stickers_announce,
    show=selectors.stories_with_stickers,  # the viewer's sticker JSON, a page at a time
    shown_as="sticker_data",
)
