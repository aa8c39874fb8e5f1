"""A signed-in view in as few round trips as the database allows.

`feed.services.record_view` keeps one StoryView row per viewer and item and the item's anonymous
day figures (`stories.StoryDailyStats`, through `stories.daily_stats`). Done as separate
statements in a transaction that is four round trips (BEGIN, the view's upsert, the day's upsert,
COMMIT) for what a bare INSERT does in one, and the view endpoint is the busiest write the site
has: the player reports every item it shows.

On PostgreSQL the common case, an impression of someone else's item, is one statement: the view's
upsert in a data-modifying CTE, feeding the day's upsert, so both happen or neither, exactly,
however many tabs race (the view row's lock orders them, as before). Everything else (SQLite,
the author's own views, a completion reported on its own, a repeat inside the window that still
completes) takes the transaction in `record_view`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from accounts.models import User
from stories.models import Story, StoryDailyStats
from stories_site.counters import on_conflict_add

from .models import StoryView


def _view_upsert_sql(story: Story, viewer: User, now: datetime, *, completed: bool) -> tuple[str, list[Any]]:
    """INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING for the viewer's row: the row
    lock orders racing tabs of one person, and `previous_seen_on` is set from the old
    `last_seen_on` in the same statement, so nothing is read before writing. An impression
    within STORIES_VIEW_REPEAT_SECONDS of the viewer's last counted one, on the same UTC day,
    updates nothing and returns no row. With `completed`, the row's first completion is kept and
    returned (`completed_at`)."""
    meta = StoryView._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    values: dict[str, Any] = {
        "story": story.pk,
        "viewer": viewer.pk,
        "impressions": 1,
        "first_seen_at": now,
        "last_seen_on": now.date(),
        "last_seen_at": now,
    }
    if completed:
        values["completed_at"] = now
    fields = [meta.get_field(name) for name in values]
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    params = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    window = settings.STORIES_VIEW_REPEAT_SECONDS
    last_at = f"{table}.{column['last_seen_at']}"
    # No window, no condition: a "<= now" test would drop a racing tab whose clock read later.
    only_after_window = (
        f"WHERE {last_at} IS NULL OR {last_at} <= %s "
        f"OR {table}.{column['last_seen_on']} IS NULL "
        f"OR {table}.{column['last_seen_on']} <> excluded.{column['last_seen_on']} "
        if window > 0
        else ""
    )
    if window > 0:
        repeat_before = now - timedelta(seconds=window)
        params.append(meta.get_field("last_seen_at").get_db_prep_save(repeat_before, connection))
    completed_at = column["completed_at"]
    keep_completion = (
        f", {completed_at} = COALESCE({table}.{completed_at}, excluded.{completed_at})" if completed else ""
    )
    # Quoted identifiers from the model's metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(column[f.name] for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({column['story']}, {column['viewer']}) DO UPDATE SET "
        f"{column['impressions']} = {table}.{column['impressions']} + 1, "
        f"{column['previous_seen_on']} = {table}.{column['last_seen_on']}, "
        f"{column['last_seen_on']} = excluded.{column['last_seen_on']}, "
        f"{column['last_seen_at']} = excluded.{column['last_seen_at']}"
        f"{keep_completion} "
        f"{only_after_window}"
        f"RETURNING {column['impressions']}, {column['previous_seen_on']}, {column['completed_at']}"
    )
    return sql, params


def view_upsert(story: Story, viewer: User, now: datetime) -> tuple[bool, bool, bool]:
    """Add an impression to the viewer's row, creating it on the first view; returns (counted,
    first view ever, first view today)."""
    sql, params = _view_upsert_sql(story, viewer, now, completed=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False, False, False
    impressions, previous, _ = row
    previous = StoryView._meta.get_field("previous_seen_on").to_python(previous)
    first_ever = impressions == 1  # an update always leaves at least 2
    return True, first_ever, first_ever or previous != now.date()


def view_count_at_once(*, story: Story, viewer: User, now: datetime, completed: bool) -> bool | None:
    """The impression (and completion) of someone else's item and the day's figures for it, in
    one statement on PostgreSQL. True: counted. False: a repeat inside the window, nothing
    written (a completion it carries is the caller's to record). None: not this database, or
    the viewer's own item: the caller counts it the long way."""
    if connection.vendor != "postgresql" or viewer.pk == story.author_id:
        return None
    view_sql, params = _view_upsert_sql(story, viewer, now, completed=completed)
    stats = StoryDailyStats._meta
    quote = connection.ops.quote_name
    table = quote(stats.db_table)
    column = {field.name: quote(field.column) for field in stats.concrete_fields}
    counters = ["impressions", "reach", "day_reach", "completions"]
    today: date = now.date()
    day = stats.get_field("day").get_db_prep_save(today, connection)
    # first ever: a fresh row has 1 impression (an update leaves at least 2); first today: that,
    # or the previous view on another day; first completion: the row kept this view's instant.
    first_completion = "(v.completed_at = %s)::int" if completed else "0"
    sql = (
        f"WITH v AS ({view_sql}) "  # noqa: S608
        f"INSERT INTO {table} ({column['story_id']}, {column['day']}, {column['author']}, "
        f"{', '.join(column[name] for name in counters)}) "
        f"SELECT %s, %s, %s, 1, (v.impressions = 1)::int, "
        f"(v.impressions = 1 OR v.previous_seen_on IS DISTINCT FROM %s)::int, {first_completion} FROM v "
        + on_conflict_add(StoryDailyStats, key=["story_id", "day"], counts=counters, also=["author"])
        + " RETURNING 1"
    )
    params += [stats.get_field("story_id").get_db_prep_save(story.pk, connection), day, story.author_id, day]
    if completed:
        params.append(StoryView._meta.get_field("completed_at").get_db_prep_save(now, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
