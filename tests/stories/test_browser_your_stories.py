"""The "Your stories" page in real Chromium: each item's state reads in full, and so does why an upload
failed (issue 19: the pills read "R…" and "F…", the reason "The video is too lo…"), on a phone,
a desktop and a 320 px phone."""

from __future__ import annotations

import pytest

from stories.lifecycle import State
from tests.browser import login, page_at, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

REASON = (
    "The video is too long to process: clips can be at most 60 seconds, and this one is 95 seconds. "
    "Trim it and post it again."
)

# For each pill and note: its text, whether it is cut (wider or taller inside than shown), and
# whether it lies inside its card.
READ = """cards => cards.map(card => {
  const box = card.getBoundingClientRect();
  return [...card.querySelectorAll('.card-foot > span')].map(node => {
    const r = node.getBoundingClientRect();
    return {
      text: node.textContent.trim(),
      cut: node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1,
      inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
    };
  });
}).flat()"""


@pytest.fixture
def uploads():
    me = UserFactory(username="maker")
    ReadyStoryFactory(author=me, kind="photo")
    StoryFactory(author=me, state=State.FAILED, failure_reason=REASON)
    StoryFactory(author=me, state=State.PROCESSING)
    return me


def check_cards(page, base: str, name: str) -> None:
    page.goto(f"{base}/stories/mine/")
    shown = page.eval_on_selector_all(".story-card", READ)
    pills = [item["text"] for item in shown if item["text"] in ("Ready", "Failed", "Processing")]
    assert sorted(pills) == ["Failed", "Processing", "Ready"]
    for item in shown:
        assert not item["cut"], f"{name}: {item['text']!r} is cut short"
        assert item["inside"], f"{name}: {item['text']!r} sticks out of its card"
    assert REASON in [item["text"] for item in shown], "the whole reason, not the first 60 characters"
    screenshot(page, f"your-stories-{name}")


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_states_and_reasons_read_in_full(request, live_server, uploads, viewport):
    page = request.getfixturevalue(viewport)
    login(page, live_server.url, "maker", DEFAULT_PASSWORD)
    check_cards(page, live_server.url, viewport.removesuffix("_page"))


def test_states_and_reasons_read_in_full_at_320_px(browser, live_server, uploads):
    with page_at(browser, 320, phone=True) as page:
        login(page, live_server.url, "maker", DEFAULT_PASSWORD)
        check_cards(page, live_server.url, "320")
