"""JSON from clients, read with limits: request bodies, JSON fields inside multipart forms, and
the JSON inside cursors all go through `loads`.

Python's own `json.loads` follows a body of 100,000 nested `[` until it hits the interpreter's
recursion limit and raises RecursionError (a 500), accepts NaN and Infinity (which no database
column stores), and has no size limit. `loads` refuses all of these with a ValueError that
names the problem, so every caller answers a plain 400 (or 413 for the size).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 20  # the API's deepest real document (stickers: list > object > options) is 3 levels
MAX_BYTES = 1024 * 1024  # a JSON request body; uploads are multipart and have their own caps


class InvalidJSON(ValueError):
    """Not JSON, or JSON past the limits: the message says which, in plain words."""


class JSONTooLarge(InvalidJSON):
    """More than `MAX_BYTES`: the API answers 413."""


def _refuse_constant(name: str) -> Any:
    raise InvalidJSON(f"{name} is not a JSON number.")


def depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0, `[]` is 1), found without
    recursion so no document can exhaust the stack."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    if depth(value) > max_depth:
        raise InvalidJSON(f"JSON nested more than {max_depth} levels deep is not accepted.")
    return value


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES) -> Any:
    """`json.loads` for untrusted input: at most `max_bytes` long and `max_depth` levels deep,
    strict JSON (no NaN or Infinity). Raises InvalidJSON (JSONTooLarge for the size)."""
    if len(data) > max_bytes:
        raise JSONTooLarge(f"JSON larger than {max_bytes:,} bytes is not accepted.")
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        # The C decoder stops cleanly at the interpreter's recursion limit; past our own
        # limit either way.
        raise InvalidJSON(f"JSON nested more than {max_depth} levels deep is not accepted.") from None
    except InvalidJSON:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise InvalidJSON(f"Not valid JSON: {exc}") from None
    return check_depth(value, max_depth)
