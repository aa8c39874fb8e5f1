"""Reads for creator analytics: a story's figures (in total and by day), an author's summary
over the last N days with follower growth, the per-story table and sticker results.

Everything comes from anonymous counters, each kept by the app of the thing counted
(`stories.StoryDailyStats`, `accounts.FollowerDaily`, `stickers.StickerStats`, the retention curve
`feed.StoryRetention`), and from what the purge keeps (`stories.ArchivedStory`): analytics writes
nothing, it is the read side on top. So the figures are the same before and after a story
expires and is purged, and no answer can name a viewer. Rates are computed here, once, for the
API and the pages:

* completion rate = completed views / impressions
* engagement rate = (likes + comments + shares + sticker responses) / reach

A story's reach is its unique signed-in viewers (the sum of `reach`, counted on each viewer's
first view); a day's reach is that day's unique viewers per item (`day_reach`). Over a period,
`totals.reach` is the unique (viewer, item) pairs first reached in the period.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts import selectors as people
from accounts.models import Follow, FollowerDaily, User
from feed.models import StoryRetention
from feed.view_buffer import view_buffer_flush
from stickers.models import Sticker, StickerStats, StickerType
from stories.lifecycle import State
from stories.models import ArchivedStory, Story, StoryDailyStats
from stories_site.errors import Invalid

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 90, 28
DAYS_MESSAGE = f"days must be a whole number from {MIN_DAYS} to {MAX_DAYS}."
COUNTERS = (
    "impressions",
    "completions",
    "likes",
    "comments",
    "shares",
    "sticker_responses",
    "follows_from_story",
)
INTERACTIVE = (StickerType.POLL, StickerType.QUIZ, StickerType.QUESTION, StickerType.ADD_YOURS)


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Figures:
    impressions: int = 0
    reach: int = 0
    completions: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    sticker_responses: int = 0
    follows_from_story: int = 0

    @property
    def engagements(self) -> int:
        return self.likes + self.comments + self.shares + self.sticker_responses

    @property
    def completion_rate(self) -> float:
        """0..1. Signed-in completions count once per person and anonymous ones only while a
        day's completions trail its impressions; the cap covers what is left (an anonymous
        completion counted before a signed-in person's own completion on the same day)."""
        return min(_rate(self.completions, self.impressions), 1.0)

    @property
    def engagement_rate(self) -> float:
        return _rate(self.engagements, self.reach)


@dataclass(frozen=True)
class DayFigures(Figures):
    day: date | None = None


def _sums(reach_field: str) -> dict[str, Sum]:
    return {name: Sum(name) for name in COUNTERS} | {"reach": Sum(reach_field)}


def _figures(row: dict[str, Any], cls: type[Figures] = Figures, **extra: Any) -> Figures:
    names = (*COUNTERS, "reach")
    return cls(**{name: row.get(name) or 0 for name in names}, **extra)


def _by_day(rows: QuerySet[StoryDailyStats]) -> dict[date, DayFigures]:
    grouped = rows.values("day").annotate(**_sums("day_reach")).order_by("day")
    return {row["day"]: _figures(row, DayFigures, day=row["day"]) for row in grouped}


# --- Who may read what ---------------------------------------------------------------------------


def analytics_readable(*, viewer: people.Viewer, author_id: int) -> bool:
    """A story's analytics are its author's, and staff's; nobody else learns they exist."""
    return people.viewer_authenticated(viewer=viewer) and (viewer.pk == author_id or viewer.is_staff)


@dataclass(frozen=True)
class AnalyzedStory:
    """A story item as analytics knows it: live or not, or only its purge archive."""

    id: uuid.UUID
    author_id: int
    kind: str
    state: str
    published_at: datetime | None
    expires_at: datetime | None = None
    caption: str = ""
    archived: bool = False

    @property
    def is_live(self) -> bool:
        return self.state == State.READY and self.expires_at is not None and self.expires_at > timezone.now()


def _from_story(story: Story) -> AnalyzedStory:
    return AnalyzedStory(
        story.pk,
        story.author_id,
        story.kind,
        story.state,
        story.published_at,
        story.expires_at,
        story.caption,
    )


def _from_archive(row: ArchivedStory) -> AnalyzedStory:
    return AnalyzedStory(
        row.story_id, row.author_id, row.kind, row.final_state, row.published_at, archived=True
    )


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def story_by_id(*, story_id: Any) -> Story | None:
    """Any story row by id (a bad id is None); callers apply their own rule to it."""
    pk = _as_uuid(story_id)
    return Story.objects.filter(pk=pk).first() if pk else None


