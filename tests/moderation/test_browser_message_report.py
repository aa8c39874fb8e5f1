"""Issue 16, item 4, in real Chromium: in a conversation, "Report" sits beside each message the
other person sent (never beside your own), opens the report form, and the report brings you back
to the message with a thank-you."""

from __future__ import annotations

import pytest

from feed import messaging
from feed.models import Conversation
from moderation.models import Report
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, LiveStoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]


def test_report_a_message_from_the_thread(phone_page, live_server):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    mine = messaging.story_reply_send(viewer=ann, story=LiveStoryFactory(author=bob), text="Nice trip!")
    conversation = Conversation.objects.get(pk=mine.conversation_id)
    theirs = messaging.message_send(viewer=bob, conversation=conversation, text="Send me your password")
    page = phone_page
    login(page, live_server.url, "ann", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/messages/{conversation.pk}/")

    mine_row = page.locator(f"#message-{mine.pk}")
    theirs_row = page.locator(f"#message-{theirs.pk}")
    assert mine_row.get_by_role("link", name="Report").count() == 0
    report = theirs_row.get_by_role("link", name="Report this message")
    assert report.is_visible()
    screenshot(page, "message-report-thread")
    report.click()

    page.wait_for_url(f"{live_server.url}/report/message/{theirs.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Report this message"
    page.get_by_label("Harassment or bullying").check()
    page.get_by_role("button", name="Send report").click()

    page.wait_for_url(f"{live_server.url}/messages/{conversation.pk}/#message-{theirs.pk}")
    assert "A moderator will look at it." in page.locator(".messages").inner_text()
    report = Report.objects.get()
    assert (report.case.kind, report.case.message_id, report.reason) == ("message", theirs.pk, "harassment")
