"""A story's options, declared once: what a person chooses when posting, and its one check.

Each `Option` says everything the code around a choice needs, so adding one is this list plus
its UI:

- the upload serializer (serializers.StoryCreateSerializer) builds its field from it, and the
  OpenAPI schema reads that field: the type, the default, the help text, the documented limits;
- `options_clean` is the only place values are checked: the serializer reads types, and the
  edit (services/editing.py) goes through the same check, so an edit is refused exactly when an
  upload would be;
- services.upload.story_create saves the cleaned value into the Story field it names;
- `edit` says whether the author may change it after posting;
- `in_json` shows it in the story JSON (serializers.story_json) under its name;
- `options_editor_limits()` hands the limits to the editor through json_script "editor-context".

Other apps add their own options to an upload through the declared extension point in
stories/attachments.py (stickers: the stickers, the Add Yours prompt or the question a story
answers); they sit between the story's look and its settings.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import User
from stories_site.errors import Invalid

from . import attachments, media
from .models import Audience, SoundMode
from .overlays import overlays_clean

# When an author may change an option after posting (services/editing.py).
NEVER, ALWAYS, WHILE_WAITING = "never", "always", "while waiting"

MAX_CAPTION_LENGTH = 500
MAX_ALT_TEXT_LENGTH = 500
# What the editor offers; the API takes any whole number of hours from 1 to 168.
LIFETIMES = (1, 6, 12, 24, 48, 168)
MIN_LIFETIME_HOURS, MAX_LIFETIME_HOURS = 1, 168


@dataclass(frozen=True)
class Option:
    """One choice made when posting.

    `clean(value, author)` takes a typed value (the serializer's, a form's, a caller's) or its
    text, returns what is stored, and raises Invalid with one plain message."""

    name: str  # the API's, the form's and the JSON's name; the error key; story_options_clean's keyword
    kind: str  # text, choice, boolean, number, integer, uuid or json: the serializer's field type
    default: Any  # a callable for a fresh mutable default
    clean: Callable[[Any, User], Any]
    field: str | None = None  # the Story field it fills, when not named like the option
    max_length: int | None = None  # documented by the schema, told to the editor
    min_value: float | None = None
    choices: Callable[[], Iterable[tuple[str, str]]] | None = None
    help_text: str | None = None
    edit: str = NEVER  # an editable option is named like its Story field (the edit uses one name)
    in_json: bool = True  # of the story's own options

    @property
    def story_field(self) -> str:
        """Of the story's own options; an attachment's (stories/attachments.py) fill none."""
        return self.field or self.name

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


# --- the checks --------------------------------------------------------------------------------


def _text(limit: int, message: str) -> Callable[[Any, User], str]:
    def clean(value: Any, author: User) -> str:
        text = (value or "").strip()
        if len(text) > limit:
            raise Invalid(message)
        return text

    return clean


def _one_of(values: Callable[[], Iterable[str]], message: Callable[[], str]) -> Callable[[Any, User], str]:
    def clean(value: Any, author: User) -> str:
        if value not in values():
            raise Invalid(message())
        return value

    return clean


def _trim_start(value: Any, author: User) -> float:
    message = "Trim start must be a number of seconds, 0 or more."
    try:
        trim = float(value or 0)
    except (TypeError, ValueError):
        raise Invalid(message) from None
    if not math.isfinite(trim) or trim < 0:
        raise Invalid(message)
    return trim


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _sound(value: Any, author: User) -> Any:
    """A sound the poster may use (services.sounds.sounds_available), by id; empty is none."""
    from .services.sounds import sounds_available

    if value in (None, ""):
        return None
    pk = _as_uuid(value)
    sound = sounds_available(viewer=author).filter(pk=pk).first() if pk else None
    if sound is None:
        raise Invalid("That sound does not exist.")
    return sound


def _overlays(value: Any, author: User) -> list[dict[str, Any]]:
    return overlays_clean(raw=value)


def _flag(value: Any, author: User) -> bool:
    return bool(value)


def _lifetime(value: Any, author: User) -> int:
    return lifetime_clean(hours=value, author=author)


def lifetime_clean(*, hours: Any, author: User | None = None) -> int:
    """How long the item stays up once live: 1 to 168 whole hours; None or empty is the site's
    default (STORIES_LIFETIME_HOURS)."""
    if hours is None or hours == "":
        return settings.STORIES_LIFETIME_HOURS
    try:
        value = int(str(hours).strip())
    except ValueError:
        raise Invalid({"lifetime_hours": ["Choose a lifetime in whole hours, 1 to 168."]}) from None
    if not MIN_LIFETIME_HOURS <= value <= MAX_LIFETIME_HOURS:
        raise Invalid({"lifetime_hours": ["A story stays up from 1 hour to 7 days (168 hours)."]})
    return value


def _publish_at(value: Any, author: User) -> Any:
    from .services.scheduling import publish_at_clean

    return publish_at_clean(value=value)


# --- the declaration ---------------------------------------------------------------------------

# What the story shows, in the order the upload and its schema list them.
LOOK: tuple[Option, ...] = (
    Option(
        "caption",
        "text",
        "",
        _text(MAX_CAPTION_LENGTH, f"The caption can be at most {MAX_CAPTION_LENGTH} characters."),
        max_length=MAX_CAPTION_LENGTH,
        edit=ALWAYS,
    ),
    Option(
        "alt_text",
        "text",
        "",
        _text(MAX_ALT_TEXT_LENGTH, f"The description can be at most {MAX_ALT_TEXT_LENGTH} characters."),
        max_length=MAX_ALT_TEXT_LENGTH,
        edit=ALWAYS,
    ),
    Option(
        "audience",
        "choice",
        Audience.EVERYONE,
        _one_of(lambda: Audience.values, lambda: "Audience must be everyone, followers or friends."),
        choices=lambda: Audience.choices,
        edit=ALWAYS,
    ),
    Option(
        "filter",
        "choice",
        "none",
        _one_of(lambda: media.FILTERS, lambda: f"Unknown filter. Choose one of: {', '.join(media.FILTERS)}."),
        field="filter_name",
        choices=media.filter_choices,
    ),
    Option("sound", "uuid", None, _sound, in_json=False),  # story JSON: the sound itself
    Option(
        "sound_mode",
        "choice",
        SoundMode.MIX,
        _one_of(lambda: SoundMode.values, lambda: "Sound mode must be mix or replace."),
        choices=lambda: SoundMode.choices,
    ),
    Option("trim_start", "number", 0.0, _trim_start, min_value=0, in_json=False),
    Option("overlays", "json", list, _overlays, help_text="A JSON list of text overlays."),
)

# How it is shared.
SETTINGS: tuple[Option, ...] = (
    Option("allow_comments", "boolean", True, _flag, edit=ALWAYS),
    Option("allow_downloads", "boolean", False, _flag, edit=ALWAYS),
    Option(
        "lifetime_hours",
        "integer",
        None,
        _lifetime,
        help_text="How long the item stays up once live: 1 to 168 hours (the editor offers 1, 6, 12, 24, "
        "48 and 168). Default: the site's STORIES_LIFETIME_HOURS (24).",
    ),
    Option(
        "allow_replies",
        "boolean",
        True,
        _flag,
        help_text="false: nobody can reply privately or react to this story.",
        edit=ALWAYS,
    ),
    Option(
        "publish_at",
        "text",
        "",
        _publish_at,
        help_text="Schedule it: when it goes live, an ISO 8601 time with its offset (like "
        "2026-12-24T18:30:00+01:00), from now to 7 days ahead. Processed at once, it waits in state "
        "`scheduled`, seen by its author only. Empty: live as soon as it is processed.",
        edit=WHILE_WAITING,
    ),
)


# The story's own: each fills the Story field it names.
OWN_OPTIONS: tuple[Option, ...] = (*LOOK, *SETTINGS)


def story_options() -> tuple[Option, ...]:
    """Every option of an upload, the attachments' (stories/attachments.py) included."""
    attached = tuple(option for attachment in attachments.registered() for option in attachment.options)
    return (*LOOK, *attached, *SETTINGS)


def options_named(*, names: Iterable[str]) -> tuple[Option, ...]:
    wanted = set(names)
    return tuple(option for option in story_options() if option.name in wanted)


def options_editable(*, when: str = ALWAYS) -> tuple[str, ...]:
    """The options an author may change after posting (`when=WHILE_WAITING`: only while the
    story waits to go live), in declaration order."""
    return tuple(option.name for option in OWN_OPTIONS if option.edit == when)


def options_in_json() -> tuple[Option, ...]:
    """The options the story JSON shows as stored, under their names."""
    return tuple(option for option in OWN_OPTIONS if option.in_json)


def options_clean(
    *, author: User, values: Mapping[str, Any], names: Iterable[str] | None = None
) -> dict[str, Any]:
    """Check the options in `names` (default: all), the ones absent from `values` at their
    defaults. Returns {name: cleaned}; raises Invalid with one plain message per field."""
    chosen = story_options() if names is None else options_named(names=names)
    unknown = set(values) - {option.name for option in story_options()}
    if unknown:
        raise TypeError(f"Not a story option: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for option in chosen:
        value = values.get(option.name, option.default_value())
        try:
            cleaned[option.name] = option.clean(value, author)
        except ValidationError as exc:
            errors[option.name] = exc.messages[0]
    if errors:
        raise Invalid(errors)
    return cleaned


def options_editor_limits(*, names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The limits the pages check on the spot, by option name (json_script "editor-context" on
    the create page, "edit-context" on the edit page; static/js/lib/limits.js)."""
    limits: dict[str, dict[str, Any]] = {}
    for option in story_options() if names is None else options_named(names=names):
        known = {"max_length": option.max_length, "min": option.min_value}
        known = {key: value for key, value in known.items() if value is not None}
        if known:
            limits[option.name] = known
    return limits
