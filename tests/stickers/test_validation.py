"""stickers_clean: every bad input gets one plain message; good input comes back normalised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stickers import services, validation
from stickers.models import Sticker
from tests.factories import BlockFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db

POLL = {"type": "poll", "question": "Tea or coffee?", "options": ["Tea", "Coffee"]}
QUIZ = {"type": "quiz", "question": "2 + 2?", "options": ["3", "4"], "correct": 1}


def message(raw, author) -> str:
    with pytest.raises(ValidationError) as caught:
        validation.stickers_clean(raw=raw, author=author)
    return caught.value.messages[0]


@pytest.fixture
def author():
    return UserFactory(username="author")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"type": "poll"}, "Stickers must be a list."),
        ("not json", "Stickers must be a list."),
        ([1], "Each sticker must be an object."),
        ([["poll"]], "Each sticker must be an object."),
        (
            [{"type": "gif"}],
            "Unknown sticker type. Choose one of: poll, quiz, question, add_yours, mention, emoji.",
        ),
        ([{**POLL, "options": ["Only one"]}], "A poll needs 2 to 4 options."),
        ([{**POLL, "options": ["a", "b", "c", "d", "e"]}], "A poll needs 2 to 4 options."),
        ([{**POLL, "options": "Tea, Coffee"}], "A poll needs 2 to 4 options."),
        ([{**POLL, "options": ["Tea", ""]}], "Each poll option needs 1 to 80 characters."),
        ([{**POLL, "options": ["Tea", "   "]}], "Each poll option needs 1 to 80 characters."),
        ([{**POLL, "options": ["Tea", "x" * 81]}], "Each poll option needs 1 to 80 characters."),
        ([{**POLL, "options": ["Tea", 7]}], "Each poll option needs 1 to 80 characters."),
        ([{**POLL, "options": ["Tea", "tea"]}], "The poll options must all be different."),
        ([{**POLL, "question": ""}], "A poll needs a question of 1 to 120 characters."),
        ([{**POLL, "question": "q" * 121}], "A poll needs a question of 1 to 120 characters."),
        (
            [{k: v for k, v in POLL.items() if k != "question"}],
            "A poll needs a question of 1 to 120 characters.",
        ),
        ([{**QUIZ, "options": ["x"]}], "A quiz needs 2 to 4 options."),
        ([{**QUIZ, "correct": 2}], "A quiz needs the index of its correct option, from 0 to 1."),
        ([{**QUIZ, "correct": -1}], "A quiz needs the index of its correct option, from 0 to 1."),
        ([{**QUIZ, "correct": "1"}], "A quiz needs the index of its correct option, from 0 to 1."),
        ([{**QUIZ, "correct": True}], "A quiz needs the index of its correct option, from 0 to 1."),
        ([{**QUIZ, "correct": 1.0}], "A quiz needs the index of its correct option, from 0 to 1."),
        (
            [{k: v for k, v in QUIZ.items() if k != "correct"}],
            "A quiz needs the index of its correct option, from 0 to 1.",
        ),
        ([{"type": "question"}], "A question sticker needs a prompt of 1 to 120 characters."),
        (
            [{"type": "question", "prompt": "p" * 121}],
            "A question sticker needs a prompt of 1 to 120 characters.",
        ),
        (
            [{"type": "add_yours", "prompt": " "}],
            "An Add Yours sticker needs a prompt of 1 to 120 characters.",
        ),
        ([{"type": "mention"}], "A mention needs a username."),
        ([{"type": "mention", "username": "@nobody_here"}], "No account named @nobody_here."),
        ([{"type": "emoji"}], "An emoji sticker needs exactly one emoji."),
        ([{**POLL, "x": 1.5}], "Sticker x must be between 0 and 1."),
        ([{**POLL, "y": -0.1}], "Sticker y must be between 0 and 1."),
        ([{**POLL, "x": "0.5"}], "Sticker x must be a number."),
        ([{**POLL, "x": True}], "Sticker x must be a number."),
        ([{**POLL, "scale": 0.1}], "Sticker scale must be between 0.3 and 3."),
        ([{**POLL, "scale": 4}], "Sticker scale must be between 0.3 and 3."),
        ([{**POLL, "rotation": 181}], "Sticker rotation must be between -180 and 180."),
        ([{**POLL, "rotation": float("nan")}], "Sticker rotation must be a number."),
        ([{**POLL, "scale": float("inf")}], "Sticker scale must be a number."),
        ([{"type": "emoji", "emoji": "🔥"}] * 11, "A story can have at most 10 stickers."),
        ([POLL, POLL], "A story can have only one poll sticker."),
        ([QUIZ, QUIZ], "A story can have only one quiz sticker."),
        ([{"type": "question", "prompt": "a"}] * 2, "A story can have only one question sticker."),
        ([{"type": "add_yours", "prompt": "a"}] * 2, "A story can have only one Add Yours sticker."),
    ],
)
def test_bad_input_gets_a_plain_message(author, raw, expected):
    assert message(raw, author) == expected


@pytest.mark.parametrize(
    "emoji",
    [
        "",
        "a",
        "ab",
        "1",
        ":)",
        "<b>",
        "<script>",
        "🔥🔥",
        "🔥a",
        "\u200d🔥",
        "🔥\u200d",
        "🇫",
        "🇫🇷🇩🇪",
        "©©",
        "x" * 40,
        7,
    ],
)
def test_emoji_must_be_exactly_one(author, emoji):
    assert message([{"type": "emoji", "emoji": emoji}], author) == "An emoji sticker needs exactly one emoji."


@pytest.mark.parametrize("emoji", ["🔥", "❤️", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷", "1️⃣", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "☕", " 🎉 "])
def test_one_emoji_of_any_shape_is_accepted(author, emoji):
    (cleaned,) = validation.stickers_clean(raw=[{"type": "emoji", "emoji": emoji}], author=author)
    assert cleaned["data"] == {"emoji": emoji.strip()}


def test_mentions_refuse_blocked_and_suspended_accounts_like_unknown_ones(author):
    UserFactory(username="blocker")
    BlockFactory(blocker=UserFactory(username="blocker2"), blocked=author)
    BlockFactory(blocker=author, blocked=UserFactory(username="blocked"))
    UserFactory(username="suspended", suspended_until=timezone.now() + timedelta(days=1))
    UserFactory(username="gone", is_active=False)
    for name in ["blocker2", "blocked", "suspended", "gone"]:
        assert message([{"type": "mention", "username": name}], author) == f"No account named @{name}."
    (cleaned,) = validation.stickers_clean(raw=[{"type": "mention", "username": "@Blocker"}], author=author)
    assert cleaned["data"] == {"username": "blocker"}  # the account's own spelling


def test_good_stickers_come_back_normalised(author):
    raw = [
        {
            **POLL,
            "question": "  Tea or coffee?  ",
            "options": [" Tea ", "Coffee"],
            "x": 0.2,
            "y": 1,
            "extra": 1,
        },
        {**QUIZ, "scale": 2, "rotation": -45},
        {"type": "question", "prompt": "Ask me"},
        {"type": "add_yours", "prompt": "Your desk"},
        {"type": "emoji", "emoji": "🔥"},
    ]
    poll, quiz, question, add_yours, emoji = validation.stickers_clean(raw=raw, author=author)
    assert poll == {
        "type": "poll",
        "data": {"question": "Tea or coffee?", "options": ["Tea", "Coffee"]},
        "mentioned_id": None,
        "x": 0.2,
        "y": 1.0,
        "scale": 1.0,
        "rotation": 0.0,
    }
    assert quiz["data"] == {"question": "2 + 2?", "options": ["3", "4"], "correct": 1}
    assert (quiz["scale"], quiz["rotation"]) == (2.0, -45.0)
    assert question["data"] == {"prompt": "Ask me"}
    assert add_yours["data"] == {"prompt": "Your desk"}
    assert emoji["x"] == emoji["y"] == 0.5
    assert validation.stickers_clean(raw=None, author=author) == []
    assert validation.stickers_clean(raw=[], author=author) == []


def test_create_stickers_keeps_the_upload_order_and_the_mentioned_account(author):
    friend = UserFactory(username="friend")
    story = ReadyStoryFactory(author=author)
    cleaned = validation.stickers_clean(
        raw=[{"type": "emoji", "emoji": "🔥"}, {"type": "mention", "username": "friend"}, POLL], author=author
    )
    services.stickers_create(story=story, cleaned=cleaned)
    stickers = list(Sticker.objects.filter(story=story))
    assert [s.type for s in stickers] == ["emoji", "mention", "poll"]
    assert [s.position for s in stickers] == [0, 1, 2]
    assert stickers[1].mentioned == friend
    friend.username = "renamed"
    friend.save()
    assert Sticker.objects.get(pk=stickers[1].pk).mentioned.username == "renamed"


def test_a_story_mentions_other_people_once_each(author):
    """The editor refuses these on the spot; the upload refuses them too, for any client."""
    UserFactory(username="bea")
    mention = {"type": "mention", "username": "bea"}
    assert message([{"type": "mention", "username": "Author"}], author) == "You cannot mention yourself."
    assert message([mention, {**mention, "username": "@BEA"}], author) == (
        "You already mention @bea in this story."
    )
    assert len(validation.stickers_clean(raw=[mention, POLL], author=author)) == 2
