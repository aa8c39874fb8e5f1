"""Your data, as a zip: profile.json, stories.json (with each live story's media file),
comments.json, followers.json and following.json (and the avatar, when there is one).

Small accounts (media up to STORIES_EXPORT_SYNC_BYTES) get it while the API call waits; larger
ones from a worker (`export_prepare` -> `privacy.tasks.build_export`), which writes the zip to
private storage under a random name. Either way the zip is built by `export_write_zip`. A worker's zip
is downloaded once by its owner and deleted as the download ends; one never fetched is deleted
after EXPORT_KEEP (beat's sweep).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Follow, User
from feed.models import Comment
from stories.lifecycle import State
from stories.models import Story
from stories.services import stored_delete

from .models import DataExport

logger = logging.getLogger(__name__)

EXPORT_KEEP = timedelta(days=7)
EXPORT_STALE = timedelta(hours=1)  # a worker that took longer died: a new request starts over
MEDIA_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4"}


def _when(value) -> str | None:
    return value.isoformat() if value else None


def stories_exported(*, user: User) -> QuerySet[Story]:
    """The stories an export holds: those live now, oldest first (expired ones are the archive's)."""
    now = timezone.now()
    return Story.objects.filter(author=user, state=State.READY, expires_at__gt=now).order_by("published_at")


def export_media_bytes(*, user: User) -> int:
    """What the zip's media weigh: the sum of the live stories' stored files and the avatar."""
    names = [name for name in stories_exported(user=user).values_list("media", flat=True) if name]
    if user.avatar:
        names.append(user.avatar.name)
    total = 0
    for name in names:
        try:
            total += default_storage.size(name)
        except (OSError, FileNotFoundError):
            continue
    return total


def export_is_small(*, user: User) -> bool:
    return export_media_bytes(user=user) <= settings.STORIES_EXPORT_SYNC_BYTES


def _profile(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "email": user.email,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "avatar": "avatar.jpg" if user.avatar else None,
        "exported_at": _when(timezone.now()),
    }


def _stories(user: User) -> list[dict[str, Any]]:
    live = set(stories_exported(user=user).values_list("pk", flat=True))
    rows = []
    for story in Story.objects.filter(author=user).exclude(state=State.DELETED).order_by("created_at"):
        extension = MEDIA_EXTENSIONS.get(story.media_content_type, "bin")
        rows.append(
            {
                "id": str(story.pk),
                "kind": story.kind,
                "state": story.state,
                "caption": story.caption,
                "alt_text": story.alt_text,
                "audience": story.audience,
                "created_at": _when(story.created_at),
                "published_at": _when(story.published_at),
                "expires_at": _when(story.expires_at),
                "like_count": story.like_count,
                "comment_count": story.comment_count,
                "share_count": story.share_count,
                "media": f"media/{story.pk}.{extension}" if story.pk in live and story.media else None,
            }
        )
    return rows


def _comments(user: User) -> list[dict[str, Any]]:
    rows = Comment.objects.filter(author=user).select_related("story__author").order_by("created_at")
    return [
        {
            "id": comment.pk,
            "story_id": str(comment.story_id),
            "story_author": comment.story.author.username,
            "text": comment.text,
            "created_at": _when(comment.created_at),
        }
        for comment in rows
    ]


def _follows(user: User, which: str) -> list[dict[str, Any]]:
    if which == "followers":
        rows = Follow.objects.filter(followee=user).select_related("follower").order_by("created_at")
        return [{"username": row.follower.username, "since": _when(row.created_at)} for row in rows]
    rows = Follow.objects.filter(follower=user).select_related("followee").order_by("created_at")
    return [{"username": row.followee.username, "since": _when(row.created_at)} for row in rows]


def _copy_into(archive: zipfile.ZipFile, name: str, arcname: str) -> None:
    try:
        with default_storage.open(name, "rb") as source, archive.open(arcname, "w") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except (OSError, FileNotFoundError):
        logger.warning("An exported file was missing from storage: %s", arcname)


def export_write_zip(*, user: User, target: IO[bytes]) -> None:
    """Write the whole export of `user` into the binary file `target`."""
    stories = _stories(user)
    documents = {
        "profile.json": _profile(user),
        "stories.json": stories,
        "comments.json": _comments(user),
        "followers.json": _follows(user, "followers"),
        "following.json": _follows(user, "following"),
    }
    media = {str(story.pk): story.media.name for story in stories_exported(user=user) if story.media}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, document in documents.items():
            archive.writestr(name, json.dumps(document, indent=2, ensure_ascii=False))
        for row in stories:
            if row["media"] and row["id"] in media:
                # Media is compressed already: stored, not deflated again.
                info = zipfile.ZipInfo(row["media"])
                info.compress_type = zipfile.ZIP_STORED
                with default_storage.open(media[row["id"]], "rb") as source, archive.open(info, "w") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
        if user.avatar:
            _copy_into(archive, user.avatar.name, "avatar.jpg")


def export_build_now(*, user: User) -> IO[bytes]:
    """The zip in a temporary file (rewound), for a small account's direct download."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    export_write_zip(user=user, target=spool)
    spool.seek(0)
    return spool


# --- Made by a worker ---------------------------------------------------------------------------


def export_current(*, user: User) -> DataExport | None:
    """The person's latest export still worth showing: preparing (not stale) or ready."""
    latest = DataExport.objects.filter(user=user).order_by("-created_at").first()
    if latest is None or latest.state == DataExport.State.FAILED:
        return latest
    if latest.state == DataExport.State.PREPARING and latest.created_at < timezone.now() - EXPORT_STALE:
        return None
    return latest


def export_prepare(*, user: User) -> DataExport:
    """Start a worker's export unless one is preparing or ready; returns it."""
    existing = export_current(user=user)
    if existing is not None and existing.state != DataExport.State.FAILED:
        return existing
    job = DataExport.objects.create(user=user)

    def dispatch() -> None:
        from .tasks import build_export

        try:
            build_export.delay(str(job.pk))
        except Exception:
            logger.exception("Could not queue export %s", job.pk)

    transaction.on_commit(dispatch)
    return job


def export_build(*, export_id: str) -> None:
    """The worker's part: write the zip to storage and mark the export ready (or failed)."""
    job = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, state=DataExport.State.PREPARING)
        .first()
    )
    if job is None:
        return
    try:
        with tempfile.TemporaryFile() as spool:
            export_write_zip(user=job.user, target=spool)
            size = spool.tell()
            spool.seek(0)
            wrapped = File(spool)
            wrapped.content_type = "application/zip"
            name = default_storage.save(f"exports/{secrets.token_urlsafe(24)}.zip", wrapped)
    except Exception:
        logger.exception("Export %s failed", export_id)
        DataExport.objects.filter(pk=job.pk).update(state=DataExport.State.FAILED, finished_at=timezone.now())
        return
    updated = DataExport.objects.filter(pk=job.pk, state=DataExport.State.PREPARING).update(
        state=DataExport.State.READY, file=name, size=size, finished_at=timezone.now()
    )
    if not updated:  # deleted meanwhile (the account went): do not leave the file behind
        stored_delete(name)


def export_take(*, job: DataExport) -> tuple[IO[bytes], int] | None:
    """Claim a ready export for its one download: (open file, size), the row already gone, so a
    second request finds nothing. The caller deletes the file once it is sent (`export_discard`)."""
    with transaction.atomic():
        deleted, _ = DataExport.objects.filter(pk=job.pk, state=DataExport.State.READY).delete()
    if not deleted:
        return None
    try:
        return default_storage.open(job.file, "rb"), job.size
    except (OSError, FileNotFoundError):
        return None


def export_discard(*, name: str) -> None:
    stored_delete(name)


def exports_purge_old() -> int:
    """Exports never fetched within EXPORT_KEEP, and stale or failed ones, go with their files."""
    cutoff = timezone.now() - EXPORT_KEEP
    stale = timezone.now() - EXPORT_STALE
    old = Q(created_at__lt=cutoff) | Q(state=DataExport.State.FAILED, created_at__lt=stale)
    rows = list(DataExport.objects.filter(old).values_list("pk", "file"))
    DataExport.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    stored_delete(*(name for _, name in rows if name))
    return len(rows)
