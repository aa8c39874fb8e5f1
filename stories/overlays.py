"""Text overlays are data, not pixels: the player draws them over the media at any screen size,
so they stay selectable and readable by screen readers. This module says what a valid one is."""

from __future__ import annotations

import math
import re
from typing import Any

from stories_site.errors import Invalid

FONTS = {
    "classic": "Classic",
    "typewriter": "Typewriter",
    "serif": "Serif",
    "strong": "Strong",
    "neon": "Neon",
}
MAX_OVERLAYS = 10
MAX_TEXT_LENGTH = 200
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _number(value: Any, name: str, low: float, high: float, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"Overlay {name} must be a number.")
    if not low <= value <= high:
        raise Invalid(f"Overlay {name} must be between {low:g} and {high:g}.")
    return float(value)


def _colour(value: Any, name: str, default: str | None) -> str | None:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise Invalid(f"Overlay {name} must be a colour like #ffffff.")
    return value.lower()


def overlays_clean(*, raw: Any) -> list[dict[str, Any]]:
    """Validate and normalise a list of text overlays; positions are fractions of the frame."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise Invalid("Overlays must be a list.")
    if len(raw) > MAX_OVERLAYS:
        raise Invalid(f"A story can have at most {MAX_OVERLAYS} text overlays.")
    cleaned = []
    for item in raw:
        if not isinstance(item, dict):
            raise Invalid("Each overlay must be an object.")
        kind = item.get("type", "text")
        if kind != "text":
            raise Invalid("Overlays are text; put polls, questions and the like in stickers.")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Invalid("A text overlay needs some text.")
        if len(text) > MAX_TEXT_LENGTH:
            raise Invalid(f"Overlay text can be at most {MAX_TEXT_LENGTH} characters.")
        font = item.get("font") or "classic"
        if not isinstance(font, str) or font not in FONTS:  # a list or an object is not a font name
            raise Invalid(f"Unknown font. Choose one of: {', '.join(FONTS)}.")
        cleaned.append(
            {
                "type": "text",
                "text": text.strip(),
                "font": font,
                "color": _colour(item.get("color"), "color", "#ffffff"),
                "background": _colour(item.get("background"), "background", None),
                "x": _number(item.get("x"), "x", 0, 1, 0.5),
                "y": _number(item.get("y"), "y", 0, 1, 0.5),
                "size": _number(item.get("size"), "size", 0.02, 0.2, 0.06),
                "rotation": _number(item.get("rotation"), "rotation", -180, 180, 0),
            }
        )
    return cleaned
