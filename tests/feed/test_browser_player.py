"""The tray and the story player in real Chromium, on a phone and on a desktop: sign in, see the
ring, open the player, advance, pause, like, comment, share, and see the ring turn seen.

Stories are real: a generated 2 s H.264 clip and photos, run through the same services as an
upload (create, then process inline), so the browser plays what people would see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts import services as people_services
from feed.models import Like, Notification, StoryView
from stories import services
from stories.lifecycle import State
from stories.models import Story
from stories_site.dev import synth
from tests.browser import login, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from tests.media_fixtures import PHONE, _video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

HOSTILE = "<img src=x onerror=alert(1)>"


# Long enough that nothing in the test outruns it under load; its end is reached by seeking.
story_clip = _video("story-8s.mp4", seconds=8, **PHONE)


@pytest.fixture(scope="session")
def tall_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "tall.jpg", width=720, height=1280, colour="#6a82fb")


@pytest.fixture(scope="session")
def warm_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "warm.jpg", width=720, height=1280, colour="#ff9a8b")


@pytest.fixture
def cast(story_clip, tall_photo, warm_photo, tone_mp3):
    """Ada watches. Bob (followed) has a clip with a text overlay and then a photo; Carol has a
    photo with a sound, comments off."""
    ada = UserFactory(username="ada", display_name="Ada")
    bob = UserFactory(username="bob", display_name="Bob Builder")
    carol = UserFactory(username="carol", display_name="Carol")
    FollowFactory(follower=ada, followee=bob)
    clip = post_story(
        bob,
        story_clip,
        caption=f"Morning run {HOSTILE}",
        alt_text="Runners on a bridge",
        overlays=[{"text": "Day 1", "x": 0.5, "y": 0.3, "size": 0.1, "background": "#fe2c55"}],
    )
    photo = post_story(bob, tall_photo, caption="The view from the top", alt_text="A blue sky over hills")
    with tone_mp3.open("rb") as handle:
        tone = services.sound_create(owner=carol, upload=handle, title="Evening tone")
    carols = post_story(
        carol,
        warm_photo,
        caption="Sunset",
        alt_text="An orange sunset",
        sound=tone.pk,
        allow_comments=False,
    )
    return {"ada": ada, "bob": bob, "carol": carol, "clip": clip, "photo": photo, "carols": carols}


def api_get(page, path: str) -> dict:
    """GET an API path as the signed-in browser (its session), answered as JSON."""
    return page.evaluate("path => fetch(path).then(r => r.json())", path)


def player_of(username: str) -> re.Pattern:
    """The player's address for this author; it names the item on screen once it shows one."""
    return re.compile(rf".*/@{username}/story(\?item=[0-9a-f-]{{36}})?$")


def showing(page) -> str:
    return page.get_attribute(".player-stage", "data-story-id")


def wait_showing(page, story: Story):
    page.wait_for_function(
        "id => document.querySelector('.player-stage').dataset.storyId === id", arg=str(story.pk)
    )


def progress(page) -> list[int]:
    return page.eval_on_selector_all(
        ".segment", "bars => bars.map(b => Number(b.getAttribute('aria-valuenow')))"
    )


def video_time(page) -> float:
    return page.evaluate("document.querySelector('.player-media video').currentTime")


def ring(page, username: str):
    return page.locator(f'.tray-item[href="/@{username}/story"] .avatar')


