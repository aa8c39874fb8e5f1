"""The player's edges that issue 19 found, in real Chromium: Enter pressed twice in the comment
box, a like while signed out, the like button's label, the tray order after the first view, and
stickers under the caption on a desktop. Stories are real processed photos."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from feed import services as feed_services
from feed.models import Comment, Like
from stickers.models import Sticker
from stories_site.dev import synth
from tests.browser import login, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

ACCENT = (225, 29, 72)  # --accent (#e11d48): the "Add yours" button


@pytest.fixture(scope="session")
def edge_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "edges.jpg", width=720, height=1280, colour="#6a82fb")


@pytest.fixture(scope="session")
def pale_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "edges-pale.jpg", width=720, height=1280, colour="#e8e8d0")


def showing(page) -> str:
    return page.get_attribute(".player-stage", "data-story-id")


def wait_showing(page, story) -> None:
    page.wait_for_function(
        "id => document.querySelector('.player-stage').dataset.storyId === id", arg=str(story.pk)
    )


def pause(page) -> None:
    """Hold the photo on screen while the test looks (photos move on after five seconds)."""
    page.locator(".player-pause").click()
    page.wait_for_function(
        "() => document.querySelector('.player-pause').getAttribute('aria-pressed') === 'true'"
    )


def test_a_comment_posted_while_the_list_loads_is_shown_once(phone_page, live_server, edge_photo):
    """The sheet's first page, answered after the person's own comment was posted, holds that
    comment too: it is in the list once (CI saw it twice when the machine was busy)."""
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    story = post_story(bob, edge_photo)
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    held = []

    def hold_the_list(route):
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/stories/*/comments/", hold_the_list)
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, story)
    page.locator(".player-comments").click()
    page.locator(".comment-form textarea").fill("Lovely light")
    page.keyboard.press("Enter")
    page.locator(".comment-text").first.wait_for()
    assert len(held) == 1, "the sheet asked for its first page"
    # Now the page, which has the new comment in it, arrives.
    with page.expect_response(lambda r: r.request.method == "GET" and "/comments/" in r.url):
        held[0].continue_()
    page.wait_for_timeout(300)  # the page's rows are drawn in the response's promise
    assert page.locator(".comment-text").all_inner_texts() == ["Lovely light"]
    assert Comment.objects.filter(story=story, author=ada).count() == 1


def test_enter_twice_in_the_comment_box_posts_once(phone_page, live_server, edge_photo, wait_until):
    """Issue 19, item 9: a double click on Post was handled, two Enters were two comments."""
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    story = post_story(bob, edge_photo)
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, story)
    page.locator(".player-comments").click()
    page.locator(".comment-form textarea").fill("Lovely light")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.locator(".comment-text").first.wait_for()
    wait_until(lambda: Comment.objects.filter(story=story).exists(), message="the comment")
    page.wait_for_timeout(1000)  # room for a second request to land, were one sent
    assert Comment.objects.filter(story=story, author=ada).count() == 1
    assert page.locator(".comment-text").all_inner_texts() == ["Lovely light"]
    assert page.locator(".player-comments .rail-count").text_content() == "1"
    assert page.locator(".comment-form textarea").input_value() == ""
    # Enter in the now empty box sends nothing.
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert Comment.objects.filter(story=story).count() == 1
    screenshot(page, "player-comment-enter-phone")


def test_a_like_while_signed_out_comes_back_to_the_same_item_and_is_applied(
    phone_page, live_server, edge_photo, pale_photo, wait_until
):
    """Issue 19, item 17: the login page sent people back to the author's first item (`?item=`
    was lost) and the like was not applied. The address now names the item on screen."""
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    first = post_story(bob, edge_photo)
    second = post_story(bob, pale_photo)
    feed_services.like_create(viewer=UserFactory(), story=second)
    page = phone_page
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, first)
    page.keyboard.press("ArrowRight")
    wait_showing(page, second)
    assert page.url.endswith(f"/@bob/story?item={second.pk}")
    pause(page)
    page.locator(".player-like").click()

    page.wait_for_url("**/accounts/login/**")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill("ada")
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    form.locator("[type=submit]").first.click()

    page.wait_for_url(f"**/@bob/story?item={second.pk}")
    wait_showing(page, second)
    wait_until(lambda: Like.objects.filter(story=second, user=ada).exists(), message="the like")
    assert not Like.objects.filter(story=first, user=ada).exists()
    assert page.get_attribute(".player-like", "aria-pressed") == "true"
    assert page.get_attribute(".player-like", "aria-label") == "Unlike, 2 likes"
    # Done once: coming back again does not unlike or like anything.
    page.reload()
    wait_showing(page, second)
    page.wait_for_timeout(500)
    assert Like.objects.filter(story=second, user=ada).count() == 1
    assert page.get_attribute(".player-like", "aria-pressed") == "true"


def test_the_like_button_counts_in_words(desktop_page, live_server, edge_photo):
    """Issue 19, item 18: the label read "Like (1 likes)"."""
    UserFactory(username="ada")
    story = post_story(UserFactory(username="bob"), edge_photo)
    feed_services.like_create(viewer=UserFactory(), story=story)
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, story)
    pause(page)
    like = page.locator(".player-like")
    assert like.get_attribute("aria-label") == "Like, 1 like"
    like.click()
    assert like.get_attribute("aria-label") == "Unlike, 2 likes"
    like.click()
    assert like.get_attribute("aria-label") == "Like, 1 like"


def test_quick_taps_on_like_end_where_the_button_shows(desktop_page, live_server, edge_photo):
    """A like's answer that came back after the next tap set the count back ("Like (2 likes)"
    after like, unlike), and the two requests could reach the server in either order. Here the
    network answers the newest request first: the player now sends one tap at a time and takes
    only the last tap's answer, so like, unlike ends unliked on the server and on the button."""
    ada = UserFactory(username="ada")
    story = post_story(UserFactory(username="bob"), edge_photo)
    feed_services.like_create(viewer=UserFactory(), story=story)
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@bob/story")
    wait_showing(page, story)
    pause(page)
    held = []
    page.route("**/api/v1/stories/*/like/", lambda route: held.append(route))
    like = page.locator(".player-like")
    like.click()
    like.click()
    page.wait_for_timeout(300)
    quiet = 0
    while quiet < 3:  # answer whatever is waiting, newest first, until nothing more comes
        if held:
            route = held.pop()
            route.fulfill(response=route.fetch())
            quiet = 0
        else:
            quiet += 1
        page.wait_for_timeout(200)
    assert not Like.objects.filter(story=story, user=ada).exists()
    assert like.get_attribute("aria-label") == "Like, 1 like"


