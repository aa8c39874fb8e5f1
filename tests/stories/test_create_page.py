"""The create page: what the editor is given. An Add Yours prompt is continued only when the person
may see it, and a question answered only when it was sent to the person's own sticker."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from stickers.models import Question
from stories.overlays import FONTS
from tests.factories import DEFAULT_PASSWORD, BlockFactory, UserFactory
from tests.stickers.factories import (
    AddYoursStickerFactory,
    PollStickerFactory,
    QuestionFactory,
    QuestionStickerFactory,
)
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db

URL = "/stories/create/"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": settings.MEDIA_URL},
        },
    }


@pytest.fixture
def me(client):
    user = UserFactory(username="me")
    client.login(username=user.username, password=DEFAULT_PASSWORD)
    return user


def editor_context(response) -> dict:
    pattern = r'<script id="editor-context" type="application/json">(.*?)</script>'
    match = re.search(pattern, response.text, re.S)
    assert match, "the page carries the editor's context as JSON"
    return json.loads(match.group(1))


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_plain_page_has_the_camera_the_editor_and_every_font(client, me):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.text
    for marker in ["open-camera", "camera", "preview-frame", "editor-errors"]:
        assert f'id="{marker}"' in html
    for kind in ["text", "poll", "quiz", "question", "add_yours", "mention", "emoji"]:
        assert f'data-add="{kind}"' in html
    for value, label in FONTS.items():
        assert f'value="{value}"' in html
        assert f"overlay-font-{value}" in html
        assert label in html
    context = editor_context(response)
    assert [font["value"] for font in context["fonts"]] == list(FONTS)
    assert context["add_yours"] is None
    assert context["answer"] is None
    assert 'name="reply_to_sticker"' not in html
    assert 'name="answer"' not in html
    # One ES module: create.js imports the editor, the camera and the stickers' builders itself.
    assert '<script type="module" src="/static/js/create.js"></script>' in html


def test_add_yours_shows_the_prompt_and_sends_the_sticker_id(client, me):
    prompt = AddYoursStickerFactory(data={"prompt": f"Show your desk {SCRIPT}"})
    response = client.get(URL, {"add_yours": str(prompt.pk)})
    assert response.status_code == 200
    html = response.text
    assert "Show your desk &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html
    assert f'name="reply_to_sticker" value="{prompt.pk}"' in html
    context = editor_context(response)
    assert context["add_yours"] == {
        "id": str(prompt.pk),
        "prompt": f"Show your desk {SCRIPT}",
        "author": prompt.story.author.username,
    }


@pytest.mark.parametrize(
    "case", ["unknown", "not_a_uuid", "not_add_yours", "blocked", "expired", "friends_only"]
)
def test_add_yours_the_person_may_not_continue_is_a_404(client, me, case):
    if case == "unknown":
        sticker_id = str(uuid.uuid4())
    elif case == "not_a_uuid":
        sticker_id = "nope"
    elif case == "not_add_yours":
        sticker_id = str(PollStickerFactory().pk)
    elif case == "blocked":
        prompt = AddYoursStickerFactory()
        BlockFactory(blocker=prompt.story.author, blocked=me)
        sticker_id = str(prompt.pk)
    elif case == "expired":
        story = ReadyStoryFactory(expires_at=timezone.now() - timedelta(minutes=1))
        sticker_id = str(AddYoursStickerFactory(story=story).pk)
    else:
        story = ReadyStoryFactory(audience="friends")
        sticker_id = str(AddYoursStickerFactory(story=story).pk)
    response = client.get(URL, {"add_yours": sticker_id})
    assert response.status_code == 404


def test_answer_shows_the_question_and_sends_its_id(client, me):
    sticker = QuestionStickerFactory(story=ReadyStoryFactory(author=me), data={"prompt": "Ask me anything"})
    asker = UserFactory(display_name="Curious Cat")
    question = QuestionFactory(sticker=sticker, author=asker, text=f"Favourite book? {SCRIPT}")
    response = client.get(URL, {"answer": str(question.pk)})
    assert response.status_code == 200
    html = response.text
    assert "Favourite book? &lt;script&gt;" in html
    assert SCRIPT not in html
    assert f'name="answer" value="{question.pk}"' in html
    context = editor_context(response)
    # No asker: the preview's card is the posted story's card, which says "Question" (issue 19).
    assert context["answer"] == {
        "id": str(question.pk),
        "text": f"Favourite book? {SCRIPT}",
        "prompt": "Ask me anything",
    }
    assert context["me"] == me.username


def test_someone_elses_question_is_a_404(client, me):
    question = QuestionFactory()  # sent to another person's sticker
    assert client.get(URL, {"answer": str(question.pk)}).status_code == 404
    assert client.get(URL, {"answer": "not-an-id"}).status_code == 404
    assert client.get(URL, {"answer": str(uuid.uuid4())}).status_code == 404


def test_an_answered_question_is_left_out_with_a_note(client, me):
    sticker = QuestionStickerFactory(story=ReadyStoryFactory(author=me))
    question = QuestionFactory(sticker=sticker)
    Question.objects.filter(pk=question.pk).update(answered_story=ReadyStoryFactory(author=me))
    response = client.get(URL, {"answer": str(question.pk)})
    assert response.status_code == 200
    assert editor_context(response)["answer"] is None
    assert 'name="answer"' not in response.text
    assert "You already answered this question" in response.text
