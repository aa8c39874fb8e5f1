"""Profile photos: the request keeps the upload, the media worker makes the avatar.

Here and not in accounts because the image work is the media module's (stories.media): accounts
is the lowest layer and imports no other app, so it keeps only what needs no decoding (the
fields on User, `accounts.avatars.avatar_state` and `avatar_delete`). The pages and the API
that take a photo call `profile_update` from above (feed/people_views.py, feed/people_api.py).

Why a worker: decoding, orienting and re-encoding a photo is heavy work a web process should not
do while holding a connection (issue 13). The request checks only what needs no decoding: the
size (capped while the body streams, stories/uploads.py), and the header (a photo format, within
the pixel limits: `stories.media.photo.open_image` reads the header only), so a text file or a
decompression bomb is still refused at once with a plain 400. The upload is then kept privately
as `avatar_pending` and `stories.tasks.process_avatar` (queue `media`) makes the square, cleaned
copy. Until it has, the old avatar stays in place; a photo the worker cannot decode leaves the
old avatar and a plain `avatar_error` for its owner. A newer upload, or removing the photo,
supersedes a pending one: the worker publishes only the upload it was given.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts import services as people_services
from accounts.avatars import FAILED, READY, avatar_delete, avatar_file_delete
from accounts.models import User, avatar_upload_to
from stories_site.errors import Invalid

from ..media import MediaError, sanitize_image
from ..media.errors import UNREADABLE
from ..media.photo import open_image
from ..models import private_name

logger = logging.getLogger(__name__)

AVATAR_MAX_SIZE = (400, 400)
AVATAR_NOT_A_PHOTO = "A profile photo must be a photo (JPEG, PNG, WebP or HEIC); this file is not one."


def profile_update(
    *,
    viewer: User,
    display_name: str | None = None,
    bio: str | None = None,
    avatar: IO[bytes] | None = None,
    remove_avatar: bool = False,
) -> User:
    """Change what others see, a new photo included; fields left as None stay. All or nothing
    for what the request checks (the fields, and a new photo's size, type and dimensions); the
    photo itself is made by the media worker after the commit, the old one showing meanwhile."""
    changed = people_services.profile_changes_check(user=viewer, display_name=display_name, bio=bio)
    if avatar is not None:
        avatar_check(fileobj=avatar)
    pending = None
    with transaction.atomic():
        if changed:
            viewer.save(update_fields=changed)
        if avatar is not None:
            pending = avatar_keep_upload(user=viewer, fileobj=avatar)
        elif remove_avatar:
            avatar_delete(user=viewer)
    if pending is not None:
        # After our own commit, not on_commit: the worker must find the row, and an eager
        # worker (tests) runs here on this connection.
        avatar_dispatch(user_id=viewer.pk, pending=pending)
    return viewer


def avatar_check(*, fileobj: IO[bytes]) -> None:
    """What the request may check without decoding: a photo format within the pixel limits."""
    try:
        fileobj.seek(0)
        with open_image(fileobj):
            pass
    except MediaError as exc:
        raise _refusal(exc) from None
    finally:
        fileobj.seek(0)


def _reason(exc: MediaError) -> str:
    # The media module's "not a video or photo we can read" would suggest a clip might do.
    return AVATAR_NOT_A_PHOTO if exc.reason == UNREADABLE else str(exc)


def _refusal(exc: MediaError) -> Invalid:
    return Invalid({"avatar": [_reason(exc)]})


def avatar_set(*, user: User, fileobj: IO[bytes]) -> User:
    """Keep the upload and hand it to the media worker; the avatar changes once it is made."""
    avatar_check(fileobj=fileobj)
    with transaction.atomic():
        pending = avatar_keep_upload(user=user, fileobj=fileobj)
    avatar_dispatch(user_id=user.pk, pending=pending)
    return user


def avatar_keep_upload(*, user: User, fileobj: IO[bytes]) -> str:
    """Store the checked upload privately as the pending avatar (a newer upload supersedes an
    older one still waiting). The caller sends it to the worker once this is committed."""
    pending = default_storage.save(private_name("originals", "avatar"), File(fileobj))
    superseded = user.avatar_pending.name
    user.avatar_pending.name = pending
    user.avatar_error = ""
    try:
        user.save(update_fields=["avatar_pending", "avatar_error"])
    except Exception:
        default_storage.delete(pending)
        raise
    transaction.on_commit(lambda: avatar_file_delete(name=superseded))
    return pending


def avatar_dispatch(*, user_id: Any, pending: str) -> None:
    from ..tasks import process_avatar

    try:
        process_avatar.apply_async(args=[user_id, pending])
    except Exception:
        # The upload is kept; a new upload sends it again. The old avatar shows meanwhile.
        logger.warning("Could not queue the avatar of user %s", user_id, exc_info=True)


def avatar_process(*, user_id: Any, pending: str) -> str:
    """The worker's part: a cleaned square copy of `pending` becomes the avatar, unless a newer
    upload or a removal superseded it. Returns the new state."""
    if not User.objects.filter(pk=user_id, avatar_pending=pending).exists():
        return "superseded"
    try:
        with default_storage.open(pending, "rb") as source:
            image = sanitize_image(source, max_size=AVATAR_MAX_SIZE, square=True)
    except MediaError as exc:
        mine = User.objects.filter(pk=user_id, avatar_pending=pending)
        if mine.update(avatar_pending="", avatar_error=_reason(exc)[:300]):
            avatar_file_delete(name=pending)
        return FAILED
    except FileNotFoundError:
        User.objects.filter(pk=user_id, avatar_pending=pending).update(avatar_pending="")
        return "superseded"
    extension = image.extension.lstrip(".")
    name = str(PurePosixPath(avatar_upload_to(None, "avatar")).with_suffix(f".{extension}"))
    stored = default_storage.save(name, ContentFile(image.data))
    old = User.objects.filter(pk=user_id).values_list("avatar", flat=True).first()
    if not User.objects.filter(pk=user_id, avatar_pending=pending).update(avatar=stored, avatar_pending=""):
        avatar_file_delete(name=stored)
        return "superseded"
    avatar_file_delete(name=old or "")
    avatar_file_delete(name=pending)
    return READY
