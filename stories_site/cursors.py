"""One cursor codec and one cursor type for every list of the API: the feeds (feed/selectors/)
and the plain cursor-paginated lists (stories_site/api.py: comments, notifications, followers,
questions, responses, your stories, sounds...). Each list declares its cursor once as a
`CursorType` (its name and the typed values it carries) and pages with its encode and decode.

A cursor is URL-safe base64 of a small JSON object whose "k" names the list it was made for.
Clients may send anything back, so nothing in it is trusted: `decode` refuses what is not such
an object for this list, and the readers below check every value's type and range before it
goes near a query (a float of 1e30, an id of 10**30 or a string where an id belongs used to
reach the database or the datetime arithmetic and answer 500). Any failure is InvalidCursor,
which the API answers with 400 in its one error shape.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import safejson

MAX_LENGTH = 4096  # characters of cursor text; real ones are well under 1,000
MAX_DEPTH = 3  # {"p": [..]} is 2 levels; nothing a cursor carries nests deeper
INT64 = 2**63 - 1  # every integer in a cursor must fit a signed 64-bit database column
MAX_NUMBER = 1e12  # scores and the like: far beyond any real one, far within a float's range

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Moments in cursors are reference times and publication times: 1970 to the year 9000 leaves
# room for the date arithmetic done on them (never past what datetime holds).
_MIN_MICROS = 0
_MAX_MICROS = (datetime(9000, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND


class InvalidCursor(ValueError):
    """A cursor this code did not make (or made for another list): the API answers 400."""

    def __init__(self, message: str = "Invalid cursor: start again from the first page.") -> None:
        super().__init__(message)


def encode(kind: str, payload: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, **payload}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, kind: str) -> dict[str, Any] | None:
    """The payload of a cursor made by `encode(kind, ...)`, or None for no cursor (the first
    page). Only the envelope is checked here; read the values with the functions below."""
    if not cursor:
        return None
    if len(cursor) > MAX_LENGTH:
        raise InvalidCursor()
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4))
        payload = safejson.loads(raw, max_depth=MAX_DEPTH)
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise InvalidCursor() from None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise InvalidCursor()
    return payload


def integer(value: Any, low: int = -INT64, high: int = INT64) -> int:
    """A JSON integer from low to high (booleans and floats are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidCursor()
    return value


def number(value: Any, limit: float = MAX_NUMBER) -> float:
    """A finite number within +-limit, sent as a JSON number or as its repr() in a string (a
    string keeps every digit of a float through any JSON library)."""
    if isinstance(value, bool):
        raise InvalidCursor()
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = float(value)
        except ValueError:
            raise InvalidCursor() from None
    if not isinstance(value, int | float):
        raise InvalidCursor()
    try:
        result = float(value)
    except OverflowError:
        raise InvalidCursor() from None
    if not math.isfinite(result) or abs(result) > limit:
        raise InvalidCursor()
    return result


def uuid_hex(value: Any) -> uuid.UUID:
    """A UUID written as 32 hex digits (`UUID.hex`)."""
    if not isinstance(value, str) or len(value) != 32:
        raise InvalidCursor()
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        raise InvalidCursor() from None


def uuid_list(value: Any, max_count: int) -> list[uuid.UUID]:
    """At most `max_count` UUIDs packed as URL-safe base64 of their 16 bytes each."""
    if value is None:
        return []
    if not isinstance(value, str) or len(value) > 4 * (16 * max_count + 2) // 3 + 4:
        raise InvalidCursor()
    try:
        raw = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise InvalidCursor() from None
    if len(raw) % 16 or len(raw) // 16 > max_count:
        raise InvalidCursor()
    return [uuid.UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]


def pack_uuids(ids: list[uuid.UUID] | tuple[uuid.UUID, ...]) -> str:
    return base64.urlsafe_b64encode(b"".join(i.bytes for i in ids)).decode()


def items(value: Any, count: int) -> list[Any]:
    """A JSON list of exactly `count` values."""
    if not isinstance(value, list) or len(value) != count:
        raise InvalidCursor()
    return value


def micros(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 (UTC), as cursors carry it."""
    return (moment - _EPOCH) // _MICROSECOND


def moment(value: Any) -> datetime:
    """The datetime `micros()` made: an integer from 1970 to the year 9000."""
    return _EPOCH + timedelta(microseconds=integer(value, _MIN_MICROS, _MAX_MICROS))


def boolean(value: Any) -> bool:
    """A JSON true or false."""
    if not isinstance(value, bool):
        raise InvalidCursor()
    return value


def text(value: Any, max_length: int = 200) -> str:
    """A short string without NUL (which no database column takes)."""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        raise InvalidCursor()
    return value


# --- The one cursor type ---------------------------------------------------------------------------
# Every list declares its cursor once, as a CursorType: the list's name and the named values its
# cursor carries, each with the Field that writes it to JSON and reads it back checked. Pages are
# cut by `CursorType.decode` and `CursorType.encode`, never by hand-written payloads.

_REQUIRED = object()


@dataclass(frozen=True)
class Field:
    """How one value travels in a cursor: `dump` writes it as JSON, `load` reads it back and
    checks it (InvalidCursor otherwise). A field with a default may be left out: it is not
    written when the value is the default, and reads as the default when absent."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]
    default: Any = _REQUIRED

    def optional(self, default: Any = None) -> Field:
        return Field(self.dump, self.load, default)


def whole(low: int = -INT64, high: int = INT64) -> Field:
    """An integer from low to high."""
    return Field(int, lambda value: integer(value, low, high))


MOMENT = Field(micros, moment)  # a datetime, as whole microseconds since 1970
UUID = Field(lambda value: value.hex, uuid_hex)  # a UUID, as 32 hex digits
SCORE = Field(repr, number)  # a float, as its repr(): every digit survives any JSON library
FLAG = Field(bool, boolean)


def uuids(max_count: int) -> Field:
    """Up to `max_count` UUIDs, packed (`pack_uuids`); leaving it out means none."""
    return Field(pack_uuids, lambda value: tuple(uuid_list(value, max_count)), default=())


def string(max_length: int) -> Field:
    return Field(str, lambda value: text(value, max_length))


def negated(field: Field) -> Field:
    """A value written negated, so that a larger value sorts first in a key made of cursor values."""
    return Field(lambda value: -field.dump(value), lambda value: field.load(-integer(value)), field.default)


def row(*fields: Field) -> Field:
    """A fixed list of values (a position in a list's order), read back as a tuple."""

    def load(value: Any) -> tuple:
        return tuple(field.load(item) for field, item in zip(fields, items(value, len(fields)), strict=True))

    return Field(lambda values: [field.dump(v) for field, v in zip(fields, values, strict=True)], load)


class CursorType:
    """The cursor of one list: `kind` names the list (a cursor made for another list is
    refused), `fields` the values it carries, in the order they are written."""

    def __init__(self, kind: str, **fields: Field) -> None:
        self.kind = kind
        self.fields = fields

    def encode(self, **values: Any) -> str:
        unknown = set(values) - set(self.fields)
        if unknown:
            raise TypeError(f"{self.kind} cursors carry no {', '.join(sorted(unknown))}")
        payload = {
            name: field.dump(values[name])
            for name, field in self.fields.items()
            if name in values and not (field.default is not _REQUIRED and values[name] == field.default)
        }
        return encode(self.kind, payload)

    def decode(self, cursor: str | None) -> dict[str, Any] | None:
        """Every field's value (its default when left out), or None for no cursor: the first
        page. Raises InvalidCursor for anything this type did not make."""
        payload = decode(cursor, self.kind)
        if payload is None:
            return None
        values = {}
        for name, field in self.fields.items():
            if name in payload:
                values[name] = field.load(payload[name])
            elif field.default is _REQUIRED:
                raise InvalidCursor()
            else:
                values[name] = field.default
        return values