def story_analyzed(*, viewer: people.Viewer, story_id: Any) -> AnalyzedStory | None:
    """The story, live or purged, when the viewer may read its analytics; else None (a 404)."""
    story = story_by_id(story_id=story_id)
    if story is not None:
        found = _from_story(story)
    else:
        archived = ArchivedStory.objects.filter(pk=_as_uuid(story_id)).first() if _as_uuid(story_id) else None
        found = _from_archive(archived) if archived else None
    readable = found is not None and analytics_readable(viewer=viewer, author_id=found.author_id)
    return found if readable else None


# --- One story ------------------------------------------------------------------------------------


def story_figures(*, story_id: uuid.UUID) -> Figures:
    """The item's figures over its whole life; reach is its unique viewers."""
    return _figures(StoryDailyStats.objects.filter(story_id=story_id).aggregate(**_sums("reach")))


def story_days(*, story_id: uuid.UUID) -> list[DayFigures]:
    """The item's figures for each day it had any; a day's reach is that day's unique viewers."""
    return list(_by_day(StoryDailyStats.objects.filter(story_id=story_id)).values())


@dataclass(frozen=True)
class StickerResult:
    sticker_id: uuid.UUID
    type: str
    label: str
    options: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    responses: int = 0
    correct_option: int | None = None
    correct: int = 0

    @property
    def type_label(self) -> str:
        return StickerType(self.type).label

    @property
    def correct_rate(self) -> float | None:
        return _rate(self.correct, self.responses) if self.type == StickerType.QUIZ else None

    @property
    def options_with_counts(self) -> list[tuple[str, int]]:
        return list(zip(self.options, self.counts, strict=False))


def story_sticker_results(*, story_id: uuid.UUID) -> list[StickerResult]:
    """Results of the item's interactive stickers: counted ones from `StickerStats` (they outlive
    the purge), and while the story exists, its stickers nobody answered yet, at zero."""
    results = {
        row.sticker_id: StickerResult(
            row.sticker_id,
            row.type,
            row.label,
            list(row.options),
            row.option_counts,
            row.responses,
            row.correct_option,
            row.correct,
        )
        for row in StickerStats.objects.filter(story_id=story_id)
    }
    ordered = []
    for sticker in Sticker.objects.filter(story_id=story_id, type__in=INTERACTIVE).order_by("position"):
        ordered.append(
            results.pop(sticker.pk, None)
            or StickerResult(
                sticker.pk,
                sticker.type,
                sticker.data.get("question") or sticker.prompt,
                sticker.options,
                [0] * len(sticker.options),
                correct_option=sticker.data.get("correct"),
            )
        )
    return ordered + sorted(results.values(), key=lambda result: (result.type, str(result.sticker_id)))


# --- An author's summary ----------------------------------------------------------------------------


def days_clean(*, raw: Any, default: int = DEFAULT_DAYS) -> int:
    """`?days=`: a whole number of days, MIN_DAYS..MAX_DAYS; Invalid(DAYS_MESSAGE) otherwise."""
    if raw is None or raw == "":
        return default
    text = str(raw).strip()
    if not text.isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
        raise Invalid(DAYS_MESSAGE, code="days")
    return int(text)


def days_window(*, days: int) -> tuple[date, date]:
    """The last `days` UTC days, today included (the days the counters are keyed by)."""
    today = timezone.now().date()
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class FollowerDay:
    day: date
    gained: int
    lost: int
    followers: int  # at the end of the day

    @property
    def net(self) -> int:
        return self.gained - self.lost


@dataclass(frozen=True)
class Summary:
    days: int
    start: date
    end: date
    totals: Figures
    by_day: list[DayFigures]
    follower_growth: list[FollowerDay]
    followers: int

    @property
    def followers_gained(self) -> int:
        return sum(one.gained for one in self.follower_growth)

    @property
    def followers_lost(self) -> int:
        return sum(one.lost for one in self.follower_growth)


