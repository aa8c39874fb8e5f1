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
from contextlib import contextmanager
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


@contextmanager
def page_at(browser, width: int, height: int = 800, *, phone: bool = False):
    """A fresh page `width` px wide (a touch phone when `phone`), closed afterwards: for the
    widths the `phone_page` and `desktop_page` fixtures do not cover (320, 768, 2560 px)."""
    options = {"viewport": {"width": width, "height": height}}
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    violations = watch_policy_violations(context)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert_no_policy_violations(violations)


# Every CSP violation is reported through the console, whichever frame or page it happens in:
# the browser's own "Refused to ..." message and, from this listener, one naming the directive.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " blocked " +
                (event.blockedURI || "inline code") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
_VIOLATION_MARKS = ("CSP violation:", "Content Security Policy", "Refused to")


def watch_policy_violations(context) -> list[str]:
    """Record every Content-Security-Policy violation in `context`'s pages; returns the list the
    messages are appended to. The page fixtures fail a test at teardown when it is not empty.

    Give `page.wait_for_function` a function ("() => ..."): Playwright evals a bare expression
    inside the page, which the policy (no 'unsafe-eval') refuses."""
    seen: list[str] = []

    def note(message) -> None:
        if any(mark in message.text for mark in _VIOLATION_MARKS):
            seen.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.add_init_script(_REPORT_VIOLATIONS)
    context.on("console", note)
    return seen


def assert_no_policy_violations(seen: list[str]) -> None:
    assert not seen, "Content-Security-Policy violations:\n" + "\n".join(seen)


def page_width(page) -> int:
    """How wide the document is: more than the viewport means a sideways scroll."""
    return page.evaluate("document.documentElement.scrollWidth")


def post_story(author, path: Path, **options):
    """A story as an upload makes it (checked options, stored original, processed inline), so
    the browser shows real media. Returns the ready Story."""
    from stories import services
    from stories.lifecycle import State

    with path.open("rb") as handle:
        story = services.story_create(
            author=author,
            upload=handle,
            options=services.story_options_clean(author=author, **options),
            enqueue=False,
        )
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert story.state == State.READY, story.failure_reason
    return story
