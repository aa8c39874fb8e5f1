"""Statements the database parses and plans once per connection: the one way the site runs a hot
statement whose text is built once (the counters' upserts, stories_site/counters.py; the feed
pages' compiled queries, stories_site/compiled.py).

Django's own cursors bind parameters on the client: the whole text goes to the server with the
values quoted in, and PostgreSQL parses and plans it on every run. For the view's CTE that was
more than the rest of the statement's work, and For You's main query took as long to plan as to
run (docs/benchmarks.md). Here, on PostgreSQL, a statement is bound on the server through one
psycopg cursor kept per connection and thread, and prepared as the connection's
`prepare_threshold` says (stories_site/env.py; `DB_PREPARED_STATEMENTS=0` turns preparing off
behind a pooler that cannot keep prepared statements, and the statement is then still bound on
the server, just parsed each time). Any other database runs it through Django's cursor.

The kept cursor is used without Django's cursor wrapper unless queries are being logged or
wrapped (DEBUG, query-count tests, the bench's capture, `connection.execute_wrapper`): the
wrapper and a new cursor per statement cost more client time than the bare INSERT the analytics
bench compares a view with. Logged statements show their values, not `$1` placeholders, as every
other query does. Errors are still Django's (`wrap_database_errors`), and a statement in a
transaction already broken is refused, as Django's cursor refuses it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

from django.db import DEFAULT_DB_ALIAS, connections

Rows = Literal["none", "one", "all"]

_kept = threading.local()


def statement_run(
    sql: str,
    params: Sequence[Any],
    *,
    rows: Rows = "none",
    prepare_now: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> Any:
    """Run `sql` (with `%s` placeholders) on the `using` database and return what `rows` asks
    for: nothing, the first row (None when there is none) or all of them.

    `prepare_now` prepares on the first run instead of after the connection's threshold of runs:
    for a statement known to be hot from its first use (a counter), where the threshold's first
    runs would each be parsed and planned for nothing."""
    db = connections[using]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return _fetch(cursor, rows)
    db.close_if_health_check_failed()
    if db.connection is None:
        db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    cursor = _kept_cursor(db.connection, prepare_now=prepare_now)
    if db.queries_logged or db.execute_wrappers:
        # Logged and wrapped like any of Django's statements; not closed: the cursor is kept.
        wrapped = db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)
        wrapped.execute(sql, params)
        if db.queries_logged:
            db.queries_log[-1]["sql"] = db.ops.compose_sql(sql, params)
        return _fetch(wrapped, rows)
    with db.wrap_database_errors:
        cursor.execute(sql, params)
        return _fetch(cursor, rows)


def _fetch(cursor: Any, rows: Rows) -> Any:
    if rows == "one":
        return cursor.fetchone()
    if rows == "all":
        return cursor.fetchall()
    return None


def _kept_cursor(raw: Any, *, prepare_now: bool) -> Any:
    """This thread's server-binding cursor on `raw` (a psycopg connection), one for each way of
    preparing, made again when Django has opened a new connection since."""
    name = "eager" if prepare_now else "threshold"
    kept = getattr(_kept, name, None)
    if kept is None or kept[0] is not raw or kept[1].closed:
        kept = (raw, _cursor_class(prepare_now=prepare_now)(raw))
        setattr(_kept, name, kept)
    return kept[1]


@cache
def _cursor_class(*, prepare_now: bool) -> type:
    """psycopg's server-binding cursor, asking for every statement to be prepared at once with
    `prepare_now` (Django's wrapper calls `execute(sql, params)` with no way to ask). Made on
    first use: the PostgreSQL backend imports psycopg, which a SQLite-only run does not need."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    if not prepare_now:
        return ServerBindingCursor

    class EagerlyPreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, prepare=True, **options)

    return EagerlyPreparedCursor
