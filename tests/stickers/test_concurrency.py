"""One vote a person is held by the database: the same person voting from many threads at once
(double taps, two devices) gets one row; the others hear "You already voted." PostgreSQL only:
SQLite serialises writers, so it cannot show the race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from stickers import selectors, services
from stickers.models import PollVote, QuizAnswer
from tests.factories import UserFactory

from .factories import PollStickerFactory, QuizStickerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(action, people: list) -> list[str]:
    """Run `action(person)` for everyone at the same instant; what each thread got, as text."""
    barrier = threading.Barrier(len(people))

    def attempt(person) -> str:
        try:
            barrier.wait()
            action(person)
            return "ok"
        except ValidationError as exc:
            return exc.messages[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(attempt, people))


def test_one_person_voting_from_many_threads_counts_once(requires_postgres):
    poll = PollStickerFactory()
    voter = UserFactory()
    outcomes = race(
        lambda person: services.poll_vote(sticker=poll, viewer=person, option=1), [voter] * THREADS
    )
    assert sorted(outcomes) == ["You already voted."] * (THREADS - 1) + ["ok"]
    assert PollVote.objects.filter(sticker=poll).count() == 1


def test_many_people_voting_at_once_are_all_counted(requires_postgres):
    poll = PollStickerFactory()
    voters = [UserFactory() for _ in range(THREADS)]
    outcomes = race(
        lambda person: services.poll_vote(sticker=poll, viewer=person, option=voters.index(person) % 2),
        voters,
    )
    assert outcomes == ["ok"] * THREADS
    assert selectors.sticker_results(sticker=poll, choice=0)["counts"] == [THREADS // 2, THREADS // 2]


def test_one_quiz_answer_a_person_under_concurrency(requires_postgres):
    quiz = QuizStickerFactory()
    person = UserFactory()
    outcomes = race(lambda p: services.quiz_answer(sticker=quiz, viewer=p, option=0), [person] * THREADS)
    assert outcomes.count("ok") == 1
    assert QuizAnswer.objects.filter(sticker=quiz).count() == 1
