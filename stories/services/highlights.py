"""Highlights: named, ordered collections of an author's own live or archived stories.

A highlight holds items (HighlightItem rows, in `position` order); each plays with its story's own
audience and blocks, read through `stories.selectors.stories_highlight_visible`. A story that is
purged or deleted takes its items with it (the rows cascade), so it simply leaves the highlight.

The cover is one item's poster or an uploaded image. An uploaded image is treated as an avatar is
(stories/services/avatars.py): the request checks only its header (a photo, within the pixel limits) and
keeps it privately as `cover_pending`; the media worker (`stories.tasks.process_highlight_cover`)
decodes it and stores a cleaned, size-capped copy, so no web process decodes an untrusted image.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from stories_site.errors import Invalid, NotAllowed

from .. import selectors
from ..media import MediaError, sanitize_image
from ..media.errors import UNREADABLE
from ..media.photo import open_image
from ..models import Highlight, HighlightItem, private_name

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 40
MAX_HIGHLIGHT_ITEMS = 100
MAX_HIGHLIGHTS = 100
COVER_MAX_SIZE = (600, 600)
COVER_NOT_A_PHOTO = "A cover must be a photo (JPEG, PNG, WebP or HEIC); this file is not one."
NOT_YOURS = "You can add only your own stories that are live or in your archive."
UNSET: Any = object()


def highlight_clean_title(*, title: object) -> str:
    """A title of 1 to 40 characters, spaces trimmed."""
    if not isinstance(title, str) or not title.strip():
        raise Invalid({"title": ["Give the highlight a name."]})
    if "\x00" in title:
        raise Invalid({"title": ["A name cannot hold a null character."]})
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_LENGTH:
        raise Invalid({"title": [f"A name has at most {MAX_TITLE_LENGTH} characters."]})
    return title


def highlight_clean_story_ids(*, owner: User, story_ids: object) -> list[Any]:
    """The stories, in the order given: each the owner's own, live or archived, listed once.
    Anything else (someone else's story, an expired one the archive did not keep, a bad id) is
    refused as a whole with a plain 400, naming no one's stories."""
    if not isinstance(story_ids, list) or not all(isinstance(value, str) for value in story_ids):
        raise Invalid({"stories": ["A list of story ids, in order."]})
    if not story_ids:
        raise Invalid({"stories": ["Pick at least one story."]})
    if len(story_ids) > MAX_HIGHLIGHT_ITEMS:
        raise Invalid({"stories": [f"A highlight holds at most {MAX_HIGHLIGHT_ITEMS} stories."]})
    if len(set(story_ids)) != len(story_ids):
        raise Invalid({"stories": ["Each story can be in a highlight once."]})
    try:
        wanted = [uuid.UUID(value) for value in story_ids]
    except ValueError:
        raise Invalid({"stories": [NOT_YOURS]}) from None
    found = set(
        selectors.stories_highlightable().filter(author=owner, pk__in=wanted).values_list("pk", flat=True)
    )
    if len(found) != len(wanted):
        raise Invalid({"stories": [NOT_YOURS]})
    return wanted


def _set_items(highlight: Highlight, story_ids: Sequence[Any]) -> None:
    """Replace the items with these stories, in this order."""
    highlight.items.all().delete()
    HighlightItem.objects.bulk_create(
        HighlightItem(highlight=highlight, story_id=story_id, position=index)
        for index, story_id in enumerate(story_ids)
    )


def highlight_create(*, owner: User, title: object, story_ids: object) -> Highlight:
    """A new highlight, last on the owner's profile, holding these stories in this order."""
    title = highlight_clean_title(title=title)
    wanted = highlight_clean_story_ids(owner=owner, story_ids=story_ids)
    with transaction.atomic():
        # The owner's row is locked so two requests cannot take the same position or both pass
        # the cap.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        existing = Highlight.objects.filter(owner=owner)
        if existing.count() >= MAX_HIGHLIGHTS:
            raise Invalid({"detail": [f"You can keep at most {MAX_HIGHLIGHTS} highlights."]})
        last = existing.aggregate(last=Max("position"))["last"]
        highlight = Highlight.objects.create(
            owner=owner, title=title, position=0 if last is None else last + 1
        )
        _set_items(highlight, wanted)
    return highlight


def highlight_update(
    *,
    highlight: Highlight,
    by: User,
    title: object = UNSET,
    story_ids: object = UNSET,
    cover_story_id: object = UNSET,
) -> Highlight:
    """Rename, set the stories (the new order, adding or leaving some out), pick the cover item
    (None: back to the first item's poster). Only what is given changes."""
    _check_owner(highlight, by)
    fields: list[str] = []
    if title is not UNSET:
        highlight.title = highlight_clean_title(title=title)
        fields.append("title")
    wanted = highlight_clean_story_ids(owner=by, story_ids=story_ids) if story_ids is not UNSET else None
    with transaction.atomic():
        if wanted is not None:
            _set_items(highlight, wanted)
        if cover_story_id is not UNSET:
            highlight.cover_story_id = _clean_cover_story(highlight, cover_story_id)
            fields.append("cover_story")
        elif wanted is not None and highlight.cover_story_id not in wanted:
            highlight.cover_story_id = None  # the cover item left the highlight
            fields.append("cover_story")
        if fields:
            highlight.save(update_fields=fields)
    return highlight


def _clean_cover_story(highlight: Highlight, value: object) -> Any:
    """None (the first item's poster, or the uploaded image), or one of the highlight's stories."""
    if value is None:
        return None
    match = None
    try:
        wanted = uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        wanted = None
    if wanted is not None:
        match = highlight.items.filter(story_id=wanted).values_list("story_id", flat=True).first()
    if match is None:
        raise Invalid({"cover_story": ["The cover must be one of the highlight's stories."]})
    return match


def highlight_delete(*, highlight: Highlight, by: User) -> None:
    """The highlight goes; its stories stay where they were (live, or in the archive)."""
    _check_owner(highlight, by)
    files = [highlight.cover_image.name, highlight.cover_pending.name]
    highlight.delete()
    transaction.on_commit(lambda: _delete_files(*files))


def highlight_reorder(*, owner: User, highlight_ids: object) -> list[Highlight]:
    """The owner's highlights in a new order on their profile: every one of them, listed once."""
    mine = {h.pk: h for h in Highlight.objects.filter(owner=owner)}
    if (
        not isinstance(highlight_ids, list)
        or not all(isinstance(value, int) and not isinstance(value, bool) for value in highlight_ids)
        or sorted(highlight_ids) != sorted(mine)
    ):
        raise Invalid({"highlights": ["List each of your highlights once, in the new order."]})
    for index, pk in enumerate(highlight_ids):
        mine[pk].position = index
    Highlight.objects.bulk_update(mine.values(), ["position"])
    return [mine[pk] for pk in highlight_ids]


def _check_owner(highlight: Highlight, by: User) -> None:
    if highlight.owner_id != by.pk:
        raise NotAllowed("Only its owner can change a highlight.")


# --- The cover image ------------------------------------------------------------------------


def highlight_set_cover_image(*, highlight: Highlight, by: User, fileobj: IO[bytes]) -> Highlight:
    """Keep the checked upload and hand it to the media worker; the cover changes once it is
    made. The header is checked here (a photo, within the pixel limits: no decoding)."""
    _check_owner(highlight, by)
    try:
        fileobj.seek(0)
        with open_image(fileobj):
            pass
    except MediaError as exc:
        reason = COVER_NOT_A_PHOTO if exc.reason == UNREADABLE else str(exc)
        raise Invalid({"image": [reason]}) from None
    finally:
        fileobj.seek(0)
    pending = default_storage.save(private_name("originals", "cover"), File(fileobj))
    superseded = highlight.cover_pending.name
    with transaction.atomic():
        highlight.cover_pending.name = pending
        highlight.cover_error = ""
        highlight.save(update_fields=["cover_pending", "cover_error"])
        transaction.on_commit(lambda: _delete_files(superseded))
        transaction.on_commit(lambda: _dispatch_cover(highlight.pk, pending))
    return highlight


def _dispatch_cover(highlight_id: int, pending: str) -> None:
    from ..tasks import process_highlight_cover

    try:
        process_highlight_cover.apply_async(args=[highlight_id, pending])
    except Exception:
        # The upload is kept; uploading again sends it again. The old cover shows meanwhile.
        logger.warning("Could not queue the cover of highlight %s", highlight_id, exc_info=True)


def highlight_process_cover(*, highlight_id: int, pending: str) -> str:
    """The worker's part: a cleaned copy of `pending` (decoded, oriented, metadata dropped,
    within COVER_MAX_SIZE, square) becomes the cover, unless a newer upload superseded it."""
    mine = Highlight.objects.filter(pk=highlight_id, cover_pending=pending)
    if not mine.exists():
        return "superseded"
    try:
        with default_storage.open(pending, "rb") as source:
            image = sanitize_image(source, max_size=COVER_MAX_SIZE, square=True)
    except MediaError as exc:
        reason = COVER_NOT_A_PHOTO if exc.reason == UNREADABLE else str(exc)
        if mine.update(cover_pending="", cover_error=reason[:300]):
            _delete_files(pending)
        return "failed"
    except FileNotFoundError:
        mine.update(cover_pending="")
        return "superseded"
    stored = default_storage.save(
        private_name("posters", image.extension.lstrip(".")), ContentFile(image.data)
    )
    old = Highlight.objects.filter(pk=highlight_id).values_list("cover_image", flat=True).first()
    if not mine.update(cover_image=stored, cover_pending="", cover_story=None):
        _delete_files(stored)
        return "superseded"
    _delete_files(old or "", pending)
    return "ready"


def _delete_files(*names: str) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            # A leftover file is harmless (the storage reconciler takes it); a failed change is not.
            logger.warning("Could not delete highlight cover file %s", name, exc_info=True)
