"""A question outlives the story it was asked on (issue 19, item 12). Before the fix, removing
that story (a moderator's takedown, or its author deleting it) hid the question from the inbox of
the person who answered it at once, and the purge that followed deleted the question, which took
the answer card off the answer story."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from moderation import services as moderation
from stickers import selectors, services
from stories import services as stories
from stories.models import Story
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory

from .conftest import client_for
from .factories import QuestionStickerFactory

pytestmark = pytest.mark.django_db


def _asked_and_answered():
    """A Q&A sticker's author, two questions on it (one answered with a story), the stories."""
    sticker = QuestionStickerFactory(data={"prompt": "Ask me about cameras"})
    author = sticker.story.author
    answered = services.question_ask(sticker=sticker, viewer=UserFactory(), text="Which lens?")
    waiting = services.question_ask(sticker=sticker, viewer=UserFactory(), text="Which bag?")
    answer_story = ReadyStoryFactory(author=author)
    services.question_answer(question=answered, story=answer_story)
    return author, sticker.story, answer_story, answered, waiting


def _answer_card(viewer, story) -> list[dict]:
    body = client_for(viewer).get(f"/api/v1/stories/{story.pk}/").json()
    return [one for one in body["stickers"] if one["type"] == "answer"]


def _take_down(how: str, story: Story, author) -> None:
    if how == "removed":
        mod = UserFactory(username="mod")
        moderation.moderator_add(person=mod)
        moderation.story_remove(story=story, by=mod, reason="not allowed")
    else:
        stories.story_delete(story=story, by=author)


@pytest.mark.parametrize("how", ["removed", "deleted"])
def test_the_answer_card_and_the_inbox_keep_the_question(how, client):
    author, asked_on, answer_story, answered, _waiting = _asked_and_answered()
    viewer = UserFactory()
    assert [card["text"] for card in _answer_card(viewer, answer_story)] == ["Which lens?"]

    _take_down(how, asked_on, author)
    assert list(selectors.question_inbox(viewer=author)) == [answered]  # the unanswered one goes, as before
    assert stories.stories_purge() >= 1
    assert not Story.objects.filter(pk=asked_on.pk).exists()

    answered.refresh_from_db()
    assert (answered.sticker_id, answered.recipient, answered.prompt) == (
        None,
        author,
        "Ask me about cameras",
    )
    assert [card["text"] for card in _answer_card(viewer, answer_story)] == ["Which lens?"]
    assert list(selectors.question_inbox(viewer=author)) == [answered]
    client.force_login(author)
    page = client.get(reverse("stickers:inbox")).content.decode()
    assert "Which lens?" in page
    assert "Ask me about cameras" in page
    assert "Which bag?" not in page


def test_only_the_person_asked_answers_even_once_the_sticker_is_gone():
    author, asked_on, _answer_story, answered, waiting = _asked_and_answered()
    assert (answered.recipient, waiting.recipient) == (author, author)
    Story.objects.filter(pk=asked_on.pk).delete()  # what the purge does to the row
    waiting.refresh_from_db()
    with pytest.raises(ValidationError, match="Only the person who asked for questions"):
        services.question_answer(question=waiting, story=ReadyStoryFactory())
    services.question_answer(question=waiting, story=ReadyStoryFactory(author=author))
    assert set(selectors.question_inbox(viewer=author)) == {answered, waiting}
