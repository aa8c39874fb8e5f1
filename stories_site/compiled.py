"""Queries compiled from the ORM once per process, then run with each request's values: the
feed pages (feed.selectors), their stickers (stickers.selectors), the story gate
(`stories.selectors.story_for_viewer`) and the API token lookup (accounts.authentication).
It is plumbing (it imports no app), so every app from accounts up can use it.

Why: a feed page's SQL is quick (a few ms on indexes), and the gate's is quicker still; building
their querysets and compiling them cost more than running them, most of all the visibility rule
(stories.selectors), which every branch of a page embeds again (docs/benchmarks.md, "Feed").
The rules stay written once, in the ORM. A page's query is built once with stand-ins for
everything that changes between requests (the viewer, the reference time, the cursor's values)
and compiled; later requests reuse the SQL text, put their own values where the stand-ins are
among the parameters, and turn rows into tuples or model instances with the ORM's own
converters and populators.

What changes the SQL text itself (the viewer signed in or not, which parts of a cursor are
set, how many ids an IN lists, the LIMIT) is part of the key the caller gives. Anything else
that varies must come from a stand-in, and compiling refuses what it cannot place:

* the viewer is a `User` whose only loaded field is its id, so a rule that reads another of the
  viewer's fields fails here (a deferred field's load finds no such row) instead of compiling
  a stand-in's value into every later page;
* a date that is neither a stand-in nor the current time (`timezone.now()` while building,
  which becomes the request's time) is refused: it would be frozen at the first request.

Queries run through stories_site/prepared.py: prepared on PostgreSQL, and counted, logged and
captured (with their values) like any other.
"""

from __future__ import annotations

import operator
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone

from stories_site.prepared import statement_run

MAX_QUERIES = 512  # compiled shapes kept per connection (a page has a handful in practice)
NOW = "now"  # the slot every `timezone.now()` of the rule fills: the request's time

# Below any id, yet within a 32-bit integer column's range: Django turns a comparison with a
# value outside a column's range into "always" or "never" and leaves the parameter out.
_STANDIN_INT = -2_000_000_000  # stand-in n is this minus n
_STANDIN_EPOCH = datetime(1903, 3, 7, tzinfo=UTC)  # stand-in n is this plus n seconds
_STANDIN_FLOAT = -7.3e300


class UnplacedValue(RuntimeError):
    """A parameter of a compiled query that is neither a constant nor a stand-in."""


class _Slots:
    """Stand-ins handed to a query's builder; each remembers the slot it stands for."""

    def __init__(self) -> None:
        self.by_value: dict[Any, str | tuple] = {}

    def _add(self, value: Any, slot: Hashable) -> Any:
        self.by_value[value] = slot
        return value

    def integer(self, slot: Hashable) -> int:
        return self._add(_STANDIN_INT - len(self.by_value), slot)

    def moment(self, slot: Hashable) -> datetime:
        return self._add(_STANDIN_EPOCH + timedelta(seconds=len(self.by_value)), slot)

    def uuid(self, slot: Hashable) -> uuid.UUID:
        return self._add(uuid.UUID(int=0x7300_0000_0000_4000_8000_0000_0000_0000 + len(self.by_value)), slot)

    def uuids(self, name: Hashable, count: int) -> list[uuid.UUID]:
        """Stand-ins for a list of `count` ids (an IN): slots (name, 0) to (name, count - 1),
        filled by `listed(name, ids)`."""
        return [self.uuid((name, i)) for i in range(count)]

    def integers(self, name: Hashable, count: int) -> list[int]:
        """As `uuids`, for integer ids."""
        return [self.integer((name, i)) for i in range(count)]

    def text(self, slot: Hashable) -> str:
        return self._add(f"\x1fstand-in {len(self.by_value)}\x1f", slot)

    def number(self, slot: Hashable) -> float:
        return self._add(_STANDIN_FLOAT * (1 + len(self.by_value) / 1024), slot)

    def viewer(self, slot: Hashable = "viewer") -> AbstractBaseUser:
        """A signed-in person with only an id: any other field read while building raises."""
        user_model = get_user_model()  # plumbing names no app (pyproject's "plumbing" contract)
        person = user_model(pk=self.integer(slot))
        for attname in [f.attname for f in user_model._meta.concrete_fields if not f.primary_key]:
            person.__dict__.pop(attname, None)
        return person


Slots = _Slots


def listed(name: Hashable, items: Iterable[Any]) -> dict[Hashable, Any]:
    """The values of a list's stand-ins (`Slots.uuids`, `Slots.integers`)."""
    return {(name, i): item for i, item in enumerate(items)}


