"""Reads about stories. The visibility rule lives here, once, and every page, API answer and
media URL asks it: live (ready and not past `expires_at`, whatever the worker is doing), author
active and not suspended, nobody blocked either way, and the audience respected.

"This story for this viewer, or 404" is `story_for_viewer` (the gate, at the end of this module):
pages, the API, media, stickers and comments all ask it, each naming its `Purpose`, and get the
story or `StoryNotFound`, which pages and the API each answer as their 404 in one place. Who may
download a story is `story_download_allowed`."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import selectors as people
from accounts.models import User
from stories_site import compiled
from stories_site.errors import NotFound

from .lifecycle import State
from .models import Audience, HighlightItem, Story

Viewer = people.Viewer


def stories_live() -> QuerySet[Story]:
    """Ready and not yet expired: the clock decides, not the expiry task."""
    return Story.objects.filter(state=State.READY, expires_at__gt=timezone.now())


def stories_visible(*, viewer: Viewer, despite_own_blocks: bool = False) -> QuerySet[Story]:
    """Live stories the viewer may see.

    `despite_own_blocks`: as if the blocks the viewer made were lifted (blocks against them still
    hold), for reporting: blocking someone must not stop you reporting what made you block them."""
    return stories_filter_visible(
        stories=stories_live(), viewer=viewer, despite_own_blocks=despite_own_blocks
    )


def stories_filter_visible(
    *, stories: QuerySet[Story], viewer: Viewer, despite_own_blocks: bool = False
) -> QuerySet[Story]:
    """The audience part of the rule, for any set of stories: author active and not suspended,
    nobody blocked either way, the audience respected (the author always sees their own)."""
    stories = stories.filter(author__in=people.users_active())
    if not people.viewer_authenticated(viewer=viewer):
        return stories.filter(audience=Audience.EVERYONE)
    if despite_own_blocks:
        stories = stories.exclude(author__in=people.blocker_ids(viewer=viewer))
    else:
        stories = stories.exclude(people.block_either_way_q(viewer=viewer, field="author"))
    follows = people.follow_from_viewer_q(viewer=viewer, field="author")
    followed_back = people.follow_to_viewer_q(viewer=viewer, field="author")
    return stories.filter(
        Q(author=viewer)
        | Q(audience=Audience.EVERYONE)
        | (Q(audience=Audience.FOLLOWERS) & Q(follows))
        | (Q(audience=Audience.FRIENDS) & Q(follows) & Q(followed_back))
    )


def author_story(*, author: User, viewer: Viewer) -> QuerySet[Story]:
    """An author's Story as the viewer may see it: their live items, oldest first."""
    return stories_visible(viewer=viewer).filter(author=author).order_by("published_at", "created_at")


def author_has_live_story(*, author: User, viewer: Viewer) -> bool:
    """Whether the viewer can watch the author's Story now (the ring around a profile photo)."""
    return author_story(author=author, viewer=viewer).exists()


def authors_with_live_story(*, author_ids: list[int], viewer: Viewer) -> set[int]:
    """Of these authors, the ones whose Story the viewer can watch now (one query, for lists)."""
    return set(
        stories_visible(viewer=viewer).filter(author_id__in=author_ids).values_list("author_id", flat=True)
    )


def stories_waiting_q() -> Q:
    """A story that has not gone live yet and will at its publish_at: scheduled, or still
    processing with a publish_at (it goes to scheduled, or live if its time has come)."""
    return Q(state=State.SCHEDULED) | Q(state=State.PROCESSING, publish_at__isnull=False)


def stories_scheduled(*, author: User) -> QuerySet[Story]:
    """The author's stories waiting to go live, soonest first. Nobody else sees them: every
    other read asks `stories_live`, which is ready only."""
    return Story.objects.filter(stories_waiting_q(), author=author).order_by("publish_at", "created_at")


