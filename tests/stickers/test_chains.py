"""Add Yours chains: a prompt answered with the same prompt continues one chain, and every
sticker of the chain shows the whole chain (its count, its page, its API list) to each viewer,
as far as that viewer may see. Stories are posted the way an upload posts them
(`story_options_clean` -> `story_create` -> `story_process`), so the wiring in stories/services.py is
what is tested."""

from __future__ import annotations

import uuid
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from feed.models import Notification
from stickers import selectors
from stickers import services as sticker_services
from stickers.models import AddYoursResponse, Sticker, StickerStats, StickerType
from stories import services as story_services
from stories.lifecycle import State
from stories.models import Story
from tests.factories import FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

from .conftest import client_for
from .factories import AddYoursStickerFactory, PollStickerFactory

pytestmark = pytest.mark.django_db

PROMPT = "Show your desk"


def post(
    author: User,
    photo: Path,
    *,
    prompt: str | None = None,
    answering: Sticker | None = None,
    audience: str = "everyone",
    kind: str = StickerType.ADD_YOURS,
) -> tuple[Story, Sticker | None]:
    """A story as an upload makes it, with its sticker (None without a prompt)."""
    options = story_services.story_options_clean(
        author=author,
        audience=audience,
        stickers=[{"type": kind, "prompt": prompt}] if prompt else [],
        reply_to_sticker=str(answering.pk) if answering else None,
    )
    with photo.open("rb") as handle:
        story = story_services.story_create(author=author, upload=handle, options=options, enqueue=False)
    story_services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert story.state == State.READY, story.failure_reason
    return story, Sticker.objects.filter(story=story).first()


def response_count(sticker: Sticker, viewer) -> int:
    (shaped,) = selectors.stickers_for(stories=[sticker.story], viewer=viewer)[sticker.story_id]
    return shaped["response_count"]


def listed(sticker: Sticker, viewer) -> list[Story]:
    return list(selectors.add_yours_responses_live(sticker=sticker, viewer=viewer))


@pytest.fixture
def people() -> dict[str, User]:
    return {name: UserFactory(username=name) for name in ["alice", "bob", "carol", "viewer"]}


@pytest.fixture
def chain(people, webp_photo) -> dict[str, tuple[Story, Sticker]]:
    """Alice asks; Bob answers her with the same prompt; Carol answers Bob's copy."""
    a = post(people["alice"], webp_photo, prompt=PROMPT)
    b = post(people["bob"], webp_photo, prompt=PROMPT, answering=a[1])
    c = post(people["carol"], webp_photo, prompt=PROMPT, answering=b[1])
    return {"a": a, "b": b, "c": c}


def test_every_sticker_of_a_chain_counts_and_lists_the_whole_chain(chain, people, client):
    (a_story, a), (b_story, b), (c_story, c) = chain["a"], chain["b"], chain["c"]
    assert b.chain_id == c.chain_id == a.chain_id == a.pk
    responses = {row.story_id: row for row in AddYoursResponse.objects.all()}
    assert (responses[b_story.pk].sticker_id, responses[b_story.pk].chain_id) == (a.pk, a.pk)
    assert (responses[c_story.pk].sticker_id, responses[c_story.pk].chain_id) == (b.pk, a.pk)

    viewer = people["viewer"]
    assert [response_count(sticker, viewer) for sticker in (a, b, c)] == [2, 2, 2]
    for sticker in (a, b, c):  # newest first, never the story that started the chain
        assert listed(sticker, viewer) == [c_story, b_story]

    page = client.get(f"/stickers/{a.pk}/responses/").content.decode()
    assert "<strong>2</strong> added theirs" in page
    assert f'href="/stories/{b_story.pk}/"' in page
    assert f'href="/stories/{c_story.pk}/"' in page
    assert f'href="/stories/{a_story.pk}/"' in page  # only as "See their story", not a card
    assert page.count('class="story-card"') == 2

    body = client_for(viewer).get(f"/api/v1/stickers/{a.pk}/responses/").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [str(c_story.pk), str(b_story.pk)]
    # The stories in the list carry their own stickers, counted by the chain too.
    assert [item["stickers"][0]["response_count"] for item in body["results"]] == [2, 2]


