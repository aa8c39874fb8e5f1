"""The home page in real Chromium: the feed grid and the tray go on as they are scrolled, with no
item shown twice, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from feed.views import FEED_PAGE_SIZE, TRAY_PAGE_SIZE
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]


def count(page, selector: str) -> int:
    return page.locator(selector).count()


def keys(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.dataset.key)")


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_scrolling_brings_the_next_pages(request, live_server, viewport):
    page = request.getfixturevalue(viewport)
    viewer = UserFactory(username="scroller")
    authors = UserFactory.create_batch(TRAY_PAGE_SIZE + 4)
    for author in authors[:10]:
        FollowFactory(follower=viewer, followee=author)
    stories = [ReadyStoryFactory(author=author) for author in authors]
    stories += [ReadyStoryFactory(author=author) for author in authors[: FEED_PAGE_SIZE + 6 - len(authors)]]
    assert len(stories) > FEED_PAGE_SIZE
    login(page, live_server.url, viewer.username, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/")
    assert count(page, ".story-card") == FEED_PAGE_SIZE
    assert count(page, ".tray-item[data-key]") == TRAY_PAGE_SIZE

    # Scroll the grid to its end: the next page is fetched and added in place of the link.
    page.locator(".more-stories").scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('.story-card').length === {len(stories)}")
    assert count(page, ".more-stories") == 0
    cards = keys(page, ".story-card")
    assert sorted(cards) == sorted(str(story.pk) for story in stories)

    # The tray scrolls sideways to its "More" ring, which becomes the remaining rings.
    page.locator(".tray-more").scroll_into_view_if_needed()
    page.wait_for_function(
        f"() => document.querySelectorAll('.tray-item[data-key]').length === {len(authors)}"
    )
    assert count(page, ".tray-more") == 0
    rings = keys(page, ".tray-item[data-key]")
    assert sorted(map(int, rings)) == sorted(author.pk for author in authors)
    screenshot(page, f"home-scrolled-{viewport.removesuffix('_page')}")
