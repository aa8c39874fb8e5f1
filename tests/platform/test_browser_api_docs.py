"""The API docs render in real Chromium from the site's own static files: a developer on a
machine without internet (or behind a strict proxy) still gets them, and no CDN sees who reads
them. (drf-spectacular's default loads Swagger UI from jsDelivr: a blank page offline.)"""

from __future__ import annotations

import pytest

from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_without_anything_from_elsewhere(desktop_page, live_server):
    elsewhere: list[str] = []

    def note(request) -> None:
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            elsewhere.append(request.url)

    desktop_page.on("request", note)
    desktop_page.goto(f"{live_server.url}/api/docs/")
    feed = desktop_page.locator(".swagger-ui .opblock-summary-path[data-path='/api/v1/feed/for-you/']")
    feed.wait_for(timeout=20_000)
    feed.click()  # an operation opens with its parameters and responses
    desktop_page.locator(".swagger-ui .opblock.is-open .responses-wrapper").wait_for()
    assert elsewhere == []
    feed.scroll_into_view_if_needed()
    screenshot(desktop_page, "api-docs-desktop", full_page=False)  # the page is 9,000 px long
