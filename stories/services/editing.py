"""Editing a story after posting (issue 17): its caption, alt text, audience, and whether it takes
comments, downloads and replies; and, while it is scheduled, when it goes live.

Which options may change is declared with the options themselves (stories/options.py, `edit`),
and each is checked by the very rule that checked it at upload (options.options_clean), so an
edit can never make a story an upload would have refused. Nothing about a story is cached: every
feed, page, API answer and media request reads the row through the one visibility rule
(stories/selectors.py), so a saved change shows everywhere at the next request. A narrowed
audience also closes the media at once: local files are served only after that rule is asked
again on every request, and S3 links are presigned for STORIES_MEDIA_URL_TTL seconds at most
(stories/private_media.py), so a link handed out before the edit dies within minutes.

The row is locked while it changes, so two edits (or an edit and the worker publishing it)
apply one after the other, and the newly mentioned are told once: a person who already holds
a mention notification about this story is never told again, however often the caption
drops and restores their name."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts import notices
from accounts import services as people_services
from accounts.models import User
from accounts.notices import NoticeKind
from stories_site.errors import Invalid, NotAllowed

from .. import captions
from ..lifecycle import State
from ..models import Story, StoryHashtag
from ..options import WHILE_WAITING, options_clean, options_editable
from .hashtags import caption_entities, story_tag

# What an author may change after posting, besides `publish_at` (scheduled stories only): the
# options declared editable (stories/options.py). Their names are their Story fields.
EDITABLE_FIELDS = options_editable()
(PUBLISH_AT,) = options_editable(when=WHILE_WAITING)
NOT_EDITABLE = "This story can no longer be edited: it expired or was deleted."


def story_editable_states() -> list[str]:
    """Processing, scheduled, and ready while it is live."""
    return [State.PROCESSING, State.SCHEDULED, State.READY]


def story_is_editable(*, story: Story) -> bool:
    if story.state not in story_editable_states():
        return False
    return story.state != State.READY or story.is_live


def story_refuse_fixed(*, names: set[str]) -> None:
    """An Invalid naming each field that cannot change after posting (filter, sound...)."""
    fixed = sorted(set(names) - {*EDITABLE_FIELDS, PUBLISH_AT})
    if fixed:
        editable = ", ".join([*EDITABLE_FIELDS, PUBLISH_AT])
        raise Invalid(
            {name: f"{name} cannot be changed after posting; you can change {editable}." for name in fixed}
        )


def story_update(*, story: Story, by: User, **changes: Any) -> Story:
    """Apply the author's changes (any of EDITABLE_FIELDS, and `publish_at`); all or nothing.

    Raises NotAllowed for anyone but the author, Invalid with a plain message per
    field for a value an upload would refuse, a field that cannot change, or a story that can no
    longer be edited. Returns the story as saved."""
    if story.author_id != by.pk:
        raise NotAllowed("Only the author can edit this story.")
    story_refuse_fixed(names=set(changes))
    publish_at = changes.pop(PUBLISH_AT, None)
    with transaction.atomic():
        locked = Story.objects.select_for_update().filter(pk=story.pk).first()
        if locked is None or not story_is_editable(story=locked):
            raise Invalid({"detail": NOT_EDITABLE})
        before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        # The upload's own rule, on the story's values with the changes laid over them.
        after = options_clean(author=by, values={**before, **changes}, names=EDITABLE_FIELDS)
        changed = [name for name in EDITABLE_FIELDS if after[name] != before[name]]
        if publish_at is not None:
            _reschedule(locked, publish_at, by)
        if changed:
            for name in changed:
                setattr(locked, name, after[name])
            if "caption" in changed:
                old_mentions = _mentioned(locked.caption_entities)
                locked.caption_entities = caption_entities(caption=locked.caption)
                StoryHashtag.objects.filter(story=locked).delete()
                story_tag(story=locked, entities=locked.caption_entities)
                changed.append("caption_entities")
            locked.save(update_fields=changed)
            if "caption" in changed:
                _notify_new_mentions(locked, old_mentions)
    locked.refresh_from_db()
    return locked


def _reschedule(story: Story, publish_at: Any, by: User) -> None:
    """A new time to go live, by the scheduling service's own rule (now to 7 days ahead, and only
    while the story has not gone live: an Invalid on `publish_at` otherwise)."""
    from .scheduling import story_reschedule

    story_reschedule(story=story, publish_at=publish_at, by=by)
    story.refresh_from_db()


def _mentioned(entities: list[dict] | None) -> set[str]:
    """The usernames (as stored) a caption's entities mention."""
    return {entity["value"] for entity in entities or () if entity.get("type") == captions.MENTION}


def _notify_new_mentions(story: Story, old_mentions: set[str]) -> int:
    """Tell the people the new caption names and the old one did not, if they were never told
    about this story before. A story not live yet tells nobody now (nobody could open it)."""
    new = _mentioned(story.caption_entities) - old_mentions
    if not new or not story.is_live:
        return 0
    told_before = notices.recipients_told(story=story, kind=NoticeKind.MENTION)
    people = User.objects.filter(username__in=new).exclude(pk__in=told_before)
    return sum(
        1
        for person in people
        if people_services.notice_send(
            recipient=person, actor=story.author, kind=NoticeKind.MENTION, story=story
        )
    )
