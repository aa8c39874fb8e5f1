"""Delete stories with everything that hangs off them, in one round trip on PostgreSQL.

The purge holds row locks on the stories it deletes while it deletes, so what matters is how long
that takes. Django's delete collector asks the database, model by model, which dependent rows
exist and then deletes or detaches them: about twenty statements a batch, each a round trip, and
on a busy 2-core machine each round trip waits for the scheduler. Most of a batch was waiting.

Here the same cascade is planned once per process from the models' own `on_delete` rules: for
each relation that reaches a story, one DELETE (CASCADE) or UPDATE ... SET NULL (SET_NULL) whose
rows are found by a subquery from the story ids, deepest first, so a subquery still sees the rows
it starts from. Table and column names come from the models (quoted); the ids are a bound
parameter, never text in the SQL. The statements are sent together in psycopg's pipeline mode: one round trip.
Django creates foreign keys DEFERRABLE INITIALLY DEFERRED on PostgreSQL, so the constraints are
checked at commit, after every statement ran.

A rule the plan does not know (PROTECT, RESTRICT, SET_DEFAULT, SET(...)) anywhere under Story,
or a model with delete signals, makes it give up and the ORM's collector does the delete, as it
does on SQLite. `tests/stories/test_cascade.py` checks the plan against the collector.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.deletion import CASCADE, DO_NOTHING, SET_NULL, get_candidate_relations_to_delete
from django.db.models.signals import post_delete, pre_delete

from ..models import Story

# A cascade deeper than this is not one we wrote: refuse it rather than recurse on.
MAX_DEPTH = 6


class Unplannable(Exception):
    """The cascade has a rule this module does not carry out; the ORM deletes instead."""


def _has_delete_signals(model: type[models.Model]) -> bool:
    return pre_delete.has_listeners(model) or post_delete.has_listeners(model)


def _statements(model: type[models.Model], where: str, depth: int, pk_in: str | None = None) -> list[str]:
    """The statements that clear what depends on the rows of `model` matching `where`, deepest
    first; the caller deletes those rows themselves after them. `pk_in`: the same rows as a
    condition on their primary key (`= ANY(...)`), when known, so a child points at them directly."""
    if depth > MAX_DEPTH:
        raise Unplannable(f"cascade deeper than {MAX_DEPTH} at {model.__name__}")
    qn = connection.ops.quote_name
    statements: list[str] = []
    for relation in get_candidate_relations_to_delete(model._meta):
        field = relation.field
        child = relation.related_model
        on_delete = field.remote_field.on_delete
        if on_delete is DO_NOTHING:
            continue
        if _has_delete_signals(child):
            raise Unplannable(f"{child.__name__} has delete signals")
        if pk_in is not None and field.target_field == model._meta.pk:
            child_where = f"{qn(field.column)} {pk_in}"
        else:
            child_where = (
                f"{qn(field.column)} IN (SELECT {qn(field.target_field.column)} "  # noqa: S608
                f"FROM {qn(model._meta.db_table)} WHERE {where})"
            )
        if on_delete is CASCADE:
            statements += _statements(child, child_where, depth + 1)
            statements.append(f"DELETE FROM {qn(child._meta.db_table)} WHERE {child_where}")  # noqa: S608
        elif on_delete is SET_NULL:
            statements.append(
                f"UPDATE {qn(child._meta.db_table)} SET {qn(field.column)} = NULL WHERE {child_where}"  # noqa: S608
            )
        else:
            raise Unplannable(f"{child.__name__}.{field.name} is {getattr(on_delete, '__name__', on_delete)}")
    return statements


@functools.cache
def story_delete_plan() -> tuple[str, ...] | None:
    """The statements that delete the stories whose ids are `%(ids)s` (an array), dependents
    first; None when the cascade has a rule the plan does not carry out."""
    if _has_delete_signals(Story):
        return None
    qn = connection.ops.quote_name
    table, pk = qn(Story._meta.db_table), qn(Story._meta.pk.column)
    pk_in = "= ANY(%(ids)s)"
    where = f"{pk} {pk_in}"
    try:
        statements = _statements(Story, where, 0, pk_in)
    except Unplannable:
        return None
    return (*statements, f"DELETE FROM {table} WHERE {where}")  # noqa: S608


def stories_delete_rows(*, ids: Sequence[Any]) -> None:
    """Delete these stories and what depends on them, inside the caller's transaction. Files in
    storage are the caller's business (after the commit)."""
    if not ids:
        return
    plan = story_delete_plan() if connection.vendor == "postgresql" else None
    if plan is None:
        Story.objects.filter(pk__in=list(ids)).only("pk").delete()
        return
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    params = {"ids": list(ids)}
    # A plain psycopg cursor binds on the server (extended protocol), which pipeline mode needs;
    # Django's own cursors bind on the client.
    with psycopg.Cursor(raw) as cursor, raw.pipeline():
        for statement in plan:
            cursor.execute(statement, params)
