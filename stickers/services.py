"""Things that change stickers: checking them on upload, saving them, and what viewers do with
them (vote, answer a quiz, ask a question, add their own story to a prompt).

Every action first asks `selectors.sticker_access`, which asks the stories' visibility rule, so a
blocked, suspended or wrong-audience viewer gets a 404 and an expired story a plain 400, before
anything about the sticker (its type, its options) shapes the answer. One vote
or answer a person is held by a unique constraint; the IntegrityError of the loser of a race
becomes "You already voted."
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import selectors as people
from accounts import services as people_services
from accounts.models import User
from accounts.notices import NoticeKind
from stories.lifecycle import State
from stories.models import Story
from stories_site.errors import Invalid, NotFound

from . import selectors
from .models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker, StickerType
from .stats import sticker_response_count

MAX_ASKED_LENGTH = 300  # a question a viewer sends to a Q&A sticker

STORY_EXPIRED = "This story has expired."
# Unknown, or on a story the person may not see: the same 404 either way, which reveals nothing.
STICKER_GONE = "This sticker does not exist or is no longer available."
ADD_YOURS_NOTIFICATION_KIND = NoticeKind.ADD_YOURS  # with the prompt quoted


# --- Upload: saving (checking is stickers/validation.py) ------------------------------------------


def _same_prompt(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


def _chain_of(sticker: Sticker, answering: Sticker | None) -> Any:
    """The chain a new sticker joins: the answered prompt's when it is an Add Yours sticker with
    that same prompt (the editor places it for the person), else its own. A prompt the person
    rewrote starts a chain of its own: it asks something else."""
    if (
        answering is not None
        and sticker.type == StickerType.ADD_YOURS
        and _same_prompt(sticker.prompt, answering.prompt)
    ):
        return answering.chain_id
    return sticker.pk


def stickers_create(
    *, story: Story, cleaned: list[dict[str, Any]], answering: Sticker | None = None
) -> list[Sticker]:
    """Save cleaned stickers in their upload order; `answering` is the Add Yours prompt the story
    answers, whose chain its own copy of the prompt continues. Nobody is told yet: mentions ring
    when the story is ready (`mentions_notify`), since until then nobody could watch it."""
    stickers = [
        Sticker(
            story=story,
            type=item["type"],
            data=item["data"],
            mentioned_id=item["mentioned_id"],
            x=item["x"],
            y=item["y"],
            scale=item["scale"],
            rotation=item["rotation"],
            position=position,
        )
        for position, item in enumerate(cleaned)
    ]
    for sticker in stickers:
        sticker.chain_id = _chain_of(sticker, answering)
    return Sticker.objects.bulk_create(stickers)


def _claim(queryset, pk: Any, now) -> bool:
    """Mark one row notified; False when another caller already did (notify once, whoever races)."""
    return bool(queryset.filter(pk=pk, notified_at__isnull=True).update(notified_at=now))


def mentions_notify(*, story: Story) -> int:
    """Tell the people a story names, once it is ready: each person in its mention stickers, and
    the author of the Add Yours prompt it answers. Safe to call twice; returns how many were told."""
    if story.state != State.READY:
        return 0
    now = timezone.now()
    told: set[int] = set()
    mentions = Sticker.objects.filter(
        story=story, type=StickerType.MENTION, mentioned__isnull=False, notified_at__isnull=True
    ).select_related("mentioned")
    for sticker in mentions:
        if not _claim(Sticker.objects, sticker.pk, now) or sticker.mentioned_id in told:
            continue
        # Nobody is told about a story they may not see (the inbox behind accounts' notify checks).
        if people_services.notice_send(
            recipient=sticker.mentioned, actor=story.author, kind=NoticeKind.MENTION, story=story
        ):
            told.add(sticker.mentioned_id)
    response = (
        AddYoursResponse.objects.filter(story=story, sticker__isnull=False, notified_at__isnull=True)
        .select_related("sticker__story__author")
        .first()
    )
    if response is not None and _claim(AddYoursResponse.objects, response.pk, now):
        prompt_author = response.sticker.story.author
        notified = people_services.notice_send(
            recipient=prompt_author,
            actor=story.author,
            kind=ADD_YOURS_NOTIFICATION_KIND,
            story=story,
            text=response.sticker.prompt,
        )
        if notified:
            told.add(prompt_author.pk)
    return len(told)


# --- What viewers do ---------------------------------------------------------------------------


def sticker_ensure_reachable(*, sticker: Sticker, viewer: people.Viewer) -> None:
    """Refuse a sticker the viewer may not act on: expired -> Invalid, else NotFound."""
    access = selectors.sticker_access(sticker=sticker, viewer=viewer)
    if access == selectors.EXPIRED:
        raise Invalid(STORY_EXPIRED)
    if access != selectors.LIVE:
        raise NotFound(STICKER_GONE)


def _expect(sticker: Sticker, kind: str, message: str) -> None:
    if sticker.type != kind:
        raise Invalid(message)


def _option_index(sticker: Sticker, option: Any) -> int:
    count = len(sticker.options)
    if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < count:
        raise Invalid({"option": f"Choose an option from 0 to {count - 1}."})
    return option


def _insert_once(model, taken_message: str, **fields: Any):
    """Insert a one-a-person row; the unique constraint decides a race, in a savepoint so the
    caller's transaction survives the loser's IntegrityError."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        if not Sticker.objects.filter(pk=fields["sticker"].pk).exists():
            raise NotFound(STICKER_GONE) from None
        raise Invalid(taken_message) from None


