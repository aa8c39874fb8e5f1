"""The private archive (issue 17): a person who switches `archive_stories` on keeps their
expired items, media and all, visible to nobody but themselves, instead of losing them to the
purge.

An item joins the archive when it expires while its author's archive is on: expiry marks it
(`archived_at`) in the same transaction as the move to `expired`, so the purge, which skips
marked items (retention.stories_purgeable), can never take it in between. Switching the archive
off keeps what is already in it (the settings page says so): people expect turning a feature off
to stop it from now on, not to destroy what it kept; "delete the archive" is offered beside the
switch and deletes everything in it at once. Deleting an archived item is the author's ordinary
deletion (retention.story_delete): its files leave storage at once. A moderator's removal and an
account's deletion take archived items like any other."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from stories_site.errors import NotFound

from .. import selectors
from ..lifecycle import State
from ..models import Story
from .retention import story_delete


def stories_archive_expired(*, story_ids: list[Any]) -> int:
    """Of these items, just moved to `expired`, mark those whose author keeps an archive; how many.
    Called by expiry inside its transaction (retention.stories_expire_due)."""
    return Story.objects.filter(
        pk__in=story_ids,
        state=State.EXPIRED,
        archived_at__isnull=True,
        author__archive_stories=True,
    ).update(archived_at=timezone.now())


def archive_switch(*, viewer: User, enabled: bool, delete_archive: bool = False) -> int:
    """Turn the person's archive on or off; with `delete_archive`, also delete every item in it
    (their files leave storage at once). How many items were deleted."""
    User.objects.filter(pk=viewer.pk).update(archive_stories=bool(enabled))
    viewer.archive_stories = bool(enabled)
    return archive_delete(viewer=viewer) if delete_archive else 0


def archive_delete(*, viewer: User) -> int:
    """Delete every item of the person's archive, each through the author's own deletion (files
    gone at once; an item under an open report is only hidden until its case is resolved)."""
    deleted = 0
    for story in selectors.archive_for(viewer=viewer):
        try:
            story_delete(story=story, by=viewer)
        except NotFound:
            continue  # removed or deleted meanwhile: gone from the archive anyway
        deleted += 1
    return deleted
