"""Rules for engaging with stories: likes, comments, shares and views.

Callers pass a story the viewer may see (the gate: `stories.selectors.story_for_viewer`); these
functions keep the counters on the story exact under concurrency (F() updates in the same
transaction as the row that justifies them), the anonymous per-day stats that outlive the purge,
the affinity ranking uses, and the notifications.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts import services as accounts
from accounts.models import User
from stories.daily_stats import story_day_count
from stories.models import Story, StoryDailyStats
from stories_site.counters import add_counts
from stories_site.errors import Invalid, NotAllowed
from stories_site.health import ThrottleCache

from . import retention
from .models import COMMENT_MAX_LENGTH, Affinity, Comment, Like, Notification, Share
from .view_buffer import view_buffer_push
from .view_counting import view_count

# The same comment from the same person on the same story within this many seconds is the same
# comment sent twice (Enter pressed twice, a retried request): answered with the first one.
DUPLICATE_COMMENT_SECONDS = 10
# Characters that show nothing on their own: controls, format characters (bidi overrides,
# zero-width spaces and joiners), separators, combining marks and unassigned or private ones.
_INVISIBLE = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})
_ALLOWED_CONTROLS = frozenset("\n\t")
# Signed-out view repeats are remembered in the cache as the throttles see it: while Redis is
# down a repeat is counted, rather than the player's reports failing.
_REPEATS = ThrottleCache()


def engagement_ensure_allowed(*, viewer: User) -> None:
    """Suspended or disabled people cannot like, comment or share (their old sessions included)."""
    refusal = accounts.user_login_refusal(user=viewer)
    if refusal:
        raise NotAllowed(refusal)


def _add_affinity(user: User, story: Story, field: str, delta: int) -> None:
    if user.pk == story.author_id:
        return
    if delta > 0:
        key = {"user": user.pk, "author": story.author_id}
        add_counts(Affinity, key, {field: delta}, updated_at=timezone.now())
    else:
        Affinity.objects.filter(user=user, author_id=story.author_id).update(
            **{field: Greatest(F(field) + delta, 0)}
        )


def _current(story: Story, field: str) -> int:
    return Story.objects.filter(pk=story.pk).values_list(field, flat=True).first() or 0


def _count_engagement(user: User, story: Story, **counts: int) -> None:
    """Add to the story's daily figures what someone other than its author did: the author's
    own likes, comments and shares are not engagement, as their own views are not reach."""
    if user.pk != story.author_id:
        story_day_count(story=story, **counts)


# --- Likes -----------------------------------------------------------------------------------


def like_create(*, viewer: User, story: Story) -> tuple[bool, int]:
    """Like once; returns (new like?, like_count). A second like (double tap, two devices) is a
    no-op: the unique constraint decides, and only the winner adds to the count."""
    engagement_ensure_allowed(viewer=viewer)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Like.objects.create(story=story, user=viewer)
        except IntegrityError:
            created = False
        else:
            created = True
            Story.objects.filter(pk=story.pk).update(like_count=F("like_count") + 1)
            _count_engagement(viewer, story, likes=1)
            _add_affinity(viewer, story, "likes", 1)
            accounts.notice_send(
                recipient=story.author, actor=viewer, kind=Notification.Kind.LIKE, story=story
            )
    return created, _current(story, "like_count")


def like_delete(*, viewer: User, story: Story) -> tuple[bool, int]:
    """Take a like back; returns (was there one?, like_count). Only the request that deleted
    the row subtracts, so racing unlikes never drive the count below the truth."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(story=story, user=viewer).delete()
        if deleted:
            Story.objects.filter(pk=story.pk).update(like_count=Greatest(F("like_count") - 1, 0))
            _count_engagement(viewer, story, likes=-1)
            _add_affinity(viewer, story, "likes", -1)
    return bool(deleted), _current(story, "like_count")


# --- Comments --------------------------------------------------------------------------------


def written_text_clean(*, text: str, max_length: int, noun: str) -> str:
    """1 to `max_length` characters once stripped, at least one of them visible, and no control
    characters but newlines and tabs. Stored as typed; templates escape it. `noun` names what
    is written ("Comments", "Messages") in the refusal."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": ["Write something first."]})
    if len(text) > max_length:
        raise Invalid({"text": [f"Keep it to {max_length} characters."]})
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in text):
        raise Invalid({"text": [f"{noun} cannot contain control characters."]})
    if all(unicodedata.category(char) in _INVISIBLE for char in text):
        raise Invalid({"text": ["Write something people can see."]})
    return text


def comment_text_clean(*, text: str) -> str:
    return written_text_clean(text=text, max_length=COMMENT_MAX_LENGTH, noun="Comments")


def _recent_duplicate(author: User, story: Story, text: str) -> Comment | None:
    since = timezone.now() - timedelta(seconds=DUPLICATE_COMMENT_SECONDS)
    return (
        Comment.objects.filter(story=story, author=author, text=text, created_at__gte=since)
        .order_by("-created_at", "-pk")
        .first()
    )


def comment_create(*, viewer: User, story: Story, text: str) -> Comment:
    """Comment on a story whose author allows comments, and tell the story's author.

    The same text from the same person on the same story within DUPLICATE_COMMENT_SECONDS is
    the same comment sent twice: the first is returned, and nothing is counted or told again.
    The story's row is locked before looking, so two copies racing each other find one another."""
    engagement_ensure_allowed(viewer=viewer)
    if not story.allow_comments:
        raise NotAllowed("Comments are off for this story.")
    text = comment_text_clean(text=text)
    with transaction.atomic():
        list(Story.objects.select_for_update().filter(pk=story.pk).values_list("pk"))
        duplicate = _recent_duplicate(viewer, story, text)
        if duplicate is not None:
            return duplicate
        comment = Comment.objects.create(story=story, author=viewer, text=text)
        Story.objects.filter(pk=story.pk).update(comment_count=F("comment_count") + 1)
        _count_engagement(viewer, story, comments=1)
        _add_affinity(viewer, story, "comments", 1)
        accounts.notice_send(
            recipient=story.author, actor=viewer, kind=Notification.Kind.COMMENT, story=story, comment=comment
        )
    return comment