def test_only_the_directly_answered_author_is_told_and_analytics_stay_per_sticker(chain, people):
    (_, a), (b_story, b), (c_story, _) = chain["a"], chain["b"], chain["c"]
    told = Notification.objects.filter(kind=sticker_services.ADD_YOURS_NOTIFICATION_KIND)
    assert list(told.filter(recipient=people["alice"]).values_list("story_id", flat=True)) == [b_story.pk]
    assert list(told.filter(recipient=people["bob"]).values_list("story_id", flat=True)) == [c_story.pk]
    assert not told.filter(recipient=people["carol"]).exists()
    stats = dict(StickerStats.objects.values_list("sticker_id", "responses"))
    assert (stats[a.pk], stats[b.pk]) == (1, 1)


def test_a_rewritten_prompt_starts_a_chain_of_its_own(people, webp_photo):
    _, a = post(people["alice"], webp_photo, prompt=PROMPT)
    # Case and surrounding spaces are not a new prompt...
    _, same = post(people["bob"], webp_photo, prompt="  show YOUR desk ", answering=a)
    assert same.chain_id == a.chain_id
    # ...different words are, and so is the same text on a sticker of another kind.
    _, rewritten = post(people["carol"], webp_photo, prompt="Show your shelf", answering=a)
    assert rewritten.chain_id == rewritten.pk
    asker = UserFactory()
    _, question = post(asker, webp_photo, prompt=PROMPT, answering=a, kind=StickerType.QUESTION)
    assert question.chain_id == question.pk
    # A story answering nothing starts its own chain too.
    _, fresh = post(UserFactory(), webp_photo, prompt=PROMPT)
    assert fresh.chain_id == fresh.pk != a.chain_id

    later, _ = post(UserFactory(), webp_photo, answering=rewritten)  # answers without a sticker
    viewer = people["viewer"]
    assert response_count(a, viewer) == 3  # same, rewritten and question answered Alice directly
    assert response_count(same, viewer) == 3
    assert response_count(rewritten, viewer) == 1
    assert listed(rewritten, viewer) == [later]
    assert response_count(fresh, viewer) == 0


def test_the_chain_outlives_the_story_that_started_it(chain, people, client, webp_photo):
    (a_story, a), (b_story, b), (c_story, _) = chain["a"], chain["b"], chain["c"]
    viewer = people["viewer"]
    story_services.story_delete(story=a_story, by=people["alice"])
    assert client.get(f"/stickers/{a.pk}/responses/").status_code == 404
    assert response_count(b, viewer) == 2
    assert listed(b, viewer) == [c_story, b_story]

    # The purge takes Alice's story and her sticker; Bob's answer to it stays in the chain.
    assert story_services.stories_purge() == 1
    assert not Sticker.objects.filter(pk=a.pk).exists()
    kept = AddYoursResponse.objects.get(story=b_story)
    assert (kept.sticker_id, kept.chain_id) == (None, a.pk)
    assert response_count(b, viewer) == 2
    body = client_for(viewer).get(f"/api/v1/stickers/{b.pk}/responses/").json()
    assert [item["id"] for item in body["results"]] == [str(c_story.pk), str(b_story.pk)]
    assert "<strong>2</strong> added theirs" in client.get(f"/stickers/{b.pk}/responses/").content.decode()

    # Someone can still join the chain through Bob's copy.
    d_story, _ = post(UserFactory(), webp_photo, prompt=PROMPT, answering=b)
    assert listed(b, viewer) == [d_story, c_story, b_story]


def test_a_followers_only_answer_counts_only_for_those_who_may_see_it(people, webp_photo):
    alice, bob, carol, viewer = people["alice"], people["bob"], people["carol"], people["viewer"]
    _, a = post(alice, webp_photo, prompt=PROMPT)
    b_story, b = post(bob, webp_photo, prompt=PROMPT, answering=a, audience="followers")
    FollowFactory(follower=carol, followee=bob)  # Carol may see Bob's copy, so she can answer it
    c_story, c = post(carol, webp_photo, prompt=PROMPT, answering=b)

    FollowFactory(follower=viewer, followee=bob)
    stranger = UserFactory()
    for sticker in (a, c):
        assert response_count(sticker, viewer) == 2
        assert listed(sticker, viewer) == [c_story, b_story]
        assert response_count(sticker, stranger) == 1
        assert listed(sticker, stranger) == [c_story]
        assert response_count(sticker, None) == 1
    assert response_count(b, bob) == 2  # the author sees their own answer
    assert client_for(stranger).get(f"/api/v1/stickers/{a.pk}/responses/").json()["count"] == 1
    assert client_for(viewer).get(f"/api/v1/stickers/{a.pk}/responses/").json()["count"] == 2


