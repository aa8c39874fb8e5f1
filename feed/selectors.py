"""Reads for the home page and the feeds: For You, Following, the story tray, comments, and the
viewer's own state on stories (liked, seen). docs/ranking.md explains the For You score.

Every read starts from `stories.selectors.visible_stories(viewer)`, so blocks, suspensions, the
audience and the 24 hours hold here as everywhere. Pages are cut by cursors, never OFFSET, and
each costs the same few queries whatever its size and however much data there is:

* For You: one ranked query (the viewer's own authors scored in full, everyone else walked from
  an index on the time-independent "hot" score) and one for the page's stories with authors.
* Following: one query; window functions rank the followed accounts' live items by author
  in the database, which returns only the page.
* Tray: one query for the authors the viewer already relates to (self, follows, people whose
  items they watched), one index walk for everyone else, one for those authors' items.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast, Coalesce, FirstValue, Least, Ln, RowNumber
from django.utils import timezone

from accounts import selectors as people
from accounts.models import Follow, User
from stories import selectors as stories
from stories.models import Story
from stories_site import cursors

from .models import Affinity, Comment, Like, StoryView

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

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_EXCLUDED = 60  # items pulled forward past the cursor that a For You cursor remembers

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def hot_score(likes: int, comments: int, shares: int, published_at: datetime | None) -> float:
    """The time-independent part of the score: decayed engagement, in log units. Ordering by
    it is ordering by engagement x exp(-age / HOT_TAU) at any reference time."""
    engagement = 1 + LIKE_WEIGHT * likes + COMMENT_WEIGHT * comments + SHARE_WEIGHT * shares
    published = (published_at or _EPOCH).timestamp()
    return math.log(engagement) + (published - HOT_EPOCH) / HOT_TAU


def sqlite_hot(likes: int, comments: int, shares: int, published: str | None) -> float:
    """`feed_hot` for SQLite, registered on each connection (feed/apps.py)."""
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    return hot_score(likes or 0, comments or 0, shares or 0, when)


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


def _followed_ids(viewer: User) -> QuerySet:
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _engaged_ids(viewer: User) -> QuerySet:
    return Affinity.objects.filter(user=viewer).values("author_id")


# --- The viewer's state on stories -------------------------------------------------------------


def seen_expression(viewer: Viewer, before: datetime | None = None) -> Exists | Value:
    """True where the viewer saw the row's story (at or before `before`, when given)."""
    if not people.is_authenticated(viewer):
        return Value(False)
    views = StoryView.objects.filter(viewer=viewer, story=OuterRef("pk"))
    if before is not None:
        views = views.filter(first_seen_at__lte=before)
    return Exists(views)


def with_viewer_state(queryset: QuerySet[Story], viewer: Viewer) -> QuerySet[Story]:
    """Annotate `liked_by_me`, `seen_by_me` and `visible_comment_count` (the comments
    `comments_for` lists to this viewer) in the same query (no query per story)."""
    comments = visible_comment_count(viewer)
    if not people.is_authenticated(viewer):
        return queryset.annotate(
            liked_by_me=Value(False), seen_by_me=Value(False), visible_comment_count=comments
        )
    return queryset.annotate(
        liked_by_me=Exists(Like.objects.filter(user=viewer, story=OuterRef("pk"))),
        seen_by_me=seen_expression(viewer),
        visible_comment_count=comments,
    )


def story_fully_seen(author: User, viewer: Viewer) -> bool:
    """Whether the viewer has seen every live item of the author's Story: the ring dims then."""
    if not people.is_authenticated(viewer):
        return False
    unseen = stories.author_story(author, viewer).filter(~seen_expression(viewer))
    return not unseen.exists()


def visible_story(viewer: Viewer, story_id: Any) -> Story | None:
    """A story the viewer may see and engage with (live, audience, blocks), or None (a 404)."""
    return stories.visible_stories(viewer).select_related("author").filter(pk=story_id).first()


