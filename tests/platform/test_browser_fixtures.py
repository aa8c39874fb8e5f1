"""The browser fixtures drive the system's Chromium against live_server."""

import pytest

from tests import browser as browser_helpers
from tests.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_desktop_and_phone_pages_have_their_devices(desktop_page, phone_page, live_server):
    desktop_page.goto(f"{live_server.url}/admin/login/")
    assert desktop_page.evaluate("[window.innerWidth, window.innerHeight]") == [1366, 900]

    phone_page.goto(f"{live_server.url}/admin/login/")
    assert phone_page.evaluate("[window.innerWidth, window.devicePixelRatio]") == [390, 2]
    assert phone_page.evaluate("matchMedia('(pointer: coarse)').matches") is True
    assert phone_page.evaluate("'ontouchstart' in window") is True


def test_screenshot_helper_writes_a_png(desktop_page, tmp_path, monkeypatch):
    monkeypatch.setattr(browser_helpers, "SCREENSHOT_DIR", tmp_path)
    desktop_page.set_content("<h1>Stories</h1>")
    path = browser_helpers.screenshot(desktop_page, "platform-check")
    assert path == tmp_path / "platform-check.png"
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.django_db(transaction=True)
def test_login_helper_signs_in_through_the_login_form(phone_page, live_server, django_user_model):
    django_user_model.objects.create_user(username="ada", password="a-long-test-password-1")
    login(phone_page, live_server.url, "ada", "a-long-test-password-1")
    assert "/accounts/login/" not in phone_page.url
    assert any(cookie["name"] == "sessionid" for cookie in phone_page.context.cookies())