def stories_own(*, author: User) -> QuerySet[Story]:
    """The author's items that still matter to them: processing, failed, or live."""
    now = timezone.now()
    return Story.objects.filter(author=author).filter(
        Q(state__in=[State.PROCESSING, State.FAILED]) | Q(state=State.READY, expires_at__gt=now)
    )


def stories_archived() -> QuerySet[Story]:
    """Expired items their authors' archives keep (stories/services/archive.py): media kept,
    seen by nobody but their author (`archive_for`), never by the feeds."""
    return Story.objects.filter(state=State.EXPIRED, archived_at__isnull=False)


def archive_for(*, viewer: Viewer) -> QuerySet[Story]:
    """The viewer's own archive, newest first; empty for anyone signed out."""
    if not people.viewer_authenticated(viewer=viewer):
        return Story.objects.none()
    return stories_archived().filter(author=viewer).order_by("-published_at", "-created_at")


def stories_highlightable() -> QuerySet[Story]:
    """What a highlight may hold: live stories, and expired ones their author's archive keeps
    (`stories_archived`). Anything else (expired and not kept, deleted, removed) cannot join
    one, and leaves the highlights it was in when it goes."""
    return Story.objects.filter(
        Q(state=State.READY, expires_at__gt=timezone.now())
        | Q(state=State.EXPIRED, archived_at__isnull=False)
    )


def stories_highlight_visible(*, viewer: Viewer) -> QuerySet[Story]:
    """Stories the viewer may watch as highlight items (and their media): live ones as
    `stories_visible` shows them, and archived ones that a highlight holds, under the same
    audience and blocks. An archived item in no highlight stays its author's alone."""
    in_a_highlight = Exists(HighlightItem.objects.filter(story=OuterRef("pk")))
    kept = Q(state=State.READY, expires_at__gt=timezone.now()) | (
        Q(state=State.EXPIRED, archived_at__isnull=False) & Q(in_a_highlight)
    )
    return stories_filter_visible(stories=Story.objects.filter(kept), viewer=viewer)


# --- The gate: one story for one viewer, or 404 --------------------------------------------------

STORY_GONE = "This story does not exist or is no longer available."


class StoryNotFound(NotFound):
    """No such story for this viewer (missing, gone, or not theirs to see: the same answer, so a
    hidden story is never told apart from a missing one). The family's NotFound (an Http404), so
    pages answer it with the site's 404 page and the API with its JSON 404 (stories_site.api's
    one exception handler)."""

    def __init__(self, message: str = STORY_GONE) -> None:
        super().__init__(message)


class Purpose(enum.Enum):
    """What the viewer wants the story for; each purpose lets the viewer in by some of the ways
    below, tried in this order (the first way is everyone's: a live story they may see)."""

    ENGAGE = "engage"  # like, comment, view, share, a sticker: live and visible only
    PAGE = "page"  # the story's page: also the author's own items still processing or failed
    API = "api"  # its JSON and its sound: also the author's scheduled items and archive
    MEDIA = "media"  # its clip and poster: also the author's archive, a highlight's archived
    # items (to its audience), and the author's scheduled preview
    DOWNLOAD = "download"  # its file as an attachment: as API (the stricter of the two rules
    # the page and the API download once had: a highlight's archived item is not downloadable)


def _own(*, viewer: Viewer) -> QuerySet[Story]:
    if not people.viewer_authenticated(viewer=viewer):
        return Story.objects.none()
    return Story.objects.filter(author=viewer)


def _own_unfinished(*, viewer: Viewer) -> QuerySet[Story]:
    """The author's items still processing or failed, and their live ones (stories_own)."""
    return stories_own(author=viewer) if people.viewer_authenticated(viewer=viewer) else Story.objects.none()


def _own_not_gone(*, viewer: Viewer) -> QuerySet[Story]:
    """The author's items processing, scheduled, failed, or live: anything but gone ones."""
    waiting_or_failed = Q(state__in=[State.PROCESSING, State.SCHEDULED, State.FAILED])
    return _own(viewer=viewer).filter(waiting_or_failed | Q(state=State.READY, expires_at__gt=timezone.now()))