def _page_stories(viewer: Viewer, ids: list[uuid.UUID]) -> list[Story]:
    """The page's stories with authors and the viewer's state, in the given order, one query.
    The ids come from a visible_stories() query of the same request."""
    if not ids:
        return []
    rows = with_viewer_state(Story.objects.filter(pk__in=ids).select_related("author", "sound"), viewer)
    by_id = {story.pk: story for story in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- Cursors -------------------------------------------------------------------------------------
# Made and read by the one codec of every API list (stories_site/cursors.py), which checks each
# value's type and range: a tampered cursor is InvalidCursor (400), never an error further down.

InvalidCursor = cursors.InvalidCursor
_micros = cursors.micros


def clamp_page_size(size: int | None) -> int:
    return DEFAULT_PAGE_SIZE if size is None else max(1, min(MAX_PAGE_SIZE, size))


@dataclass
class FeedPage:
    items: list[Story]
    next_cursor: str | None


# --- For You -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ForYouCursor:
    reference: datetime  # "seen" means seen before this, for the whole scroll
    position: tuple[int, float, uuid.UUID] | None  # (segment, score, id) of the last item passed
    excluded: tuple[uuid.UUID, ...] = ()  # items shown early, out of order (the author cap)
    run_author: int | None = None
    run_length: int = 0

    def encode(self) -> str:
        payload: dict[str, Any] = {"t": _micros(self.reference)}
        if self.position:
            segment, score, pk = self.position
            payload["p"] = [segment, repr(score), pk.hex]
        if self.excluded:
            payload["x"] = cursors.pack_uuids(self.excluded)
        if self.run_author is not None:
            payload["a"], payload["r"] = self.run_author, self.run_length
        return cursors.encode("for-you", payload)

    @classmethod
    def decode(cls, cursor: str | None) -> _ForYouCursor:
        payload = cursors.decode(cursor, "for-you")
        if payload is None:
            return cls(reference=timezone.now(), position=None)
        position = None
        if "p" in payload:
            segment, score, pk = cursors.items(payload["p"], 3)
            position = (cursors.integer(segment, 0, 1), cursors.number(score), cursors.uuid_hex(pk))
        run_author = payload.get("a")
        return cls(
            reference=cursors.moment(payload.get("t")),
            position=position,
            excluded=tuple(cursors.uuid_list(payload.get("x"), MAX_EXCLUDED)),
            run_author=cursors.integer(run_author) if run_author is not None else None,
            run_length=cursors.integer(payload.get("r", 0), 0),
        )


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


def _for_you_sql(viewer: Viewer, cursor: _ForYouCursor, limit: int) -> tuple[str, list]:
    """One statement: the next `limit` candidates (id, author_id, segment, score), in order."""
    visible = stories.visible_stories(viewer)
    if cursor.excluded:
        visible = visible.exclude(pk__in=cursor.excluded)
    branches: list[tuple[QuerySet, int | None]] = []
    if people.is_authenticated(viewer):
        visible = visible.exclude(author=viewer)
        seen = seen_expression(viewer, cursor.reference)
        # The people the viewer relates to are few, so every one of their items is scored in
        # full. One IN over a UNION (not OR-ed INs) lets the database start from those people
        # and the (author, state, published_at) index, never from every live story.
        related = _followed_ids(viewer).union(_engaged_ids(viewer))
        personal = visible.filter(author_id__in=related).annotate(
            segment=Case(When(seen, then=Value(1)), default=Value(0), output_field=IntegerField()),
            score=Hot() + _affinity_boost(viewer),
        )
        # Everyone else: the unseen ones walked from the hot index, the seen ones found from
        # the viewer's own views (few).
        others = visible.exclude(author_id__in=related).annotate(score=Hot())
        unseen = others.filter(~seen).annotate(segment=Value(0, output_field=IntegerField()))
        seen_others = others.filter(seen).annotate(segment=Value(1, output_field=IntegerField()))
        branches = [(personal, None), (unseen, 0), (seen_others, 1)]
    else:
        everyone = visible.annotate(score=Hot(), segment=Value(0, output_field=IntegerField()))
        branches = [(everyone, 0)]
    parts, params = [], []
    for number, (queryset, segment) in enumerate(branches):
        if cursor.position is not None:
            condition = _after(cursor.position, segment)
            if condition is None:
                continue
            queryset = queryset.filter(condition)
        queryset = queryset.order_by(F("score").desc(), F("pk").desc()).values_list(
            "pk", "author_id", "segment", "score"
        )[:limit]
        sql, branch_params = queryset.query.sql_with_params()
        # ORM-compiled SQL with its values as parameters; nothing from the request is inlined.
        parts.append(f"SELECT * FROM ({sql}) AS b{number}")  # noqa: S608
        params.extend(branch_params)
    if not parts:
        return "", []
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT u.pk, u.author_id, u.segment, u.score FROM ({union}) AS u "  # noqa: S608
        "ORDER BY u.segment ASC, u.score DESC, u.pk DESC LIMIT %s"
    )
    return sql, [*params, limit]


@dataclass(frozen=True)
class _Candidate:
    pk: uuid.UUID
    author_id: int
    segment: int
    score: float


def _for_you_candidates(viewer: Viewer, cursor: _ForYouCursor, limit: int) -> list[_Candidate]:
    sql, params = _for_you_sql(viewer, cursor, limit)
    if not sql:
        return []
    with connection.cursor() as db:
        db.execute(sql, params)
        rows = db.fetchall()
    return [
        _Candidate(pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)), author, int(seg), float(score))
        for pk, author, seg, score in rows
    ]


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