def comment_can_delete(*, comment: Comment, viewer: User | None) -> bool:
    """The comment's author, or the author of the story it is on."""
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.pk in (comment.author_id, comment.story.author_id)


def comment_delete(*, comment: Comment, by: User) -> None:
    """Delete a comment `by` its author or the story's author (NotAllowed for anyone else),
    keeping the story's comment count and the day's stats right."""
    if not comment_can_delete(comment=comment, viewer=by):
        raise NotAllowed("Only its author or the story's author can delete this comment.")
    story = comment.story
    with transaction.atomic():
        deleted, _ = Comment.objects.filter(pk=comment.pk).delete()
        if deleted:
            Story.objects.filter(pk=story.pk).update(comment_count=Greatest(F("comment_count") - 1, 0))
            _count_engagement(comment.author, story, comments=-1)


# --- Shares and views --------------------------------------------------------------------------


def share_create(*, viewer: User, story: Story) -> int:
    """Count a share (copy link, the share sheet) once per person and story; returns
    share_count. Sharing again is answered with the same count and counts nothing: shares rank
    stories (feed.selectors), so they must count people, not clicks. The unique constraint
    decides under racing requests, as for likes."""
    engagement_ensure_allowed(viewer=viewer)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Share.objects.create(story=story, user=viewer)
        except IntegrityError:
            return _current(story, "share_count")
        Story.objects.filter(pk=story.pk).update(share_count=F("share_count") + 1)
        _count_engagement(viewer, story, shares=1)
    return _current(story, "share_count")


def _anonymous_repeat(story: Story, client: str | None) -> bool:
    """True when this address already had an impression of the story counted within
    STORIES_VIEW_REPEAT_SECONDS (kept in the shared cache; a cache outage counts it)."""
    if not client:
        return False
    window = settings.STORIES_VIEW_REPEAT_SECONDS
    if window <= 0:
        return False
    key, now = f"view-repeat:{story.pk}:{client}", timezone.now().timestamp()
    # An atomic add, so racing tabs of one address cannot both find the key missing. The key's
    # expiry runs on the cache server's clock, so the stored time is checked against ours too.
    if _REPEATS.add(key, now, timeout=window):
        return False
    last = _REPEATS.get(key)
    if last is not None and now - float(last) < window:
        return True
    _REPEATS.set(key, now, timeout=window)
    return False


def _count_anonymous(story: Story, *, impression: bool, completed: bool, client: str | None) -> None:
    """Signed-out views go to the day's totals only, one impression per address and story in
    STORIES_VIEW_REPEAT_SECONDS. A completion reported on its own cannot be tied to an
    impression, so it counts only while the day's completions trail its impressions: repeating
    it cannot take the completion rate past 1."""
    if impression and _anonymous_repeat(story, client):
        impression = False
    if impression:
        story_day_count(story=story, impressions=1, completions=int(completed))
    elif completed:
        StoryDailyStats.objects.filter(
            story_id=story.pk, day=timezone.now().date(), completions__lt=F("impressions")
        ).update(completions=F("completions") + 1)


def view_record(
    *,
    viewer: User | None,
    story: Story,
    completed: bool = False,
    impression: bool = True,
    client: str | None = None,
    watched_ms: int | None = None,
    view_key: str | None = None,
) -> None:
    """An impression of an item (and "completed" when watched to the end); with
    `impression=False`, only the completion of an impression already reported (the player
    reports one when an item shows and the completion when it ends, without a second impression).

    Views count people, not requests: a signed-in viewer's impressions of an item count at most
    one per STORIES_VIEW_REPEAT_SECONDS (the first of a new UTC day always counts), and a
    signed-out one's at most one per client address (`client`) in that time.

    Signed-in viewers have one StoryView row per item: impressions add up, the first view ever
    counts toward `reach` and the first of each UTC day toward `day_reach` (one upsert, exact
    under racing tabs). A viewer's first completed view adds to completions, once per person
    like reach, so completions / impressions stays within 0..1.
    Anonymous views only add to impressions and completions. The author's own views change no
    figures.

    `watched_ms` (how far the view got, with the player's `view_key` for it) goes to the
    item's retention curve (feed/retention.py), signed in or not."""
    signed_in = viewer is not None and viewer.is_authenticated
    if watched_ms is not None and not (signed_in and viewer.pk == story.author_id):
        who = f"user:{viewer.pk}" if signed_in else f"address:{client or 'unknown'}"
        retention.record_watch(story, watched_ms=watched_ms, view_key=view_key, who=who)
    if not (impression or completed):
        return
    if viewer is None or not viewer.is_authenticated:
        _count_anonymous(story, impression=impression, completed=completed, client=client)
        return
    if view_buffer_push(story=story, viewer=viewer, impression=impression, completed=completed):
        return
    view_count(story=story, viewer=viewer, now=timezone.now(), impression=impression, completed=completed)
