"""Exact counters: the one upsert every anonymous tally uses (a story's daily figures, follower
growth, sticker results, affinity, the retention curve). Shared plumbing that imports no app:
each app counts into its own tables with it (accounts, stories, stickers, feed), so no writer
has to import the app above it that happens to read the figures (analytics).

Counting is the busiest write the site has (every item the player shows reports a view), so a
counter statement's text is built once per shape and, on PostgreSQL, runs as a prepared statement
bound on the server (`counter_statement_run`, through stories_site/prepared.py): the server parses
and plans it once per connection instead of on every event, as a bare INSERT through psycopg is."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from .prepared import statement_run


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
    db = connections[DEFAULT_DB_ALIAS]
    first_key, first_counts = rows[0]
    names = (*first_key, *also, *first_counts)
    sql, fields = _add_counts_sql(
        db.vendor, model, tuple(first_key), tuple(also), tuple(first_counts), len(rows)
    )
    params: list[Any] = []
    for key, counts in rows:
        values = {**key, **also, **counts}
        params += [
            field.get_db_prep_save(values[name], db) for name, field in zip(names, fields, strict=False)
        ]
    counter_statement_run(sql, params)


@cache
def _add_counts_sql(
    vendor: str,
    model: type[models.Model],
    key: tuple[str, ...],
    also: tuple[str, ...],
    counts: tuple[str, ...],
    rows: int,
) -> tuple[str, tuple[models.Field, ...]]:
    """The upsert's text for one shape (model, the names it writes, how many rows) and the fields
    that prepare its parameters, in order. Built once: the text depends on nothing else."""
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table = quote(meta.db_table)
    fields = tuple(meta.get_field(name) for name in [*key, *also, *counts])
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    # Quoted identifiers from the model's metadata; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders} " + on_conflict_add(  # noqa: S608
        model, key=list(key), counts=list(counts), also=list(also)
    )
    return sql, fields


def on_conflict_add(model: type[models.Model], *, key: list[str], counts: list[str], also: list[str]) -> str:
    """The ON CONFLICT clause of a counter upsert: an existing row at `key` gets `counts` added
    and `also` overwritten. Shared by `add_counts_rows` and the one-statement view
    (feed/view_counting.py), which inserts from a CTE instead of VALUES."""
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table = quote(meta.db_table)
    column = {name: quote(meta.get_field(name).column) for name in [*key, *counts, *also]}
    updates = [f"{column[name]} = {table}.{column[name]} + excluded.{column[name]}" for name in counts]
    updates += [f"{column[name]} = excluded.{column[name]}" for name in also]
    conflict = ", ".join(column[name] for name in key)
    return f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(updates)}"


def counter_statement_run(
    sql: str, params: Sequence[Any], *, returning: bool = False
) -> tuple[Any, ...] | None:
    """Run one counter statement on the default database; with `returning`, return its first
    row (None when it returned none). On PostgreSQL it is bound on the server and prepared on
    its first run on a connection (stories_site/prepared.py): counting is the busiest write."""
    return statement_run(sql, params, rows="one" if returning else "none", prepare_now=True)
