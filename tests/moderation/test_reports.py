"""Reporting a story, a comment or an account: the API (the v1 contract and its extensions),
the report page, and the rules in `services.report_create`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Case, Report, ReportStatus
from tests.factories import BlockFactory, CommentFactory, LiveStoryFactory, UserFactory

from .conftest import api_as

pytestmark = pytest.mark.django_db


def story_url(story) -> str:
    return f"/api/v1/stories/{story.pk}/report/"


def test_report_a_story_answers_201_and_opens_a_case():
    story = LiveStoryFactory()
    reporter = UserFactory()
    response = api_as(reporter).post(
        story_url(story), {"reason": "spam", "details": "buy now"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "spam"
    assert response.json()["status"] == "open"
    case = Case.objects.get(story=story)
    assert case.kind == "story"
    assert case.person == story.author
    assert case.reports.get().reporter == reporter


def test_details_are_optional():
    response = api_as(UserFactory()).post(story_url(LiveStoryFactory()), {"reason": "hate"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "spam", "details": "x" * 1001}, "details"),
    ],
)
def test_bad_input_is_a_plain_400(body, field):
    response = api_as(UserFactory()).post(story_url(LiveStoryFactory()), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Report.objects.exists()


def test_one_open_report_per_person_and_target():
    story = LiveStoryFactory()
    client = api_as(UserFactory())
    assert client.post(story_url(story), {"reason": "spam"}, format="json").status_code == 201
    again = client.post(story_url(story), {"reason": "hate"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"detail": "You already reported this."}
    assert Report.objects.count() == 1


def test_a_second_person_reports_the_same_case():
    story = LiveStoryFactory()
    for _ in range(2):
        assert (
            api_as(UserFactory()).post(story_url(story), {"reason": "spam"}, format="json").status_code == 201
        )
    assert Case.objects.get().reports.count() == 2


def test_after_resolution_the_same_person_may_report_again():
    story = LiveStoryFactory()
    reporter = UserFactory()
    api_as(reporter).post(story_url(story), {"reason": "spam"}, format="json")
    Report.objects.update(status=ReportStatus.DISMISSED)
    assert api_as(reporter).post(story_url(story), {"reason": "spam"}, format="json").status_code == 201


def test_your_own_story_comment_or_account_cannot_be_reported():
    me = UserFactory()
    story = LiveStoryFactory(author=me)
    comment = CommentFactory(author=me, story=LiveStoryFactory())
    client = api_as(me)
    for url in (
        story_url(story),
        f"/api/v1/comments/{comment.pk}/report/",
        f"/api/v1/users/{me.username}/report/",
    ):
        response = client.post(url, {"reason": "spam"}, format="json")
        assert response.status_code == 400, url
        assert response.json() == {"detail": "You cannot report yourself or your own posts."}


def test_what_you_cannot_see_answers_404():
    reporter = UserFactory()
    followers_only = LiveStoryFactory(audience="followers")
    blocker = UserFactory()
    BlockFactory(blocker=blocker, blocked=reporter)
    blocked_story = LiveStoryFactory(author=blocker)
    client = api_as(reporter)
    for url in (
        story_url(followers_only),
        story_url(blocked_story),
        f"/api/v1/users/{blocker.username}/report/",
        "/api/v1/stories/00000000-0000-0000-0000-000000000000/report/",
        "/api/v1/comments/999999/report/",
        "/api/v1/users/nobody_here/report/",
    ):
        assert client.post(url, {"reason": "spam"}, format="json").status_code == 404, url


def test_a_comment_on_a_story_you_cannot_see_answers_404():
    comment = CommentFactory(story=LiveStoryFactory(audience="friends"))
    response = api_as(UserFactory()).post(f"/api/v1/comments/{comment.pk}/report/", {"reason": "spam"})
    assert response.status_code == 404


def test_report_a_comment_and_an_account():
    comment = CommentFactory()
    person = UserFactory()
    client = api_as(UserFactory())
    assert client.post(f"/api/v1/comments/{comment.pk}/report/", {"reason": "harassment"}).status_code == 201
    assert client.post(f"/api/v1/users/{person.username}/report/", {"reason": "other"}).status_code == 201
    assert Case.objects.get(comment=comment).person == comment.author
    assert Case.objects.get(account=person).person == person


def test_signed_out_people_cannot_report(api_client):
    response = api_client.post(story_url(LiveStoryFactory()), {"reason": "spam"}, format="json")
    assert response.status_code in (401, 403)


# --- The report page -----------------------------------------------------------------------------


def test_report_page_shows_the_reasons_and_files_the_report(client):
    story = LiveStoryFactory()
    client.force_login(UserFactory())
    url = reverse("moderation:report", args=["story", story.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Harassment or bullying" in page.content.decode()
    response = client.post(url, {"reason": "violence", "details": "look at 0:03"})
    assert response.status_code == 302
    assert Report.objects.get().details == "look at 0:03"


def test_report_page_shows_the_duplicate_message(client):
    person = UserFactory()
    client.force_login(UserFactory())
    url = reverse("moderation:report", args=["account", person.username])
    client.post(url, {"reason": "spam"})
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 200
    assert "You already reported this." in response.content.decode()


def test_report_page_404s_for_invisible_targets_and_asks_strangers_to_log_in(client):
    hidden = LiveStoryFactory(audience="friends")
    assert client.get(reverse("moderation:report", args=["story", hidden.pk])).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("moderation:report", args=["story", hidden.pk])).status_code == 404
    assert client.get(reverse("moderation:report", args=["planet", "x"])).status_code == 404
    assert client.get(reverse("moderation:report", args=["comment", "abc"])).status_code == 404


def test_profile_links_to_the_report_page(client):
    person = UserFactory()
    client.force_login(UserFactory())
    page = client.get(person.get_absolute_url())
    assert reverse("moderation:report", args=["account", person.username]) in page.content.decode()


def test_story_page_links_to_the_report_page_except_for_its_author(client):
    story = LiveStoryFactory()
    link = reverse("moderation:report", args=["story", story.pk])
    client.force_login(UserFactory())
    assert link in client.get(story.get_absolute_url()).content.decode()
    client.force_login(story.author)
    assert link not in client.get(story.get_absolute_url()).content.decode()
