"""Stickers travel with the upload: validated with the other fields, saved with the story,
shown to viewers, and mentions told once the story is ready."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from feed.models import Notification
from stickers.models import AddYoursResponse, Sticker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author():
    return UserFactory()


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(api, path, **fields):
    with path.open("rb") as handle:
        return api.post(reverse("api:story-list"), {"media": handle, **fields}, format="multipart")


def test_photo_with_a_poll_and_a_mention(author, rotated_photo_with_gps):
    friend = UserFactory(username="maya")
    stickers = [
        {"type": "poll", "question": "Tea or coffee?", "options": ["Tea", "Coffee"], "x": 0.5, "y": 0.7},
        {"type": "mention", "username": "maya", "x": 0.3, "y": 0.2},
    ]
    response = post(api_for(author), rotated_photo_with_gps, stickers=json.dumps(stickers))
    assert response.status_code == 201, response.content
    shown = response.json()["stickers"]
    assert [item["type"] for item in shown] == ["poll", "mention"]
    assert shown[0]["question"] == "Tea or coffee?"
    assert shown[0]["options"] == ["Tea", "Coffee"]
    assert (shown[0]["x"], shown[0]["y"]) == (0.5, 0.7)
    assert shown[1]["username"] == "maya"
    assert Notification.objects.filter(recipient=friend, kind="mention").count() == 1

    viewer = api_for(UserFactory())
    poll_id = shown[0]["id"]
    voted = viewer.post(reverse("api:sticker-vote", args=[poll_id]), {"option": 1}, format="json")
    assert voted.status_code == 200, voted.content
    assert voted.json()["counts"] == [0, 1]
    again = viewer.get(reverse("api:story-detail", args=[response.json()["id"]])).json()
    assert again["stickers"][0]["results"]["my_vote"] == 1


@pytest.mark.parametrize(
    ("stickers", "message"),
    [
        ([{"type": "poll", "question": "One?", "options": ["only"]}], "option"),
        ([{"type": "quiz", "question": "Q?", "options": ["a", "b"], "correct": 5}], "correct"),
        ([{"type": "mention", "username": "nobody-here"}], "nobody-here"),
        ([{"type": "laser"}], "type"),
        ("not json", "valid json"),
        ('{"type": "poll"}', "list"),
    ],
)
def test_bad_stickers_are_a_plain_400_and_nothing_is_saved(author, rotated_photo_with_gps, stickers, message):
    raw = stickers if isinstance(stickers, str) else json.dumps(stickers)
    response = post(api_for(author), rotated_photo_with_gps, stickers=raw)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"]["stickers"]).lower()
    assert not Sticker.objects.exists()


def test_add_yours_chain(author, rotated_photo_with_gps, webp_photo):
    prompt_story = post(
        api_for(author),
        rotated_photo_with_gps,
        stickers=json.dumps([{"type": "add_yours", "prompt": "Show your desk"}]),
    ).json()
    prompt_id = prompt_story["stickers"][0]["id"]
    contributor = UserFactory()
    reply = post(api_for(contributor), webp_photo, reply_to_sticker=prompt_id)
    assert reply.status_code == 201, reply.content
    assert AddYoursResponse.objects.filter(sticker_id=prompt_id, story_id=reply.json()["id"]).exists()
    listed = api_for(UserFactory()).get(reverse("api:sticker-responses", args=[prompt_id])).json()
    assert [item["id"] for item in listed["results"]] == [reply.json()["id"]]
    assert Notification.objects.filter(recipient=author).exists()


def test_unknown_add_yours_prompt_is_refused(author, rotated_photo_with_gps):
    response = post(api_for(author), rotated_photo_with_gps, reply_to_sticker="not-an-id")
    assert response.status_code == 400
    assert "reply_to_sticker" in response.json()["errors"]


def test_a_story_answering_a_question_shows_the_question(author, rotated_photo_with_gps, webp_photo):
    asked = post(
        api_for(author),
        rotated_photo_with_gps,
        stickers=json.dumps([{"type": "question", "prompt": "Ask me"}]),
    ).json()
    fan = api_for(UserFactory())
    sent = fan.post(
        reverse("api:sticker-questions", args=[asked["stickers"][0]["id"]]), {"text": "Best run?"}
    )
    assert sent.status_code == 201, sent.content
    question_id = sent.json()["id"]
    answer = post(api_for(author), webp_photo, answer=question_id)
    assert answer.status_code == 201, answer.content
    seen_by_fan = fan.get(reverse("api:story-detail", args=[answer.json()["id"]])).json()
    cards = [item for item in seen_by_fan["stickers"] if item["type"] == "answer"]
    assert [card["text"] for card in cards] == ["Best run?"]
    assert "fan" not in json.dumps(cards)  # who asked is not shown
