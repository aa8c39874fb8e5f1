"""Helpers every story service shares: who may post, files in storage, and the scratch
directories a worker encodes in."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from accounts.models import User
from stories_site.errors import NotAllowed

from .. import media
from ..models import Story, private_name
from ..renditions import rendition_names

logger = logging.getLogger("stories.services")

WORK_PREFIX = "story-"
LOCK_NAME = ".owner.lock"
# A scratch directory without its lock file is one whose creator died between mkdtemp and flock;
# after this long it cannot be a directory being set up right now.
UNLOCKED_GRACE_SECONDS = 600


def author_ensure_can_post(*, author: User) -> None:
    if not author.is_active or author.is_suspended:
        raise NotAllowed("Your account cannot post right now.")


# --- storage ---------------------------------------------------------------------------------


def upload_read_head(*, upload: IO[bytes], size: int = media.HEAD_BYTES) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def file_store(*, source: IO[bytes] | Path, prefix: str, extension: str, content_type: str) -> str:
    """Save under a server-made, unguessable name with the Content-Type we determined."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return file_store(source=handle, prefix=prefix, extension=extension, content_type=content_type)
    wrapped = File(source)
    wrapped.content_type = content_type  # django-storages sends this, never the client's
    return default_storage.save(private_name(prefix, extension), wrapped)


def stored_delete(*names: str) -> None:
    """Remove files from storage; a file already gone is not an error."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except FileNotFoundError:
            pass
        except Exception:
            logger.exception("Could not delete a stored file")


def stored_fetch(*, name: str, destination: Path) -> Path:
    with default_storage.open(name, "rb") as source, destination.open("wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    return destination


def story_files(*, story: Story) -> list[str]:
    """Every stored file of the story, its poster renditions included (every width there could
    be: stories/renditions.py), for the paths that delete a story's files."""
    names = [story.media.name, story.poster.name, story.original.name, *rendition_names(story)]
    return [name for name in names if name]


# --- scratch directories -----------------------------------------------------------------------


def work_root() -> Path:
    """Where encodes keep their scratch files: one folder of our own under the system temp dir,
    so clearing leftovers never looks at anyone else's files."""
    root = Path(tempfile.gettempdir()) / "stories-work"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


@contextlib.contextmanager
def work_directory() -> Iterator[Path]:
    """A scratch directory owned by this process for as long as it holds the directory's lock.

    The lock is an flock the kernel drops when the process dies however it dies (SIGKILL, OOM),
    so a worker starting later can tell a dead encode's leftovers from a live one's, on this
    host, whatever the process ids (work_dirs_clear_abandoned)."""
    path = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=work_root()))
    lock = os.open(path / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


def work_dirs_clear_abandoned() -> int:
    """Remove scratch directories whose owner is gone (a worker killed mid-encode leaves its
    source and half-written outputs behind). Directories a live process holds are kept."""
    removed = 0
    for path in work_root().glob(f"{WORK_PREFIX}*"):
        if path.is_dir() and _abandoned(path):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    if removed:
        logger.info("Removed %s scratch directories left by dead workers", removed)
    return removed


def _abandoned(path: Path) -> bool:
    try:
        lock = os.open(path / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - path.stat().st_mtime > UNLOCKED_GRACE_SECONDS
        except FileNotFoundError:
            return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its owner is alive and still working in it
    finally:
        os.close(lock)  # closing drops our own lock again
    return True
