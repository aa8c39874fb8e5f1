"""Issue 16, item 4: a private message can be reported by the other person in its conversation
(POST /api/v1/messages/{id}/report/, and the Report link beside each of their messages on
/messages/<id>/), never by its sender or by anyone outside the conversation; moderators see the
message and the conversation around it in the admin, and act on its sender."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feed import messaging
from feed.models import Conversation, Message
from moderation import services
from moderation.models import Case, Report
from privacy import services as privacy
from tests.factories import BlockFactory, LiveStoryFactory, UserFactory

from .conftest import api_as

pytestmark = pytest.mark.django_db


def url(message) -> str:
    return f"/api/v1/messages/{message.pk}/report/"


@pytest.fixture
def thread():
    """Ann replied to Bob's story, Bob answered: one message each."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    first = messaging.story_reply_send(viewer=ann, story=LiveStoryFactory(author=bob), text="Nice trip")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    second = messaging.message_send(viewer=bob, conversation=conversation, text="Send me your password")
    return {"ann": ann, "bob": bob, "conversation": conversation, "ann_says": first, "bob_says": second}


def test_the_other_person_reports_a_message_and_a_case_opens(thread):
    answer = api_as(thread["ann"]).post(url(thread["bob_says"]), {"reason": "spam"}, format="json")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["target_kind"], answer.json()["status"]) == ("message", "open")
    case = Case.objects.get(message=thread["bob_says"])
    assert (case.kind, case.person) == ("message", thread["bob"])
    # The label names the message and never quotes it (as for comments).
    assert case.label == f"Message by @bob ({thread['bob_says'].pk})"
    assert "password" not in case.label


def test_your_own_message_is_refused_with_a_400(thread):
    answer = api_as(thread["ann"]).post(url(thread["ann_says"]), {"reason": "spam"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "You cannot report yourself or your own posts."
    assert not Report.objects.exists()


def test_a_message_in_someone_elses_conversation_is_a_404(thread):
    outsider = UserFactory()
    answer = api_as(outsider).post(url(thread["bob_says"]), {"reason": "spam"}, format="json")
    assert answer.status_code == 404
    assert (
        api_as(outsider)
        .post("/api/v1/messages/999999/report/", {"reason": "spam"}, format="json")
        .status_code
        == 404
    )
    page = Client()
    page.force_login(outsider)
    assert page.get(f"/report/message/{thread['bob_says'].pk}/").status_code == 404
    assert page.get("/report/message/not-a-number/").status_code == 404
    assert not Report.objects.exists()


def test_signed_out_bad_reason_and_twice(thread, api_client):
    assert api_client.post(url(thread["bob_says"]), {"reason": "spam"}, format="json").status_code in (
        401,
        403,
    )
    ann = api_as(thread["ann"])
    assert ann.post(url(thread["bob_says"]), {"reason": "boring"}, format="json").status_code == 400
    assert ann.post(url(thread["bob_says"]), {"reason": "harassment"}, format="json").status_code == 201
    again = ann.post(url(thread["bob_says"]), {"reason": "spam"}, format="json")
    assert (again.status_code, again.json()["detail"]) == (400, "You already reported this.")


def test_still_reportable_after_a_block_either_way(thread):
    BlockFactory(blocker=thread["bob"], blocked=thread["ann"])
    answer = api_as(thread["ann"]).post(url(thread["bob_says"]), {"reason": "harassment"}, format="json")
    assert answer.status_code == 201


def test_the_thread_offers_report_beside_the_other_persons_messages_only(thread):
    client = Client()
    client.force_login(thread["ann"])
    html = client.get(f"/messages/{thread['conversation'].pk}/").content.decode()
    assert f'href="/report/message/{thread["bob_says"].pk}/"' in html
    assert f'href="/report/message/{thread["ann_says"].pk}/"' not in html
    assert html.count('class="report-link"') == 1


def test_the_report_page_sends_you_back_to_the_message(thread):
    client = Client()
    client.force_login(thread["ann"])
    target = f"/report/message/{thread['bob_says'].pk}/"
    form = client.get(target)
    assert form.status_code == 200
    assert "Report this message" in form.content.decode()
    sent = client.post(target, {"reason": "harassment", "details": "asks for passwords"})
    assert sent.status_code == 302
    assert sent["Location"] == f"/messages/{thread['conversation'].pk}/#message-{thread['bob_says'].pk}"
    report = Report.objects.get()
    assert (report.case.message, report.reporter, report.details) == (
        thread["bob_says"],
        thread["ann"],
        "asks for passwords",
    )
    own = client.post(f"/report/message/{thread['ann_says'].pk}/", {"reason": "spam"})
    assert own.status_code == 200  # the form again, with the refusal
    assert "You cannot report yourself or your own posts." in own.content.decode()
    assert Report.objects.count() == 1


def test_moderators_see_the_message_in_its_conversation_and_can_act(thread, moderator):
    conversation = thread["conversation"]
    for n in range(8):  # more than the window on either side
        messaging.message_send(viewer=thread["ann"], conversation=conversation, text=f"later {n}")
    services.report_create(reporter=thread["ann"], target=thread["bob_says"], reason="harassment")
    case = Case.objects.get()
    client = Client()
    client.force_login(moderator)
    page = client.get(reverse("admin:moderation_case_change", args=[case.pk])).content.decode()
    assert "Send me your password" in page  # the message itself
    assert "<strong>Send me your password</strong>" in page  # marked in its context
    assert "Nice trip" in page  # what came before
    assert "later 4" in page  # five after it...
    assert "later 5" not in page  # ...not the whole inbox
    assert "from @bob to @ann" in page

    queue = client.get(reverse("admin:moderation_case_changelist")).content.decode()
    assert case.label in queue

    services.person_warn(person=thread["bob"], by=moderator, reason="No phishing", case=case)
    assert case.reports.get().status == "resolved"


def test_a_reported_message_is_kept_while_its_sender_leaves(thread):
    """The evidence rule: an account under review keeps what the case needs."""
    services.report_create(reporter=thread["ann"], target=thread["bob_says"], reason="harassment")
    bob = thread["bob"]
    bob.is_active = False
    bob.save()
    assert privacy.account_purge(user_id=bob.pk) is False  # the open report holds the account
    assert Message.objects.filter(pk=thread["bob_says"].pk).exists()
