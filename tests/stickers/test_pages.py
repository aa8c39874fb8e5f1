"""The Add Yours page, the Q&A inbox, escaping, and the admin lists (no query per row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stickers.models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker
from tests.factories import DEFAULT_PASSWORD, BlockFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

from .factories import (
    AddYoursStickerFactory,
    PollStickerFactory,
    QuestionFactory,
    QuestionStickerFactory,
    QuizStickerFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def logged_in(client, user):
    client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client


def test_add_yours_page_shows_the_prompt_count_and_live_contributions(client):
    prompt = AddYoursStickerFactory(story=ReadyStoryFactory(author=UserFactory(display_name="Prompter")))
    live = ReadyStoryFactory(caption="My desk")
    gone = ReadyStoryFactory(expires_at=timezone.now() - timedelta(minutes=1))
    for story in [live, gone]:
        AddYoursResponse.objects.create(sticker=prompt, story=story)

    page = client.get(f"/stickers/{prompt.pk}/responses/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Show your desk" in html
    assert "Prompter" in html
    assert "<strong>1</strong> added theirs" in html
    assert f'href="/stories/{live.pk}/"' in html
    assert f"/stories/{live.pk}/poster" in html
    assert str(gone.pk) not in html
    assert f'href="/stories/create/?add_yours={prompt.pk}"' in html
    assert "Add yours" in html


def test_add_yours_page_is_a_404_when_the_prompt_is_not_visible(client):
    viewer = UserFactory()
    prompt = AddYoursStickerFactory()
    BlockFactory(blocker=prompt.story.author, blocked=viewer)
    assert logged_in(client, viewer).get(f"/stickers/{prompt.pk}/responses/").status_code == 404
    assert client.get(f"/stickers/{PollStickerFactory().pk}/responses/").status_code == 404
    expired = AddYoursStickerFactory(
        story=ReadyStoryFactory(expires_at=timezone.now() - timedelta(seconds=1))
    )
    assert client.get(f"/stickers/{expired.pk}/responses/").status_code == 404


def test_the_inbox_lists_questions_on_your_stickers_newest_first(client):
    sticker = QuestionStickerFactory()
    author = sticker.story.author
    older = QuestionFactory(
        sticker=sticker, text="Older one?", created_at=timezone.now() - timedelta(hours=1)
    )
    newer = QuestionFactory(sticker=sticker, text="Newer one?")
    QuestionFactory(text="Someone else's question")
    answered = QuestionFactory(sticker=sticker, text="Done?", answered_story=ReadyStoryFactory(author=author))

    html = logged_in(client, author).get("/stickers/questions/").content.decode()
    assert html.index("Newer one?") < html.index("Older one?")
    assert "Someone else" not in html
    assert f'href="/stories/create/?answer={newer.pk}"' in html
    assert f'href="/stories/create/?answer={older.pk}"' in html
    assert f"?answer={answered.pk}" not in html
    assert f'href="/stories/{answered.answered_story_id}/"' in html
    assert "Answer with a story" in html


def test_the_inbox_needs_a_login(client):
    response = client.get("/stickers/questions/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_sticker_text_is_escaped_on_every_page(client):
    author = UserFactory()
    story = ReadyStoryFactory(author=author)
    PollStickerFactory(story=story, data={"question": SCRIPT, "options": [SCRIPT, "fine"]})
    prompt = AddYoursStickerFactory(story=story, data={"prompt": SCRIPT})
    AddYoursResponse.objects.create(sticker=prompt, story=ReadyStoryFactory(caption=SCRIPT))
    QuestionFactory(sticker=QuestionStickerFactory(story=story, data={"prompt": SCRIPT}), text=SCRIPT)

    pages = [
        client.get(f"/stickers/{prompt.pk}/responses/"),
        logged_in(client, author).get("/stickers/questions/"),
        client.get(f"/stories/{story.pk}/"),
        client.get(reverse("accounts:story", args=[author.username])),
    ]
    for page in pages:
        assert page.status_code == 200, page.request
        assert SCRIPT not in page.content.decode()
    assert ESCAPED in pages[0].content.decode()
    assert ESCAPED in pages[1].content.decode()


def _admin_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _make_rows(count: int) -> None:
    for _ in range(count):
        poll = PollStickerFactory()
        quiz = QuizStickerFactory()
        PollVote.objects.create(sticker=poll, voter=UserFactory(), option=0)
        QuizAnswer.objects.create(sticker=quiz, person=UserFactory(), option=0, correct=False)
        QuestionFactory(answered_story=ReadyStoryFactory())
        AddYoursResponse.objects.create(sticker=AddYoursStickerFactory(), story=ReadyStoryFactory())


@pytest.mark.parametrize("model", [Sticker, PollVote, QuizAnswer, Question, AddYoursResponse])
def test_admin_lists_cost_the_same_for_2_and_10_rows(client, model):
    admin = UserFactory(is_staff=True, is_superuser=True)
    logged_in(client, admin)
    path = f"/admin/stickers/{model._meta.model_name}/"
    _make_rows(2)
    few = _admin_queries(client, path)
    _make_rows(8)
    assert _admin_queries(client, path) == few


def test_stickers_and_what_people_did_are_read_only_in_the_admin(client):
    logged_in(client, UserFactory(is_staff=True, is_superuser=True))
    for model in ["sticker", "pollvote", "quizanswer", "question", "addyoursresponse"]:
        assert client.get(f"/admin/stickers/{model}/add/").status_code == 403
    sticker = PollStickerFactory()
    assert client.get(f"/admin/stickers/sticker/{sticker.pk}/change/").status_code == 200  # a view
