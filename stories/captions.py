"""Caption entities: hashtags, @mentions and links, found once when a story is posted.

Parsing happens at upload (`services.story_create`), and the result is stored with the story
(`Story.caption_entities`, plus a `StoryHashtag` row per tag for the hashtag pages and search),
so pages, the API and the player never parse a caption again and all show the same links.

An entity is `{"type": "hashtag" | "mention" | "link", "start", "end", "value"}`: `start` and
`end` index the caption by Unicode code point (Python's `str` indices; in JavaScript,
`Array.from(caption).slice(start, end)`), `caption[start:end]` is the text as written
("#Cats", "@Ann", "https://..."), and `value` is what it means: the tag in lower case without
"#", the person's username as stored (mentions of nobody are not entities), the URL.

Rendering (`caption_html`) escapes every piece of text and builds the few tags itself: a caption
is text, never HTML. Links are only http(s), get `rel="nofollow ugc noopener"`, and are checked
again when drawn, so an entity list that was tampered with cannot smuggle a `javascript:` URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

HASHTAG, MENTION, LINK = "hashtag", "mention", "link"
MAX_TAG_LENGTH = 64
MAX_URL_LENGTH = 2000
MAX_ENTITIES = 50  # a 500-character caption cannot hold more than this many useful ones
LINK_REL = "nofollow ugc noopener"

# A link: http(s):// and everything up to a space; trailing punctuation is the sentence's.
_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_LINK_TRAILING = ".,;:!?)]}'\"…"
# A hashtag: "#" not glued to a word, a "&" (an entity) or another "#", then word characters.
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
# A mention: "@" not glued to a word (so an email address is not one), then a username's
# characters (accounts.models.USERNAME_PATTERN); a sentence's final dot is not part of it.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.]{2,30})(?![A-Za-z0-9_])")


def normalize_tag(raw: str) -> str | None:
    """A tag as stored and addressed (lower case, no "#"), or None when it is not one: word
    characters only, at least one letter, at most MAX_TAG_LENGTH."""
    tag = (raw or "").strip().lstrip("#").lower()
    if not tag or len(tag) > MAX_TAG_LENGTH or not re.fullmatch(r"\w+", tag):
        return None
    if not any(char.isalpha() for char in tag):
        return None
    return tag


def safe_url(url: str) -> bool:
    """Only absolute http(s) URLs with a host are ever made into links."""
    if not url or len(url) > MAX_URL_LENGTH or any(char.isspace() or ord(char) < 32 for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def parse(
    caption: str, *, resolve_mentions: Callable[[list[str]], dict[str, str]] | None = None
) -> list[dict]:
    """The entities of a caption, in order. `resolve_mentions` maps the lower-cased names
    written after "@" to real usernames (one query for all of them); names it leaves out are
    not mentions. Without it, no mentions are found."""
    caption = caption or ""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _LINK.finditer(caption):
        url = match.group(0).rstrip(_LINK_TRAILING)
        # A closing parenthesis belongs to the URL when the URL opened one (Wikipedia links).
        while url.count("(") > url.count(")") and caption[match.start() + len(url) : match.end()].startswith(
            ")"
        ):
            url += ")"
        if safe_url(url):
            start, end = match.start(), match.start() + len(url)
            found.append({"type": LINK, "start": start, "end": end, "value": url})
            taken.append((start, end))
    for match in _HASHTAG.finditer(caption):
        tag = normalize_tag(match.group(1))
        if tag and free(match.start(), match.end()):
            found.append({"type": HASHTAG, "start": match.start(), "end": match.end(), "value": tag})
            taken.append((match.start(), match.end()))
    mentions = []
    for match in _MENTION.finditer(caption):
        name = match.group(1).rstrip(".")
        end = match.start() + 1 + len(name)
        if len(name) >= 2 and free(match.start(), end):
            mentions.append((match.start(), end, name))
    if mentions and resolve_mentions is not None:
        usernames = resolve_mentions(sorted({name.lower() for _, _, name in mentions}))
        for start, end, name in mentions:
            if name.lower() in usernames:
                found.append({"type": MENTION, "start": start, "end": end, "value": usernames[name.lower()]})
    found.sort(key=lambda entity: entity["start"])
    return found[:MAX_ENTITIES]


def hashtags(entities: Iterable[dict]) -> list[str]:
    """The distinct tags of a caption, in the order they first appear."""
    tags: list[str] = []
    for entity in entities or ():
        if entity.get("type") == HASHTAG and entity.get("value") not in tags:
            tags.append(entity["value"])
    return tags


def _valid(entity: Any, caption: str, after: int) -> bool:
    """An entity that can be drawn: well formed, in order, inside the caption."""
    if not isinstance(entity, dict) or entity.get("type") not in (HASHTAG, MENTION, LINK):
        return False
    start, end, value = entity.get("start"), entity.get("end"), entity.get("value")
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(value, str)):
        return False
    if not after <= start < end <= len(caption):
        return False
    if entity["type"] == LINK:
        return caption[start:end] == value and safe_url(value)
    if entity["type"] == HASHTAG:
        return normalize_tag(value) == value
    return re.fullmatch(r"[A-Za-z0-9_.]{2,30}", value) is not None


def _anchor(entity: dict, text: str) -> SafeString:
    kind, value = entity["type"], entity["value"]
    if kind == LINK:
        return format_html('<a class="caption-link" href="{}" rel="{}">{}</a>', value, LINK_REL, text)
    if kind == HASHTAG:
        url = reverse("feed:hashtag", args=[value])
        return format_html('<a class="caption-hashtag" href="{}">{}</a>', url, text)
    url = reverse("accounts:profile", kwargs={"username": value})
    return format_html('<a class="caption-mention" href="{}">{}</a>', url, text)


def caption_html(caption: str, entities: Any, *, links: bool = True) -> SafeString:
    """The caption as HTML: its text escaped, its entities as links (`links=False`: as marked
    spans, for captions inside something that is already a link, such as a feed card)."""
    caption = caption or ""
    parts: list[str] = []
    position = 0
    for entity in entities if isinstance(entities, list) else []:
        if not _valid(entity, caption, position):
            continue
        start, end = entity["start"], entity["end"]
        parts.append(conditional_escape(caption[position:start]))
        text = caption[start:end]
        if links:
            parts.append(_anchor(entity, text))
        else:
            parts.append(format_html('<span class="caption-{}">{}</span>', entity["type"], text))
        position = end
    parts.append(conditional_escape(caption[position:]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every piece escaped above
