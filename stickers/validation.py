"""Checking the stickers of an upload: every bad item gets one plain message (the family's
Invalid), good ones come back normalised for `services.stickers_create`. Kept apart from the
services because it is pure input checking, and the create page reads its limits."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from accounts import selectors as people
from accounts.models import User
from stories_site.errors import Invalid

from .models import StickerType

MAX_STICKERS = 10
# Interactive stickers a story may carry once each: two polls on one clip would split the answers.
ONE_EACH = {
    StickerType.POLL: "poll",
    StickerType.QUIZ: "quiz",
    StickerType.QUESTION: "question",
    StickerType.ADD_YOURS: "Add Yours",
}
MIN_OPTIONS, MAX_OPTIONS = 2, 4
MAX_OPTION_LENGTH = 80
MAX_QUESTION_LENGTH = 120  # a poll's or quiz's question, shown on the sticker
MAX_PROMPT_LENGTH = 120
MAX_EMOJI_CODE_POINTS = 16  # the longest family and flag sequences fit; anything longer is text


def _number(value: Any, name: str, low: float, high: float, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"Sticker {name} must be a number.")
    if not low <= value <= high:
        raise Invalid(f"Sticker {name} must be between {low:g} and {high:g}.")
    return float(value)


def _text(value: Any, message: str, limit: int) -> str:
    """Trimmed text of 1..limit characters, else `message`."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise Invalid(message)
    return value.strip()


def _options(item: dict[str, Any], label: str) -> list[str]:
    options = item.get("options")
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise Invalid(f"A {label} needs {MIN_OPTIONS} to {MAX_OPTIONS} options.")
    cleaned = [
        _text(option, f"Each {label} option needs 1 to {MAX_OPTION_LENGTH} characters.", MAX_OPTION_LENGTH)
        for option in options
    ]
    if len({option.casefold() for option in cleaned}) != len(cleaned):
        raise Invalid(f"The {label} options must all be different.")
    return cleaned


def _question(item: dict[str, Any], label: str) -> str:
    return _text(
        item.get("question"),
        f"A {label} needs a question of 1 to {MAX_QUESTION_LENGTH} characters.",
        MAX_QUESTION_LENGTH,
    )


def _prompt(item: dict[str, Any], label: str) -> str:
    return _text(
        item.get("prompt"),
        f"{label} needs a prompt of 1 to {MAX_PROMPT_LENGTH} characters.",
        MAX_PROMPT_LENGTH,
    )


_ZWJ = "\u200d"
_KEYCAP = "\u20e3"
_MODIFIERS = frozenset({"\ufe0e", "\ufe0f", _KEYCAP, *map(chr, range(0x1F3FB, 0x1F400))})
_TAGS = range(0xE0020, 0xE0080)
_REGIONAL = range(0x1F1E6, 0x1F200)


def _is_emoji_base(char: str) -> bool:
    return unicodedata.category(char) == "So" and (ord(char) >= 0x2000 or char in "\u00a9\u00ae")


def emoji_is_single(*, value: str) -> bool:
    """One emoji as people type it: a pictograph with its skin tone, variation selector or keycap,
    pictographs joined into one by zero-width joiners, a flag (two regional letters or a tag
    sequence). Letters, digits on their own, punctuation and markup are not emoji."""
    if not value or len(value) > MAX_EMOJI_CODE_POINTS:
        return False
    if all(ord(char) in _REGIONAL for char in value):
        return len(value) == 2
    if value[0] in "0123456789#*":  # keycaps: 1️⃣, #️⃣
        return value[1:] in (_KEYCAP, "\ufe0f" + _KEYCAP)
    starts = 0
    after_joiner = True
    for index, char in enumerate(value):
        if char == _ZWJ:
            if after_joiner or index == len(value) - 1:
                return False
            after_joiner = True
        elif char in _MODIFIERS or ord(char) in _TAGS:
            if index == 0:
                return False
        elif _is_emoji_base(char) and ord(char) not in _REGIONAL:
            starts += 0 if after_joiner and index else 1
            after_joiner = False
        else:
            return False
    return starts == 1


def _mentioned(item: dict[str, Any], author: User) -> User:
    raw = item.get("username")
    username = raw.strip().lstrip("@") if isinstance(raw, str) else ""
    if not username:
        raise Invalid("A mention needs a username.")
    person = people.people_visible(viewer=author).filter(username__iexact=username).first()
    if person is None:
        raise Invalid(f"No account named @{username[:30]}.")
    if person.pk == author.pk:
        raise Invalid("You cannot mention yourself.")
    return person


def _clean_one(item: Any, author: User) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Invalid("Each sticker must be an object.")
    kind = item.get("type")
    if kind not in StickerType.values:
        raise Invalid(f"Unknown sticker type. Choose one of: {', '.join(StickerType.values)}.")
    mentioned = None
    if kind == StickerType.POLL:
        data = {"question": _question(item, "poll"), "options": _options(item, "poll")}
    elif kind == StickerType.QUIZ:
        data = {"question": _question(item, "quiz"), "options": _options(item, "quiz")}
        correct = item.get("correct")
        if (
            isinstance(correct, bool)
            or not isinstance(correct, int)
            or not 0 <= correct < len(data["options"])
        ):
            raise Invalid(
                f"A quiz needs the index of its correct option, from 0 to {len(data['options']) - 1}."
            )
        data["correct"] = correct
    elif kind == StickerType.QUESTION:
        data = {"prompt": _prompt(item, "A question sticker")}
    elif kind == StickerType.ADD_YOURS:
        data = {"prompt": _prompt(item, "An Add Yours sticker")}
    elif kind == StickerType.MENTION:
        mentioned = _mentioned(item, author)
        data = {"username": mentioned.username}
    else:
        emoji = item.get("emoji")
        if not isinstance(emoji, str) or not emoji_is_single(value=emoji.strip()):
            raise Invalid("An emoji sticker needs exactly one emoji.")
        data = {"emoji": emoji.strip()}
    return {
        "type": kind,
        "data": data,
        "mentioned_id": mentioned.pk if mentioned else None,
        "x": _number(item.get("x"), "x", 0, 1, 0.5),
        "y": _number(item.get("y"), "y", 0, 1, 0.5),
        "scale": _number(item.get("scale"), "scale", 0.3, 3, 1.0),
        "rotation": _number(item.get("rotation"), "rotation", -180, 180, 0.0),
    }


def stickers_clean(*, raw: Any, author: User) -> list[dict[str, Any]]:
    """Check the upload's `stickers` JSON; raises Invalid with one plain message.

    Each cleaned item is `{"type", "data", "mentioned_id", "x", "y", "scale", "rotation"}`, ready
    for `services.stickers_create`. Checking touches the database only to look up mentioned accounts."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise Invalid("Stickers must be a list.")
    if len(raw) > MAX_STICKERS:
        raise Invalid(f"A story can have at most {MAX_STICKERS} stickers.")
    cleaned = [_clean_one(item, author) for item in raw]
    for kind, name in ONE_EACH.items():
        if sum(1 for item in cleaned if item["type"] == kind) > 1:
            raise Invalid(f"A story can have only one {name} sticker.")
    mentioned: set[int] = set()
    for item in cleaned:
        if item["mentioned_id"] in mentioned:
            raise Invalid(f"You already mention @{item['data']['username']} in this story.")
        if item["mentioned_id"] is not None:
            mentioned.add(item["mentioned_id"])
    return cleaned
