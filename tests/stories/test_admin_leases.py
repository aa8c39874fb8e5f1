"""The processing lease in the admin: visible, so an operator can see why a story is stuck, and
read-only, since only claims, heartbeats and the sweeper may move it (an edit could hand a story
to two workers at once, or hide it from the sweeper)."""

from datetime import timedelta

import pytest
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from stories.models import Story
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

LEASE_FIELDS = ("lease_token", "lease_expires_at", "dispatched_at", "processing_attempts")


@pytest.fixture
def leased_story() -> Story:
    now = timezone.now()
    return StoryFactory(
        lease_token="a" * 32,
        lease_expires_at=now + timedelta(seconds=30),
        dispatched_at=now - timedelta(minutes=5),
        processing_attempts=2,
        last_attempt_at=now,
    )


def test_the_lease_is_shown_read_only(admin_client, leased_story):
    page = admin_client.get(reverse("admin:stories_story_change", args=[leased_story.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    for name in LEASE_FIELDS:
        assert name not in form.fields, f"{name} is editable"
    html = page.content.decode()
    assert "a" * 32 in html
    for label in ("Lease expires at", "Dispatched at", "Processing attempts"):
        assert label in html


def test_a_post_cannot_move_the_lease(admin_client, leased_story):
    url = reverse("admin:stories_story_change", args=[leased_story.pk])
    before = Story.objects.values(*LEASE_FIELDS).get(pk=leased_story.pk)
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value, widget = form[name].value(), form.fields[name].widget
        if isinstance(widget, MultiWidget):  # date and time in two inputs
            data.update({f"{name}_{i}": part for i, part in enumerate(widget.decompress(value))})
        elif value is not None and value is not False:
            data[name] = value
    data.update(lease_token="", lease_expires_at="", dispatched_at="", processing_attempts="0")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors  # saved
    assert Story.objects.values(*LEASE_FIELDS).get(pk=leased_story.pk) == before
