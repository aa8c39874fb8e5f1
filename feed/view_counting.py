"""A signed-in view in as few round trips, and as little work per view, as the database allows.

`feed.services.view_record` keeps one StoryView row per viewer and item and the item's anonymous
day figures (`stories.StoryDailyStats`, through `stories.daily_stats`). Done as separate
statements in a transaction that is four round trips (BEGIN, the view's upsert, the day's upsert,
COMMIT) for what a bare INSERT does in one, and the view endpoint is the busiest write the site
has: the player reports every item it shows.

On PostgreSQL the common case, an impression of someone else's item, is one statement: the view's
upsert in a data-modifying CTE, feeding the day's upsert, so both happen or neither, exactly,
however many tabs race (the view row's lock orders them, as before). Everything else (SQLite,
the author's own views, a completion reported on its own, a repeat inside the window that still
completes) takes the transaction in `view_record`.

Per view, only the parameters are made: each statement's text is built once per shape (with or
without a completion, with or without the repeat window) and, on PostgreSQL, runs prepared
(`stories_site.counters.counter_statement_run`), so the server does not parse and plan the CTE
again for every view. Both paths write the same rows (tests/feed/test_view_paths.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from accounts.models import User
from stories.daily_stats import story_day_count
from stories.models import Story, StoryDailyStats
from stories_site.counters import counter_statement_run, on_conflict_add

from .models import StoryView

# The StoryView columns the upsert writes, in the order of its parameters.
_VIEW_VALUES = ("story", "viewer", "first_seen_at", "last_seen_on", "last_seen_at")


@cache
def _view_upsert_sql(vendor: str, *, completed: bool, windowed: bool) -> str:
    """INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING for the viewer's row: the row
    lock orders racing tabs of one person, and `previous_seen_on` is set from the old
    `last_seen_on` in the same statement, so nothing is read before writing. An impression
    within STORIES_VIEW_REPEAT_SECONDS of the viewer's last counted one, on the same UTC day,
    updates nothing and returns no row (`windowed`: the window's start is the last parameter).
    With `completed`, the row's first completion is kept and returned (`completed_at`).

    Parameters, in order: story, viewer, now, today, now, then now again with `completed`, then
    the window's start with `windowed`. Built once per shape and database: only the parameters
    change from one view to the next."""
    meta = StoryView._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table = quote(meta.db_table)
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    names = [*_VIEW_VALUES, "completed_at"] if completed else list(_VIEW_VALUES)
    last_at = f"{table}.{column['last_seen_at']}"
    # No window, no condition: a "<= now" test would drop a racing tab whose clock read later.
    only_after_window = (
        f"WHERE {last_at} IS NULL OR {last_at} <= %s "
        f"OR {table}.{column['last_seen_on']} IS NULL "
        f"OR {table}.{column['last_seen_on']} <> excluded.{column['last_seen_on']} "
        if windowed
        else ""
    )
    completed_at = column["completed_at"]
    keep_completion = (
        f", {completed_at} = COALESCE({table}.{completed_at}, excluded.{completed_at})" if completed else ""
    )
    # Quoted identifiers from the model's metadata; every value is a parameter.
    return (
        f"INSERT INTO {table} ({column['impressions']}, {', '.join(column[name] for name in names)}) "  # noqa: S608
        f"VALUES (1, {', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({column['story']}, {column['viewer']}) DO UPDATE SET "
        f"{column['impressions']} = {table}.{column['impressions']} + 1, "
        f"{column['previous_seen_on']} = {table}.{column['last_seen_on']}, "
        f"{column['last_seen_on']} = excluded.{column['last_seen_on']}, "
        f"{column['last_seen_at']} = excluded.{column['last_seen_at']}"
        f"{keep_completion} "
        f"{only_after_window}"
        f"RETURNING {column['impressions']}, {column['previous_seen_on']}, {column['completed_at']}"
    )


def _window_start(now: datetime) -> datetime | None:
    """Where the repeat window began, or None when there is none (STORIES_VIEW_REPEAT_SECONDS 0)."""
    window = settings.STORIES_VIEW_REPEAT_SECONDS
    return now - timedelta(seconds=window) if window > 0 else None


def view_upsert(story: Story, viewer: User, now: datetime) -> tuple[bool, bool, bool]:
    """Add an impression to the viewer's row, creating it on the first view; returns (counted,
    first view ever, first view today). Any database; the caller's transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    start = _window_start(now)
    fields = [StoryView._meta.get_field(name) for name in _VIEW_VALUES]
    values = [story.pk, viewer.pk, now, now.date(), now]
    params = [field.get_db_prep_save(value, db) for field, value in zip(fields, values, strict=True)]
    if start is not None:
        params.append(StoryView._meta.get_field("last_seen_at").get_db_prep_save(start, db))
    sql = _view_upsert_sql(db.vendor, completed=False, windowed=start is not None)
    row = counter_statement_run(sql, params, returning=True)
    if row is None:
        return False, False, False
    impressions, previous, _ = row
    previous = StoryView._meta.get_field("previous_seen_on").to_python(previous)
    first_ever = impressions == 1  # an update always leaves at least 2
    return True, first_ever, first_ever or previous != now.date()


