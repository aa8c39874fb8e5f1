"""stickers_for: what each viewer sees of each sticker type, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from stickers import selectors, services
from stickers.models import AddYoursResponse
from tests.factories import BlockFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

from .factories import (
    AddYoursStickerFactory,
    EmojiStickerFactory,
    MentionStickerFactory,
    PollStickerFactory,
    QuestionFactory,
    QuestionStickerFactory,
    QuizStickerFactory,
)

pytestmark = pytest.mark.django_db

PLACEMENT = {"x": 0.5, "y": 0.5, "scale": 1.0, "rotation": 0.0}


def only(story, viewer) -> dict:
    (sticker,) = selectors.stickers_for(stories=[story], viewer=viewer)[story.pk]
    return sticker


def test_a_poll_shows_results_only_after_voting_or_to_its_author(viewer):
    poll = PollStickerFactory(x=0.25, rotation=-10)
    services.poll_vote(sticker=poll, viewer=UserFactory(), option=0)
    before = only(poll.story, viewer)
    assert before == {
        "id": str(poll.pk),
        "type": "poll",
        "x": 0.25,
        "y": 0.5,
        "scale": 1.0,
        "rotation": -10.0,
        "question": "Tea or coffee?",
        "options": ["Tea", "Coffee"],
        "can_vote": True,
        "results": None,
    }
    services.poll_vote(sticker=poll, viewer=viewer, option=1)
    after = only(poll.story, viewer)
    assert after["results"] == {"counts": [1, 1], "total": 2, "my_vote": 1}
    assert after["can_vote"] is False
    by_author = only(poll.story, poll.story.author)
    assert by_author["results"] == {"counts": [1, 1], "total": 2, "my_vote": None}
    assert by_author["can_vote"] is False
    assert only(poll.story, AnonymousUser())["results"] is None


def test_a_quiz_never_shows_the_correct_option_before_answering(viewer):
    quiz = QuizStickerFactory()
    hidden = only(quiz.story, viewer)
    results = ["correct", "correct_option", "counts", "total", "my_answer"]
    assert {key: hidden[key] for key in results} == dict.fromkeys(results)
    assert set(hidden) == {"id", "type", *PLACEMENT, "question", "options", "can_answer", *results}
    assert hidden["can_answer"] is True
    services.quiz_answer(sticker=quiz, viewer=viewer, option=0)
    answered = only(quiz.story, viewer)
    assert (answered["correct"], answered["correct_option"], answered["my_answer"]) == (False, 1, 0)
    assert answered["counts"] == [1, 0, 0]
    by_author = only(quiz.story, quiz.story.author)
    assert (by_author["correct"], by_author["correct_option"], by_author["counts"]) == (None, 1, [1, 0, 0])


def test_question_count_is_for_the_author_only(viewer):
    sticker = QuestionStickerFactory()
    QuestionFactory.create_batch(2, sticker=sticker)
    assert only(sticker.story, viewer) == {
        "id": str(sticker.pk),
        "type": "question",
        **PLACEMENT,
        "prompt": "Ask me anything",
        "can_ask": True,
        "question_count": None,
        "inbox_url": None,
    }
    by_author = only(sticker.story, sticker.story.author)
    assert (by_author["question_count"], by_author["inbox_url"], by_author["can_ask"]) == (
        2,
        "/stickers/questions/",
        False,
    )


def test_add_yours_counts_live_visible_contributions(viewer):
    prompt = AddYoursStickerFactory()
    AddYoursResponse.objects.create(sticker=prompt, story=ReadyStoryFactory())
    hidden = ReadyStoryFactory()
    AddYoursResponse.objects.create(sticker=prompt, story=hidden)
    BlockFactory(blocker=viewer, blocked=hidden.author)
    shaped = only(prompt.story, viewer)
    assert shaped["prompt"] == "Show your desk"
    assert shaped["response_count"] == 1
    assert shaped["responses_url"] == f"/stickers/{prompt.pk}/responses/"
    assert shaped["add_url"] == f"/stories/create/?add_yours={prompt.pk}"


def test_mentions_follow_renames_and_hide_the_profile_across_blocks(viewer):
    sticker = MentionStickerFactory(mentioned=UserFactory(username="before", display_name="Dee"))
    sticker.mentioned.username = "after"
    sticker.mentioned.save()
    shaped = only(sticker.story, viewer)
    assert (shaped["username"], shaped["display_name"], shaped["profile_url"]) == ("after", "Dee", "/@after")
    BlockFactory(blocker=sticker.mentioned, blocked=viewer)
    blocked = only(sticker.story, viewer)
    assert (blocked["username"], blocked["display_name"], blocked["profile_url"]) == ("before", "", None)


def test_emoji_and_absolute_urls_with_a_request(rf, viewer):
    sticker = EmojiStickerFactory()
    assert only(sticker.story, viewer)["emoji"] == "🔥"
    prompt = AddYoursStickerFactory()
    request = rf.get("/")
    (shaped,) = selectors.stickers_for(stories=[prompt.story], viewer=viewer, request=request)[
        prompt.story.pk
    ]
    assert shaped["responses_url"] == f"http://testserver/stickers/{prompt.pk}/responses/"


def page_of(count: int, viewer) -> list:
    """`count` stories, each with every sticker type, votes, answers, questions and contributions."""
    stories = []
    for _ in range(count):
        story = ReadyStoryFactory()
        poll = PollStickerFactory(story=story)
        quiz = QuizStickerFactory(story=story)
        QuestionFactory(sticker=QuestionStickerFactory(story=story))
        prompt = AddYoursStickerFactory(story=story)
        MentionStickerFactory(story=story)
        EmojiStickerFactory(story=story)
        services.poll_vote(sticker=poll, viewer=viewer, option=0)
        services.quiz_answer(sticker=quiz, viewer=UserFactory(), option=1)
        AddYoursResponse.objects.create(sticker=prompt, story=ReadyStoryFactory())
        stories.append(story)
    return stories


@pytest.mark.parametrize("count", [2, 10])
def test_a_page_costs_three_queries_whatever_its_size(django_assert_num_queries, viewer, count):
    """Answered questions, stickers with mention visibility, one UNION of counts and own votes."""
    stories = page_of(count, viewer)
    with django_assert_num_queries(3):
        shaped = selectors.stickers_for(stories=stories, viewer=viewer)
    assert all(len(shaped[story.pk]) == 6 for story in stories)
    assert all(s[0]["results"]["total"] == 1 for s in shaped.values())


def test_the_authors_view_of_a_page_costs_the_same(django_assert_num_queries):
    author = UserFactory()
    stories = page_of(3, UserFactory())
    for story in stories:
        story.author = author
        story.save()
    with django_assert_num_queries(3):
        shaped = selectors.stickers_for(stories=stories, viewer=author)
    assert all(s[2]["question_count"] == 1 for s in shaped.values())


def test_no_stickers_two_queries_and_no_stories_none(django_assert_num_queries, viewer):
    story = ReadyStoryFactory()
    with django_assert_num_queries(2):
        assert selectors.stickers_for(stories=[story], viewer=viewer) == {story.pk: []}
    with django_assert_num_queries(0):
        assert selectors.stickers_for(stories=[], viewer=viewer) == {}