def test_phone_ring_player_pause_like_comment_and_seen(phone_page, live_server, cast, wait_until):
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)

    # The tray: Bob's ring is blue (not seen), and he comes before Carol (followed first).
    page.goto(live_server.url + "/")
    assert "has-story" in ring(page, "bob").get_attribute("class")
    assert "seen" not in ring(page, "bob").get_attribute("class")
    tray = page.eval_on_selector_all(".tray-item", "links => links.map(a => a.getAttribute('href'))")
    assert tray.index("/@bob/story") < tray.index("/@carol/story")
    assert page.locator(".story-card .story-tag").count() == 3
    screenshot(page, "home-phone")

    # Tap the ring: the player opens on Bob's clip, playing muted, with its overlay and caption.
    page.locator('.tray-item[href="/@bob/story"]').tap()
    page.wait_for_url(player_of("bob"))
    wait_showing(page, cast["clip"])
    page.wait_for_function("() => document.querySelector('.player-media video').currentTime > 0.2")
    assert page.evaluate("document.querySelector('.player-media video').muted") is True
    assert page.get_attribute(".player-media video", "aria-label") == "Runners on a bridge"
    assert page.locator(".player-frame .overlay").inner_text() == "Day 1"
    assert page.locator(".player-caption").inner_text() == f"Morning run {HOSTILE}"
    assert page.locator(".segment").count() == 2
    # The next item (the photo) is loading, now that the clip plays: its sized rendition.
    next_photo = f'.player-preload img[src*="/stories/{cast["photo"].pk}/poster?w="]'
    page.wait_for_function("selector => document.querySelector(selector) !== null", arg=next_photo)
    screenshot(page, "player-phone")

    # Press and hold pauses (the clip stops, the bar stands still); letting go resumes, no skip.
    box = page.locator(".player-zone-next").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(450)
    assert page.evaluate("document.querySelector('.player-media video').paused") is True
    held_at, held_bar = video_time(page), progress(page)[0]
    page.wait_for_timeout(400)
    assert video_time(page) == held_at
    assert progress(page)[0] == held_bar
    page.mouse.up()
    page.wait_for_function("() => !document.querySelector('.player-media video').paused")
    assert showing(page) == str(cast["clip"].pk)

    # Like: the count goes up at once and the like is stored.
    page.locator(".player-like").click()
    assert page.locator(".player-like .rail-count").inner_text() == "1"
    assert page.get_attribute(".player-like", "aria-pressed") == "true"
    wait_until(lambda: Like.objects.filter(story=cast["clip"], user=cast["ada"]).exists(), message="the like")
    stored = api_get(page, f"/api/v1/stories/{cast['clip'].pk}/")
    assert (stored["liked_by_me"], stored["like_count"]) == (True, 1)

    # Comment: the sheet lists comments and adds ours, as text.
    page.locator(".player-comments").click()
    assert page.locator(".player-sheet").is_visible()
    assert page.evaluate("document.querySelector('.player-media video').paused") is True
    page.locator(".comment-form textarea").fill(HOSTILE)
    page.locator(".comment-form button[type=submit]").click()
    page.locator(".comment-text").wait_for()
    assert page.locator(".comment-text").inner_text() == HOSTILE
    assert page.locator(".player-sheet img[src='x']").count() == 0
    assert page.locator(".player-comments .rail-count").text_content() == "1"
    comments = api_get(page, f"/api/v1/stories/{cast['clip'].pk}/comments/")["results"]
    assert [c["text"] for c in comments] == [HOSTILE]
    screenshot(page, "comments-phone")
    page.keyboard.press("Escape")
    assert page.locator(".player-sheet").is_hidden()

    # The clip plays to its end and the player moves on by itself; the clip counts as completed.
    page.evaluate("const v = document.querySelector('.player-media video'); v.currentTime = v.duration - 0.3")
    wait_showing(page, cast["photo"])
    assert progress(page)[0] == 100
    assert page.get_attribute(".player-media img", "alt") == "A blue sky over hills"
    wait_until(
        lambda: StoryView.objects.filter(
            story=cast["clip"], viewer=cast["ada"], completed_at__isnull=False
        ).exists(),
        message="the completed view",
    )

    # Tap the right side: past Bob's last item, on to the next author (Carol).
    page.locator(".player-zone-next").tap(position={"x": 200, "y": 300})
    page.wait_for_url(player_of("carol"))
    wait_showing(page, cast["carols"])
    assert page.locator(".player-comments").is_hidden()  # Carol turned comments off

    # After the last author the player closes, back home: both rings are dimmed now.
    page.keyboard.press("ArrowRight")
    page.wait_for_url(live_server.url + "/")
    ring(page, "bob").wait_for()
    assert "seen" in ring(page, "bob").get_attribute("class")
    assert "seen" in ring(page, "carol").get_attribute("class")
    assert errors == []