def test_a_page_of_one_chain_costs_three_queries(django_assert_num_queries, people):
    """Stickers of one chain and of separate ones on one page: one GROUP BY chain in the union."""
    viewer = people["viewer"]
    starter = AddYoursStickerFactory()
    copies = [AddYoursStickerFactory(chain_id=starter.chain_id) for _ in range(3)]
    for copy in copies:
        AddYoursResponse.objects.create(sticker=starter, chain_id=starter.chain_id, story=copy.story)
    alone = AddYoursStickerFactory()
    AddYoursResponse.objects.create(sticker=alone, story=ReadyStoryFactory())
    sticker_services.poll_vote(sticker=PollStickerFactory(story=alone.story), viewer=viewer, option=1)
    stories = [starter.story, *(copy.story for copy in copies), alone.story]
    with django_assert_num_queries(3):
        shaped = selectors.stickers_for(stories=stories, viewer=viewer)
    by_type = [{item["type"]: item for item in shaped[story.pk]} for story in stories]
    assert [item["add_yours"]["response_count"] for item in by_type] == [3, 3, 3, 3, 1]
    assert by_type[-1]["poll"]["results"]["counts"] == [0, 1]  # chain rows stay apart


# --- the migration's back-fill ------------------------------------------------------------------


def test_backfill_puts_every_existing_sticker_and_answer_in_its_own_chain():
    backfill = import_module("stickers.migrations.0002_add_yours_chains").backfill_chains
    prompt = AddYoursStickerFactory()
    other = AddYoursStickerFactory()
    poll = PollStickerFactory()
    answers = [ReadyStoryFactory() for _ in range(3)]
    for story, sticker in zip(answers, [prompt, prompt, other], strict=True):
        AddYoursResponse.objects.create(sticker=sticker, story=story)
    # What the rows hold before the back-fill does not matter: scramble them.
    Sticker.objects.update(chain_id=uuid.uuid4())
    AddYoursResponse.objects.update(chain_id=uuid.uuid4())

    backfill(current_apps, None)

    assert all(sticker.chain_id == sticker.pk for sticker in Sticker.objects.all())
    assert {row.story_id: row.chain_id for row in AddYoursResponse.objects.all()} == {
        answers[0].pk: prompt.pk,
        answers[1].pk: prompt.pk,
        answers[2].pk: other.pk,
    }
    assert Sticker.objects.get(pk=poll.pk).chain_id == poll.pk
    viewer = UserFactory()
    assert (response_count(prompt, viewer), response_count(other, viewer)) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_the_migration_back_fills_rows_made_before_it():
    """Migrate back to 0001, write rows the old way, migrate forward: the NOT NULL columns come
    out filled (on PostgreSQL too, where the update and the ALTER share one transaction)."""
    before = [("stickers", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldSticker = old.get_model("stickers", "Sticker")
        OldResponse = old.get_model("stickers", "AddYoursResponse")
        prompt_story, answer_story = ReadyStoryFactory(), ReadyStoryFactory()
        data = {"type": "add_yours", "data": {"prompt": PROMPT}}
        prompt = OldSticker.objects.create(story_id=prompt_story.pk, **data)
        OldSticker.objects.create(story_id=answer_story.pk, **data)
        OldResponse.objects.create(sticker_id=prompt.pk, story_id=answer_story.pk)
    finally:  # back to the latest state, whatever came after 0002, for the tests that follow
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert all(sticker.chain_id == sticker.pk for sticker in Sticker.objects.all())
    assert AddYoursResponse.objects.get().chain_id == prompt.pk
    assert listed(Sticker.objects.get(pk=prompt.pk), None) == [answer_story]
