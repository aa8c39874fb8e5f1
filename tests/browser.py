"""Helpers for browser tests (the fixtures `browser`, `phone_page`, `desktop_page` are in
tests/conftest.py).

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True)
    def test_feed_on_a_phone(phone_page, live_server, django_user_model):
        django_user_model.objects.create_user("ada", password="pw-for-tests-1")
        login(phone_page, live_server.url, "ada", "pw-for-tests-1")
        screenshot(phone_page, "feed-phone")
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A test run keeps its screenshots under var/ (ignored by git); `make screenshots` refreshes the
# ones kept in docs/ by pointing STORIES_SCREENSHOT_DIR there.
SCREENSHOT_DIR = Path(os.environ.get("STORIES_SCREENSHOT_DIR") or ROOT / "var" / "screenshots")


def login(page, live_server_url: str, username: str, password: str):
    """Log in through the real form at /accounts/login/ and wait until we have left it.

    Raises AssertionError with the page's error text when the login does not go through."""
    page.goto(f"{live_server_url.rstrip('/')}/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").first.click()
    try:
        page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=10_000)
    except Exception as error:
        errors = page.locator(".errorlist, .form-error, [role=alert]").all_inner_texts()
        raise AssertionError(
            f"login as {username!r} failed: {' '.join(errors) or 'still on the login page'}"
        ) from error
    page.wait_for_load_state("load")
    return page


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot (the whole page unless told otherwise) as <SCREENSHOT_DIR>/<name>.png
    and return its path."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"screenshot name {name!r}: use letters, digits, '.', '_' and '-'")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
