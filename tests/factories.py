"""factory_boy factories shared by the test suite."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Block, Follow, User

DEFAULT_PASSWORD = "pass12345!"


class UserFactory(DjangoModelFactory):
    """A person who can log in with `password` (DEFAULT_PASSWORD unless given)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Faker("name")
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password; a plain create would store it as given.
        return model_class.objects.create_user(*args, **kwargs)


class FollowFactory(DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)


# --- Feed: live stories without media files, and engagement rows -------------------------------


class LiveStoryFactory(DjangoModelFactory):
    """A ready story published now and live for 24 hours, without media files (feeds, counts,
    rankings); tests that serve media use tests.stories.factories.ReadyStoryFactory."""

    class Meta:
        model = "stories.Story"

    author = factory.SubFactory(UserFactory)
    kind = "video"
    state = "ready"
    media = "stories/test.mp4"
    duration = 5.0
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda story: story.published_at + timedelta(hours=24))


class LikeFactory(DjangoModelFactory):
    class Meta:
        model = "feed.Like"

    story = factory.SubFactory(LiveStoryFactory)
    user = factory.SubFactory(UserFactory)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = "feed.Comment"

    story = factory.SubFactory(LiveStoryFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"comment {n}")


class StoryViewFactory(DjangoModelFactory):
    class Meta:
        model = "feed.StoryView"

    story = factory.SubFactory(LiveStoryFactory)
    viewer = factory.SubFactory(UserFactory)
