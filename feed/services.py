"""Rules for engaging with stories: likes, comments, shares and views.

Callers pass a story the viewer may see (`feed.selectors.visible_story`); these functions keep
the counters on the story exact under concurrency (F() updates in the same transaction as the
row that justifies them), the anonymous per-day stats that outlive the purge, the affinity
ranking uses, and the notifications.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts import services as accounts
from accounts.models import Notification, User
from stories.models import Story

from .models import COMMENT_MAX_LENGTH, Affinity, Comment, Like, Share, StoryDailyStats, StoryView


def ensure_can_engage(user: User) -> None:
    """Suspended or disabled people cannot like, comment or share (their old sessions included)."""
    refusal = accounts.login_refusal(user)
    if refusal:
        raise PermissionDenied(refusal)


def _add_counts(model: type[models.Model], key: dict[str, Any], counts: dict[str, int], **also: Any) -> None:
    """Add `counts` to the row at `key`, creating it on the first event: one atomic
    INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), so racing requests never lose an
    increment and never fail on the unique key. `also` is written on insert and on update."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    values = {**key, **also, **counts}
    fields = [meta.get_field(name) for name in values]
    columns = ", ".join(quote(field.column) for field in fields)
    params = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    updates = [
        f"{quote(f.column)} = {table}.{quote(f.column)} + excluded.{quote(f.column)}"
        for f in fields[-len(counts) :]
    ]
    updates += [
        f"{quote(meta.get_field(name).column)} = excluded.{quote(meta.get_field(name).column)}"
        for name in also
    ]
    conflict = ", ".join(quote(meta.get_field(name).column) for name in key)
    placeholders = ", ".join(["%s"] * len(params))
    # Quoted identifiers from the model's metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def count_daily(story: Story, **counts: int) -> None:
    """Today's (UTC) anonymous figures for the story: impressions, reach, completions, likes..."""
    counts = {name: value for name, value in counts.items() if value}
    if counts:
        key = {"story_id": story.pk, "day": timezone.now().date()}
        _add_counts(StoryDailyStats, key, counts, author=story.author_id)


def _add_affinity(user: User, story: Story, field: str, delta: int) -> None:
    if user.pk == story.author_id:
        return
    if delta > 0:
        key = {"user": user.pk, "author": story.author_id}
        _add_counts(Affinity, key, {field: delta}, updated_at=timezone.now())
    else:
        Affinity.objects.filter(user=user, author_id=story.author_id).update(
            **{field: Greatest(F(field) + delta, 0)}
        )


def _current(story: Story, field: str) -> int:
    return Story.objects.filter(pk=story.pk).values_list(field, flat=True).first() or 0


# --- Likes -----------------------------------------------------------------------------------


def like(user: User, story: Story) -> tuple[bool, int]:
    """Like once; returns (new like?, like_count). A second like (double tap, two devices) is a
    no-op: the unique constraint decides, and only the winner adds to the count."""
    ensure_can_engage(user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Like.objects.create(story=story, user=user)
        except IntegrityError:
            created = False
        else:
            created = True
            Story.objects.filter(pk=story.pk).update(like_count=F("like_count") + 1)
            count_daily(story, likes=1)
            _add_affinity(user, story, "likes", 1)
            accounts.notify(story.author, user, Notification.Kind.LIKE, story=story)
    return created, _current(story, "like_count")


def unlike(user: User, story: Story) -> tuple[bool, int]:
    """Take a like back; returns (was there one?, like_count). Only the request that deleted
    the row subtracts, so racing unlikes never drive the count below the truth."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(story=story, user=user).delete()
        if deleted:
            Story.objects.filter(pk=story.pk).update(like_count=Greatest(F("like_count") - 1, 0))
            count_daily(story, likes=-1)
            _add_affinity(user, story, "likes", -1)
    return bool(deleted), _current(story, "like_count")


# --- Comments --------------------------------------------------------------------------------


def clean_comment_text(text: str) -> str:
    """1 to COMMENT_MAX_LENGTH characters once stripped. Stored as typed; templates escape it."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write something first."]})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": [f"Keep it to {COMMENT_MAX_LENGTH} characters."]})
    return text


def add_comment(author: User, story: Story, text: str) -> Comment:
    """Comment on a story whose author allows comments, and tell the story's author."""
    ensure_can_engage(author)
    if not story.allow_comments:
        raise PermissionDenied("Comments are off for this story.")
    text = clean_comment_text(text)
    with transaction.atomic():
        comment = Comment.objects.create(story=story, author=author, text=text)
        Story.objects.filter(pk=story.pk).update(comment_count=F("comment_count") + 1)
        count_daily(story, comments=1)
        _add_affinity(author, story, "comments", 1)
        accounts.notify(story.author, author, Notification.Kind.COMMENT, story=story, text=text)
    return comment


def can_delete_comment(user: User | None, comment: Comment) -> bool:
    """The comment's author, or the author of the story it is on."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk in (comment.author_id, comment.story.author_id)


def delete_comment(user: User, comment: Comment) -> None:
    if not can_delete_comment(user, comment):
        raise PermissionDenied("Only its author or the story's author can delete this comment.")
    story = comment.story
    with transaction.atomic():
        deleted, _ = Comment.objects.filter(pk=comment.pk).delete()
        if deleted:
            Story.objects.filter(pk=story.pk).update(comment_count=Greatest(F("comment_count") - 1, 0))
            count_daily(story, comments=-1)


# --- Shares and views --------------------------------------------------------------------------


def share(user: User, story: Story) -> int:
    """Count a share (copy link, the share sheet); returns share_count."""
    ensure_can_engage(user)
    with transaction.atomic():
        Share.objects.create(story=story, user=user)
        Story.objects.filter(pk=story.pk).update(share_count=F("share_count") + 1)
        count_daily(story, shares=1)
    return _current(story, "share_count")


def record_view(viewer: User | None, story: Story, *, completed: bool = False) -> None:
    """An impression of an item (and "completed" when watched to the end).

    Signed-in viewers have one StoryView row per item: impressions add up, the first view counts
    toward reach and the first completion toward completions. Anonymous views only add to the
    day's impressions and completions. The author's own views change no figures."""
    if viewer is None or not viewer.is_authenticated:
        count_daily(story, impressions=1, completions=int(completed))
        return
    now = timezone.now()
    rows = StoryView.objects.filter(story=story, viewer=viewer)
    with transaction.atomic():
        new = False
        if not rows.update(impressions=F("impressions") + 1):
            try:
                with transaction.atomic():
                    StoryView.objects.create(
                        story=story, viewer=viewer, first_seen_at=now, completed_at=now if completed else None
                    )
                new = True
            except IntegrityError:  # the same person's other tab got there first
                rows.update(impressions=F("impressions") + 1)
        first_completion = completed and (
            new or bool(rows.filter(completed_at__isnull=True).update(completed_at=now))
        )
        if viewer.pk != story.author_id:
            count_daily(story, impressions=1, reach=int(new), completions=int(first_completion))