def follower_growth(*, author: User, start: date, end: date) -> tuple[list[FollowerDay], int]:
    """New and ended follows per day, and the follower count at the end of each day, with
    today's count.

    The count is the profile's (`accounts.selectors.followers_count` as the author sees it): people
    the author may not see (suspended, disabled, blocked either way) are left out, so the two
    numbers agree. The days are walked back from it with the daily counters, and the follows
    of those hidden people are taken out of the day they were made on, as if never made: the
    chart never dips below zero and its last day is the count shown."""
    follows = Follow.objects.filter(followee=author)
    followers = people.followers_count(person=author, viewer=author)
    hidden = follows.exclude(follower__in=people.people_visible(viewer=author)).values_list(
        "created_at", flat=True
    )
    hidden_on: dict[date, int] = {}
    for made in hidden:
        day = made.astimezone(UTC).date()
        hidden_on[day] = hidden_on.get(day, 0) + 1
    rows = {row.day: row for row in FollowerDaily.objects.filter(author=author, day__gte=start, day__lte=end)}
    later = FollowerDaily.objects.filter(author=author, day__gt=end).aggregate(g=Sum("gained"), l=Sum("lost"))
    hidden_later = sum(n for day, n in hidden_on.items() if day > end)
    running = followers - (later["g"] or 0) + (later["l"] or 0) + hidden_later
    series = []
    day = end
    while day >= start:
        row = rows.get(day)
        gained, lost = (row.gained, row.lost) if row else (0, 0)
        gained = max(gained - hidden_on.get(day, 0), 0)
        series.append(FollowerDay(day, gained, lost, max(running, 0)))
        running -= gained - lost
        day -= timedelta(days=1)
    return series[::-1], followers


def author_summary(*, author: User, days: int) -> Summary:
    """The author's figures for the last `days` days: totals, every day (zeros included) and
    follower growth."""
    view_buffer_flush(wait_seconds=5)  # the views still in the buffer count (feed/view_buffer.py)
    start, end = days_window(days=days)
    rows = StoryDailyStats.objects.filter(author=author, day__gte=start, day__lte=end)
    totals = _figures(rows.aggregate(**_sums("reach")))
    found = _by_day(rows)
    by_day = [
        found.get(start + timedelta(days=n)) or DayFigures(day=start + timedelta(days=n)) for n in range(days)
    ]
    growth, followers = follower_growth(author=author, start=start, end=end)
    return Summary(days, start, end, totals, by_day, growth, followers)


@dataclass(frozen=True)
class StoryRow:
    story: AnalyzedStory
    figures: Figures


def author_story_table(*, author: User, since: date | None = None) -> list[StoryRow]:
    """The author's published items, live and purged, newest first (published on or after
    `since` when given), each with its lifetime figures: three queries whatever the count."""
    live = Story.objects.filter(author=author, published_at__isnull=False)
    archived = ArchivedStory.objects.filter(author=author, published_at__isnull=False)
    if since is not None:
        live = live.filter(published_at__date__gte=since)
        archived = archived.filter(published_at__date__gte=since)
    found = {row.story_id: _from_archive(row) for row in archived}
    found |= {story.pk: _from_story(story) for story in live}
    grouped = (
        StoryDailyStats.objects.filter(story_id__in=list(found))
        .values("story_id")
        .annotate(**_sums("reach"))
        .order_by()
    )
    figures = {row["story_id"]: _figures(row) for row in grouped}
    ordered = sorted(found.values(), key=lambda story: (story.published_at, str(story.id)), reverse=True)
    return [StoryRow(story, figures.get(story.id, Figures())) for story in ordered]


@dataclass(frozen=True)
class StoryReport(Figures):
    """A story's lifetime figures with its day rows and sticker results (the API's answer)."""

    story: AnalyzedStory | None = None
    days: list[DayFigures] = field(default_factory=list)
    stickers: list[StickerResult] = field(default_factory=list)
    retention: list[float] = field(default_factory=list)


def story_retention(*, story_id: uuid.UUID) -> list[float]:
    """For each second of the item, the share of views (0..1) still watching at that second;
    empty until a view has reported how far it got (feed/retention.py keeps the histogram)."""
    counts = list(
        StoryRetention.objects.filter(story_id=story_id).order_by("second").values_list("views", flat=True)
    )
    if not counts or not counts[0]:
        return []
    return [round(count / counts[0], 4) for count in counts]


def story_report(*, story: AnalyzedStory) -> StoryReport:
    """Everything the story's analytics page shows, the views still in the buffer counted."""
    view_buffer_flush(wait_seconds=5)
    figures = story_figures(story_id=story.id)
    return StoryReport(
        **vars(figures),
        story=story,
        days=story_days(story_id=story.id),
        stickers=story_sticker_results(story_id=story.id),
        retention=story_retention(story_id=story.id),
    )
