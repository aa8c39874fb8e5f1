"""A block ends follows for good, whatever races it (issue 19, item 2): 16 follow requests of
ben's at the same instant as fay's block, over the API, round after round. Before the fix ben
still followed fay after she unblocked him in most rounds. PostgreSQL only: SQLite runs one
writer at a time, so it cannot show the race. Also: several first uses of an old DRF token at once
all sign in."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import selectors
from accounts.models import Block, Follow, FollowerDaily
from analytics import selectors as analytics
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FOLLOWS = 16
ROUNDS = 8


def race(actions: list) -> list[int]:
    """Run every action at the same instant, each in its own thread and connection; returns
    what each answered (a status code)."""
    barrier = threading.Barrier(len(actions))

    def run(action) -> int:
        try:
            barrier.wait()
            return action()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return [future.result() for future in [pool.submit(run, action) for action in actions]]


def _client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_parallel_follows_never_outlive_a_block(requires_postgres):
    ben, fay = UserFactory(username="ben"), UserFactory(username="fay")
    as_ben, as_fay = _client(ben), _client(fay)

    def follow() -> int:
        return as_ben.post("/api/v1/users/fay/follow/", {}, format="json").status_code

    def block() -> int:
        return as_fay.post("/api/v1/users/ben/block/").status_code

    for _ in range(ROUNDS):
        answers = race([follow] * FOLLOWS + [block])
        assert answers[-1] == 201
        # Each follow was made before the block (201/200, then ended by it) or refused after it:
        # 403 when the follow's own check saw the block, 404 when the profile lookup already did.
        assert set(answers[:-1]) <= {200, 201, 403, 404}, answers
        assert Block.objects.filter(blocker=fay, blocked=ben).exists()
        assert not Follow.objects.filter(follower=ben, followee=fay).exists()
        # While the block stands, the profile and the analytics say the same.
        today = timezone.now().date()
        assert (
            analytics.follower_growth(author=fay, start=today, end=today)[1]
            == selectors.followers_count(person=fay, viewer=fay)
            == 0
        )
        assert as_fay.delete("/api/v1/users/ben/block/").status_code == 204
        assert not Follow.objects.filter(follower=ben, followee=fay).exists()
    row = FollowerDaily.objects.filter(author=fay).first()
    assert row is None or row.gained == row.lost  # every follow counted was counted lost


def test_parallel_first_uses_of_an_old_drf_token_all_sign_in(requires_postgres):
    """A key from DRF's own token table is adopted on first use. Several requests using it at
    once (a client's first burst) all sign in: the ones that waited for the adoption's lock read
    the adopted token instead of answering 401."""
    from rest_framework.authtoken.models import Token

    from accounts.models import ApiToken, token_digest

    for round_number in range(ROUNDS):
        person = UserFactory(username=f"old{round_number}")
        key = Token.objects.create(user=person).key

        def me(key: str = key) -> int:
            return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/users/me/").status_code

        assert race([me] * 6) == [200] * 6
        assert ApiToken.objects.filter(digest=token_digest(key), user=person).count() == 1
        assert not Token.objects.filter(key=key).exists()
