"""Discovery in real Chromium: from the header's search to a hashtag page to a story, and a
sound page; screenshots of each (docs/screenshots/search.png, hashtag.png, sound.png with
`make screenshots`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.models import Story
from stories_site.dev import synth
from tests.browser import login, page_width, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD

from .discovery import library_sound, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]


@pytest.fixture(scope="session")
def dusk_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "dusk.jpg", width=720, height=1280, colour="#f7797d")


@pytest.fixture(scope="session")
def sea_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "sea.jpg", width=720, height=1280, colour="#4ca1af")


@pytest.fixture
def cast(dusk_photo, sea_photo):
    """Sunny posts two #sunset photos (one with her sound); Dee posts one to followers only."""
    viewer = person(username="walker", display_name="Walker")
    sunny = person(username="sunny", display_name="Sunny Sunsetter")
    dee = person(username="dee", display_name="Dee")
    first = post_story(sunny, dusk_photo, caption="Golden hour #Sunset with @dee https://example.com/sun")
    second = post_story(sunny, sea_photo, caption="Still going #sunset #sea")
    post_story(dee, sea_photo, caption="#sunset for my followers", audience="followers")
    sound = library_sound("Original sound - @sunny", owner=sunny, use_count=1)
    Story.objects.filter(pk=second.pk).update(sound=sound)
    return viewer, first, second, sound


def test_search_to_a_hashtag_to_a_story_and_a_sound_page(desktop_page, live_server, cast):
    viewer, first, second, sound = cast
    page = desktop_page
    login(page, live_server.url, viewer.username, DEFAULT_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url(f"{live_server.url}/search")
    page.get_by_label("Search people, hashtags and sounds").fill("sunset")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"{live_server.url}/search?q=sunset")
    assert page.get_by_role("link", name="Sunny Sunsetter", exact=True).is_visible()
    # Dee's followers-only story is not counted for a stranger.
    assert page.locator(".search-hashtags li").first.inner_text() == "#sunset 2 live stories"
    screenshot(page, "search")

    page.get_by_role("link", name="#sunset").click()
    page.wait_for_url(f"{live_server.url}/tags/sunset")
    assert page.get_by_role("heading", level=1).inner_text() == "#sunset"
    cards = page.locator(".story-card")
    assert cards.count() == 2
    assert cards.evaluate_all("cards => cards.map(card => card.dataset.key)") == [
        str(second.pk),
        str(first.pk),
    ]
    screenshot(page, "hashtag")

    cards.nth(1).click()
    page.wait_for_url(f"{live_server.url}/@sunny/story?item={first.pk}")

    page.goto(f"{live_server.url}/stories/{first.pk}/")
    caption = page.locator(".story-caption")
    assert caption.get_by_role("link", name="#Sunset").get_attribute("href") == "/tags/sunset"
    assert caption.get_by_role("link", name="@dee").get_attribute("href") == "/@dee"
    link = caption.get_by_role("link", name="https://example.com/sun")
    assert link.get_attribute("rel") == "nofollow ugc noopener"

    page.goto(f"{live_server.url}/sounds/{sound.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == "♫ Original sound - @sunny"
    assert "Used in 1 story" in page.locator(".sound-head").inner_text()
    assert page.locator(".story-card").evaluate_all("cards => cards.map(card => card.dataset.key)") == [
        str(second.pk)
    ]
    screenshot(page, "sound")


def test_discovery_pages_fit_a_phone(phone_page, live_server, cast):
    page = phone_page
    for path in ("/search?q=sun", "/tags/sunset", f"/sounds/{cast[3].pk}"):
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= page.viewport_size["width"], path