@cache
def _view_count_sql(*, completed: bool, windowed: bool) -> str:
    """The one statement of `view_count_at_once` (PostgreSQL): the view's upsert, then the day's
    figures from what it returned. First ever: a fresh row has 1 impression (an update leaves at
    least 2); first today: that, or the previous view on another day; first completion: the row
    kept this view's instant. Parameters: the view upsert's, then story, today, author, today,
    and now with `completed`."""
    view_sql = _view_upsert_sql("postgresql", completed=completed, windowed=windowed)
    stats = StoryDailyStats._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table = quote(stats.db_table)
    column = {field.name: quote(field.column) for field in stats.concrete_fields}
    counters = ["impressions", "reach", "day_reach", "completions"]
    first_completion = "(v.completed_at = %s)::int" if completed else "0"
    return (
        f"WITH v AS ({view_sql}) "  # noqa: S608
        f"INSERT INTO {table} ({column['story_id']}, {column['day']}, {column['author']}, "
        f"{', '.join(column[name] for name in counters)}) "
        f"SELECT %s, %s, %s, 1, (v.impressions = 1)::int, "
        f"(v.impressions = 1 OR v.previous_seen_on IS DISTINCT FROM %s)::int, {first_completion} FROM v "
        + on_conflict_add(StoryDailyStats, key=["story_id", "day"], counts=counters, also=["author"])
        + " RETURNING 1"
    )


def view_count_at_once(*, story: Story, viewer: User, now: datetime, completed: bool) -> bool | None:
    """The impression (and completion) of someone else's item and the day's figures for it, in
    one statement on PostgreSQL. True: counted. False: a repeat inside the window, nothing
    written (a completion it carries is the caller's to record). None: not this database, or
    the viewer's own item: the caller counts it the long way."""
    if viewer.pk == story.author_id or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return None
    # PostgreSQL's own types, as the fields would prepare them there: uuid, integer, timestamptz
    # and date go to psycopg as they are.
    today = now.date()
    params: list[Any] = [story.pk, viewer.pk, now, today, now]
    if completed:
        params.append(now)
    start = _window_start(now)
    if start is not None:
        params.append(start)
    params += [story.pk, today, story.author_id, today]
    if completed:
        params.append(now)
    sql = _view_count_sql(completed=completed, windowed=start is not None)
    return counter_statement_run(sql, params, returning=True) is not None


def _first_completion(story: Story, viewer: User, now: datetime) -> bool:
    """Mark the viewer's view of the item completed; True only for the first completion, so
    completions count once per person (a replayed or re-reported ending adds nothing)."""
    rows = StoryView.objects.filter(story=story, viewer=viewer, completed_at__isnull=True)
    return bool(rows.update(completed_at=now))


def view_count(*, story: Story, viewer: User, now: datetime, impression: bool, completed: bool) -> None:
    """A signed-in view as of `now` (when it was reported: a buffered one is counted later,
    feed/view_buffer.py), on the day of `now`: the one statement when it can, the transaction
    otherwise. The rules are `feed.services.view_record`'s."""
    if impression:
        counted = view_count_at_once(story=story, viewer=viewer, now=now, completed=completed)
        if counted or (counted is False and not completed):
            return
        if counted is False:
            # A repeat inside the window counts no impression, but its completion may be the first.
            impression = False
    new_viewer = new_today = first_completion = False
    with transaction.atomic():
        if not impression:
            first_completion = _first_completion(story, viewer, now)
            if not first_completion:
                # Already completed: nothing to count. No row yet: the completion is both.
                impression = not StoryView.objects.filter(story=story, viewer=viewer).exists()
        if impression:
            impression, new_viewer, new_today = view_upsert(story, viewer, now)
            if completed:
                first_completion = _first_completion(story, viewer, now)
        if viewer.pk != story.author_id:
            story_day_count(
                story=story,
                day=now.date(),
                impressions=int(impression),
                reach=int(new_viewer),
                day_reach=int(new_today),
                completions=int(first_completion),
            )
