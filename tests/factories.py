"""factory_boy factories shared by the test suite."""

import factory
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
