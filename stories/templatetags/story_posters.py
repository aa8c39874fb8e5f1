"""`{{ story|poster_srcset }}`: the `srcset` of a story's poster, its WebP renditions by the width
of the 9:16 box each covers (stories/renditions.py). Every width is named whether or not the
story's renditions are made yet: the poster endpoint answers a width it lacks with the poster
itself, so the page needs nothing of the row but its id (and a feed query needs no new column).
`{{ story|poster_size }}`: `width="…" height="…"` for the <img>, so the browser knows the
picture's shape before it arrives. `{% poster_widths %}` and `{{ items|player_start:id }}` serve
the player's first picture (templates/accounts/story.html)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from stories.renditions import RENDITION_WIDTHS

register = template.Library()

# A story's shape when its row does not say (a 1080x1920 portrait clip, the usual one).
DEFAULT_SIZE = (1080, 1920)


@register.filter
def poster_srcset(story) -> str:
    """`story`: a Story, or a story's JSON (the player's items)."""
    url = reverse("stories:poster", args=[story["id"] if isinstance(story, dict) else story.pk])
    return ", ".join(f"{url}?w={width} {width}w" for width in RENDITION_WIDTHS)


@register.simple_tag
def poster_widths() -> str:
    """The rendition widths, for scripts that pick one themselves (the player's next items)."""
    return " ".join(str(width) for width in RENDITION_WIDTHS)


@register.filter
def player_start(items: list[dict], start_item: str = "") -> dict | None:
    """The item the player opens on, as static/js/player.js chooses it (showAuthor): the one
    the address names, else the first the viewer has not seen, else the first."""
    if not items:
        return None
    named = [item for item in items if start_item and str(item.get("id")) == str(start_item)]
    unseen = [item for item in items if not item.get("seen_by_me")]
    return (named or unseen or items)[0]


@register.filter
def poster_size(story) -> SafeString:
    if isinstance(story, dict):
        width, height = story.get("width"), story.get("height")
    else:
        width, height = getattr(story, "width", None), getattr(story, "height", None)
    if not (width and height):
        width, height = DEFAULT_SIZE
    return format_html('width="{}" height="{}"', width, height)
