"""Issue #18, goal 4 in real Chromium on a phone: the home page's posters are sized WebP
renditions picked through srcset, the first one eager and every one below the fold lazy; the
player paints the first item's picture from the page itself, and loads the next item only once
the one on screen is playing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from stories.models import Story
from stories_site.dev import synth
from tests.browser import post_story, screenshot
from tests.factories import UserFactory
from tests.media_fixtures import PHONE, _video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

COLOURS = ["#f59e0b", "#2563eb", "#16a34a", "#db2777", "#7c3aed", "#0891b2", "#dc2626", "#65a30d"]
first_clip = _video("lighter-first.mp4", seconds=4, **PHONE)


@pytest.fixture
def photos(tmp_path) -> list[Path]:
    return [
        synth.make_photo(tmp_path / f"p{i}.jpg", width=1080, height=1920, colour=colour)
        for i, colour in enumerate(COLOURS)
    ]


def test_home_posters_are_webp_renditions_and_lazy_below_the_fold(phone_page, live_server, photos):
    author = UserFactory(username="ines", display_name="Ines")
    stories = [post_story(author, path, alt_text=f"Colour {i}") for i, path in enumerate(photos)]
    assert all(story.rendition_widths == [240, 360, 540, 810, 1080] for story in stories)
    page = phone_page
    types: dict[str, str] = {}
    page.on("response", lambda r: "/poster" in r.url and types.setdefault(r.url, r.headers["content-type"]))
    page.goto(live_server.url + "/")
    cards = page.locator(".feed-grid .story-card img")
    assert cards.count() == len(stories)
    page.wait_for_function(
        "() => { const i = document.querySelector('.feed-grid img');"
        " return i.complete && i.naturalWidth > 0; }"
    )

    fold = page.viewport_size["height"]
    below = 0
    for index in range(cards.count()):
        card = cards.nth(index)
        srcset = card.get_attribute("srcset")
        assert "?w=240 240w" in srcset
        assert "?w=1080 1080w" in srcset
        assert card.get_attribute("sizes")
        assert (card.get_attribute("width"), card.get_attribute("height")) == ("1080", "1920")
        top = card.bounding_box()["y"]
        if index == 0:
            assert card.get_attribute("fetchpriority") == "high"
            assert card.get_attribute("loading") is None
        if top > fold:
            below += 1
            assert card.get_attribute("loading") == "lazy"
            assert card.get_attribute("decoding") == "async"
    assert below >= 2, "some cards must be below the fold on a phone"

    # The browser picked a rendition for the card's width (about 177 CSS px at 2x: 360), and it is WebP.
    first = cards.first.evaluate("img => img.currentSrc")
    assert first.endswith("?w=360"), first
    assert types[first] == "image/webp"
    screenshot(page, "home-phone-renditions", full_page=False)


def test_player_paints_the_first_picture_and_loads_the_next_item_only_once_playing(
    phone_page, live_server, first_clip, photos
):
    author = UserFactory(username="joao", display_name="Joao")
    clip = post_story(author, first_clip, alt_text="A clip")
    photo = post_story(author, photos[0], alt_text="A photo")
    page = phone_page
    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def note(kind: str, what: str) -> None:
        with lock:
            events.append((kind, what))

    page.expose_function("notePlaying", lambda src: note("playing", src))
    page.add_init_script(
        "document.addEventListener('playing', e => window.notePlaying(e.target.currentSrc), true);"
    )
    page.on("request", lambda request: note("request", request.url))

    def slow_clip(route) -> None:
        # The clip takes a second to start coming: a player that loads the next item at once
        # would ask for it meanwhile.
        time.sleep(1)
        route.continue_()

    page.route(f"**/stories/{clip.pk}/media", slow_clip)
    page.goto(f"{live_server.url}/@joao/story")

    # The page itself carries the first item's picture: a WebP rendition through srcset.
    picture = page.locator(f'.player-first-picture[data-item="{clip.pk}"]')
    assert "?w=810 810w" in picture.get_attribute("srcset")
    page.wait_for_function("() => document.querySelector('.player-media video').currentTime > 0.2")
    screenshot(page, "player-phone-renditions", full_page=False)
    page.wait_for_function(
        "id => [...document.querySelectorAll('.player-preload img')].some(i => i.src.includes(id))",
        arg=str(photo.pk),
    )

    with lock:
        seen = list(events)
    started = next(i for i, (kind, _) in enumerate(seen) if kind == "playing")
    next_item = [i for i, (kind, url) in enumerate(seen) if kind == "request" and str(photo.pk) in url]
    assert next_item, "the next item is loaded once the clip plays"
    assert min(next_item) > started, f"the next item was asked for before the clip played: {seen}"
    # The next photo comes as its sized rendition, not as the full photo.
    assert all("/poster?w=" in seen[i][1] for i in next_item)
    assert Story.objects.get(pk=photo.pk).rendition_widths
