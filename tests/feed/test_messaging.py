"""Private replies and reactions to stories, and the conversations they start (API and pages):
who may write, what each person sees, unread counts, and what stays after the story is gone."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts import services as accounts
from feed.models import Conversation, Message
from stories import services as stories
from stories.models import Audience, Story
from tests.factories import BlockFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def reply(story, user, text="Love this!"):
    return api(user).post(f"/api/v1/stories/{story.pk}/replies/", {"text": text}, format="json")


def react(story, user, emoji="🔥"):
    return api(user).post(f"/api/v1/stories/{story.pk}/reactions/", {"emoji": emoji}, format="json")


def test_a_reply_starts_one_conversation_with_the_author():
    story, fan = LiveStoryFactory(), UserFactory()
    answer = reply(story, fan)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["text"], body["story"], body["kind"], body["sender"]) == (
        "Love this!",
        str(story.pk),
        "reply",
        fan.username,
    )
    assert react(story, fan).status_code == 201
    assert Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert {conversation.person_a_id, conversation.person_b_id} == {story.author_id, fan.pk}
    assert body["conversation"] == conversation.pk


def test_the_inbox_lists_conversations_with_unread_counts_and_reading_clears_them():
    author = UserFactory()
    story = LiveStoryFactory(author=author)
    ann, bob = UserFactory(), UserFactory()
    reply(story, ann, "first")
    reply(story, bob, "second")
    react(story, bob, "😂")
    inbox = api(author).get("/api/v1/conversations/").json()["results"]
    assert [(row["other"]["username"], row["unread_count"]) for row in inbox] == [
        (bob.username, 2),
        (ann.username, 1),
    ]
    assert inbox[0]["last_message"] == {"sender": bob.username, "kind": "reaction", "text": "😂"}
    conversation_id = inbox[0]["id"]
    messages = api(author).get(f"/api/v1/conversations/{conversation_id}/messages/").json()["results"]
    assert [(m["kind"], m["text"], m["story_available"]) for m in messages] == [
        ("reply", "second", True),
        ("reaction", "😂", True),
    ]
    again = api(author).get("/api/v1/conversations/").json()["results"]
    assert [row["unread_count"] for row in again] == [0, 1]
    # The sender's own messages never count as unread for them.
    assert api(bob).get("/api/v1/conversations/").json()["results"][0]["unread_count"] == 0


def test_either_person_can_write_and_nobody_else_can_read():
    story, fan, stranger = LiveStoryFactory(), UserFactory(), UserFactory()
    conversation_id = reply(story, fan).json()["conversation"]
    url = f"/api/v1/conversations/{conversation_id}/messages/"
    assert api(story.author).post(url, {"text": "Thanks!"}, format="json").status_code == 201
    assert api(fan).post(url, {"text": "🙂 any time"}, format="json").status_code == 201
    assert api(stranger).get(url).status_code == 404
    assert api(stranger).post(url, {"text": "hi"}, format="json").status_code == 404
    assert api().get(url).status_code in (401, 403)
    texts = [m["text"] for m in api(fan).get(url).json()["results"]]
    assert texts == ["Love this!", "Thanks!", "🙂 any time"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001, "a\x00b"])
def test_bad_text_is_a_plain_400(text):
    story, fan = LiveStoryFactory(), UserFactory()
    answer = api(fan).post(f"/api/v1/stories/{story.pk}/replies/", {"text": text}, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"]
    assert not Message.objects.exists()


def test_only_the_offered_reactions():
    story, fan = LiveStoryFactory(), UserFactory()
    answer = react(story, fan, "💩")
    assert answer.status_code == 400
    assert "Pick one of" in answer.json()["detail"]


def test_no_reply_to_your_own_story():
    story = LiveStoryFactory()
    answer = reply(story, story.author)
    assert answer.status_code == 400
    assert "your own story" in answer.json()["detail"]


def test_a_block_either_way_stops_replies_and_messages():
    story, fan = LiveStoryFactory(), UserFactory()
    conversation_id = reply(story, fan).json()["conversation"]
    BlockFactory(blocker=story.author, blocked=fan)
    # The story is now invisible to the fan: a 404, as for any story they may not see.
    assert reply(story, fan).status_code == 404
    url = f"/api/v1/conversations/{conversation_id}/messages/"
    for writer in (fan, story.author):
        answer = api(writer).post(url, {"text": "hello?"}, format="json")
        assert answer.status_code == 403
        assert answer.json()["detail"] == "You can't send messages to this person."
    # What was written stays readable to both.
    assert len(api(fan).get(url).json()["results"]) == 1


def test_suspended_people_cannot_write_or_be_written_to():
    story, fan = LiveStoryFactory(), UserFactory()
    conversation_id = reply(story, fan).json()["conversation"]
    accounts_user = type(fan)
    accounts_user.objects.filter(pk=fan.pk).update(suspended_until=timezone.now() + timedelta(days=3))
    fan.refresh_from_db()
    url = f"/api/v1/conversations/{conversation_id}/messages/"
    assert api(story.author).post(url, {"text": "still there?"}, format="json").status_code == 403


def test_a_followers_only_story_takes_replies_only_from_those_who_see_it():
    story, follower, stranger = LiveStoryFactory(audience=Audience.FOLLOWERS), UserFactory(), UserFactory()
    accounts.follow_create(follower=follower, followee=story.author)
    assert reply(story, follower).status_code == 201
    assert reply(story, stranger).status_code == 404


def test_messages_stay_after_the_story_is_gone_and_say_so():
    story, fan = LiveStoryFactory(), UserFactory()
    conversation_id = reply(story, fan).json()["conversation"]
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = f"/api/v1/conversations/{conversation_id}/messages/"
    shown = api(story.author).get(url).json()["results"]
    assert [(m["text"], m["story_available"]) for m in shown] == [("Love this!", False)]
    stories.stories_expire_due()
    stories.stories_purge()
    shown = api(story.author).get(url).json()["results"]
    assert [(m["text"], m["story"], m["story_available"]) for m in shown] == [("Love this!", None, False)]
    page = Client()
    page.force_login(story.author)
    html = page.get(f"/messages/{conversation_id}/").content.decode()
    assert "story unavailable" in html
    assert "Love this!" in html


def test_replies_are_rate_limited(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"messages": "3/minute"})
    story, fan = LiveStoryFactory(), UserFactory()
    codes = [reply(story, fan, f"message {n}").status_code for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert Message.objects.count() == 3


class TestPages:
    def test_reply_and_react_from_the_story_page_then_read_in_the_inbox(self):
        story, fan = LiveStoryFactory(), UserFactory()
        page = Client()
        page.force_login(fan)
        detail = page.get(f"/stories/{story.pk}/").content.decode()
        assert 'name="emoji"' in detail
        assert f"Reply to {story.author.name}" in detail
        answered = page.post(f"/stories/{story.pk}/answer/", {"text": "Where is this?"}, follow=True)
        assert "Reply sent" in answered.content.decode()
        page.post(f"/stories/{story.pk}/answer/", {"emoji": "👏"})
        author = Client()
        author.force_login(story.author)
        home = author.get("/").content.decode()
        assert 'aria-label="Messages, 2 unread"' in home
        inbox = author.get("/messages/").content.decode()
        assert fan.name in inbox
        assert "2 unread" in inbox
        conversation = Conversation.objects.get()
        thread = author.get(f"/messages/{conversation.pk}/").content.decode()
        assert "Where is this?" in thread
        assert "👏" in thread
        assert "watch it" in thread
        sent = author.post(f"/messages/{conversation.pk}/", {"text": "Lisbon!"})
        assert sent.status_code == 302
        assert 'aria-label="Messages"' in author.get("/").content.decode()  # read: no count
        assert Message.objects.filter(sender=story.author, text="Lisbon!").exists()

    def test_a_bad_message_is_shown_back_with_the_reason(self):
        story, fan = LiveStoryFactory(), UserFactory()
        reply(story, fan)
        page = Client()
        page.force_login(story.author)
        conversation = Conversation.objects.get()
        answer = page.post(f"/messages/{conversation.pk}/", {"text": "   "})
        assert answer.status_code == 400
        assert "Write something first." in answer.content.decode()

    def test_someone_elses_conversation_is_a_404(self):
        story, fan = LiveStoryFactory(), UserFactory()
        reply(story, fan)
        page = Client()
        page.force_login(UserFactory())
        assert page.get(f"/messages/{Conversation.objects.get().pk}/").status_code == 404

    def test_html_in_a_message_stays_text(self):
        story, fan = LiveStoryFactory(), UserFactory()
        reply(story, fan, "<img src=x onerror=alert(1)>")
        page = Client()
        page.force_login(story.author)
        html = page.get(f"/messages/{Conversation.objects.get().pk}/").content.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_story_with_replies_off_takes_no_replies_or_reactions():
    story, fan = LiveStoryFactory(allow_replies=False), UserFactory()
    for answer in (reply(story, fan), react(story, fan)):
        assert answer.status_code == 403
        assert answer.json()["detail"] == "Replies are off for this story."
    assert api(fan).get(f"/api/v1/stories/{story.pk}/").json()["allow_replies"] is False
    page = Client()
    page.force_login(fan)
    assert 'name="emoji"' not in page.get(f"/stories/{story.pk}/").content.decode()


def test_the_upload_takes_allow_replies():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(buffer, format="JPEG")
    photo = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
    answer = api(UserFactory()).post("/api/v1/stories/", {"media": photo, "allow_replies": "false"})
    assert answer.status_code == 202, answer.content
    assert Story.objects.get(pk=answer.json()["id"]).allow_replies is False
