"""Leaving: deleting an account and everything the person made, files in storage included.

This app sits above every other (accounts, stories, feed, stickers, moderation), so the use case
that needs all of them lives here and the lower apps know nothing about it.

1. `account_delete_request` (the page and `DELETE /api/v1/users/me/`): the password is checked
   (wrong ones count toward the lockout), then at once the account is deactivated and its
   password made unusable, which ends every session and API token (accounts.models.User.save)
   and hides the person and their stories everywhere (`users_active()`); the task is queued
   after the commit.
2. `account_purge` (the task; beat's `finish_account_deletions` sweeps every minute for any the
   broker lost): the stories go through the stories app's own deletion (`story_delete`: state
   `deleted`, files removed from storage at once) and storage helpers, owned sounds, the avatar
   and exports lose their files, then the user row is deleted and the database cascades to
   comments, likes, views, votes, answers, follows, blocks, notifications, tokens and the
   reports the person made. Anonymous aggregates without a key to the person stay.
3. Evidence: while an open report concerns the person (a story, a comment or the account
   itself), the account stays deactivated and hidden with only the reported stories, comments
   and the row itself kept; everything else goes at once. When moderators resolve the reports,
   the next sweep finishes the job. Deleting an account is therefore no way to escape a case.
   Moderation's own rows (cases with their labels, the audit trail) never point at the person
   after that: their keys are SET_NULL and the labels say what the target was.
"""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Block, Follow, User
from accounts.tokens import tokens_revoke_all
from feed.models import Comment, Like, Notification
from moderation.selectors import reports_open, stories_under_review
from stories.lifecycle import State
from stories.models import Sound, Story
from stories.services import stored_delete, story_delete
from stories.services.common import story_files
from stories.services.sounds import sounds_withdraw_lifted
from stories_site.errors import Invalid, NotFound

from .models import AccountDeletion, DataExport

logger = logging.getLogger(__name__)

WRONG_PASSWORD = "That is not your password."
LIVE_STATES = [State.PROCESSING, State.SCHEDULED, State.READY, State.FAILED, State.EXPIRED]


def account_delete_request(*, request: HttpRequest | None, user: User, password: str) -> None:
    """Check the password, deactivate now, delete in the background (see the module's doc)."""
    checked = authenticate(request, username=user.get_username(), password=password or "")
    if checked is None or checked.pk != user.pk:
        raise Invalid({"password": [WRONG_PASSWORD]})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_active = False
        locked.set_unusable_password()
        locked.save()  # a new password hash: every session ends (each is tied to it)
        tokens_revoke_all(user=locked)  # as a password change does (set_unusable_password skips User.save's)
        AccountDeletion.objects.get_or_create(user=locked)
        transaction.on_commit(lambda: _dispatch(locked.pk))


def _dispatch(user_id: int) -> None:
    from .tasks import delete_account

    try:
        delete_account.delay(user_id)
    except Exception:  # the broker is down: beat's sweep finishes it within a minute of its return
        logger.exception("Could not queue the deletion of account %s", user_id)


def account_under_review(*, user: User) -> bool:
    """Whether an open report concerns the person or something they made."""
    return reports_open().filter(Q(case__person=user) | Q(case__account=user)).exists()


def _delete_stories(user: User) -> None:
    """Every story of the person not under review: files out of storage, through the stories
    app's own deletion (the same path as the author's delete button), rows left for the cascade."""
    kept = stories_under_review()
    rows = list(Story.objects.filter(author=user).exclude(pk__in=kept))
    for story in rows:
        if story.state in LIVE_STATES:
            try:
                story_delete(story=story, by=user)
                continue
            except NotFound:  # deleted or removed meanwhile
                story.refresh_from_db()
        # Already deleted or removed (and no longer reported): only files may be left.
        files = story_files(story=story)
        if files:
            Story.objects.filter(pk=story.pk).update(media="", poster="", original="")
            stored_delete(*files)
    with transaction.atomic():
        sounds_withdraw_lifted(story_ids=[story.pk for story in rows])


def _delete_owned_files(user: User) -> None:
    sounds = list(Sound.objects.filter(owner=user).values_list("pk", "file", "original"))
    if sounds:
        Sound.objects.filter(pk__in=[pk for pk, _, _ in sounds]).delete()
        stored_delete(*(name for _, file, original in sounds for name in (file, original) if name))
    # The photo shown and one still waiting for the worker (accounts/avatars.py).
    photos = [field.name for field in (user.avatar, user.avatar_pending) if field]
    if photos:
        User.objects.filter(pk=user.pk).update(avatar="", avatar_pending="")
        stored_delete(*photos)
    exports = list(DataExport.objects.filter(user=user).values_list("file", flat=True))
    DataExport.objects.filter(user=user).delete()
    stored_delete(*exports)


def _delete_all_but_evidence(user: User) -> None:
    """While reports are open: what no case needs goes now."""
    reported_comments = reports_open().filter(case__comment__isnull=False).values("case__comment_id")
    Comment.objects.filter(author=user).exclude(pk__in=reported_comments).delete()
    Like.objects.filter(user=user).delete()
    Follow.objects.filter(Q(follower=user) | Q(followee=user)).delete()
    Block.objects.filter(blocker=user).delete()
    Notification.objects.filter(Q(recipient=user) | Q(actor=user)).delete()


def account_purge(*, user_id: int) -> bool:
    """Delete what the person made; True once the account row itself is gone (or was already),
    False while open reports keep it (the sweep tries again every minute)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return True
    AccountDeletion.objects.filter(user=user).update(attempted_at=timezone.now())
    _delete_stories(user)
    _delete_owned_files(user)
    if account_under_review(user=user):
        _delete_all_but_evidence(user)
        return False
    with transaction.atomic():
        # The files went above; a story that slipped in meanwhile (none can: the person is
        # inactive) would still lose its files here before its row goes.
        leftovers = [name for story in Story.objects.filter(author=user) for name in story_files(story=story)]
        User.objects.filter(pk=user.pk).delete()
    stored_delete(*leftovers)
    logger.info("Deleted account %s", user_id)
    return True


def account_deletions_finish(*, limit: int = 50) -> int:
    """Beat's sweep: every pending deletion, oldest attempt first; how many finished."""
    pending = AccountDeletion.objects.order_by("attempted_at", "requested_at").values_list(
        "user_id", flat=True
    )
    return sum(account_purge(user_id=user_id) for user_id in list(pending[:limit]))
