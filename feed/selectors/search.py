"""Discovery reads: search (people, sounds, hashtags), a hashtag's stories and a sound's stories.

Only what the viewer may see, through the rules that already exist: people through
`accounts.selectors.people_visible` (active, not suspended, no block either way), stories through
`stories.selectors.stories_visible` (the one visibility gate), sounds through
`stories.services.sounds_available` (published, or lifted from a story the viewer may watch) and
never a sound of someone the viewer may not see. A hashtag counts, and is found at all, only over
the stories the viewer may see: a tag used only on followers-only stories stays unknown to others.

Matching: a prefix or substring of the name, case-insensitive, everywhere. On PostgreSQL also
near misses ("margret" finds "margaret"): pg_trgm similarity and word similarity on
UPPER(column), the expression the GIN indexes of migration stories/0004 cover (the same one
Django's istartswith/icontains write), so one index per column serves both. SQLite has no
trigrams and keeps the plain matches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Upper

from accounts import selectors as people
from accounts.models import User
from stories import captions
from stories import selectors as stories
from stories.models import Hashtag, Sound, Story, StoryHashtag
from stories.services import sounds_available
from stories_site import cursors
from stories_site.errors import Invalid

from .viewer_state import FeedPage, page_size_clamp, stories_with_viewer_state

Viewer = people.Viewer

MAX_QUERY_LENGTH = 100
RESULTS_PER_KIND = 10
TYPO_MIN_LENGTH = 3  # shorter queries share too few trigrams with anything to mean a near miss

QUERY_REQUIRED = "Type something to search for."
QUERY_TOO_LONG = f"Keep the search to {MAX_QUERY_LENGTH} characters."


def search_query_clean(*, raw: str | None) -> str:
    """The text to look for: trimmed, without a leading "#" or "@" (searching "#cats" or "@ann"
    means the name), control characters refused (no name holds one; PostgreSQL refuses a NUL).
    A search that cannot run is Invalid, by the parameter's name (the API answers 400, errors.q)."""
    query = " ".join((raw or "").split())
    if len(query) > MAX_QUERY_LENGTH:
        raise Invalid({"q": [QUERY_TOO_LONG]})
    query = query.lstrip("#@").strip()
    if not query or any(unicodedata.category(char) == "Cc" for char in query):
        raise Invalid({"q": [QUERY_REQUIRED]})
    return query


def typo_tolerant() -> bool:
    """Trigram matching needs PostgreSQL (pg_trgm, made by migration stories/0004)."""
    return connection.vendor == "postgresql"


