"""Exact counters: the one upsert every anonymous tally uses (a story's daily figures, follower
growth, sticker results, affinity, the retention curve). Shared plumbing that imports no app:
each app counts into its own tables with it (accounts, stories, stickers, feed), so no writer
has to import the app above it that happens to read the figures (analytics)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def add_counts(model: type[models.Model], key: dict[str, Any], counts: dict[str, int], **also: Any) -> None:
    """Add `counts` to the row at `key`, creating it on the first event: one atomic
    INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), so racing requests never lose an
    increment and never fail on the unique key. `also` is written on insert and on update."""
    add_counts_rows(model, [(key, counts)], **also)


def add_counts_rows(
    model: type[models.Model], rows: list[tuple[dict[str, Any], dict[str, int]]], **also: Any
) -> None:
    """`add_counts` for several rows in one statement: every (key, counts) pair names the same
    fields (a retention curve adds to each second of an item at once)."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    first_key, first_counts = rows[0]
    fields = [meta.get_field(name) for name in [*first_key, *also, *first_counts]]
    columns = ", ".join(quote(field.column) for field in fields)
    params: list[Any] = []
    for key, counts in rows:
        values = {**key, **also, **counts}
        params += [field.get_db_prep_save(values[field.name], connection) for field in fields]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    # Quoted identifiers from the model's metadata; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders} " + on_conflict_add(  # noqa: S608
        model, key=list(first_key), counts=list(first_counts), also=list(also)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def on_conflict_add(model: type[models.Model], *, key: list[str], counts: list[str], also: list[str]) -> str:
    """The ON CONFLICT clause of a counter upsert: an existing row at `key` gets `counts` added
    and `also` overwritten. Shared by `add_counts_rows` and the one-statement view
    (feed/view_counting.py), which inserts from a CTE instead of VALUES."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column = {name: quote(meta.get_field(name).column) for name in [*key, *counts, *also]}
    updates = [f"{column[name]} = {table}.{column[name]} + excluded.{column[name]}" for name in counts]
    updates += [f"{column[name]} = excluded.{column[name]}" for name in also]
    conflict = ", ".join(column[name] for name in key)
    return f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(updates)}"
