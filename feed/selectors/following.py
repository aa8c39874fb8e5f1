"""Following and the story tray: followed (and related) authors' live items folded per author
in the database with window functions, so only a page's rows reach Python."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import FirstValue, RowNumber
from django.utils import timezone

from accounts import selectors as people
from accounts.models import Follow, User
from stories import selectors as stories
from stories.models import Story
from stories_site import compiled, cursors

from ..models import StoryView
from ..view_buffer import view_buffer_settle
from .ranking import followed_ids
from .viewer_state import FeedPage, page_size_clamp, seen_expression, stories_with_viewer_state

Viewer = people.Viewer


# --- Following -----------------------------------------------------------------------------------


def _following_after(position: tuple) -> Q:
    """Rows after `position` in the Following order (all_seen, -latest, author, published, pk)."""
    all_seen, latest, author_id, published, pk = position
    same_item = Q(published_at=published, pk__gt=pk)
    same_author = Q(author_id=author_id) & (Q(published_at__gt=published) | same_item)
    same_latest = Q(latest=latest) & (Q(author_id__gt=author_id) | same_author)
    return Q(all_seen__gt=all_seen) | (Q(all_seen=all_seen) & (Q(latest__lt=latest) | same_latest))


# (all seen, latest item, author, published, id) of the last row passed, in the Following order.
FOLLOWING_CURSOR = cursors.CursorType(
    "following",
    t=cursors.MOMENT,  # the reference time: "seen" means seen before it, for the whole scroll
    p=cursors.row(
        cursors.whole(0, 1), cursors.MOMENT, cursors.whole(), cursors.MOMENT, cursors.UUID
    ).optional(),
)


def following_page(*, viewer: Viewer, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """Live stories of the accounts the viewer follows: authors with unseen items first, then
    by their latest item; each author's items together, oldest first (the player's order).

    One query: window functions give each row its author's "all seen" and latest item, so the
    database orders and cuts the page and only the page's rows come back, however many people
    the viewer follows."""
    size = page_size_clamp(size=size)
    if not people.viewer_authenticated(viewer=viewer):
        return FeedPage([], None)
    if cursor is None:  # later pages keep the first one's idea of seen
        view_buffer_settle(viewer=viewer)
    state = FOLLOWING_CURSOR.decode(cursor) or {"t": timezone.now(), "p": None}
    reference, after = state["t"], state["p"]

    def build(slots: compiled.Slots) -> QuerySet[Story]:
        position = None
        if after is not None:
            position = (
                slots.integer("all_seen"),
                slots.moment("latest"),
                slots.integer("author"),
                slots.moment("published"),
                slots.uuid("pk"),
            )
        return _following_rows(slots.viewer(), slots.moment("t"), position)[: size + 1]

    query = compiled.query_compiled(key=("following", after is not None, size), build=build)
    values = {"viewer": viewer.pk, "t": reference, compiled.NOW: timezone.now()}
    if after is not None:
        values.update(zip(("all_seen", "latest", "author", "published", "pk"), after, strict=True))
    page = query.objects(values)
    next_cursor = None
    if len(page) > size:
        page = page[:size]
        last = page[-1]
        position = (last.all_seen, last.latest, last.author_id, last.published_at, last.pk)
        next_cursor = FOLLOWING_CURSOR.encode(t=reference, p=position)
    return FeedPage(page, next_cursor)


def _following_rows(viewer: User, reference: datetime, after: tuple | None) -> QuerySet[Story]:
    """The Following query (compiled once per shape by `following_page`)."""
    by_author = [F("author_id")]
    seen = Case(When(seen_expression(viewer=viewer, before=reference), then=Value(1)), default=Value(0))
    rows = (
        stories.stories_visible(viewer=viewer)
        .filter(author_id__in=followed_ids(viewer=viewer))
        .annotate(
            all_seen=Window(Min(seen, output_field=IntegerField()), partition_by=by_author),
            latest=Window(Max("published_at"), partition_by=by_author),
        )
        .select_related("author", "sound")
        .order_by("all_seen", "-latest", "author_id", "published_at", "pk")
    )
    if after is not None:
        rows = rows.filter(_following_after(after))
    return stories_with_viewer_state(queryset=rows, viewer=viewer)


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
        return _tray_key(self.segment, self.latest_published_at, self.author.pk)


def _tray_key(segment: int, latest: datetime, author_id: int) -> tuple[int, int, int]:
    """The tray's order: by segment, newest first, then the higher author id first."""
    return (segment, -cursors.micros(latest), -author_id)


# (segment, latest item, author) of the last ring passed; the time and the author are written
# negated (as the tray's order compares them).
TRAY_CURSOR = cursors.CursorType(
    "tray",
    t=cursors.MOMENT,  # the reference time: "seen" means seen before it, for the whole scroll
    p=cursors.row(
        cursors.whole(OWN, SEEN), cursors.negated(cursors.MOMENT), cursors.negated(cursors.whole())
    ).optional(),
)


@dataclass
class TrayPage:
    entries: list[TrayEntry]
    next_cursor: str | None