def _matching(rows: QuerySet, fields: list[str], query: str, then: tuple[str, ...] = ()) -> QuerySet:
    """Rows whose fields contain the query (or nearly do, on PostgreSQL): prefix matches first,
    then the closest, then by `then`, then by the first field."""
    plain = reduce(or_, [Q(**{f"{name}__icontains": query}) for name in fields])
    prefix = reduce(or_, [Q(**{f"{name}__istartswith": query}) for name in fields])
    rows = rows.annotate(
        is_prefix=Case(When(prefix, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    if not typo_tolerant() or len(query) < TYPO_MIN_LENGTH:
        return rows.filter(plain).order_by("is_prefix", *then, fields[0])
    upper = Upper(Value(query))
    near = [TrigramSimilar(Upper(name), upper) for name in fields]
    near += [TrigramWordSimilar(Upper(name), upper) for name in fields]
    scores = [TrigramSimilarity(Upper(name), upper) for name in fields]
    scores += [TrigramWordSimilarity(upper, Upper(name)) for name in fields]
    return (
        rows.filter(reduce(or_, [plain, *(Q(lookup) for lookup in near)]))
        .annotate(closeness=Greatest(*scores))
        .order_by("is_prefix", "-closeness", *then, fields[0])
    )


def search_people(*, query: str, viewer: Viewer, limit: int = RESULTS_PER_KIND) -> list[User]:
    """People by username or display name, among those the viewer may see."""
    return list(_matching(people.people_visible(viewer=viewer), ["username", "display_name"], query)[:limit])


def visible_sounds(*, viewer: Viewer) -> QuerySet[Sound]:
    """Sounds the viewer may hear and whose owner (if any) they may see."""
    owners = people.people_visible(viewer=viewer).values("pk")
    return sounds_available(viewer=viewer).filter(Q(owner__isnull=True) | Q(owner__in=owners))


def search_sounds(*, query: str, viewer: Viewer, limit: int = RESULTS_PER_KIND) -> list[Sound]:
    rows = _matching(visible_sounds(viewer=viewer).select_related("owner"), ["title"], query)
    return list(rows[:limit])


@dataclass(frozen=True)
class HashtagCount:
    tag: str
    story_count: int


def visible_story_count(*, viewer: Viewer) -> Coalesce:
    """An annotation for Hashtag rows: how many of its stories the viewer may see now."""
    counts = (
        StoryHashtag.objects.filter(
            hashtag=OuterRef("pk"), story__in=stories.stories_visible(viewer=viewer).values("pk")
        )
        .order_by()
        .values("hashtag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def search_hashtags(*, query: str, viewer: Viewer, limit: int = RESULTS_PER_KIND) -> list[HashtagCount]:
    """Tags with at least one story the viewer may see, most used (by those stories) first
    after the prefix matches."""
    counted = Hashtag.objects.annotate(story_count=visible_story_count(viewer=viewer)).filter(
        story_count__gt=0
    )
    rows = _matching(counted, ["name"], query.lower(), then=("-story_count",))
    return [HashtagCount(row.name, row.story_count) for row in rows[:limit]]


@dataclass(frozen=True)
class SearchResults:
    query: str
    people: list[User]
    sounds: list[Sound]
    hashtags: list[HashtagCount]


def search(*, raw_query: str | None, viewer: Viewer, limit: int = RESULTS_PER_KIND) -> SearchResults:
    """Everything the search page and API show; raises Invalid for an empty or long query."""
    query = search_query_clean(raw=raw_query)
    return SearchResults(
        query=query,
        people=search_people(query=query, viewer=viewer, limit=limit),
        sounds=search_sounds(query=query, viewer=viewer, limit=limit),
        hashtags=search_hashtags(query=query, viewer=viewer, limit=limit),
    )


# --- A hashtag's and a sound's live stories, newest first ---------------------------------------


def hashtag_count(*, tag: str, viewer: Viewer) -> int:
    """How many live stories with this tag the viewer may see."""
    return stories.stories_visible(viewer=viewer).filter(story_hashtags__hashtag__name=tag).count()


def visible_sound(*, viewer: Viewer, sound_id) -> Sound | None:
    """A sound the viewer may open (its page, its stories), or None (a 404)."""
    return visible_sounds(viewer=viewer).select_related("owner").filter(pk=sound_id).first()


# (published, id) of the last story passed, newest first.
HASHTAG_CURSOR = cursors.CursorType("hashtag", p=cursors.row(cursors.MOMENT, cursors.UUID))
SOUND_CURSOR = cursors.CursorType("sound", p=cursors.row(cursors.MOMENT, cursors.UUID))


def _newest_first(
    rows: QuerySet[Story],
    viewer: Viewer,
    cursor_type: cursors.CursorType,
    cursor: str | None,
    size: int | None,
) -> FeedPage:
    """One page of `rows` (visible stories), newest first, cut by a cursor of `cursor_type`."""
    size = page_size_clamp(size=size)
    state = cursor_type.decode(cursor)
    if state is not None:
        published, pk = state["p"]
        rows = rows.filter(Q(published_at__lt=published) | Q(published_at=published, pk__lt=pk))
    rows = stories_with_viewer_state(
        queryset=rows.select_related("author", "sound", "sound__owner"), viewer=viewer
    )
    page = list(rows.order_by("-published_at", "-pk")[: size + 1])
    next_cursor = None
    if len(page) > size:
        page = page[:size]
        last = page[-1]
        next_cursor = cursor_type.encode(p=(last.published_at, last.pk))
    return FeedPage(page, next_cursor)


def hashtag_stories_page(
    *, viewer: Viewer, tag: str, cursor: str | None = None, size: int | None = None
) -> FeedPage:
    """Live stories whose caption has #tag, that the viewer may see, newest first. A tag that is
    not one (captions.normalize_tag) has no stories."""
    tag = captions.normalize_tag(tag) or ""
    rows = stories.stories_visible(viewer=viewer).filter(story_hashtags__hashtag__name=tag)
    return _newest_first(rows, viewer, HASHTAG_CURSOR, cursor, size)


def sound_stories_page(
    *, viewer: Viewer, sound: Sound, cursor: str | None = None, size: int | None = None
) -> FeedPage:
    """Live stories that use the sound, that the viewer may see, newest first."""
    rows = stories.stories_visible(viewer=viewer).filter(sound=sound)
    return _newest_first(rows, viewer, SOUND_CURSOR, cursor, size)
