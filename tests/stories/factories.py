"""Story factories. `ReadyStoryFactory` stores a small real file so media endpoints have bytes
to serve; tests that need real encoded media use the generated fixtures instead."""

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from stories.lifecycle import State
from stories.models import Kind, Story, private_name
from tests.factories import UserFactory

MEDIA_BYTES = bytes(range(256)) * 40  # 10,240 bytes with a known pattern for Range checks


def _stored(prefix: str, extension: str, content: bytes = MEDIA_BYTES) -> str:
    return default_storage.save(private_name(prefix, extension), ContentFile(content))


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    author = factory.SubFactory(UserFactory)
    kind = Kind.VIDEO
    state = State.PROCESSING


class ReadyStoryFactory(StoryFactory):
    state = State.READY
    media = factory.LazyFunction(lambda: _stored("stories", "mp4"))
    media_content_type = "video/mp4"
    poster = factory.LazyFunction(lambda: _stored("posters", "jpg", b"\xff\xd8\xff poster"))
    duration = 5.0
    width = 720
    height = 1280
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda story: story.published_at + timedelta(hours=24))