def for_you_page(viewer: Viewer, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """Ranked live stories the viewer may see (not their own): unseen before seen, then by
    score = hot + affinity (docs/ranking.md), at most MAX_RUN in a row per author."""
    size = clamp_page_size(size)
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
    items = _page_stories(viewer, [candidates[i].pk for i in chosen])
    return FeedPage(items, next_cursor)


def for_you(viewer: Viewer, limit: int = 60) -> list[Story]:
    """The first For You page for the home page."""
    return for_you_page(viewer, None, limit).items


# --- Following -----------------------------------------------------------------------------------


def _following_after(position: tuple) -> Q:
    """Rows after `position` in the Following order (all_seen, -latest, author, published, pk)."""
    all_seen, latest, author_id, published, pk = position
    same_item = Q(published_at=published, pk__gt=pk)
    same_author = Q(author_id=author_id) & (Q(published_at__gt=published) | same_item)
    same_latest = Q(latest=latest) & (Q(author_id__gt=author_id) | same_author)
    return Q(all_seen__gt=all_seen) | (Q(all_seen=all_seen) & (Q(latest__lt=latest) | same_latest))


def following_page(viewer: Viewer, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """Live stories of the accounts the viewer follows: authors with unseen items first, then
    by their latest item; each author's items together, oldest first (the player's order).

    One query: window functions give each row its author's "all seen" and latest item, so the
    database orders and cuts the page and only the page's rows come back, however many people
    the viewer follows."""
    size = clamp_page_size(size)
    if not people.is_authenticated(viewer):
        return FeedPage([], None)
    payload = cursors.decode(cursor, "following")
    reference = cursors.moment(payload.get("t")) if payload else timezone.now()
    after = None
    if payload and "p" in payload:
        all_seen, latest, author_id, published, pk = cursors.items(payload["p"], 5)
        after = (
            cursors.integer(all_seen, 0, 1),
            cursors.moment(latest),
            cursors.integer(author_id),
            cursors.moment(published),
            cursors.uuid_hex(pk),
        )
    by_author = [F("author_id")]
    seen = Case(When(seen_expression(viewer, reference), then=Value(1)), default=Value(0))
    rows = (
        stories.visible_stories(viewer)
        .filter(author_id__in=_followed_ids(viewer))
        .annotate(
            all_seen=Window(Min(seen, output_field=IntegerField()), partition_by=by_author),
            latest=Window(Max("published_at"), partition_by=by_author),
        )
        .select_related("author", "sound")
        .order_by("all_seen", "-latest", "author_id", "published_at", "pk")
    )
    if after is not None:
        rows = rows.filter(_following_after(after))
    page = list(with_viewer_state(rows, viewer)[: size + 1])
    next_cursor = None
    if len(page) > size:
        page = page[:size]
        last = page[-1]
        latest, published = _micros(last.latest), _micros(last.published_at)
        position = [last.all_seen, latest, last.author_id, published, last.pk.hex]
        next_cursor = cursors.encode("following", {"t": _micros(reference), "p": position})
    return FeedPage(page, next_cursor)


def following(viewer: Viewer, limit: int = 60) -> list[Story]:
    """The first Following page for the home page."""
    return following_page(viewer, None, limit).items


# --- The story tray ------------------------------------------------------------------------------

OWN, FOLLOWED_UNSEEN, OTHERS_UNSEEN, SEEN = 0, 1, 2, 3


@dataclass(frozen=True)
class TrayEntry:
    """One ring in the tray: an author whose Story the viewer can watch now."""

    author: User
    has_unseen: bool
    item_count: int
    first_unseen_story_id: uuid.UUID | None
    latest_published_at: datetime
    segment: int = OTHERS_UNSEEN

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.segment, -_micros(self.latest_published_at), -self.author.pk)


@dataclass
class TrayPage:
    entries: list[TrayEntry]
    next_cursor: str | None


def _per_author(items: QuerySet[Story], viewer: Viewer, reference: datetime) -> QuerySet[Story]:
    """One row per author of `items` (their newest item, with the author), carrying what a ring
    needs about all of that author's items: window functions do the folding in the database,
    so a tray page reads one row per ring however many items and people there are."""
    by_author = [F("author_id")]
    unseen = Case(When(seen_expression(viewer, reference), then=Value(0)), default=Value(1))
    return (
        items.annotate(
            item_count=Window(Count("pk"), partition_by=by_author),
            unseen_count=Window(Sum(unseen, output_field=IntegerField()), partition_by=by_author),
            latest=Window(Max("published_at"), partition_by=by_author),
            first_unseen=Window(
                FirstValue("pk"),
                partition_by=by_author,
                order_by=[OrderBy(unseen, descending=True), "published_at", "created_at", "pk"],
            ),
            newest=Window(RowNumber(), partition_by=by_author, order_by=[F("published_at").desc(), "-pk"]),
        )
        .filter(newest=1)
        .select_related("author")
    )


def _entry(row: Story, segment: int) -> TrayEntry:
    return TrayEntry(
        author=row.author,
        has_unseen=row.unseen_count > 0,
        item_count=row.item_count,
        first_unseen_story_id=row.first_unseen if row.unseen_count else None,
        latest_published_at=row.latest,
        segment=segment,
    )


def tray_page(viewer: Viewer, cursor: str | None = None, size: int | None = None) -> TrayPage:
    """Authors with a live story the viewer may see: the viewer first, then authors with unseen
    items (followed ones first), then authors seen in full (a dimmed ring); newest first within
    each group."""
    size = clamp_page_size(size)
    payload = cursors.decode(cursor, "tray")
    reference = cursors.moment(payload.get("t")) if payload else timezone.now()
    after = None
    if payload and "p" in payload:
        segment, latest, author = cursors.items(payload["p"], 3)
        latest = cursors.integer(latest)
        cursors.moment(-latest)  # TrayEntry.key holds the time and the author negated
        after = (cursors.integer(segment, OWN, SEEN), latest, cursors.integer(author))

    visible = stories.visible_stories(viewer)
    entries: list[TrayEntry] = []
    walk = visible
    if people.is_authenticated(viewer):
        # One IN over a UNION (not OR-ed INs): the database starts from these few people.
        watched = StoryView.objects.filter(viewer=viewer).values("story__author_id")
        myself = User.objects.filter(pk=viewer.pk).values("pk")
        known = Q(author_id__in=_followed_ids(viewer).union(watched, myself))
        followed = Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id")))
        for row in _per_author(visible.filter(known), viewer, reference).annotate(followed=followed):
            if row.author_id == viewer.pk:
                segment = OWN
            elif not row.unseen_count:
                segment = SEEN
            else:
                segment = FOLLOWED_UNSEEN if row.followed else OTHERS_UNSEEN
            entries.append(_entry(row, segment))
        walk = visible.exclude(known)

    # Everyone else has nothing seen: walk their newest items from the published_at index,
    # one row per author (their newest item), from the cursor on.
    if after is None or after[0] <= OTHERS_UNSEEN:
        newer = stories.visible_stories(viewer).filter(
            Q(published_at__gt=OuterRef("published_at"))
            | Q(published_at=OuterRef("published_at"), pk__gt=OuterRef("pk")),
            author_id=OuterRef("author_id"),
        )
        walk = walk.filter(~Exists(newer))
        if after is not None and after[0] == OTHERS_UNSEEN:
            latest, author_id = cursors.moment(-after[1]), -after[2]
            walk = walk.filter(published_at__lte=latest).filter(
                Q(published_at__lt=latest) | Q(author_id__lt=author_id)
            )
        heads = list(
            walk.order_by("-published_at", "-author_id").values_list("author_id", flat=True)[: size + 1]
        )
        if heads:
            rows = _per_author(visible.filter(author_id__in=heads), viewer, reference)
            entries += [_entry(row, OTHERS_UNSEEN) for row in rows]

    entries.sort(key=lambda e: e.key)
    if after is not None:
        entries = [e for e in entries if e.key > after]
    page = entries[:size]
    next_cursor = None
    if len(entries) > size:
        next_cursor = cursors.encode("tray", {"t": _micros(reference), "p": list(page[-1].key)})
    return TrayPage(page, next_cursor)


def tray(viewer: Viewer, limit: int = 30) -> list[TrayEntry]:
    """The first tray page for the home page."""
    return tray_page(viewer, None, limit).entries


# --- Comments ------------------------------------------------------------------------------------


def _visible_comments(viewer: Viewer) -> QuerySet[Comment]:
    """Comments by people the viewer may see: the one rule behind the list and its count."""
    return Comment.objects.filter(author__in=people.visible_people(viewer))


def comments_for(story: Story, viewer: Viewer) -> QuerySet[Comment]:
    """A story's comments, oldest first, without people the viewer may not see; none at all when
    the author turned comments off."""
    if not story.allow_comments:
        return Comment.objects.none()
    return _visible_comments(viewer).filter(story=story).select_related("author").order_by("created_at", "id")


def visible_comment_count(viewer: Viewer) -> Coalesce:
    """An annotation: the story row's comments `comments_for` lists to the viewer, so the count
    a story shows agrees with its list after blocks and suspensions (`Story.comment_count`
    counts every comment and stays the ranking's figure)."""
    counts = (
        _visible_comments(viewer)
        .filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def comment_on_visible_story(viewer: Viewer, comment_id: int) -> Comment | None:
    """A comment on a story the viewer may see (else None: a 404), with its story."""
    return (
        Comment.objects.filter(pk=comment_id, story__in=stories.visible_stories(viewer))
        .select_related("story")
        .first()
    )
