"""Storage reconciliation: find (and delete) stored files that no row refers to.

Files are written before the row that names them commits (an upload's original, an encode's
outputs), and deleted after the row lets go of them; a crash or a lost race between the two
leaves a file nobody refers to, and nothing else would ever remove it. Only objects older than a
grace period are considered, so a file whose row is about to commit is never taken, and only
under the prefixes this project writes (RECONCILED_PREFIXES), so files an operator put in the
bucket are never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

from ..renditions import rendition_source_of

logger = logging.getLogger("stories.reconcile")

# Where stories.models.private_name and accounts.models.avatar_upload_to put files.
RECONCILED_PREFIXES = ("originals", "stories", "posters", "sounds", "avatars")
DEFAULT_GRACE = timedelta(days=1)
CHUNK = 500


@dataclass(frozen=True)
class StoredObject:
    name: str
    modified: datetime


@dataclass
class ReconcileReport:
    listed: int = 0  # objects under our prefixes, of any age
    orphans: list[StoredObject] = field(default_factory=list)  # unreferenced and older than the grace
    deleted: int = 0


def stored_objects(*, storage: Storage | None = None) -> Iterator[StoredObject]:
    """Every object under RECONCILED_PREFIXES with its modification time. On S3 one listing call
    per thousand objects (the listing carries the times); elsewhere a walk of the folders."""
    storage = storage or default_storage
    if _is_s3(storage):
        yield from _s3_objects(storage)
        return
    for prefix in RECONCILED_PREFIXES:
        yield from _walk(storage, prefix)


def _is_s3(storage: Storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a requirement
        return False
    return isinstance(storage, S3Storage)


def _s3_objects(storage) -> Iterator[StoredObject]:
    location = (storage.location or "").strip("/")
    for prefix in RECONCILED_PREFIXES:
        key_prefix = f"{location}/{prefix}/" if location else f"{prefix}/"
        for item in storage.bucket.objects.filter(Prefix=key_prefix):
            name = item.key[len(location) + 1 :] if location else item.key
            yield StoredObject(name=name, modified=item.last_modified)


def _walk(storage: Storage, path: str) -> Iterator[StoredObject]:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        full = f"{path}/{name}"
        try:
            modified = storage.get_modified_time(full)
        except FileNotFoundError:
            continue  # deleted while we walked
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified, UTC)
        yield StoredObject(name=full, modified=modified)
    for directory in directories:
        yield from _walk(storage, f"{path}/{directory}")


def _file_fields() -> list[tuple[type[models.Model], str]]:
    """Every FileField of every model: a new one is reconciled without touching this module."""
    return [
        (model, model_field.name)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.FileField)
    ]


def stored_names_referenced(*, names: Iterable[str]) -> set[str]:
    """Which of `names` some row refers to (one query per file field per chunk). A poster
    rendition is referenced through its source (stories/renditions.py): while the poster or
    photo it was made from is some row's, so is it."""
    names = list(names)
    sources = {name: rendition_source_of(name) for name in names}
    looked_up = list({*names, *(source for source in sources.values() if source)})
    found: set[str] = set()
    for model, name in _file_fields():
        rows = model._default_manager.filter(**{f"{name}__in": looked_up})
        found.update(rows.values_list(name, flat=True))
    return {name for name in names if name in found or sources[name] in found}


def _chunks(items: Iterable[StoredObject], size: int) -> Iterator[list[StoredObject]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def storage_reconcile(
    *, delete: bool = False, grace: timedelta = DEFAULT_GRACE, storage: Storage | None = None
) -> ReconcileReport:
    """List the orphans older than `grace` and, with `delete`, remove them. Each chunk is checked
    against the database right before its deletion, never against an old snapshot."""
    storage = storage or default_storage
    cutoff = timezone.now() - grace
    report = ReconcileReport()
    for chunk in _chunks(stored_objects(storage=storage), CHUNK):
        report.listed += len(chunk)
        old = [item for item in chunk if item.modified < cutoff]
        if not old:
            continue
        used = stored_names_referenced(names=(item.name for item in old))
        orphans = [item for item in old if item.name not in used]
        report.orphans.extend(orphans)
        if delete:
            for item in orphans:
                try:
                    storage.delete(item.name)
                    report.deleted += 1
                except FileNotFoundError:
                    pass
                except Exception:
                    logger.exception("Could not delete an orphaned stored file")
    if report.orphans:
        logger.info(
            "Storage: %s objects listed, %s orphaned (older than %s), %s deleted",
            report.listed,
            len(report.orphans),
            grace,
            report.deleted,
        )
    return report
