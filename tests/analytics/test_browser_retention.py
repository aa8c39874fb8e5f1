"""The story's analytics page draws where viewers drop off: an inline chart with its data table,
readable on a phone, from views the player reported (`watched_ms`)."""

from __future__ import annotations

import pytest

from feed import services as feed
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, LiveStoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cells(row) -> list[str]:
    return [cell.text_content().strip() for cell in row.locator("th, td").all()]


def test_the_retention_chart_and_its_table_on_a_phone(phone_page, live_server):
    author = UserFactory(username="maker")
    story = LiveStoryFactory(author=author, duration=6.0)
    # Six views; a view counts at each second it reached: all at 0:00, four at 0:03, three at 0:04,
    # the two that watched to the end at 0:05.
    for watched in (6000, 6000, 4200, 3100, 1500, 200):
        feed.view_record(viewer=UserFactory(), story=story, watched_ms=watched)
    page = login(phone_page, live_server.url, "maker", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/analytics/stories/{story.pk}/")
    chart = page.locator("figure.chart", has=page.locator("#chart-story-retention-caption"))
    chart.scroll_into_view_if_needed()
    assert "Where viewers drop off" in chart.locator("figcaption").inner_text()
    rows = chart.locator("table tbody tr")
    assert rows.count() == 6
    assert cells(rows.nth(0)) == ["0:00", "100.0%"]
    assert cells(rows.nth(3)) == ["0:03", "66.7%"]
    assert cells(rows.nth(4)) == ["0:04", "50.0%"]
    assert cells(rows.nth(5)) == ["0:05", "33.3%"]
    # The bars are drawn to the same figures: the first the tallest, the last a third of it.
    heights = [float(bar.get_attribute("height")) for bar in chart.locator("svg rect.chart-bar").all()]
    assert len(heights) == 6
    assert heights[0] == max(heights)
    assert heights[5] == pytest.approx(heights[0] / 3, rel=0.02)
    screenshot(page, "retention-chart", full_page=False)
