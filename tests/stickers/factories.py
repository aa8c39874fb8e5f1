"""Sticker factories: one per type, each on a live story with media (ReadyStoryFactory)."""

import factory
from factory.django import DjangoModelFactory

from stickers.models import Question, Sticker, StickerType
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory


class StickerFactory(DjangoModelFactory):
    class Meta:
        model = Sticker

    story = factory.SubFactory(ReadyStoryFactory)
    position = factory.Sequence(lambda n: n)


class PollStickerFactory(StickerFactory):
    type = StickerType.POLL
    data = factory.LazyFunction(lambda: {"question": "Tea or coffee?", "options": ["Tea", "Coffee"]})


class QuizStickerFactory(StickerFactory):
    type = StickerType.QUIZ
    data = factory.LazyFunction(
        lambda: {"question": "Capital of France?", "options": ["Lyon", "Paris", "Nice"], "correct": 1}
    )


class QuestionStickerFactory(StickerFactory):
    type = StickerType.QUESTION
    data = factory.LazyFunction(lambda: {"prompt": "Ask me anything"})


class AddYoursStickerFactory(StickerFactory):
    type = StickerType.ADD_YOURS
    data = factory.LazyFunction(lambda: {"prompt": "Show your desk"})


class MentionStickerFactory(StickerFactory):
    type = StickerType.MENTION
    mentioned = factory.SubFactory(UserFactory)
    data = factory.LazyAttribute(lambda o: {"username": o.mentioned.username})


class EmojiStickerFactory(StickerFactory):
    type = StickerType.EMOJI
    data = factory.LazyFunction(lambda: {"emoji": "🔥"})


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    sticker = factory.SubFactory(QuestionStickerFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"question {n}?")