def _own_scheduled(*, viewer: Viewer) -> QuerySet[Story]:
    """The author's scheduled items (processed, waiting for publish_at): their preview."""
    return _own(viewer=viewer).filter(state=State.SCHEDULED)


class Way(Protocol):
    """One way in: the stories this viewer may have by it."""

    def __call__(self, *, viewer: Viewer) -> QuerySet[Story]: ...


_WAYS: dict[Purpose, tuple[Way, ...]] = {
    Purpose.ENGAGE: (stories_visible,),
    Purpose.PAGE: (stories_visible, _own_unfinished),
    Purpose.API: (stories_visible, _own_not_gone, archive_for),
    Purpose.DOWNLOAD: (stories_visible, _own_not_gone, archive_for),
    Purpose.MEDIA: (stories_visible, archive_for, stories_highlight_visible, _own_scheduled),
}

Prepare = Callable[[QuerySet[Story]], QuerySet[Story]]


def story_for_viewer(
    *, story_id: Any, viewer: Viewer, purpose: Purpose = Purpose.ENGAGE, prepare: Prepare | None = None
) -> Story:
    """The story, with its author and sound, if this viewer may have it for `purpose`; else
    StoryNotFound. The ways in are tried one query each, in order, so the common case (a live
    story) costs one query. `prepare` adds to that query (the viewer's liked and seen state,
    stories.page_parts), so annotating costs no query of its own."""
    if prepare is not None:
        for way in _WAYS[purpose]:
            rows = way(viewer=viewer).select_related("author", "sound").filter(pk=story_id)
            story = prepare(rows).first()
            if story is not None:
                return story
        raise StoryNotFound
    try:
        story_id = story_id if isinstance(story_id, uuid.UUID) else uuid.UUID(str(story_id))
    except ValueError:
        raise StoryNotFound from None
    for index in range(len(_WAYS[purpose])):
        story = _story_by_way(purpose=purpose, index=index, story_id=story_id, viewer=viewer)
        if story is not None:
            return story
    raise StoryNotFound


def _story_by_way(*, purpose: Purpose, index: int, story_id: uuid.UUID, viewer: Viewer) -> Story | None:
    """One way in, as SQL compiled once per process (stories_site/compiled.py): the gate runs on
    every like, comment and view report, and building the visibility rule's query cost more
    than running it."""
    signed_in = people.viewer_authenticated(viewer=viewer)
    way = _WAYS[purpose][index]

    def build(slots: compiled.Slots) -> QuerySet[Story] | None:
        rows = way(viewer=slots.viewer() if signed_in else viewer)
        if rows.query.is_empty():
            return None  # nobody signed out comes in this way
        return rows.select_related("author", "sound").filter(pk=slots.uuid("pk"))[:1]

    query = compiled.query_compiled(key=("story-for-viewer", purpose, index, signed_in), build=build)
    if query is None:
        return None
    values = {"viewer": getattr(viewer, "pk", None), "pk": story_id, compiled.NOW: timezone.now()}
    found = query.objects(values)
    return found[0] if found else None


def story_visible(*, story: Story, viewer: Viewer) -> bool:
    """Whether the viewer may see and engage with this story now (Purpose.ENGAGE), in one query."""
    return stories_visible(viewer=viewer).filter(pk=story.pk).exists()


def story_download_allowed(*, story: Story, viewer: Viewer | None) -> bool:
    """Who may download a story's file: its author, or anyone when the author allows it. The
    story JSON's `download_url` and the download endpoints both ask this (the file must also be
    ready, which the endpoint checks)."""
    is_author = (
        viewer is not None and people.viewer_authenticated(viewer=viewer) and viewer.pk == story.author_id
    )
    return story.allow_downloads or is_author
