"""The purge's one-round-trip delete (stories/services/cascade.py) against Django's own collector.

Two stories are dressed alike with a row in every table that points at a story, directly or
through a comment or a sticker. One is deleted by the ORM, the other by the plan; afterwards each
dressed row must have met the same fate under both: gone, or still there with the same links
cleared. The plan is derived from the models, so a relation added later is covered by the same
comparison as long as `dress` gives it a row; `test_every_relation_to_a_story_has_a_row` fails
until it does."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

from feed.models import Comment, Conversation, Like, Message, Notification, Share, StoryView
from moderation.models import Case
from stickers.models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker
from stories.models import Hashtag, Highlight, HighlightItem, Sound, Story, StoryHashtag
from stories.services.cascade import stories_delete_rows, story_delete_plan
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def dress(story: Story, n: int) -> list[models.Model]:
    """A row in every table that hangs off a story, in a fixed order."""
    fan, other = UserFactory(), UserFactory()
    comment = Comment.objects.create(story=story, author=fan, text="nice")
    poll = Sticker.objects.create(
        story=story, position=0, type="poll", data={"question": "?", "options": ["a", "b"]}
    )
    quiz = Sticker.objects.create(
        story=story, position=1, type="quiz", data={"question": "?", "options": ["a", "b"]}
    )
    ask = Sticker.objects.create(story=story, position=2, type="question", data={"prompt": "ask me"})
    chain = Sticker.objects.create(story=story, position=3, type="add_yours", data={"prompt": "yours"})
    elsewhere = Sticker.objects.create(story=LiveStoryFactory(), type="add_yours", data={"prompt": "p"})
    contribution = LiveStoryFactory(author=fan)
    conversation = Conversation.objects.create(person_a=story.author, person_b=fan)
    highlight = Highlight.objects.create(owner=story.author, title=f"h{n}", cover_story=story)
    return [
        comment,
        Like.objects.create(story=story, user=fan),
        StoryView.objects.create(story=story, viewer=fan),
        Share.objects.create(story=story, user=fan),
        Notification.objects.create(recipient=story.author, actor=fan, kind="comment", comment=comment),
        Notification.objects.create(recipient=story.author, actor=fan, kind="like", story=story),
        Case.objects.create(kind="comment", comment=comment, label="c"),
        Case.objects.create(kind="story", story=story, label="s"),
        Message.objects.create(conversation=conversation, sender=fan, kind="reply", text="hi", story=story),
        Sound.objects.create(title=f"s{n}", owner=story.author, file="sounds/x.m4a", source_story=story),
        StoryHashtag.objects.create(story=story, hashtag=Hashtag.objects.get_or_create(name=f"tag{n}")[0]),
        highlight,
        HighlightItem.objects.create(highlight=highlight, story=story),
        poll,
        PollVote.objects.create(sticker=poll, voter=fan, option=0),
        quiz,
        QuizAnswer.objects.create(sticker=quiz, person=fan, option=1, correct=False),
        ask,
        Question.objects.create(sticker=ask, recipient=story.author, author=fan, text="why?"),
        Question.objects.create(recipient=story.author, author=other, text="how?", answered_story=story),
        chain,
        AddYoursResponse.objects.create(sticker=chain, story=contribution, chain_id=uuid.uuid4()),
        AddYoursResponse.objects.create(sticker=elsewhere, story=story, chain_id=uuid.uuid4()),
    ]


def fate(row: models.Model) -> tuple[str, tuple[str, ...] | None]:
    """Gone, or which of its links are empty now."""
    found = type(row).objects.filter(pk=row.pk).first()
    if found is None:
        return (type(row).__name__, None)
    fields = [f for f in type(row)._meta.concrete_fields if f.is_relation]
    return (type(row).__name__, tuple(f.name for f in fields if getattr(found, f.attname) is None))


def test_the_plan_leaves_what_the_collector_leaves():
    by_orm, by_plan = LiveStoryFactory(), LiveStoryFactory()
    orm_rows, plan_rows = dress(by_orm, 1), dress(by_plan, 2)
    with transaction.atomic():
        Story.objects.filter(pk=by_orm.pk).delete()
    with transaction.atomic():
        stories_delete_rows(ids=[by_plan.pk])
    assert not Story.objects.filter(pk__in=[by_orm.pk, by_plan.pk]).exists()
    assert [fate(row) for row in plan_rows] == [fate(row) for row in orm_rows]
    # The comparison has teeth: the delete took rows and cleared links.
    fates = [fate(row) for row in plan_rows]
    assert ("Like", None) in fates
    assert ("Sound", ("source_story",)) in fates


def test_every_relation_to_a_story_has_a_row():
    """A relation added to a model that reaches a story must get a row in `dress`, so the
    comparison above covers it."""
    story = LiveStoryFactory()
    rows = dress(story, 3)
    dressed = {type(row) for row in rows}

    def reachable(model: type[models.Model], seen: set) -> set:
        for relation in get_candidate_relations_to_delete(model._meta):
            child = relation.related_model
            if child not in seen:
                seen.add(child)
                if relation.field.remote_field.on_delete is models.CASCADE:
                    reachable(child, seen)
        return seen

    assert reachable(Story, set()) <= dressed


def test_one_round_trip_for_the_whole_cascade():
    """The plan's statements go in one pipeline: nothing passes through Django's cursor."""
    from django.test.utils import CaptureQueriesContext

    story = LiveStoryFactory()
    dress(story, 4)
    assert story_delete_plan() is not None
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        stories_delete_rows(ids=[story.pk])
    assert len(queries.captured_queries) == 0
    assert not Story.objects.filter(pk=story.pk).exists()
