"""The sticker endpoints of docs/api.md: vote, answer, questions, responses. Plain 400s
for bad input and expired stories, 404 for stickers the viewer may not see."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from stickers.models import AddYoursResponse, PollVote, Question, QuizAnswer
from stories.lifecycle import State
from tests.factories import BlockFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory

from .conftest import client_for
from .factories import (
    AddYoursStickerFactory,
    EmojiStickerFactory,
    PollStickerFactory,
    QuestionFactory,
    QuestionStickerFactory,
    QuizStickerFactory,
)

pytestmark = pytest.mark.django_db


def url(sticker, action: str) -> str:
    return f"/api/v1/stickers/{sticker.pk}/{action}/"


def expire(story) -> None:
    story.published_at = timezone.now() - timedelta(hours=25)
    story.expires_at = timezone.now() - timedelta(hours=1)
    story.save()


# --- Polls -----------------------------------------------------------------------------------------


def test_vote_answers_the_results_and_counts_once(as_viewer, viewer):
    poll = PollStickerFactory()
    PollVote.objects.create(sticker=poll, voter=UserFactory(), option=0)
    response = as_viewer.post(url(poll, "vote"), {"option": 1}, format="json")
    assert response.status_code == 200
    assert response.json() == {"counts": [1, 1], "total": 2, "my_vote": 1}

    again = as_viewer.post(url(poll, "vote"), {"option": 0}, format="json")
    assert again.status_code == 400
    assert again.json() == {"detail": "You already voted."}
    assert PollVote.objects.filter(sticker=poll).count() == 2
    assert PollVote.objects.get(sticker=poll, voter=viewer).option == 1


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({"option": 2}, "option", ["Choose an option from 0 to 1."]),
        ({"option": -1}, "option", ["Choose an option from 0 to 1."]),
        ({"option": "first"}, "option", ["A valid integer is required."]),
        ({}, "option", ["This field is required."]),
    ],
)
def test_bad_options_are_plain_400s(as_viewer, body, field, expected):
    poll = PollStickerFactory()
    response = as_viewer.post(url(poll, "vote"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": expected[0], "errors": {field: expected}}
    assert not PollVote.objects.exists()


def test_the_author_cannot_vote_on_their_own_poll():
    poll = PollStickerFactory()
    response = client_for(poll.story.author).post(url(poll, "vote"), {"option": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot vote on your own poll."}


def test_voting_on_an_expired_story_is_refused_in_plain_words(as_viewer):
    poll = PollStickerFactory()
    expire(poll.story)
    response = as_viewer.post(url(poll, "vote"), {"option": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "This story has expired."}
    poll.story.state = State.EXPIRED
    poll.story.save()
    assert as_viewer.post(url(poll, "vote"), {"option": 0}, format="json").json() == {
        "detail": "This story has expired."
    }


@pytest.mark.parametrize("direction", ["author blocks viewer", "viewer blocks author"])
def test_blocked_either_way_is_a_404_even_once_expired(as_viewer, viewer, direction):
    poll = PollStickerFactory()
    author = poll.story.author
    if direction == "author blocks viewer":
        BlockFactory(blocker=author, blocked=viewer)
    else:
        BlockFactory(blocker=viewer, blocked=author)
    response = as_viewer.post(url(poll, "vote"), {"option": 0}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "This sticker does not exist or is no longer available."}
    expire(poll.story)
    assert as_viewer.post(url(poll, "vote"), {"option": 0}, format="json").status_code == 404


def test_other_invisible_stickers_are_404s(as_viewer):
    followers_only = PollStickerFactory(story=ReadyStoryFactory(audience="followers"))
    processing = PollStickerFactory(story=StoryFactory())
    deleted = PollStickerFactory(story=ReadyStoryFactory(state=State.DELETED))
    suspended = PollStickerFactory(
        story=ReadyStoryFactory(author=UserFactory(suspended_until=timezone.now() + timedelta(days=1)))
    )
    for sticker in [followers_only, processing, deleted, suspended]:
        assert as_viewer.post(url(sticker, "vote"), {"option": 0}, format="json").status_code == 404
    missing = f"/api/v1/stickers/{uuid.uuid4()}/vote/"
    assert as_viewer.post(missing, {"option": 0}, format="json").status_code == 404
    assert not PollVote.objects.exists()


def test_followers_may_vote_on_a_followers_only_poll(as_viewer, viewer):
    poll = PollStickerFactory(story=ReadyStoryFactory(audience="followers"))
    FollowFactory(follower=viewer, followee=poll.story.author)
    assert as_viewer.post(url(poll, "vote"), {"option": 0}, format="json").status_code == 200


def test_signed_out_people_cannot_vote():
    poll = PollStickerFactory()
    response = APIClient().post(url(poll, "vote"), {"option": 0}, format="json")
    assert response.status_code in (401, 403)


def test_voting_on_something_that_is_not_a_poll(as_viewer):
    quiz = QuizStickerFactory()
    response = as_viewer.post(url(quiz, "vote"), {"option": 0}, format="json")
    assert response.json() == {"detail": "This sticker is not a poll."}


# --- Quizzes -----------------------------------------------------------------------------------------


def test_quiz_answer_says_right_or_wrong_and_shows_the_counts(as_viewer, viewer):
    quiz = QuizStickerFactory()  # Lyon, Paris (correct), Nice
    client_for(UserFactory()).post(url(quiz, "answer"), {"option": 1}, format="json")
    response = as_viewer.post(url(quiz, "answer"), {"option": 2}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "correct": False,
        "correct_option": 1,
        "counts": [0, 1, 1],
        "total": 2,
        "my_answer": 2,
    }
    assert QuizAnswer.objects.get(person=viewer).correct is False
    again = as_viewer.post(url(quiz, "answer"), {"option": 1}, format="json")
    assert again.status_code == 400
    assert again.json() == {"detail": "You already answered."}


def test_right_answer_and_the_authors_own_quiz(as_viewer):
    quiz = QuizStickerFactory()
    assert as_viewer.post(url(quiz, "answer"), {"option": 1}, format="json").json()["correct"] is True
    own = client_for(quiz.story.author).post(url(quiz, "answer"), {"option": 1}, format="json")
    assert own.json() == {"detail": "You cannot answer your own quiz."}
    out_of_range = client_for(UserFactory()).post(url(quiz, "answer"), {"option": 3}, format="json")
    message = "Choose an option from 0 to 2."
    assert out_of_range.json() == {"detail": message, "errors": {"option": [message]}}


# --- Questions ---------------------------------------------------------------------------------------


def test_asking_a_question(as_viewer, viewer):
    sticker = QuestionStickerFactory()
    response = as_viewer.post(url(sticker, "questions"), {"text": "  Where was this?  "}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Where was this?"
    assert body["author"]["username"] == "viewer"
    assert body["answered_story_id"] is None
    assert Question.objects.get().author == viewer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Write a question."),
        ("   ", "Write a question."),
        ("x" * 301, "A question can be at most 300 characters."),
    ],
)
def test_bad_questions(as_viewer, text, expected):
    sticker = QuestionStickerFactory()
    response = as_viewer.post(url(sticker, "questions"), {"text": text}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": expected, "errors": {"text": [expected]}}
    assert not Question.objects.exists()


def test_questions_are_for_the_author_only(as_viewer, viewer):
    sticker = QuestionStickerFactory()
    author = sticker.story.author
    for n in range(3):
        QuestionFactory(sticker=sticker, text=f"q{n}")
    blocked_asker = UserFactory()
    QuestionFactory(sticker=sticker, author=blocked_asker, text="from someone blocked later")
    BlockFactory(blocker=author, blocked=blocked_asker)

    forbidden = as_viewer.get(url(sticker, "questions"))
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "Only the sticker's author can read its questions."}
    assert APIClient().get(url(sticker, "questions")).status_code in (401, 403)
    BlockFactory(blocker=author, blocked=viewer)
    assert as_viewer.get(url(sticker, "questions")).status_code == 404

    as_author = client_for(author)
    first = as_author.get(url(sticker, "questions") + "?page_size=2").json()
    assert [q["text"] for q in first["results"]] == ["q2", "q1"]
    assert first["results"][0]["answer_url"].endswith(f"/stories/create/?answer={first['results'][0]['id']}")
    second = as_author.get(first["next"]).json()
    assert [q["text"] for q in second["results"]] == ["q0"]
    assert second["next"] is None


def test_the_author_reads_questions_after_expiry_but_nobody_asks(as_viewer):
    sticker = QuestionStickerFactory()
    QuestionFactory(sticker=sticker)
    expire(sticker.story)
    assert len(client_for(sticker.story.author).get(url(sticker, "questions")).json()["results"]) == 1
    response = as_viewer.post(url(sticker, "questions"), {"text": "Still there?"}, format="json")
    assert response.json() == {"detail": "This story has expired."}


def test_questions_on_other_sticker_types_are_404s(as_viewer):
    emoji = EmojiStickerFactory()
    assert client_for(emoji.story.author).get(url(emoji, "questions")).status_code == 404
    assert as_viewer.post(url(emoji, "questions"), {"text": "hi"}, format="json").json() == {
        "detail": "This sticker does not take questions."
    }


# --- Add Yours ---------------------------------------------------------------------------------------


def test_responses_list_only_live_visible_stories_with_their_count(as_viewer, viewer):
    prompt = AddYoursStickerFactory()
    live = [ReadyStoryFactory() for _ in range(3)]
    expired = ReadyStoryFactory()
    processing = StoryFactory()
    from_blocked = ReadyStoryFactory()
    friends_only = ReadyStoryFactory(audience="friends")
    for story in [*live, expired, processing, from_blocked, friends_only]:
        AddYoursResponse.objects.create(sticker=prompt, story=story)
    expire(expired)
    BlockFactory(blocker=from_blocked.author, blocked=viewer)

    body = as_viewer.get(url(prompt, "responses") + "?page_size=2").json()
    assert body["count"] == 3
    assert body["prompt"] == "Show your desk"
    assert {s["id"] for s in body["results"]} <= {str(s.pk) for s in live}
    rest = as_viewer.get(body["next"]).json()
    assert {s["id"] for s in body["results"] + rest["results"]} == {str(s.pk) for s in live}
    assert all("stickers" in story for story in body["results"])
    # Signed out: no block applies, the friends-only story still does not show.
    assert APIClient().get(url(prompt, "responses")).json()["count"] == 4


def test_responses_of_an_expired_or_invisible_prompt(as_viewer, viewer):
    prompt = AddYoursStickerFactory()
    BlockFactory(blocker=viewer, blocked=prompt.story.author)
    assert as_viewer.get(url(prompt, "responses")).status_code == 404
    other = AddYoursStickerFactory()
    expire(other.story)
    assert as_viewer.get(url(other, "responses")).json() == {"detail": "This story has expired."}
    assert as_viewer.get(url(PollStickerFactory(), "responses")).status_code == 404
