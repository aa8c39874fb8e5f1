"""What the purge must keep: the one declared extension point of a story's end.

A finished story (expired, deleted by its author, removed, failed) is taken by the purge: its row
goes to the archive and its files leave storage (stories/services/retention.py). An app above
stories may need some of them kept a while longer: moderation keeps a story with an open report,
because the case needs its media until it is resolved. stories sits below that app and cannot
import it (docs/architecture.md, "Layers"), so the app registers a hold from its
AppConfig.ready():

- `hold()` returns a query of one column, the ids of the stories to keep now (for moderation,
  `moderation.selectors.stories_under_review`).

The purge excludes every held story inside its own SQL (a subquery each), so a hold costs no
round trip and is read again under the purge's row locks; an author's deletion of a held story
only changes its state, leaving its row and files for the purge to take once nothing holds it.
Nothing else may be plugged in here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from .models import Story

# A query of one column of Story ids, e.g. Report.objects.filter(...).values("case__story_id").
Hold = Callable[[], QuerySet]

_holds: dict[str, Hold] = {}


def purge_hold_register(*, name: str, hold: Hold) -> None:
    """Plug a hold in, once at start-up (an AppConfig.ready()); registering the same name again
    replaces it, so ready() running twice in tests does not hold twice."""
    _holds[name] = hold


def stories_unheld(*, stories: QuerySet[Story]) -> QuerySet[Story]:
    """`stories` without any a hold keeps: still one query."""
    for hold in _holds.values():
        stories = stories.exclude(pk__in=hold())
    return stories


def story_is_held(*, story: Story) -> bool:
    """Whether a hold keeps this story now: one query, however many holds there are."""
    if not _holds:
        return False
    held = Q()
    for hold in _holds.values():
        held |= Q(pk__in=hold())
    return Story.objects.filter(held, pk=story.pk).exists()
