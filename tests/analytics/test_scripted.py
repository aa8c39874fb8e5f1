"""A scripted two days of one story: views (repeats, completions, anonymous, the author's own),
likes, comments, shares, every kind of sticker response, follows from the story and not, an
unfollow. Every figure of the API and the pages is compared exactly, before and after the story
expires and is purged, and no viewer's name appears anywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.models import Follow, FollowerDaily
from feed import services as feed
from stickers import services as stickers
from stories import services as stories
from stories.models import ArchivedStory, Story
from stories.services.follows import follow_from_story
from tests.factories import LiveStoryFactory, UserFactory
from tests.stickers.factories import (
    AddYoursStickerFactory,
    PollStickerFactory,
    QuestionStickerFactory,
    QuizStickerFactory,
)

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # the story expired at 11:00
VIEWERS = ("viewerann", "viewerbob", "viewercat", "viewerdan")

# What the script below must produce.
DAY1_FIGURES = {
    "day": "2026-03-09",
    "impressions": 7,  # ann 3, bob 1, cat 1, anonymous 2 (the author's own view counts nothing)
    "reach": 3,  # ann, bob, cat
    "completions": 4,  # ann, bob, cat (completion-only report), anonymous
    "completion_rate": 4 / 7,
    "likes": 1,  # ann and bob liked, bob took it back
    "comments": 2,
    "shares": 1,
    "sticker_responses": 7,  # 3 poll votes, 2 quiz answers, 1 question, 1 Add Yours story
    "follows_from_story": 1,  # bob, from the player
    "engagement_rate": 11 / 3,
}
DAY2_FIGURES = {
    "day": "2026-03-10",
    "impressions": 2,  # ann again, dan
    "reach": 2,  # that day's unique viewers
    "completions": 1,
    "completion_rate": 1 / 2,
    "likes": 1,
    "comments": 0,
    "shares": 0,
    "sticker_responses": 0,
    "follows_from_story": 1,  # ann, from the story's page
    "engagement_rate": 1 / 2,
}
STORY_TOTALS = {
    "impressions": 9,
    "reach": 4,  # unique viewers over the story's life
    "completions": 5,
    "completion_rate": 5 / 9,
    "likes": 2,
    "comments": 2,
    "shares": 1,
    "sticker_responses": 7,
    "follows_from_story": 2,
    "engagement_rate": 12 / 4,
}
GROWTH = [
    {"day": "2026-03-09", "gained": 3, "lost": 0, "net": 3, "followers": 3},
    {"day": "2026-03-10", "gained": 1, "lost": 1, "net": 0, "followers": 3},
]


@pytest.fixture
def script(clock, client):
    """Run the two days; returns the author, the viewers, the story and its stickers."""
    clock.set(DAY1)
    author = UserFactory(username="creator")
    ann, bob, cat, dan = (
        UserFactory(username=name, display_name=f"{name.title()} Viewer") for name in VIEWERS
    )
    story = LiveStoryFactory(
        author=author, published_at=DAY1 - timedelta(hours=1), expires_at=DAY1 + timedelta(hours=23)
    )
    other_story = LiveStoryFactory(published_at=DAY1, expires_at=DAY1 + timedelta(hours=24))
    poll = PollStickerFactory(story=story)
    quiz = QuizStickerFactory(story=story)
    questions = QuestionStickerFactory(story=story)
    add_yours = AddYoursStickerFactory(story=story)

    for minute in range(3):  # a minute apart: one person's repeats within a minute count once
        clock.set(DAY1 + timedelta(minutes=minute))
        feed.view_record(viewer=ann, story=story, completed=minute == 2)
    feed.view_record(viewer=bob, story=story, completed=True)
    feed.view_record(viewer=cat, story=story)
    feed.view_record(viewer=cat, story=story, completed=True, impression=False)
    feed.view_record(viewer=None, story=story)
    feed.view_record(viewer=None, story=story, completed=True)
    feed.view_record(viewer=author, story=story, completed=True)
    feed.like_create(viewer=ann, story=story)
    feed.like_create(viewer=bob, story=story)
    feed.like_delete(viewer=bob, story=story)
    feed.comment_create(viewer=ann, story=story, text="nice")
    feed.comment_create(viewer=ann, story=story, text="again")
    feed.share_create(viewer=cat, story=story)
    stickers.poll_vote(sticker=poll, viewer=ann, option=0)
    stickers.poll_vote(sticker=poll, viewer=bob, option=1)
    stickers.poll_vote(sticker=poll, viewer=cat, option=0)
    stickers.quiz_answer(sticker=quiz, viewer=ann, option=1)
    stickers.quiz_answer(sticker=quiz, viewer=bob, option=0)
    stickers.question_ask(sticker=questions, viewer=cat, text="what camera is that?")
    reply = LiveStoryFactory(author=dan, published_at=DAY1, expires_at=DAY1 + timedelta(hours=24))
    stickers.add_yours_response_create(sticker=add_yours, story=reply)

    api = APIClient()
    api.force_authenticate(bob)
    response = api.post(
        f"/api/v1/users/{author.username}/follow/", {"from_story": str(story.pk)}, format="json"
    )
    assert response.status_code == 201
    accounts.follow_create(follower=cat, followee=author)
    # not the followee's story: not counted
    follow_from_story(viewer=dan, followee=author, story_id=other_story.pk)

    clock.set(DAY2)
    feed.view_record(viewer=ann, story=story)
    feed.view_record(viewer=dan, story=story, completed=True)
    feed.like_create(viewer=dan, story=story)
    accounts.follow_delete(follower=cat, followee=author)
    client.force_login(ann)
    page = client.post(reverse("accounts:follow", args=[author.username]), {"from_story": str(story.pk)})
    assert page.status_code == 302
    client.logout()
    return author, (ann, bob, cat, dan), story, (poll, quiz, questions, add_yours)


def _as_author(author) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=author)[0].key}")
    return api


def _story_answer(author, story_id) -> dict:
    response = _as_author(author).get(f"/api/v1/analytics/stories/{story_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def _figures(answer: dict, names) -> dict:
    return {name: answer[name] for name in names}


def _check_everything(author, story, sticker_ids, *, live: bool) -> None:
    answer = _story_answer(author, story.pk)
    assert _figures(answer, STORY_TOTALS) == STORY_TOTALS
    assert answer["is_live"] is live
    assert answer["by_day"] == [DAY1_FIGURES, DAY2_FIGURES]
    poll, quiz, questions, add_yours = (str(pk) for pk in sticker_ids)
    results = {result["sticker_id"]: result for result in answer["stickers"]}
    assert results[poll] | {} == {
        "sticker_id": poll,
        "type": "poll",
        "label": "Tea or coffee?",
        "options": ["Tea", "Coffee"],
        "counts": [2, 1],
        "responses": 3,
        "correct_option": None,
        "correct_rate": None,
    }
    assert (results[quiz]["counts"], results[quiz]["correct_option"], results[quiz]["correct_rate"]) == (
        [1, 1, 0],
        1,
        0.5,
    )
    assert (results[questions]["type"], results[questions]["responses"]) == ("question", 1)
    assert (results[add_yours]["type"], results[add_yours]["responses"]) == ("add_yours", 1)

    summary = _as_author(author).get("/api/v1/analytics/summary/?days=28").json()
    assert (summary["days"], summary["start"], summary["end"]) == (28, "2026-02-11", "2026-03-10")
    assert summary["followers"] == 3
    assert len(summary["by_day"]) == 28
    assert summary["by_day"][-2:] == [DAY1_FIGURES, DAY2_FIGURES]
    assert all(day["impressions"] == 0 and day["engagement_rate"] == 0 for day in summary["by_day"][:-2])
    totals = dict(STORY_TOTALS)  # one story: the period's totals are the story's
    assert _figures(summary["totals"], totals) == totals
    assert summary["follower_growth"][-2:] == GROWTH
    assert summary["follower_growth"][0] == {
        "day": "2026-02-11",
        "gained": 0,
        "lost": 0,
        "net": 0,
        "followers": 0,
    }

    week = _as_author(author).get("/api/v1/analytics/summary/?days=1").json()
    assert [day["day"] for day in week["by_day"]] == ["2026-03-10"]
    assert _figures(week["totals"], ["impressions", "reach", "likes"]) == {
        "impressions": 2,
        "reach": 1,
        "likes": 1,
    }


def test_every_figure_before_and_after_the_purge(script, clock):
    author, _viewers, story, sticker_list = script
    sticker_ids = [sticker.pk for sticker in sticker_list]
    _check_everything(author, story, sticker_ids, live=True)

    clock.set(AFTER)
    assert stories.stories_expire_due() >= 1
    assert stories.stories_purge() >= 1
    assert not Story.objects.filter(pk=story.pk).exists()
    assert ArchivedStory.objects.filter(story_id=story.pk, author=author).exists()
    _check_everything(author, story, sticker_ids, live=False)


def test_follows_record_their_source_and_the_day(script):
    author, _viewers, story, _ = script
    sources = dict(
        Follow.objects.filter(followee=author).values_list("follower__username", "source_story_id")
    )
    assert sources == {"viewerbob": story.pk, "viewerdan": None, "viewerann": story.pk}
    rows = FollowerDaily.objects.filter(author=author).order_by("day")
    assert [(row.day, row.gained, row.lost) for row in rows] == [
        (date(2026, 3, 9), 3, 0),
        (date(2026, 3, 10), 1, 1),
    ]


def test_pages_show_the_figures_and_no_viewer(script, client, clock):
    author, viewers, story, _ = script
    client.force_login(author)
    for url in (
        reverse("analytics:dashboard"),
        reverse("analytics:dashboard") + "?days=7",
        reverse("analytics:story", args=[story.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        for person in viewers:
            assert person.username not in html
            assert person.display_name not in html
        assert "what camera is that?" not in html  # a question's text could name its asker
        for part in ("<svg", "<title", "<desc", 'class="visually-hidden"'):
            assert part in html
    dashboard = client.get(reverse("analytics:dashboard")).content.decode()
    assert "55.6%" in dashboard  # the story's completion rate, 5 / 9
    assert "300.0%" in dashboard  # its engagement rate, 12 / 4
    story_page = client.get(reverse("analytics:story", args=[story.pk])).content.decode()
    assert "50.0% correct" in story_page
    assert 'aria-current="page">Last 28 days' in dashboard

    clock.set(AFTER)
    stories.stories_expire_due()
    stories.stories_purge()
    story_page = client.get(reverse("analytics:story", args=[story.pk])).content.decode()
    assert "55.6%" in story_page
    assert "Tea or coffee?" in story_page


def test_no_answer_names_a_viewer(script):
    author, viewers, story, _ = script
    api = _as_author(author)
    for url in (f"/api/v1/analytics/stories/{story.pk}/", "/api/v1/analytics/summary/?days=90"):
        body = api.get(url).content.decode()
        for person in viewers:
            assert person.username not in body
            assert person.display_name not in body