@dataclass
class CompiledQuery:
    """One compiled statement: its SQL, its parameters with stand-ins marked, and the compiler
    that knows how to read its rows."""

    sql: str
    params: list[Any]
    slots: list[tuple[int, Hashable, Callable[[Any], Any]]]  # (position, slot, to the db's form)
    compiler: Any
    _hydrate: Callable[[list[tuple]], list[Model]] | None = field(default=None, repr=False)

    def bind(self, values: dict[Hashable, Any]) -> list[Any]:
        params = list(self.params)
        for position, slot, adapt in self.slots:
            params[position] = adapt(values[slot])
        return params

    def _fetch(self, values: dict[Hashable, Any]) -> list[tuple]:
        compiler = self.compiler
        connection = compiler.connection
        # Prepared on PostgreSQL once the connection has run it a few times (a page's query is
        # parsed and planned once per connection, not once per request).
        rows = statement_run(self.sql, self.bind(values), rows="all", using=connection.alias)
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        return list(compiler.results_iter([rows]))

    def tuples(self, values: dict[Hashable, Any]) -> list[tuple]:
        """The rows as tuples, converted as the ORM converts them (values_list)."""
        return [tuple(row) for row in self._fetch(values)]

    def objects(self, values: dict[Hashable, Any]) -> list[Model]:
        """The rows as model instances with their select_related objects and annotations, as
        iterating the queryset would give them."""
        rows = self._fetch(values)
        if self._hydrate is None:
            self._hydrate = _hydrator(self.compiler)
        return self._hydrate(rows)


def _hydrator(compiler) -> Callable[[list[tuple]], list[Model]]:
    """django.db.models.query.ModelIterable's reading of rows, for rows already fetched."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    db = compiler.using
    populators = get_related_populators(klass_info, select, db)
    annotations = list(annotation_col_map.items())

    def hydrate(rows: list[tuple]) -> list[Model]:
        objects = []
        for row in rows:
            obj = model.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    return hydrate


_cache: WeakKeyDictionary[BaseDatabaseWrapper, OrderedDict] = WeakKeyDictionary()


_NOTHING = object()  # what `compiled` keeps for a key whose builder found nothing to ask


def query_compiled(
    *, key: Hashable, build: Callable[[_Slots], QuerySet | None], connection=None
) -> CompiledQuery | None:
    """The query `build` makes, compiled once per connection for `key` (None when `build`
    makes none: nothing to ask for that shape). `build` gets the stand-ins (`Slots`) and must
    make the same SQL for the same key."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    queries = _cache.get(connection)
    if queries is None:
        queries = _cache[connection] = OrderedDict()
    found = queries.get(key)
    if found is None:
        found = queries[key] = _compile(build, connection)
        if len(queries) > MAX_QUERIES:
            queries.popitem(last=False)
    else:
        queries.move_to_end(key)
    return None if found is _NOTHING else found


def _compile(build: Callable[[_Slots], QuerySet | None], connection) -> CompiledQuery | object:
    slots = _Slots()
    before = timezone.now()
    queryset = build(slots)
    if queryset is None:
        return _NOTHING
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    after = timezone.now()
    params = list(params)
    placed = list(_place(params, slots, connection, before, after))
    # A stand-in missing from the parameters was decided on at compile time (Django drops a
    # condition it finds always true or never true for that value): the SQL would not hold for
    # other values.
    missing = set(slots.by_value.values()) - {slot for _, slot, _ in placed}
    if missing:
        raise UnplacedValue(f"stand-ins left out of the SQL: {sorted(map(str, missing))}")
    return CompiledQuery(sql, params, placed, compiler)


def _identity(value: Any) -> Any:
    return value


def _place(
    params: list[Any], slots: _Slots, connection, before: datetime, after: datetime
) -> Iterable[tuple[int, Hashable, Callable[[Any], Any]]]:
    """(position, slot, adapter) of every parameter that is a stand-in or the current time."""
    adapt_moment = connection.ops.adapt_datetimefield_value
    forms: dict[Any, tuple[Hashable, Callable[[Any], Any]]] = {}
    for value, slot in slots.by_value.items():
        forms[value] = (slot, _identity)
        if isinstance(value, datetime):
            forms[adapt_moment(value)] = (slot, adapt_moment)
        elif isinstance(value, uuid.UUID):
            forms[value.hex] = (slot, operator.attrgetter("hex"))
    window = (adapt_moment(before), adapt_moment(after))
    for position, value in enumerate(params):
        if isinstance(value, bool) or not isinstance(value, Hashable):
            continue
        found = forms.get(value)
        if found is not None:
            yield (position, *found)
        elif isinstance(value, datetime):
            if not before <= value <= after:
                raise UnplacedValue(f"parameter {position} is a date that is no stand-in: {value!r}")
            yield position, NOW, _identity
        elif isinstance(value, str) and _looks_like_moment(value):
            if not window[0] <= value <= window[1]:
                raise UnplacedValue(f"parameter {position} is a date that is no stand-in: {value!r}")
            yield position, NOW, adapt_moment
        elif isinstance(value, int) and _STANDIN_INT - 100_000 <= value <= _STANDIN_INT:
            raise UnplacedValue(f"parameter {position} is a changed stand-in: {value!r}")


def _looks_like_moment(text: str) -> bool:
    """A date as SQLite's adapter writes it ("2026-12-01 13:30:36.123456")."""
    return len(text) >= 19 and text[4] == "-" and text[7] == "-" and text[10] == " " and text[13] == ":"