def test_desktop_stage_keys_arrows_share_and_focus(desktop_page, live_server, cast, wait_until):
    page = desktop_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(live_server.url + "/")
    screenshot(page, "home-desktop")

    ring(page, "bob").click()
    wait_showing(page, cast["clip"])
    page.wait_for_function("() => document.querySelector('.player-media video').currentTime > 0.1")

    # A centred 9:16 stage on a dark backdrop, with arrows to the next person.
    stage = page.locator(".player-stage").bounding_box()
    assert abs(stage["width"] / stage["height"] - 9 / 16) < 0.01
    assert abs(stage["x"] + stage["width"] / 2 - 1366 / 2) < 2
    page.locator(".player-next-author").wait_for(state="visible")
    assert page.locator(".player-prev-author").is_hidden()  # Bob comes first
    screenshot(page, "player-desktop")

    # Space pauses and plays.
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelector('.player-media video').paused") is True
    assert page.get_attribute(".player-pause", "aria-label") == "Play"
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('.player-media video').paused")

    # Unmute is remembered.
    page.locator(".player-mute").click()
    assert page.evaluate("localStorage.getItem('stories:muted')") == "0"
    assert page.evaluate("document.querySelector('.player-media video').muted") is False

    # Click the right third for next, the left third for previous; arrow keys do the same.
    page.mouse.click(stage["x"] + stage["width"] * 0.85, stage["y"] + stage["height"] / 2)
    wait_showing(page, cast["photo"])
    assert progress(page) == [100, 0] or progress(page)[0] == 100
    page.mouse.click(stage["x"] + stage["width"] * 0.15, stage["y"] + stage["height"] / 2)
    wait_showing(page, cast["clip"])
    page.keyboard.press("ArrowRight")
    wait_showing(page, cast["photo"])

    # Like, then unlike: the count follows and so does the database.
    page.locator(".player-like").click()
    wait_until(lambda: Like.objects.filter(story=cast["photo"]).exists(), message="the like")
    page.locator(".player-like").click()
    assert page.locator(".player-like .rail-count").inner_text() == "0"
    wait_until(lambda: not Like.objects.filter(story=cast["photo"]).exists(), message="the unlike")

    # Share: no Web Share API on desktop Chromium, so the link is copied and the share counted.
    page.locator(".player-share").click()
    page.locator(".player-toast.show").wait_for()
    assert page.locator(".player-toast").inner_text() == "Link copied"
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/stories/{cast['photo'].pk}/"
    wait_until(lambda: Story.objects.get(pk=cast["photo"].pk).share_count == 1, message="the share")

    # Focus stays inside the player.
    for _ in range(20):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('player').contains(document.activeElement)")

    # The arrow goes to the next person; Escape closes and returns home.
    page.locator(".player-next-author").click()
    page.wait_for_url(player_of("carol"))
    page.keyboard.press("Escape")
    page.wait_for_url(live_server.url + "/")
    assert errors == []


def test_the_author_sees_notifications_then_downloads_and_deletes(phone_page, live_server, cast, wait_until):
    page = phone_page
    carol, story = cast["carol"], cast["carols"]
    people_services.notice_send(recipient=carol, actor=cast["bob"], kind=Notification.Kind.FOLLOW)
    people_services.notice_send(recipient=carol, actor=cast["ada"], kind=Notification.Kind.LIKE, story=story)
    people_services.notice_send(
        recipient=carol, actor=cast["ada"], kind=Notification.Kind.COMMENT, story=story, text="What a sky!"
    )
    login(page, live_server.url, "carol", DEFAULT_PASSWORD)

    # The bell counts what is new; the inbox shows it once as new, then the badge is gone.
    page.goto(live_server.url + "/")
    assert page.locator(".nav-notifications").get_attribute("aria-label") == "Notifications, 3 unread"
    page.locator(".nav-notifications").click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notification.unread").count() == 3
    assert page.locator(".nav-badge").count() == 0
    screenshot(page, "notifications-phone")

    # From the notification to her story in the player, where she may download or delete it.
    page.locator(f'a[href="/@carol/story?item={story.pk}"]').first.click()
    wait_showing(page, story)
    # The photo's sound plays while it shows (muted until she unmutes).
    page.wait_for_function(
        "() => { const a = document.querySelector('.player-media audio'); return a && !a.paused; }"
    )
    assert page.get_attribute(".player-media audio", "src").endswith(
        f"/stories/sounds/{story.sound_id}/audio"
    )
    assert page.get_attribute(".player-download", "href").endswith(f"/api/v1/stories/{story.pk}/download/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".player-delete").click()
    # Her only item is gone, so the player closes and goes back.
    page.wait_for_url("**/notifications/")
    wait_until(lambda: Story.objects.get(pk=story.pk).state == State.DELETED, message="the delete")


def test_follow_from_the_player_counts_for_the_story_and_the_author_sees_figures(
    phone_page, live_server, cast, wait_until
):
    """Ada does not follow Carol: the player offers Follow, and the follow is credited to the
    story she was watching. Carol then sees how the story did, never who watched it."""
    from accounts.models import Follow

    page = phone_page
    carol, story = cast["carol"], cast["carols"]
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@carol/story")
    wait_showing(page, story)
    follow = page.locator(".player-follow")
    follow.wait_for(state="visible")
    follow.click()
    wait_until(
        lambda: Follow.objects.filter(
            follower=cast["ada"], followee=carol, source_story_id=story.pk
        ).exists(),
        message="the follow credited to the story",
    )
    page.wait_for_function("() => document.querySelector('.player-follow').hidden")

    # Bob already follows nobody here but is followed by Ada: no Follow button on his story.
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, cast["clip"])
    assert page.locator(".player-follow").is_hidden()

    page.context.clear_cookies()
    login(page, live_server.url, "carol", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@carol/story")
    wait_showing(page, story)
    insights = page.locator(".player-insights")
    insights.wait_for(state="visible")
    assert "views" in insights.text_content()
    assert "ada" not in insights.text_content().lower()
    assert page.locator(".player-follow").is_hidden()
