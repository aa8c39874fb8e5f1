"""Issue 16, item 5, in real Chromium: the header's notification and message counts change on an
open page when something arrives (no reload), with the links' accessible names and one polite
sentence in the live region; the poll asks with If-None-Match and gets 304s while nothing
changes, and a hidden tab stops asking until it is shown again."""

from __future__ import annotations

import time

import pytest

from feed import messaging, notifications
from feed import services as feed_services
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, LiveStoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BELL = "a.nav-notifications"
INBOX = "a.nav-messages"
# Lets the test hide the tab: Chromium's own visibility cannot be switched from a script.
HIDEABLE = """
Object.defineProperty(document, "hidden", { configurable: true, get: () => !!document.__testHidden });
"""


def badge_is(page, link: str, text: str) -> None:
    page.wait_for_function(
        "([link, text]) => (document.querySelector(link + ' .nav-badge')?.textContent || '') === text",
        arg=[link, text],
        timeout=10_000,
    )


def badge_requests(page) -> list[int]:
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/api/v1/me/badge/" in r.url else None)
    return statuses


def test_the_counts_change_on_an_open_page(desktop_page, live_server, settings, one_request_at_a_time):
    settings.STORIES_BADGE_POLL_SECONDS = 1
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    story = LiveStoryFactory(author=ada)
    page = desktop_page
    statuses = badge_requests(page)
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/search")
    assert page.locator(BELL).get_attribute("aria-label") == "Notifications"
    assert page.locator(f"{BELL} .nav-badge").count() == 0
    page.evaluate("document.body.dataset.sameLoad = 'yes'")  # gone if the page reloads

    # Nothing changes for a while: the poll keeps asking and hears 304s.
    deadline = time.monotonic() + 10
    while statuses.count(304) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert statuses[0] == 200
    assert statuses.count(304) >= 2, statuses

    with one_request_at_a_time:
        feed_services.like_create(viewer=bob, story=story)
    badge_is(page, BELL, "1")
    assert page.locator(BELL).get_attribute("aria-label") == "Notifications, 1 unread"
    assert page.locator("#badge-live").inner_text() == "You have 1 unread notification."
    assert page.locator(f"{INBOX} .nav-badge").count() == 0

    with one_request_at_a_time:
        messaging.story_reply_send(viewer=bob, story=story, text="Where is this?")
    badge_is(page, INBOX, "1")
    badge_is(page, BELL, "2")  # the reply rings the bell too (kind "reply")
    assert page.locator(INBOX).get_attribute("aria-label") == "Messages, 1 unread"
    assert page.locator("#badge-live").inner_text() == "You have 2 unread notifications and 1 unread message."
    screenshot(page, "badge-live")

    # Read somewhere else: the badge goes, quietly (the live region keeps its last news).
    with one_request_at_a_time:
        notifications.notifications_mark_read(viewer=ada)
    page.wait_for_function(
        "selector => !document.querySelector(selector)", arg=f"{BELL} .nav-badge", timeout=10_000
    )
    assert page.locator(BELL).get_attribute("aria-label") == "Notifications"
    assert page.locator("#badge-live").inner_text() == "You have 2 unread notifications and 1 unread message."
    assert page.evaluate("document.body.dataset.sameLoad") == "yes"  # never reloaded


def test_a_hidden_tab_stops_asking_until_it_is_shown(
    desktop_page, live_server, settings, one_request_at_a_time
):
    settings.STORIES_BADGE_POLL_SECONDS = 1
    UserFactory(username="ada")
    page = desktop_page
    page.add_init_script(HIDEABLE)
    statuses = badge_requests(page)
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/search")
    deadline = time.monotonic() + 10
    while not statuses and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert statuses, "a visible tab asks every second"

    page.evaluate("document.__testHidden = true; document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(1500)  # a request already on its way may still land
    asked = len(statuses)
    page.wait_for_timeout(3500)  # hidden: ten times less often, so nothing in 3.5 s
    assert len(statuses) == asked

    page.evaluate("document.__testHidden = false; document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(700)  # shown again: it asks at once, not after the interval
    assert len(statuses) > asked
