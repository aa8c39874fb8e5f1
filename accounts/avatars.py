"""Profile photos, the part that needs no image decoding: where a photo stands, and removing it.

A new photo is checked, kept and made by stories/services/avatars.py, next to the media module
that reads images (accounts imports no other app). The request keeps the upload as
`avatar_pending`; the media worker turns it into `avatar`, or leaves a plain `avatar_error`.
"""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import transaction

from .models import User

logger = logging.getLogger(__name__)

PROCESSING, READY, FAILED = "processing", "ready", "failed"


def avatar_state(*, user: User) -> str | None:
    """processing (a new photo is being made; the old one shows meanwhile), failed (the last
    upload could not be used: `avatar_error` says why), ready, or None: no photo at all."""
    if user.avatar_pending:
        return PROCESSING
    if user.avatar_error:
        return FAILED
    return READY if user.avatar else None


def avatar_delete(*, user: User) -> User:
    """Back to the initial letter (a photo still being made is dropped too); the files leave
    storage once the change is saved."""
    old, pending = user.avatar.name, user.avatar_pending.name
    if old or pending or user.avatar_error:
        user.avatar.name = ""
        user.avatar_pending.name = ""
        user.avatar_error = ""
        user.save(update_fields=["avatar", "avatar_pending", "avatar_error"])
        transaction.on_commit(lambda: avatar_file_delete(name=old))
        transaction.on_commit(lambda: avatar_file_delete(name=pending))
    return user


def avatar_file_delete(*, name: str) -> None:
    """Remove one avatar file from storage; a failure is logged, never raised."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        # A leftover file is harmless (the storage reconciler takes it); a failed change is not.
        logger.warning("Could not delete avatar file %s", name, exc_info=True)