def poll_vote(*, sticker: Sticker, viewer: User, option: Any) -> PollVote:
    """One vote a person on a poll; the poll's author cannot vote (they see the counts)."""
    # First: a hidden sticker's type is not for this person to learn.
    sticker_ensure_reachable(sticker=sticker, viewer=viewer)
    _expect(sticker, StickerType.POLL, "This sticker is not a poll.")
    if viewer.pk == sticker.story.author_id:
        raise Invalid("You cannot vote on your own poll.")
    index = _option_index(sticker, option)
    with transaction.atomic():
        row = _insert_once(PollVote, "You already voted.", sticker=sticker, voter=viewer, option=index)
        sticker_response_count(sticker=sticker, option=index)
    return row


def quiz_answer(*, sticker: Sticker, viewer: User, option: Any) -> QuizAnswer:
    """One answer a person; right or wrong is decided here, once, against the stored index."""
    sticker_ensure_reachable(sticker=sticker, viewer=viewer)
    _expect(sticker, StickerType.QUIZ, "This sticker is not a quiz.")
    if viewer.pk == sticker.story.author_id:
        raise Invalid("You cannot answer your own quiz.")
    index = _option_index(sticker, option)
    correct = index == sticker.data.get("correct")
    with transaction.atomic():
        row = _insert_once(
            QuizAnswer, "You already answered.", sticker=sticker, person=viewer, option=index, correct=correct
        )
        sticker_response_count(sticker=sticker, option=index, correct=correct)
    return row


def question_ask(*, sticker: Sticker, viewer: User, text: Any) -> Question:
    """Send a question to a Q&A sticker; only the sticker's author will read it, told by a
    `question` notification quoting it (never across a block or to a suspended person)."""
    sticker_ensure_reachable(sticker=sticker, viewer=viewer)
    _expect(sticker, StickerType.QUESTION, "This sticker does not take questions.")
    if viewer.pk == sticker.story.author_id:
        raise Invalid("You cannot ask your own question sticker.")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise Invalid({"text": "Write a question."})
    if len(text) > MAX_ASKED_LENGTH:
        raise Invalid({"text": f"A question can be at most {MAX_ASKED_LENGTH} characters."})
    with transaction.atomic():
        # Addressed to the sticker's author, with its prompt (Question.save): it outlives the sticker.
        question = Question.objects.create(sticker=sticker, author=viewer, text=text)
        sticker_response_count(sticker=sticker)
        story = sticker.story
        people_services.notice_send(
            recipient=story.author, actor=viewer, kind=NoticeKind.QUESTION, story=story, text=text
        )
    return question


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def add_yours_reply_clean(*, sticker_id: Any, author: User) -> Sticker:
    """Upload check for `reply_to_sticker`: a live Add Yours prompt the poster may see."""
    pk = _as_uuid(sticker_id)
    sticker = selectors.sticker_by_id(sticker_id=pk) if pk else None
    gone = "This Add Yours prompt does not exist or is no longer available."
    if sticker is None or sticker.type != StickerType.ADD_YOURS:
        raise Invalid({"reply_to_sticker": gone})
    try:
        sticker_ensure_reachable(sticker=sticker, viewer=author)
    except ValidationError as exc:
        raise Invalid({"reply_to_sticker": exc.messages[0]}) from None
    except NotFound:
        raise Invalid({"reply_to_sticker": gone}) from None
    return sticker


def add_yours_response_create(*, sticker: Sticker, story: Story) -> AddYoursResponse:
    """Add `story` to the prompt's chain. The prompt's author (not the whole chain) is told when
    the story is ready (`mentions_notify`), so the notification never points at a clip still
    processing. Analytics count it on this sticker only."""
    sticker_ensure_reachable(sticker=sticker, viewer=story.author)
    _expect(sticker, StickerType.ADD_YOURS, "This sticker is not an Add Yours prompt.")
    if story.pk == sticker.story_id:
        raise Invalid("A story cannot answer its own prompt.")
    if story.state not in (State.PROCESSING, State.READY):
        raise Invalid("This story is no longer available.")
    try:
        with transaction.atomic():
            response = AddYoursResponse.objects.create(
                sticker=sticker, chain_id=sticker.chain_id, story=story
            )
            if story.author_id != sticker.story.author_id:  # the author's own is not engagement
                sticker_response_count(sticker=sticker)
            return response
    except IntegrityError:
        raise Invalid("This story already answers an Add Yours prompt.") from None


def question_answer_clean(*, question_id: Any, author: User) -> Question:
    """Upload check for `answer`: a question sent to one of the poster's own stickers, unanswered."""
    pk = _as_uuid(question_id)
    question = (
        selectors.question_inbox(viewer=author).select_related("sticker__story").filter(pk=pk).first()
        if pk
        else None
    )
    if question is None:
        raise Invalid({"answer": "This question does not exist."})
    if question.answered_story_id is not None:
        raise Invalid({"answer": "You already answered this question."})
    return question


def question_answer(*, question: Question, story: Story) -> Question:
    """Record that `story` answers `question`. Only the person who received the question may
    answer it, and once (a deleted answer frees it again)."""
    if question.recipient_id != story.author_id:
        raise Invalid("Only the person who asked for questions can answer them.")
    answered = Question.objects.filter(pk=question.pk, answered_story__isnull=True).update(
        answered_story=story
    )
    if not answered:
        raise Invalid("You already answered this question.")
    question.answered_story = story
    return question
