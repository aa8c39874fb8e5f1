"""Reads about stories. The visibility rule lives here, once, and every page, API answer and
media URL asks it: live (ready and not past `expires_at`, whatever the worker is doing), author
active and not suspended, nobody blocked either way, and the audience respected."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import selectors as people
from accounts.models import User

from .lifecycle import State
from .models import Audience, HighlightItem, Story

Viewer = people.Viewer


def live_stories() -> QuerySet[Story]:
    """Ready and not yet expired: the clock decides, not the expiry task."""
    return Story.objects.filter(state=State.READY, expires_at__gt=timezone.now())


def visible_stories(viewer: Viewer, *, despite_own_blocks: bool = False) -> QuerySet[Story]:
    """Live stories the viewer may see.

    `despite_own_blocks`: as if the blocks the viewer made were lifted (blocks against them still
    hold), for reporting: blocking someone must not stop you reporting what made you block them."""
    return for_viewer(live_stories(), viewer, despite_own_blocks=despite_own_blocks)


def for_viewer(
    stories: QuerySet[Story], viewer: Viewer, *, despite_own_blocks: bool = False
) -> QuerySet[Story]:
    """The audience part of the rule, for any set of stories: author active and not suspended,
    nobody blocked either way, the audience respected (the author always sees their own)."""
    stories = stories.filter(author__in=people.active_users())
    if not people.is_authenticated(viewer):
        return stories.filter(audience=Audience.EVERYONE)
    if despite_own_blocks:
        stories = stories.exclude(author__in=people.blockers_of(viewer))
    else:
        stories = stories.exclude(people.blocked_either_way_q(viewer, "author"))
    follows = people.viewer_follows_q(viewer, "author")
    followed_back = people.follows_viewer_q(viewer, "author")
    return stories.filter(
        Q(author=viewer)
        | Q(audience=Audience.EVERYONE)
        | (Q(audience=Audience.FOLLOWERS) & Q(follows))
        | (Q(audience=Audience.FRIENDS) & Q(follows) & Q(followed_back))
    )


def author_story(author: User, viewer: Viewer) -> QuerySet[Story]:
    """An author's Story as the viewer may see it: their live items, oldest first."""
    return visible_stories(viewer).filter(author=author).order_by("published_at", "created_at")


def has_live_story(author: User, viewer: Viewer) -> bool:
    return author_story(author, viewer).exists()


def authors_with_live_story(author_ids: list[int], viewer: Viewer) -> set[int]:
    """Of these authors, the ones whose Story the viewer can watch now (one query, for lists)."""
    return set(visible_stories(viewer).filter(author_id__in=author_ids).values_list("author_id", flat=True))


def can_view(story: Story, viewer: Viewer) -> bool:
    return visible_stories(viewer).filter(pk=story.pk).exists()


def waiting_to_go_live() -> Q:
    """A story that has not gone live yet and will at its publish_at: scheduled, or still
    processing with a publish_at (it goes to scheduled, or live if its time has come)."""
    return Q(state=State.SCHEDULED) | Q(state=State.PROCESSING, publish_at__isnull=False)


def scheduled_stories(author: User) -> QuerySet[Story]:
    """The author's stories waiting to go live, soonest first. Nobody else sees them: every
    other read asks `live_stories`, which is ready only."""
    return Story.objects.filter(waiting_to_go_live(), author=author).order_by("publish_at", "created_at")


def own_stories(author: User) -> QuerySet[Story]:
    """The author's items that still matter to them: processing, failed, or live."""
    now = timezone.now()
    return Story.objects.filter(author=author).filter(
        Q(state__in=[State.PROCESSING, State.FAILED]) | Q(state=State.READY, expires_at__gt=now)
    )


def archived_stories() -> QuerySet[Story]:
    """Expired items their authors' archives keep (stories/services/archive.py): media kept,
    seen by nobody but their author (`own_archive`), never by the feeds."""
    return Story.objects.filter(state=State.EXPIRED, archived_at__isnull=False)


def own_archive(author: Viewer) -> QuerySet[Story]:
    """The person's archive, newest first; empty for anyone signed out."""
    if not people.is_authenticated(author):
        return Story.objects.none()
    return archived_stories().filter(author=author).order_by("-published_at", "-created_at")


def highlight_stories() -> QuerySet[Story]:
    """What a highlight may hold: live stories, and expired ones their author's archive keeps
    (`archived_stories`). Anything else (expired and not kept, deleted, removed) cannot join
    one, and leaves the highlights it was in when it goes."""
    return Story.objects.filter(
        Q(state=State.READY, expires_at__gt=timezone.now())
        | Q(state=State.EXPIRED, archived_at__isnull=False)
    )


def highlight_visible_stories(viewer: Viewer) -> QuerySet[Story]:
    """Stories the viewer may watch as highlight items (and their media): live ones as
    `visible_stories` shows them, and archived ones that a highlight holds, under the same
    audience and blocks. An archived item in no highlight stays its author's alone."""
    in_a_highlight = Exists(HighlightItem.objects.filter(story=OuterRef("pk")))
    kept = Q(state=State.READY, expires_at__gt=timezone.now()) | (
        Q(state=State.EXPIRED, archived_at__isnull=False) & Q(in_a_highlight)
    )
    return for_viewer(Story.objects.filter(kept), viewer)
