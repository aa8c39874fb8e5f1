"""The moderators' admin pages read plainly (issue 19): model names, filter titles, what a report
row is called, and which actions a case offers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation import services
from moderation.models import Case, Report
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def filter_titles(html: str) -> list[str]:
    return re.findall(r'data-filter-title="([^"]*)"', html)


def test_the_admin_index_says_archived_stories(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Archived stories" in html
    assert "storys" not in html.lower()


def test_every_filter_of_the_audit_trail_and_the_reports_has_its_own_title(client, moderator):
    comment = CommentFactory(text="nasty words")
    services.report_create(reporter=UserFactory(), target=comment, reason="spam")
    services.case_dismiss(case=Case.objects.get(comment=comment), by=moderator, reason="fine")
    client.force_login(moderator)
    for name in ("admin:moderation_moderationaction_changelist", "admin:moderation_report_changelist"):
        titles = filter_titles(client.get(reverse(name)).content.decode())
        assert len(titles) >= 2
        assert len(titles) == len(set(titles)), f"{name}: two filters share a title: {titles}"
        assert "target kind" in titles
    trail = client.get(reverse("admin:moderation_moderationaction_changelist")).content.decode()
    assert filter_titles(trail) == ["action", "target kind"]


def test_a_report_is_named_after_what_was_reported(client, moderator):
    troll = UserFactory(username="troll")
    services.report_create(reporter=UserFactory(), target=troll, reason="spam")
    report = Report.objects.get()
    assert str(report) == "Spam report on Account @troll"
    client.force_login(moderator)
    page = client.get(reverse("admin:moderation_report_change", args=[report.pk])).content.decode()
    assert "Spam report on Account @troll" in page
    assert f"report on {report.case_id}<" not in page
    case_page = client.get(reverse("admin:moderation_case_change", args=[report.case_id])).content.decode()
    assert "Spam report on Account @troll" in case_page


def test_lifting_a_suspension_is_offered_only_to_a_suspended_person(client, moderator):
    troll = UserFactory(username="troll")
    services.report_create(reporter=UserFactory(), target=troll, reason="spam")
    case = Case.objects.get(account=troll)
    url = reverse("admin:moderation_case_change", args=[case.pk])
    client.force_login(moderator)
    buttons = re.findall(r'name="action" value="(\w+)"', client.get(url).content.decode())
    assert "suspend" in buttons
    assert "unsuspend" not in buttons

    troll.suspended_until = timezone.now() + timedelta(days=3)
    troll.save(update_fields=["suspended_until"])
    buttons = re.findall(r'name="action" value="(\w+)"', client.get(url).content.decode())
    assert "unsuspend" in buttons
