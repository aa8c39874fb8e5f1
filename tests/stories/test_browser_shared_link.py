"""A story's own page (`/stories/<id>/`, the link the player's Share copies) in real Chromium: it
shows the same stickers as the player, drawn by the player's own code, in the same places, and
they work there too (issue 19, item 11: the page left every sticker out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stickers.models import PollVote, Sticker, StickerType
from stories_site.dev import synth
from tests.browser import login, page_at, page_width, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.stickers.factories import QuestionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

EVERY_KIND = ["answer", "poll", "quiz", "question", "add_yours", "mention", "emoji"]
# Each sticker drawn over the media: its kind, its place (the style the builder sets) and text.
DRAWN = """nodes => nodes.map(n => ({
  type: n.dataset.type, left: n.style.left, top: n.style.top, text: n.innerText.trim(),
}))"""


@pytest.fixture(scope="session")
def link_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "shared.jpg", width=720, height=1280, colour="#ff9a8b")


@pytest.fixture
def shared(link_photo):
    """Ada's photo answers Bob's question and carries one sticker of every kind (small, so that
    none covers another)."""
    ada = UserFactory(username="ada", display_name="Ada")
    bob = UserFactory(username="bob", display_name="Bob")
    UserFactory(username="cy")
    asked_on = post_story(ada, link_photo, stickers=[{"type": "question", "prompt": "Ask me"}])
    question = QuestionFactory(sticker=Sticker.objects.get(story=asked_on), author=bob, text="Best view?")
    small = {"scale": 0.6}
    story = post_story(
        ada,
        link_photo,
        answer=question.pk,
        stickers=[
            {"type": "poll", "question": "Tea or coffee?", "options": ["Tea", "Coffee"], "y": 0.4, **small},
            {
                "type": "quiz",
                "question": "Capital?",
                "options": ["Lyon", "Paris"],
                "correct": 1,
                "y": 0.57,
                **small,
            },
            {"type": "question", "prompt": "Ask me more", "y": 0.73, **small},
            {"type": "add_yours", "prompt": "Show your view", "y": 0.88, **small},
            {"type": "mention", "username": "bob", "x": 0.25, "y": 0.1},
            {"type": "emoji", "emoji": "🔥", "x": 0.85, "y": 0.1},
        ],
    )
    return story


def test_the_shared_page_shows_the_players_stickers(phone_page, live_server, shared):
    page = phone_page
    login(page, live_server.url, "cy", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@ada/story?item={shared.pk}")
    page.locator(".sticker-layer .sticker-poll").wait_for()
    page.locator(".player-pause").click()
    in_player = page.eval_on_selector_all(".sticker-layer .sticker", DRAWN)

    page.goto(f"{live_server.url}/stories/{shared.pk}/")
    page.locator(".story-stage .sticker-poll").wait_for()
    on_page = page.eval_on_selector_all(".story-stage .sticker", DRAWN)
    assert sorted(s["type"] for s in on_page) == sorted(EVERY_KIND)
    assert sorted(on_page, key=lambda s: s["type"]) == sorted(in_player, key=lambda s: s["type"])
    card = next(s for s in on_page if s["type"] == "answer")
    assert "Best view?" in card["text"]
    assert page.locator(".story-stage .sticker-mention").get_attribute("href").endswith("/@bob")
    assert page_width(page) <= 390
    screenshot(page, "shared-story-phone")

    # They work as in the player: a vote is counted and the results show.
    page.locator(".story-stage .sticker-poll").get_by_role("button", name="Coffee").click()
    page.locator(".story-stage .sticker-poll .sticker-option.is-mine").wait_for()
    poll = Sticker.objects.get(story=shared, type=StickerType.POLL)
    assert PollVote.objects.get(sticker=poll).option == 1


def test_the_shared_page_with_stickers_on_a_desktop_and_at_320_px(browser, desktop_page, live_server, shared):
    page = desktop_page
    page.goto(f"{live_server.url}/stories/{shared.pk}/")  # signed out: the link as shared
    page.locator(".story-stage .sticker-poll").wait_for()
    assert page.locator(".story-stage .sticker").count() == len(EVERY_KIND)
    stage = page.locator(".story-stage").bounding_box()
    for sticker in page.locator(".story-stage .sticker").all():
        box = sticker.bounding_box()
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert stage["x"] <= centre[0] <= stage["x"] + stage["width"]
        assert stage["y"] <= centre[1] <= stage["y"] + stage["height"]
    screenshot(page, "shared-story-desktop")
    # Signed out, a vote goes to the login page and back to this page.
    page.locator(".story-stage .sticker-poll").get_by_role("button", name="Tea").click()
    page.wait_for_url(f"**/accounts/login/?next=%2Fstories%2F{shared.pk}%2F")

    with page_at(browser, 320, phone=True) as small:
        small.goto(f"{live_server.url}/stories/{shared.pk}/")
        small.locator(".story-stage .sticker-poll").wait_for()
        assert page_width(small) <= 320
        screenshot(small, "shared-story-320")
