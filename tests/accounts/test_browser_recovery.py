"""The reset email flow and account deletion in real Chromium, without JavaScript help: plain
forms. Saves docs' screenshots password-reset.png and account-deletion.png (`make screenshots`)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import User
from stories.models import Story
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .helpers import make_live_story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]
NEW_PASSWORD = "brand-new-passphrase-7"


def test_reset_by_email_then_log_in(desktop_page, live_server, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(username="ada", email="ada@example.com")
    page = desktop_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    screenshot(page, "password-reset")
    page.get_by_role("button", name="Set my password").click()
    page.get_by_role("heading", name="Your password is changed").wait_for()
    page.goto(link)  # the link works once
    page.get_by_role("heading", name="This link does not work").wait_for()
    login(page, live_server.url, "ada", NEW_PASSWORD)


def test_delete_account_from_settings(desktop_page, live_server, media_storage):
    ada = UserFactory(username="ada", email="ada@example.com")
    media = default_storage.save("stories/clip.mp4", ContentFile(b"clip"))
    story = make_live_story(ada, media=media)
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Delete your account").click()
    page.get_by_role("heading", name="Delete your account").wait_for()
    assert "This cannot be undone." in page.inner_text("main")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    screenshot(page, "account-deletion")
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Your account is deleted" in page.inner_text("body")
    assert not User.objects.filter(pk=ada.pk).exists()
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not default_storage.exists(media)
