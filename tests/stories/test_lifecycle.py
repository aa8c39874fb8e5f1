import pytest

from stories import lifecycle
from stories.lifecycle import InvalidTransition, State
from stories.models import Story
from tests.stories.factories import ReadyStoryFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_every_state_has_its_rules():
    assert set(lifecycle.ALLOWED) == set(State.values)
    assert lifecycle.can_transition(State.PROCESSING, State.READY)
    assert lifecycle.can_transition(State.READY, State.EXPIRED)
    assert not lifecycle.can_transition(State.FAILED, State.READY)
    assert not lifecycle.can_transition(State.EXPIRED, State.READY)
    assert not lifecycle.can_transition(State.DELETED, State.READY)
    for state in State.values:
        if state not in (State.DELETED, State.REMOVED):
            assert lifecycle.can_transition(state, State.DELETED)
            assert lifecycle.can_transition(state, State.REMOVED)


def test_transition_updates_row_and_instance():
    story = StoryFactory()
    lifecycle.transition(story, State.FAILED, failure_reason="Not a video.")
    assert story.state == State.FAILED
    row = Story.objects.get(pk=story.pk)
    assert row.state == State.FAILED
    assert row.failure_reason == "Not a video."


def test_transition_reads_the_row_not_the_stale_instance():
    """A worker holding an old copy cannot publish a story the author deleted meanwhile."""
    story = StoryFactory()
    stale = Story.objects.get(pk=story.pk)
    lifecycle.transition(story, State.DELETED)
    with pytest.raises(InvalidTransition) as raised:
        lifecycle.transition(stale, State.READY)
    assert raised.value.current == State.DELETED
    assert Story.objects.get(pk=story.pk).state == State.DELETED


def test_forbidden_transition_changes_nothing():
    story = ReadyStoryFactory()
    with pytest.raises(InvalidTransition):
        lifecycle.transition(story, State.FAILED, failure_reason="nope")
    row = Story.objects.get(pk=story.pk)
    assert row.state == State.READY
    assert row.failure_reason == ""


def test_transition_many_only_moves_allowed_rows():
    ready = ReadyStoryFactory()
    processing = StoryFactory()
    moved = lifecycle.transition_many([ready.pk, processing.pk], State.EXPIRED)
    assert moved == 1
    assert Story.objects.get(pk=ready.pk).state == State.EXPIRED
    assert Story.objects.get(pk=processing.pk).state == State.PROCESSING
