"""A sticker on a story the person may not see answers 404 on every sticker endpoint, whatever
its type and whatever the body says (issue 19, item 6): the visibility gate comes first.
Before the fix, voting on a hidden quiz answered 400 "This sticker is not a poll.", telling a
non-follower (or a blocked person) that the sticker exists and what it is."""

from __future__ import annotations

import pytest

from stickers.models import PollVote, Question, QuizAnswer
from stories_site.errors import NotFound
from tests.factories import BlockFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

from .conftest import client_for
from .factories import (
    AddYoursStickerFactory,
    EmojiStickerFactory,
    PollStickerFactory,
    QuestionStickerFactory,
    QuizStickerFactory,
)

pytestmark = pytest.mark.django_db

GONE = {"detail": "This sticker does not exist or is no longer available."}
# (endpoint, body): a right body, a wrong one, and none at all.
CALLS = [
    ("vote", {"option": 0}),
    ("vote", {"option": 99}),
    ("vote", {}),
    ("answer", {"option": 0}),
    ("answer", {"option": "x"}),
    ("questions", {"text": "hi?"}),
    ("questions", {"text": ""}),
]
FACTORIES = [PollStickerFactory, QuizStickerFactory, QuestionStickerFactory, AddYoursStickerFactory]


def _hidden(factory, how: str, viewer):
    if how == "followers_only":
        return factory(story=ReadyStoryFactory(audience="followers"))
    sticker = factory(story=ReadyStoryFactory())
    if how == "author_blocked_viewer":
        BlockFactory(blocker=sticker.story.author, blocked=viewer)
    else:
        BlockFactory(blocker=viewer, blocked=sticker.story.author)
    return sticker


@pytest.mark.parametrize("how", ["followers_only", "author_blocked_viewer", "viewer_blocked_author"])
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_call_on_a_hidden_sticker_is_the_same_404(as_viewer, viewer, factory, how):
    sticker = _hidden(factory, how, viewer)
    for action, body in CALLS:
        response = as_viewer.post(f"/api/v1/stickers/{sticker.pk}/{action}/", body, format="json")
        assert (response.status_code, response.json()) == (404, GONE), (action, body)
    assert not PollVote.objects.exists()
    assert not QuizAnswer.objects.exists()
    assert not Question.objects.exists()


def test_a_visible_sticker_of_the_wrong_type_still_says_so(as_viewer, viewer):
    quiz = QuizStickerFactory(story=ReadyStoryFactory(audience="followers"))
    FollowFactory(follower=viewer, followee=quiz.story.author)
    response = as_viewer.post(f"/api/v1/stickers/{quiz.pk}/vote/", {"option": 0}, format="json")
    assert response.status_code == 400
    assert "This sticker is not a poll." in str(response.json())
    emoji = EmojiStickerFactory()
    response = as_viewer.post(f"/api/v1/stickers/{emoji.pk}/questions/", {"text": "hi?"}, format="json")
    assert response.status_code == 400
    assert "This sticker does not take questions." in str(response.json())


def test_the_services_ask_the_gate_before_the_type(viewer):
    from stickers import services

    quiz = QuizStickerFactory(story=ReadyStoryFactory(audience="friends"))
    for call in (
        lambda: services.poll_vote(sticker=quiz, viewer=viewer, option=0),
        lambda: services.question_ask(sticker=quiz, viewer=viewer, text="hi?"),
        lambda: services.quiz_answer(
            sticker=PollStickerFactory(story=quiz.story, position=5), viewer=viewer, option=0
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert (
        client_for(UserFactory()).post(f"/api/v1/stickers/{quiz.pk}/answer/", {"option": 1}).status_code
        == 404
    )
