"""Issue 16, item 5: the header badge as a conditional JSON answer (GET /api/v1/me/badge/, ETag
and 304), and notification kinds of their own for a question asked on your Q&A sticker, a
story added to your Add Yours prompt, and a private reply or reaction to your story: who is
told, who never is, and how the page and the API word and link each kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts
from feed import messaging, notifications
from feed import services as feed_services
from feed.models import Conversation, Notification
from stickers import services as sticker_services
from tests.factories import BlockFactory, LiveStoryFactory, UserFactory
from tests.stickers.factories import QuestionStickerFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

BADGE = "/api/v1/me/badge/"


def kinds(user) -> list[tuple[str, str]]:
    return [(n.kind, n.actor.username) for n in Notification.objects.filter(recipient=user).order_by("pk")]


# --- The badge endpoint ------------------------------------------------------------------------


class TestBadge:
    def test_counts_unread_notifications_and_messages(self):
        author, fan = UserFactory(username="author"), UserFactory(username="fan")
        story = LiveStoryFactory(author=author)
        feed_services.like_create(viewer=fan, story=story)
        messaging.story_reply_send(viewer=fan, story=story, text="Nice!")
        answer = client_for(author).get(BADGE)
        assert answer.status_code == 200
        # The like and the reply ring the bell; the reply is also an unread message.
        assert answer.json() == {"notifications": 2, "messages": 1}
        assert answer["Cache-Control"] == "private, no-cache"
        assert answer["ETag"][0] == answer["ETag"][-1] == '"'  # a strong tag
        # The fan's own message is not unread for them, and nothing rang for them.
        assert client_for(fan).get(BADGE).json() == {"notifications": 0, "messages": 0}

    def test_304_while_nothing_changed_then_200_with_a_new_tag(self):
        author, fan = UserFactory(), UserFactory()
        story = LiveStoryFactory(author=author)
        client = client_for(author)
        first = client.get(BADGE)
        tag = first["ETag"]
        unchanged = client.get(BADGE, HTTP_IF_NONE_MATCH=tag)
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        assert unchanged["ETag"] == tag
        # A weak form of the same tag, or one of several, matches too (RFC 9110's weak comparison).
        assert client.get(BADGE, HTTP_IF_NONE_MATCH=f'"other", W/{tag}').status_code == 304

        feed_services.like_create(viewer=fan, story=story)
        changed = client.get(BADGE, HTTP_IF_NONE_MATCH=tag)
        assert changed.status_code == 200
        assert changed.json() == {"notifications": 1, "messages": 0}
        assert changed["ETag"] != tag

        # Reading the notifications changes the count again, so the old tag no longer matches.
        notifications.notifications_mark_read(viewer=author)
        again = client.get(BADGE, HTTP_IF_NONE_MATCH=changed["ETag"])
        assert (again.status_code, again.json()["notifications"]) == (200, 0)
        assert again["ETag"] == tag  # the same person with the same counts: the same tag

    def test_another_persons_tag_never_matches(self):
        ada, bob = UserFactory(), UserFactory()
        tag = client_for(ada).get(BADGE)["ETag"]  # both have 0 and 0
        assert client_for(bob).get(BADGE, HTTP_IF_NONE_MATCH=tag).status_code == 200

    def test_signed_out_is_refused(self):
        assert APIClient().get(BADGE).status_code in (401, 403)

    def test_the_page_tells_the_script_where_and_how_often(self, settings):
        settings.STORIES_BADGE_POLL_SECONDS = 7
        person = UserFactory()
        client = Client()
        client.force_login(person)
        html = client.get("/").content.decode()
        assert 'data-badge-url="/api/v1/me/badge/"' in html
        assert 'data-poll-seconds="7"' in html
        assert 'aria-live="polite"' in html
        assert 'src="/static/js/badge.js"' in html
        assert "badge.js" not in Client().get("/").content.decode()  # signed out: no poll

    def test_opening_a_conversation_reads_it_before_the_header_counts(self):
        author, fan = UserFactory(), UserFactory()
        message = messaging.story_reply_send(viewer=fan, story=LiveStoryFactory(author=author), text="hi")
        client = Client()
        client.force_login(author)
        html = client.get(f"/messages/{message.conversation_id}/").content.decode()
        assert 'aria-label="Messages" data-badge="messages"' in html
        assert 'data-badge="messages" data-badge-noun="Messages" data-count="0"' in html


# --- Replies and reactions ---------------------------------------------------------------------


class TestRepliesAndReactions:
    def test_a_reply_and_a_reaction_ring_the_author_and_point_at_the_message(self):
        author, fan = UserFactory(username="author"), UserFactory(username="fan")
        story = LiveStoryFactory(author=author)
        reply = messaging.story_reply_send(viewer=fan, story=story, text="Where is this?")
        reaction = messaging.story_reaction_send(viewer=fan, story=story, emoji="🔥")
        assert kinds(author) == [("reply", "fan"), ("reaction", "fan")]
        rung = Notification.objects.get(kind="reply")
        # Like a comment notification: the message's words, read through it, never copied.
        assert (rung.message, rung.story_id, rung.text, rung.shown_text) == (
            reply,
            story.pk,
            "",
            "Where is this?",
        )
        assert Notification.objects.get(kind="reaction").message == reaction
        assert kinds(fan) == []

    def test_a_plain_message_in_the_conversation_rings_no_bell(self):
        author, fan = UserFactory(), UserFactory()
        reply = messaging.story_reply_send(viewer=fan, story=LiveStoryFactory(author=author), text="hi")
        conversation = Conversation.objects.get(pk=reply.conversation_id)
        messaging.message_send(viewer=author, conversation=conversation, text="hello back")
        messaging.message_send(viewer=fan, conversation=conversation, text="how are you")
        assert Notification.objects.filter(recipient=fan).count() == 0
        assert [n.kind for n in Notification.objects.filter(recipient=author)] == ["reply"]

    def test_reactions_ring_once_while_unread(self):
        author, fan = UserFactory(), UserFactory(username="fan")
        story = LiveStoryFactory(author=author)
        for emoji in ("🔥", "❤️", "😂"):
            messaging.story_reaction_send(viewer=fan, story=story, emoji=emoji)
        assert kinds(author) == [("reaction", "fan")]
        notifications.notifications_mark_read(viewer=author)
        messaging.story_reaction_send(viewer=fan, story=story, emoji="👏")
        assert kinds(author) == [("reaction", "fan"), ("reaction", "fan")]

    def test_never_to_or_from_a_suspended_person_and_never_across_a_block(self):
        author, fan = UserFactory(), UserFactory()
        story = LiveStoryFactory(author=author)
        BlockFactory(blocker=author, blocked=fan)
        assert client_for(fan).post(
            f"/api/v1/stories/{story.pk}/replies/", {"text": "hi"}, format="json"
        ).status_code in (403, 404)
        assert not Notification.objects.exists()
        # The service's own rule holds even for a message written before the block.
        assert (
            accounts.notice_send(recipient=author, actor=fan, kind=Notification.Kind.REPLY, story=story)
            is None
        )
        later = timezone.now() + timedelta(days=1)
        sleepy = UserFactory(suspended_until=later)
        assert (
            accounts.notice_send(recipient=author, actor=sleepy, kind=Notification.Kind.REACTION, story=story)
            is None
        )
        assert accounts.notice_send(recipient=sleepy, actor=fan, kind=Notification.Kind.QUESTION) is None
        assert not Notification.objects.exists()

    def test_the_api_words_and_links_each_kind(self):
        author, fan = UserFactory(username="author"), UserFactory(username="fan")
        story = LiveStoryFactory(author=author)
        reply = messaging.story_reply_send(viewer=fan, story=story, text="Where?")
        feed_services.like_create(viewer=fan, story=story)
        accounts.follow_create(follower=fan, followee=author)
        body = client_for(author).get("/api/v1/notifications/").json()
        shown = {n["kind"]: n for n in body["results"]}
        assert shown["reply"]["summary"] == "replied to your story:"
        assert shown["reply"]["text"] == "Where?"
        assert shown["reply"]["conversation_id"] == reply.conversation_id
        assert shown["reply"]["link"] == f"/messages/{reply.conversation_id}/#latest"
        assert shown["like"]["link"] == f"/@author/story?item={story.pk}"
        assert shown["like"]["conversation_id"] is None
        assert shown["follow"]["link"] == "/@fan"
        assert body["unread_count"] == 3

    def test_the_page_words_and_links_a_reply(self):
        author, fan = UserFactory(), UserFactory(display_name="Fan Person")
        reply = messaging.story_reply_send(viewer=fan, story=LiveStoryFactory(author=author), text="Where?")
        client = Client()
        client.force_login(author)
        html = client.get("/notifications/").content.decode()
        assert "replied to your story:" in html
        assert "“Where?”" in html
        assert f'href="/messages/{reply.conversation_id}/#latest">Open chat</a>' in html


# --- Questions ---------------------------------------------------------------------------------


class TestQuestions:
    def ask(self, sticker, person, text="Where was this?"):
        return client_for(person).post(
            f"/api/v1/stickers/{sticker.pk}/questions/", {"text": text}, format="json"
        )

    def test_a_question_rings_the_stickers_author_with_the_question(self):
        sticker = QuestionStickerFactory()
        asker = UserFactory(username="asker")
        assert self.ask(sticker, asker).status_code == 201
        author = sticker.story.author
        assert kinds(author) == [("question", "asker")]
        rung = Notification.objects.get()
        assert (rung.story_id, rung.text) == (sticker.story_id, "Where was this?")
        body = client_for(author).get("/api/v1/notifications/").json()["results"][0]
        assert (body["summary"], body["text"], body["link"]) == (
            "asked you a question:",
            "Where was this?",
            "/stickers/questions/",
        )
        client = Client()
        client.force_login(author)
        html = client.get("/notifications/").content.decode()
        assert "asked you a question:" in html
        assert 'href="/stickers/questions/">See questions</a>' in html

    def test_no_question_rings_across_a_block_or_for_your_own_sticker(self):
        sticker = QuestionStickerFactory()
        author = sticker.story.author
        assert self.ask(sticker, author).status_code == 400
        blocked = UserFactory()
        BlockFactory(blocker=author, blocked=blocked)
        assert self.ask(sticker, blocked).status_code == 404
        assert not Notification.objects.exists()

    def test_the_service_tells_once_per_question(self):
        sticker = QuestionStickerFactory()
        asker = UserFactory()
        sticker_services.question_ask(sticker=sticker, viewer=asker, text="One?")
        sticker_services.question_ask(sticker=sticker, viewer=asker, text="Two?")
        assert [n.text for n in Notification.objects.order_by("pk")] == ["One?", "Two?"]


def test_add_yours_has_its_own_kind_and_wording():
    from tests.stickers.factories import AddYoursStickerFactory

    prompt = AddYoursStickerFactory()
    story = LiveStoryFactory()
    sticker_services.add_yours_response_create(sticker=prompt, story=story)
    assert sticker_services.mentions_notify(story=story) == 1
    rung = Notification.objects.get()
    assert (rung.kind, rung.text, rung.recipient) == ("add_yours", "Show your desk", prompt.story.author)
    body = client_for(prompt.story.author).get("/api/v1/notifications/").json()["results"][0]
    assert body["summary"] == "added their story to your Add Yours:"
    assert body["link"] == f"/@{story.author.username}/story?item={story.pk}"
    assert not Notification.objects.filter(kind="mention").exists()
