"""Every admin list a moderator works in costs the same number of queries for 3 rows as for
30: columns are joined or annotated, never fetched per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation import services
from moderation.models import Case
from stories.models import Sound
from tests.factories import CommentFactory, LiveStoryFactory, UserFactory
from tests.stickers.factories import PollStickerFactory

pytestmark = pytest.mark.django_db


def add_rows(n: int, moderator) -> None:
    """n of everything: people, stories, comments, sounds, stickers, cases, reports, actions."""
    for i in range(n):
        story = LiveStoryFactory()
        comment = CommentFactory(story=story)
        Sound.objects.create(title=f"sound {i}", file=f"sounds/{i}.m4a", owner=story.author)
        PollStickerFactory(story=story)
        reporter = UserFactory()
        services.report_create(reporter=reporter, target=story, reason="spam", details="why")
        services.report_create(reporter=reporter, target=comment, reason="hate")
        services.report_create(reporter=UserFactory(), target=story.author, reason="other")
        services.person_warn(
            person=story.author, by=moderator, reason="careful", case=Case.objects.get(story=story)
        )


CHANGELISTS = [
    "accounts_user",
    "stories_story",
    "stories_sound",
    "feed_comment",
    "stickers_sticker",
    "moderation_case",
    "moderation_report",
    "moderation_moderationaction",
]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"status": "all"} if "moderation/case" in url else {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_changelist_query_count_does_not_grow_with_rows(client, moderator, who):
    """Every changelist is measured on the same rows: making 30 of everything is the slow part,
    so it is made once per kind of user, not once per changelist."""
    client.force_login(moderator if who == "moderator" else UserFactory(is_staff=True, is_superuser=True))
    urls = {changelist: reverse(f"admin:{changelist}_changelist") for changelist in CHANGELISTS}
    add_rows(3, moderator)
    small = {changelist: queries(client, url) for changelist, url in urls.items()}
    add_rows(27, moderator)
    large = {changelist: queries(client, url) for changelist, url in urls.items()}
    grew = {name: (small[name], large[name]) for name in CHANGELISTS if large[name] != small[name]}
    assert not grew, f"queries for 3 rows and for 30 differ: {grew}"
    too_many = {name: count for name, count in small.items() if count > 15}
    assert not too_many, f"more than 15 queries: {too_many}"
