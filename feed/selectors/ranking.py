"""For You: the hot score (docs/ranking.md) and the ranked, cursor-paged feed built on it."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Ln
from django.utils import timezone

from accounts import selectors as people
from accounts.models import Follow, User
from stories import selectors as stories
from stories.models import Story
from stories_site import compiled, cursors

from ..models import Affinity
from ..view_buffer import view_buffer_settle
from .viewer_state import FeedPage, page_size_clamp, page_stories, seen_expression

Viewer = people.Viewer


# --- The score (docs/ranking.md) -------------------------------------------------------------
# hot = ln(1 + likes + 2 comments + 3 shares) + (published_at - HOT_EPOCH) / HOT_TAU
# The PostgreSQL function `feed_hot` (migration 0002) computes the same; keep them equal.
LIKE_WEIGHT, COMMENT_WEIGHT, SHARE_WEIGHT = 1, 2, 3
HOT_EPOCH = 1_700_000_000  # seconds; only keeps the numbers small
HOT_TAU = 4 * 3600.0  # seconds for engagement to count e (2.7) times less
FOLLOW_BOOST = 1.5  # following the author is worth 6 hours of freshness
LIKE_BOOST = 0.5  # times ln(1 + likes the viewer gave the author)
COMMENT_BOOST = 0.7  # times ln(1 + comments the viewer wrote on the author's stories)
MAX_BOOST = 3.0
MAX_RUN = 3  # at most this many consecutive For You items by one author

MAX_EXCLUDED = 60  # items pulled forward past the cursor that a For You cursor remembers

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def hot_score(*, likes: int, comments: int, shares: int, published_at: datetime | None) -> float:
    """The time-independent part of the score: decayed engagement, in log units. Ordering by
    it is ordering by engagement x exp(-age / HOT_TAU) at any reference time."""
    engagement = 1 + LIKE_WEIGHT * likes + COMMENT_WEIGHT * comments + SHARE_WEIGHT * shares
    published = (published_at or _EPOCH).timestamp()
    return math.log(engagement) + (published - HOT_EPOCH) / HOT_TAU


def sqlite_hot(likes: int, comments: int, shares: int, published: str | None) -> float:
    """`feed_hot` for SQLite, registered on each connection (feed/apps.py)."""
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    return hot_score(likes=likes or 0, comments=comments or 0, shares=shares or 0, published_at=when)


class Hot(Func):
    """`feed_hot(like_count, comment_count, share_count, published_at)` on the story row: on
    PostgreSQL the immutable function the `feed_story_hot` index is built on."""

    function = "feed_hot"
    output_field = FloatField()

    def __init__(self, **extra: Any) -> None:
        super().__init__(F("like_count"), F("comment_count"), F("share_count"), F("published_at"), **extra)


def _affinity_boost(viewer: User) -> Least:
    """The viewer's affinity to the row's author, in the same log units as `hot`."""
    follows = Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id")))
    affinity = Affinity.objects.filter(user=viewer, author=OuterRef("author_id"))
    likes = Cast(Coalesce(Subquery(affinity.values("likes")[:1]), 0), FloatField())
    comments = Cast(Coalesce(Subquery(affinity.values("comments")[:1]), 0), FloatField())
    return Least(
        Case(When(follows, then=Value(FOLLOW_BOOST)), default=Value(0.0), output_field=FloatField())
        + Value(LIKE_BOOST) * Ln(Value(1.0) + likes)
        + Value(COMMENT_BOOST) * Ln(Value(1.0) + comments),
        Value(MAX_BOOST),
        output_field=FloatField(),
    )


def followed_ids(*, viewer: User) -> QuerySet:
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _engaged_ids(viewer: User) -> QuerySet:
    return Affinity.objects.filter(user=viewer).values("author_id")


# --- For You -------------------------------------------------------------------------------------


FOR_YOU_CURSOR = cursors.CursorType(
    "for-you",
    t=cursors.MOMENT,  # the reference time: "seen" means seen before it, for the whole scroll
    p=cursors.row(cursors.whole(0, 1), cursors.SCORE, cursors.UUID).optional(),  # the last item passed
    x=cursors.uuids(MAX_EXCLUDED),  # items shown early, out of order (the author cap)
    a=cursors.whole().optional(),  # the author of the run of items the page ended on
    r=cursors.whole(0).optional(0),  # and its length
)


@dataclass(frozen=True)
class _ForYouCursor:
    reference: datetime  # "seen" means seen before this, for the whole scroll
    position: tuple[int, float, uuid.UUID] | None  # (segment, score, id) of the last item passed
    excluded: tuple[uuid.UUID, ...] = ()  # items shown early, out of order (the author cap)
    run_author: int | None = None
    run_length: int = 0

    def encode(self) -> str:
        return FOR_YOU_CURSOR.encode(
            t=self.reference, p=self.position, x=self.excluded, a=self.run_author, r=self.run_length
        )

    @classmethod
    def decode(cls, cursor: str | None) -> _ForYouCursor:
        values = FOR_YOU_CURSOR.decode(cursor)
        if values is None:
            return cls(reference=timezone.now(), position=None)
        return cls(values["t"], values["p"], values["x"], values["a"], values["r"])


def _after(position: tuple[int, float, uuid.UUID], segment: int | None) -> Q | None:
    """Rows after `position` in (segment asc, score desc, id desc) order. For a branch whose
    segment is the constant `segment`, None means "the whole branch is before the cursor"."""
    cursor_segment, score, pk = position
    same = Q(score__lte=score) & (Q(score__lt=score) | Q(score=score, pk__lt=pk))
    if segment is None:
        return Q(segment__gt=cursor_segment) | (Q(segment=cursor_segment) & same)
    if segment < cursor_segment:
        return None
    return Q() if segment > cursor_segment else same


def _branches(viewer: Viewer, cursor: _ForYouCursor) -> list[tuple[QuerySet[Story], Any, Any, int | None]]:
    """The For You candidates as disjoint branches, each walked on its own index in (score
    desc, id desc) order: (rows, segment, score, the branch's segment where it is constant).
    The segment is 0 for unseen, 1 for seen; the score is the hot score, plus the viewer's
    affinity to the author for the people they relate to (docs/ranking.md)."""
    visible = stories.stories_visible(viewer=viewer)
    if cursor.excluded:
        visible = visible.exclude(pk__in=cursor.excluded)
    unseen_segment, seen_segment = (
        Value(0, output_field=IntegerField()),
        Value(1, output_field=IntegerField()),
    )
    if not people.viewer_authenticated(viewer=viewer):
        return [(visible, unseen_segment, Hot(), 0)]
    visible = visible.exclude(author=viewer)
    seen = seen_expression(viewer=viewer, before=cursor.reference)
    # The people the viewer relates to are few, so every one of their items is scored in full.
    # One IN over a UNION (not OR-ed INs) lets the database start from those people and the
    # (author, state, published_at) index, never from every live story.
    related = followed_ids(viewer=viewer).union(_engaged_ids(viewer))
    segment = Case(When(seen, then=Value(1)), default=Value(0), output_field=IntegerField())
    personal = (visible.filter(author_id__in=related), segment, Hot() + _affinity_boost(viewer), None)
    # Everyone else: the unseen ones walked from the hot index, the seen ones found from the
    # viewer's own views (few).
    others = visible.exclude(author_id__in=related)
    unseen = (others.filter(~seen), unseen_segment, Hot(), 0)
    seen_others = (others.filter(seen), seen_segment, Hot(), 1)
    return [personal, unseen, seen_others]


_COLUMNS = ("pk", "author_id", "segment", "score")
_ORDER = ("segment", "-score", "-pk")


def _for_you_query(viewer: Viewer, cursor: _ForYouCursor, limit: int) -> QuerySet | None:
    """One statement: the next `limit` candidates (pk, author_id, segment, score), in order.

    Each branch takes its best `limit` rows past the cursor (ORDER BY score LIMIT: an index
    walk), and the branches meet in one UNION ALL ordered by (segment, score desc, id desc).
    SQLite allows no ORDER BY or LIMIT on a part of a UNION, so there each part is the stories
    whose id is among the branch's best, scored again: the same rows, by primary key."""
    own_order_and_limit = connection.features.supports_slicing_ordering_in_compound
    parts = []
    for rows, segment, score, constant_segment in _branches(viewer, cursor):
        rows = rows.annotate(segment=segment, score=score)
        if cursor.position is not None:
            condition = _after(cursor.position, constant_segment)
            if condition is None:
                continue  # the whole branch is before the cursor
            rows = rows.filter(condition)
        best = rows.order_by(F("score").desc(), F("pk").desc())
        if own_order_and_limit:
            part = best.values_list(*_COLUMNS)[:limit]
        else:
            best_ids = best.values("pk")[:limit]
            part = Story.objects.filter(pk__in=best_ids).annotate(segment=segment, score=score).order_by()
            part = part.values_list(*_COLUMNS)
        parts.append((rows, part))
    if not parts:
        return None
    if len(parts) == 1:
        rows, _ = parts[0]
        return rows.order_by(*_ORDER).values_list(*_COLUMNS)[:limit]
    first, *rest = (part for _, part in parts)
    return first.union(*rest, all=True).order_by(*_ORDER)[:limit]


@dataclass(frozen=True)
class _Candidate:
    pk: uuid.UUID
    author_id: int
    segment: int
    score: float


def _for_you_candidates(viewer: Viewer, cursor: _ForYouCursor, limit: int) -> list[_Candidate]:
    """`_for_you_query`, compiled once per shape (stories_site/compiled.py): the shape is whether the viewer
    is signed in, the cursor's segment, how many items it excludes and the limit; the viewer,
    the times and the cursor's score and id are the values."""
    signed_in = people.viewer_authenticated(viewer=viewer)
    position = cursor.position
    shape = ("for-you", signed_in, None if position is None else position[0], len(cursor.excluded), limit)

    def build(slots: compiled.Slots) -> QuerySet | None:
        stand_in = _ForYouCursor(
            reference=slots.moment("t") if signed_in else None,  # "seen" is for the signed in
            position=None if position is None else (position[0], slots.number("score"), slots.uuid("pk")),
            excluded=tuple(slots.uuids("x", len(cursor.excluded))),
        )
        return _for_you_query(slots.viewer() if signed_in else viewer, stand_in, limit)

    query = compiled.query_compiled(key=shape, build=build)
    if query is None:
        return []
    values = {"viewer": getattr(viewer, "pk", None), "t": cursor.reference, compiled.NOW: timezone.now()}
    if position is not None:
        values.update(score=position[1], pk=position[2])
    values.update(compiled.listed("x", cursor.excluded))
    rows = query.tuples(values)
    return [_Candidate(pk, author, int(segment), float(score)) for pk, author, segment, score in rows]


def _arrange(
    candidates: list[_Candidate], size: int, run_author: int | None, run_length: int
) -> tuple[list[int], int | None, int]:
    """Indexes of `candidates` to show, in order: best first, but never more than MAX_RUN in a
    row by one author while someone else's item is within reach (it is pulled forward)."""
    pending = list(range(len(candidates)))
    chosen: list[int] = []
    while pending and len(chosen) < size:
        pick = next(
            (
                slot
                for slot, index in enumerate(pending)
                if candidates[index].author_id != run_author or run_length < MAX_RUN
            ),
            0,  # only the same author is left within reach: show it rather than nothing
        )
        index = pending.pop(pick)
        chosen.append(index)
        author = candidates[index].author_id
        run_length = run_length + 1 if author == run_author else 1
        run_author = author
    return chosen, run_author, run_length


def for_you_page(*, viewer: Viewer, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """Ranked live stories the viewer may see (not their own): unseen before seen, then by
    score = hot + affinity (docs/ranking.md), at most MAX_RUN in a row per author."""
    size = page_size_clamp(size=size)
    if cursor is None:  # later pages keep the first one's idea of seen
        view_buffer_settle(viewer=viewer)
    state = _ForYouCursor.decode(cursor)
    lookahead = max(size, 10)
    candidates = _for_you_candidates(viewer, state, size + lookahead)
    chosen, run_author, run_length = _arrange(candidates, size, state.run_author, state.run_length)
    shown = set(chosen)
    first_pending = next((i for i in range(len(candidates)) if i not in shown), None)
    next_cursor = None
    if first_pending is not None:
        # Everything before the first item not shown is behind us; items shown early (pulled
        # forward past it) are remembered so the next page skips them.
        position = state.position
        if first_pending > 0:
            last = candidates[first_pending - 1]
            position = (last.segment, last.score, last.pk)
        early = [candidates[i].pk for i in chosen if i > first_pending]
        excluded = (*state.excluded, *early)[-MAX_EXCLUDED:]
        next_cursor = _ForYouCursor(
            state.reference, position, tuple(excluded), run_author, run_length
        ).encode()
    items = page_stories(viewer=viewer, ids=[candidates[i].pk for i in chosen])
    return FeedPage(items, next_cursor)
