"""Add Yours chains, answering questions with a story, and notifications sent once the story is
ready (never at upload, never twice)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feed.models import Notification
from stickers import services, validation
from stickers.models import StickerType
from stories import lifecycle
from stories.lifecycle import State
from tests.factories import BlockFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory

from .factories import (
    AddYoursStickerFactory,
    MentionStickerFactory,
    PollStickerFactory,
    QuestionFactory,
    QuestionStickerFactory,
)

pytestmark = pytest.mark.django_db


def plain(exc: ValidationError) -> str:
    return exc.messages[0]


def test_a_contribution_joins_the_chain_once():
    prompt = AddYoursStickerFactory()
    story = StoryFactory()  # still processing: linked at upload
    response = services.add_yours_response_create(sticker=prompt, story=story)
    assert response.sticker == prompt
    other = AddYoursStickerFactory()
    with pytest.raises(ValidationError) as caught:
        services.add_yours_response_create(sticker=other, story=story)
    assert plain(caught.value) == "This story already answers an Add Yours prompt."
    with pytest.raises(ValidationError) as caught:
        services.add_yours_response_create(sticker=prompt, story=prompt.story)
    assert plain(caught.value) == "A story cannot answer its own prompt."


def test_upload_check_for_reply_to_sticker():
    poster = UserFactory()
    prompt = AddYoursStickerFactory()
    assert services.add_yours_reply_clean(sticker_id=str(prompt.pk), author=poster) == prompt
    gone = {"reply_to_sticker": ["This Add Yours prompt does not exist or is no longer available."]}
    for bad in ["nope", None, str(PollStickerFactory().pk)]:
        with pytest.raises(ValidationError) as caught:
            services.add_yours_reply_clean(sticker_id=bad, author=poster)
        assert caught.value.message_dict == gone
    BlockFactory(blocker=prompt.story.author, blocked=poster)
    with pytest.raises(ValidationError) as caught:
        services.add_yours_reply_clean(sticker_id=prompt.pk, author=poster)
    assert caught.value.message_dict == gone
    expired = AddYoursStickerFactory(
        story=ReadyStoryFactory(expires_at=timezone.now() - timedelta(seconds=1))
    )
    with pytest.raises(ValidationError) as caught:
        services.add_yours_reply_clean(sticker_id=expired.pk, author=poster)
    assert caught.value.message_dict == {"reply_to_sticker": ["This story has expired."]}


def test_answering_a_question_with_a_new_story():
    question = QuestionFactory()
    author = question.sticker.story.author
    assert services.question_answer_clean(question_id=str(question.pk), author=author) == question
    with pytest.raises(ValidationError) as caught:
        services.question_answer_clean(question_id=question.pk, author=question.author)  # the asker
    assert caught.value.message_dict == {"answer": ["This question does not exist."]}

    answer = StoryFactory(author=author)
    services.question_answer(question=question, story=answer)
    question.refresh_from_db()
    assert question.answered_story == answer
    with pytest.raises(ValidationError) as caught:
        services.question_answer_clean(question_id=question.pk, author=author)
    assert caught.value.message_dict == {"answer": ["You already answered this question."]}
    with pytest.raises(ValidationError):
        services.question_answer(question=question, story=StoryFactory(author=author))
    with pytest.raises(ValidationError) as caught:
        services.question_answer(question=QuestionFactory(), story=StoryFactory(author=author))
    assert plain(caught.value) == "Only the person who asked for questions can answer them."


def test_the_author_cannot_ask_their_own_question_sticker():
    sticker = QuestionStickerFactory()
    with pytest.raises(ValidationError) as caught:
        services.question_ask(sticker=sticker, viewer=sticker.story.author, text="Me?")
    assert plain(caught.value) == "You cannot ask your own question sticker."


def test_mentions_and_add_yours_ring_when_the_story_is_ready_and_only_once():
    author = UserFactory()
    friend, other = UserFactory(), UserFactory()
    prompt = AddYoursStickerFactory()
    story = StoryFactory(author=author)  # processing
    # Two mentions of one person, as stories made before the upload refused them still have.
    cleaned = validation.stickers_clean(
        raw=[{"type": "mention", "username": friend.username}], author=author
    ) + validation.stickers_clean(
        raw=[
            {"type": "mention", "username": friend.username},
            {"type": "mention", "username": other.username},
        ],
        author=author,
    )
    services.stickers_create(story=story, cleaned=cleaned)
    services.add_yours_response_create(sticker=prompt, story=story)
    assert services.mentions_notify(story=story) == 0  # not ready: nobody could watch it
    assert not Notification.objects.exists()

    now = timezone.now()
    lifecycle.transition(story, State.READY, published_at=now, expires_at=now + timedelta(hours=24))
    assert services.mentions_notify(story=story) == 3
    assert services.mentions_notify(story=story) == 0
    rows = Notification.objects.order_by("recipient_id")
    assert [
        (n.recipient, n.actor, n.kind, n.story_id) for n in rows if n.recipient != prompt.story.author
    ] == [
        (friend, author, "mention", story.pk),
        (other, author, "mention", story.pk),
    ]
    add_yours = Notification.objects.get(recipient=prompt.story.author)
    assert (add_yours.kind, add_yours.text) == ("add_yours", "Show your desk")


def test_no_mention_notification_across_a_block_made_after_upload():
    sticker = MentionStickerFactory()
    BlockFactory(blocker=sticker.mentioned, blocked=sticker.story.author)
    services.mentions_notify(story=sticker.story)
    assert not Notification.objects.exists()
    assert sticker.type == StickerType.MENTION