def _per_author(items: QuerySet[Story], viewer: Viewer, reference: datetime | None) -> QuerySet[Story]:
    """One row per author of `items` (their newest item, with the author), carrying what a ring
    needs about all of that author's items: window functions do the folding in the database,
    so a tray page reads one row per ring however many items and people there are."""
    by_author = [F("author_id")]
    unseen = Case(When(seen_expression(viewer=viewer, before=reference), then=Value(0)), default=Value(1))
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


def _known_q(viewer: User) -> Q:
    """The authors the viewer already relates to: self, follows, people whose items they
    watched. One IN over a UNION (not OR-ed INs): the database starts from these few people."""
    watched = StoryView.objects.filter(viewer=viewer).values("story__author_id")
    myself = User.objects.filter(pk=viewer.pk).values("pk")
    return Q(author_id__in=followed_ids(viewer=viewer).union(watched, myself))


def _tray_known(viewer: User, reference: datetime) -> QuerySet[Story]:
    """One row per author the viewer relates to, with whether they follow them."""
    followed = Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id")))
    rows = stories.stories_visible(viewer=viewer).filter(_known_q(viewer))
    return _per_author(rows, viewer, reference).annotate(followed=followed)


def _tray_walk(viewer: Viewer, after: tuple[datetime, int] | None) -> QuerySet:
    """The other authors' ids, newest item first, past (latest, author) when given."""
    walk = stories.stories_visible(viewer=viewer)
    if people.viewer_authenticated(viewer=viewer):
        walk = walk.exclude(_known_q(viewer))
    newer = stories.stories_visible(viewer=viewer).filter(
        Q(published_at__gt=OuterRef("published_at"))
        | Q(published_at=OuterRef("published_at"), pk__gt=OuterRef("pk")),
        author_id=OuterRef("author_id"),
    )
    walk = walk.filter(~Exists(newer))
    if after is not None:
        latest, author_id = after
        walk = walk.filter(published_at__lte=latest).filter(
            Q(published_at__lt=latest) | Q(author_id__lt=author_id)
        )
    return walk.order_by("-published_at", "-author_id").values_list("author_id")


def tray_page(*, viewer: Viewer, cursor: str | None = None, size: int | None = None) -> TrayPage:
    """Authors with a live story the viewer may see: the viewer first, then authors with unseen
    items (followed ones first), then authors seen in full (a dimmed ring); newest first within
    each group."""
    size = page_size_clamp(size=size)
    if cursor is None:  # later pages keep the first one's idea of seen
        view_buffer_settle(viewer=viewer)
    state = TRAY_CURSOR.decode(cursor) or {"t": timezone.now(), "p": None}
    reference, after = state["t"], state["p"]  # after: (segment, latest, author_id)
    signed_in = people.viewer_authenticated(viewer=viewer)
    values = {"viewer": getattr(viewer, "pk", None), "t": reference, compiled.NOW: timezone.now()}
    # Each query is compiled once per shape (stories_site/compiled.py); the viewer, the times and the
    # cursor's values are the values.
    entries: list[TrayEntry] = []
    if signed_in:
        known = compiled.query_compiled(
            key=("tray-known",), build=lambda slots: _tray_known(slots.viewer(), slots.moment("t"))
        )
        for row in known.objects(values):
            if row.author_id == viewer.pk:
                segment = OWN
            elif not row.unseen_count:
                segment = SEEN
            else:
                segment = FOLLOWED_UNSEEN if row.followed else OTHERS_UNSEEN
            entries.append(_entry(row, segment))

    # Everyone else has nothing seen: walk their newest items from the published_at index,
    # one row per author (their newest item), from the cursor on.
    if after is None or after[0] <= OTHERS_UNSEEN:
        from_cursor = after is not None and after[0] == OTHERS_UNSEEN

        def build_walk(slots: compiled.Slots) -> QuerySet:
            person = slots.viewer() if signed_in else viewer
            position = (slots.moment("latest"), slots.integer("author")) if from_cursor else None
            return _tray_walk(person, position)[: size + 1]

        walk = compiled.query_compiled(key=("tray-walk", signed_in, from_cursor, size), build=build_walk)
        if from_cursor:
            values.update(latest=after[1], author=after[2])
        heads = [author_id for (author_id,) in walk.tuples(values)]
        if heads:

            def build_items(slots: compiled.Slots) -> QuerySet[Story]:
                person = slots.viewer() if signed_in else viewer
                items = stories.stories_visible(viewer=person).filter(
                    author_id__in=slots.integers("head", len(heads))
                )
                return _per_author(items, person, slots.moment("t") if signed_in else None)

            items = compiled.query_compiled(key=("tray-items", signed_in, len(heads)), build=build_items)
            values.update(compiled.listed("head", heads))
            entries += [_entry(row, OTHERS_UNSEEN) for row in items.objects(values)]

    entries.sort(key=lambda e: e.key)
    if after is not None:
        entries = [e for e in entries if e.key > _tray_key(*after)]
    page = entries[:size]
    next_cursor = None
    if len(entries) > size:
        last = page[-1]
        next_cursor = TRAY_CURSOR.encode(
            t=reference, p=(last.segment, last.latest_published_at, last.author.pk)
        )
    return TrayPage(page, next_cursor)