def test_going_on_follows_the_tray_as_it_was_when_the_player_opened(
    desktop_page, live_server, edge_photo, wait_until
):
    """Issue 19, item 18: the player fetched the tray after recording the first view, which moved
    the author just opened among the seen ones, last: going forward then closed the player at
    once, or skipped the next person's story. Ada's tray is Zoe, Yan, Xia (newest first)."""
    ada = UserFactory(username="ada")
    people = {}
    for name in ("xia", "yan", "zoe"):
        people[name] = UserFactory(username=name)
        FollowFactory(follower=ada, followee=people[name])
        people[name].story = post_story(people[name], edge_photo)
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/")
    tray = page.eval_on_selector_all(".tray-item", "links => links.map(a => a.getAttribute('href'))")
    assert tray == ["/@zoe/story", "/@yan/story", "/@xia/story"]

    page.locator('.tray-item[href="/@yan/story"]').click()
    wait_showing(page, people["yan"].story)
    page.locator(".player-next-author").wait_for(state="visible")
    page.keyboard.press("ArrowRight")
    wait_showing(page, people["xia"].story)
    assert "/@xia/story" in page.url

    # Xia is last: going on from her story closes the player, back home.
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"{live_server.url}/")


def test_add_yours_under_the_caption_is_on_top_and_takes_a_real_click(desktop_page, live_server, pale_photo):
    """Issue 19, item 16: on a desktop the caption's gradient was drawn over the Add Yours
    sticker near the bottom of the frame. The sticker is now above it, in full colour, and a
    real mouse click on "Add yours" opens the editor on that prompt."""
    UserFactory(username="ada")
    carol = UserFactory(username="carol")
    caption = "Tagine night with the whole family, slow-cooked for four hours.\nRecipe in the comments!"
    story = post_story(
        carol,
        pale_photo,
        caption=caption,
        stickers=[{"type": "add_yours", "prompt": "Show your dinner", "y": 0.9}],
    )
    prompt = Sticker.objects.get(story=story)
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@carol/story")
    wait_showing(page, story)
    pause(page)
    button = page.locator(".sticker-add-yours").get_by_role("link", name="Add yours")
    box = button.bounding_box()
    caption_box = page.locator(".player-caption").bounding_box()
    assert box["y"] + box["height"] > caption_box["y"], "the sticker sits where the caption is"

    # The button's own colour, not darkened by the gradient drawn over it.
    left, middle = box["x"] + box["width"] * 0.12, box["y"] + box["height"] / 2
    spot = {"x": left, "y": middle - 2, "width": 4, "height": 4}
    pixel = Image.open(io.BytesIO(page.screenshot(clip=spot))).convert("RGB").getpixel((2, 2))
    assert all(abs(a - b) <= 12 for a, b in zip(pixel, ACCENT, strict=True)), f"covered: {pixel}"
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('a')?.textContent",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == "Add yours"
    screenshot(page, "player-add-yours-desktop", full_page=False)

    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/stories/create/?add_yours={prompt.pk}")
