"""What sits under an item in the player, in real Chromium: the caption's hashtags, mentions
and links, the sound it uses with "Use this sound", a private reply and a quick reaction (both
land in the author's messages), "Report", the time left, and how far each view got (the
retention curve), reported on pause and when the player closes."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.models import Message, StoryRetention
from stories_site.dev import synth
from tests.browser import login, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.feed.discovery import library_sound

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]


@pytest.fixture(scope="session")
def photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "answer.jpg", width=720, height=1280, colour="#3a6ea5")


def open_player(page, live_server, story) -> None:
    page.goto(f"{live_server.url}/@{story.author.username}/story?item={story.pk}")
    page.wait_for_function(
        "id => document.querySelector('.player-stage').dataset.storyId === id", arg=str(story.pk)
    )


def test_caption_links_sound_reply_reaction_and_report(phone_page, live_server, photo, wait_until):
    UserFactory(username="ada")
    carol = UserFactory(username="carol")
    bob = UserFactory(username="bob")
    sound = library_sound("Original sound - @carol", owner=carol)
    caption = "#Sunset with @carol, more at https://example.com/x"
    story = post_story(bob, photo, caption=caption, sound=sound.pk)
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_player(page, live_server, story)
    page.locator(".player-pause").click()

    caption = page.locator(".player-caption")
    assert caption.inner_text().startswith("#Sunset with @carol")
    assert caption.locator("a.caption-hashtag").get_attribute("href") == "/tags/sunset"
    assert caption.locator("a.caption-mention").get_attribute("href") == "/@carol"
    link = caption.locator("a.caption-link")
    assert link.get_attribute("href") == "https://example.com/x"
    assert link.get_attribute("rel") == "nofollow ugc noopener"

    assert page.locator(".player-sound a").inner_text() == "♫ Original sound - @carol"
    assert page.locator(".player-sound a").get_attribute("href") == f"/sounds/{sound.pk}"
    assert page.locator(".player-report").get_attribute("href") == f"/report/story/{story.pk}/"
    assert "h left" in page.locator(".player-time").inner_text()

    page.locator(".player-reply input").fill("Where is this?")
    page.locator(".player-reply input").press("Enter")
    sent = Message.objects.filter(kind="reply", text="Where is this?")
    wait_until(sent.exists, message="the reply")
    page.get_by_role("button", name="React 🔥").click()
    wait_until(lambda: Message.objects.filter(kind="reaction", text="🔥").exists(), message="the reaction")
    assert page.locator(".player-toast").inner_text().startswith("Sent 🔥")
    screenshot(page, "player-answer")

    page.locator(".player-use-sound").click()
    page.wait_for_url(f"{live_server.url}/stories/create/?sound={sound.pk}")
    assert page.locator("#id_sound").input_value() == str(sound.pk)


def test_no_reply_box_on_your_own_story_or_with_replies_off(phone_page, live_server, photo):
    ada = UserFactory(username="ada")
    own = post_story(ada, photo)
    quiet = post_story(UserFactory(username="bob"), photo, allow_replies=False)
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    for story in (own, quiet):
        open_player(page, live_server, story)
        assert page.locator(".player-reply").is_hidden()
    assert page.locator(".player-report").is_visible()  # bob's story can be reported
    open_player(page, live_server, own)
    assert page.locator(".player-report").is_hidden()


def test_how_far_a_view_got_is_reported_on_pause_and_on_close(desktop_page, live_server, photo, wait_until):
    UserFactory(username="ada")
    story = post_story(UserFactory(username="bob"), photo)  # a photo shows for 5 seconds
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_player(page, live_server, story)
    page.wait_for_timeout(2300)
    page.locator(".player-pause").click()

    def reached() -> list[int]:
        rows = StoryRetention.objects.filter(story_id=story.pk).order_by("second")
        return [row.views for row in rows]

    wait_until(lambda: reached()[:3] == [1, 1, 1], message="the report made on pause")
    assert reached() == [1, 1, 1, 0, 0]
    page.locator(".player-pause").click()  # play on
    page.wait_for_timeout(1200)
    page.locator(".player-close").click()
    wait_until(lambda: reached()[3] == 1, message="the report made on close")
    assert reached()[:4] == [1, 1, 1, 1]  # one view: further, never counted twice


def test_each_comment_but_your_own_can_be_reported(phone_page, live_server, photo):
    from tests.factories import CommentFactory

    ada = UserFactory(username="ada")
    story = post_story(UserFactory(username="bob"), photo)
    theirs = CommentFactory(story=story, author=UserFactory(username="troll"), text="go away")
    CommentFactory(story=story, author=ada, text="lovely")
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_player(page, live_server, story)
    page.locator(".player-comments").click()
    page.locator(".comment-text").first.wait_for()
    reports = page.locator(".comment-report")
    assert reports.count() == 1
    assert reports.get_attribute("href") == f"/report/comment/{theirs.pk}/"
    reports.click()
    page.wait_for_url(f"{live_server.url}/report/comment/{theirs.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Report this comment"
