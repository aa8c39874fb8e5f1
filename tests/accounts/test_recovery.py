"""Password reset (pages and API), the email change, and mail sent through a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, User
from accounts.tokens import token_create
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-passphrase-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/([^/\s]+)/([^/\s]+)/)")


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def ask_reset(api_client, email, capture):
    with capture(execute=True):
        return api_client.post("/api/v1/auth/password-reset/", {"email": email}, format="json")


def reset_parts(message) -> tuple[str, str, str]:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1), found.group(2), found.group(3)


def test_reset_email_goes_to_the_account_and_unknown_addresses_get_the_same_answer(
    api_client, django_capture_on_commit_callbacks
):
    UserFactory(username="ada", email="ada@example.com")
    known = ask_reset(api_client, "ADA@example.com", django_capture_on_commit_callbacks)
    unknown = ask_reset(api_client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    path, _uid, _token = reset_parts(mail.outbox[0])
    assert path.startswith("/accounts/reset/")


def test_bad_email_is_a_plain_400(api_client):
    response = api_client.post("/api/v1/auth/password-reset/", {"email": "not-an-address"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    assert "email" in response.json()["errors"]


def test_inactive_accounts_get_no_email(api_client, django_capture_on_commit_callbacks):
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    assert ask_reset(api_client, "gone@example.com", django_capture_on_commit_callbacks).status_code == 202
    assert mail.outbox == []


def test_confirm_sets_the_password_once_and_ends_every_session_and_token(
    api_client, django_capture_on_commit_callbacks
):
    user = UserFactory(username="ada", email="ada@example.com")
    _token, key = token_create(user=user)
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("accounts:edit")).status_code == 200
    ask_reset(api_client, "ada@example.com", django_capture_on_commit_callbacks)
    _path, uid, token = reset_parts(mail.outbox[0])

    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    response = api_client.post("/api/v1/auth/password-reset/confirm/", body, format="json")
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()
    assert api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert browser.get(reverse("accounts:edit")).status_code == 302  # signed out

    again = api_client.post(
        "/api/v1/auth/password-reset/confirm/", {**body, "new_password": "another-one-99x"}, format="json"
    )
    assert again.status_code == 400
    assert "token" in again.json()["errors"]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_confirm_refuses_weak_passwords_and_garbage(api_client, django_capture_on_commit_callbacks):
    UserFactory(username="ada", email="ada@example.com")
    ask_reset(api_client, "ada@example.com", django_capture_on_commit_callbacks)
    _path, uid, token = reset_parts(mail.outbox[0])
    weak = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "123"},
        format="json",
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"]
    for bad_uid in ("!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "MA"):
        response = api_client.post(
            "/api/v1/auth/password-reset/confirm/",
            {"uid": bad_uid, "token": token, "new_password": NEW_PASSWORD},
            format="json",
        )
        assert response.status_code == 400, bad_uid


def test_reset_is_throttled_per_email_and_per_address(settings, api_client):
    settings.STORIES_PASSWORD_RESET_RATE = "2/hour"
    UserFactory(username="ada", email="ada@example.com")
    answers = [
        api_client.post(
            "/api/v1/auth/password-reset/", {"email": "ada@example.com"}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert answers == [202, 202, 429]
    # Another address from another client is fine; the same client asking about it is not.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post("/api/v1/auth/password-reset/", {"email": "x@example.com"}, "application/json").status_code
        == 202
    )
    third = api_client.post("/api/v1/auth/password-reset/", {"email": "y@example.com"}, format="json")
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    # The page shares the budget.
    page = Client().post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    assert page.status_code == 429


def test_reset_pages_walk(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="ada", email="ada@example.com")
    assert "Forgot your password?" in client.get(reverse("accounts:login")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    with django_capture_on_commit_callbacks(execute=True):
        same = client.post(reverse("accounts:password_reset"), {"email": "who@example.com"})
    assert same["Location"] == response["Location"]
    path, _uid, _token = reset_parts(mail.outbox[0])
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    reused = Client().get(path, follow=True)
    assert "This link does not work" in reused.content.decode()


def test_email_change_waits_for_the_new_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="ada", email="ada@example.com")
    client.force_login(user)
    wrong = client.post(reverse("accounts:email_change"), {"email": "new@example.com", "password": "nope"})
    assert wrong.status_code == 200
    assert "not your current password" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:email_change"), {"email": "new@example.com", "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ada@example.com"  # pending until the link is opened
    to = {tuple(message.to): message for message in mail.outbox}
    assert set(to) == {("new@example.com",), ("ada@example.com",)}
    assert "new@example.com" in to[("ada@example.com",)].body  # the notice to the old address
    link = re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+/)", to[("new@example.com",)].body).group(
        1
    )
    assert Client().get(link).status_code == 200
    user.refresh_from_db()
    assert user.email == "ada@example.com"  # opening the link (a mail scanner) changes nothing
    assert Client().post(link).status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert Client().post(link).status_code == 400  # once
    assert Client().get(link[:-5] + "xxxx/").status_code == 400


def test_reset_mail_goes_through_a_real_smtp_server(settings, api_client, django_capture_on_commit_callbacks):
    UserFactory(username="ada", email="ada@example.com")
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        ask_reset(api_client, "ada@example.com", django_capture_on_commit_callbacks)
    assert len(sink.messages) == 1
    recipients, message = sink.messages[0]
    assert recipients == ["ada@example.com"]
    assert message["Subject"] == "Reset your Stories password"
    assert LINK.search(message.get_payload(decode=True).decode())


def test_the_mail_task_retries_smtp_errors(settings):
    """A refusal (451) schedules a retry with backoff instead of losing the email; the retry
    delivers once the server takes mail again."""
    from celery.exceptions import Retry

    from accounts.tasks import send_email

    message = {"to": "ada@example.com", "subject": "Hi", "body": "Hello"}
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        sink.refuse = True
        with pytest.raises(Retry):
            send_email.apply(kwargs=message, throw=True)
        assert sink.refused == 1
        assert sink.messages == []
        sink.refuse = False
        send_email.apply(kwargs=message, throw=True)
    assert len(sink.messages) == 1
    assert send_email.max_retries == 8
    assert send_email.retry_backoff


def test_email_settings_read_email_url(monkeypatch):
    import importlib

    import stories_site.settings as site_settings

    monkeypatch.setenv("EMAIL_URL", "smtp://mailer%40example.com:p%40ss@mail.example.com:587?tls=1")
    try:
        fresh = importlib.reload(site_settings)
        assert fresh.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert (fresh.EMAIL_HOST, fresh.EMAIL_PORT) == ("mail.example.com", 587)
        assert (fresh.EMAIL_HOST_USER, fresh.EMAIL_HOST_PASSWORD) == ("mailer@example.com", "p@ss")
        assert fresh.EMAIL_USE_TLS
        assert not fresh.EMAIL_USE_SSL
        monkeypatch.delenv("EMAIL_URL")
        monkeypatch.delenv("EMAIL_HOST", raising=False)
        # Nothing configured (`make run`): printed on the console of the sending process.
        assert (
            importlib.reload(site_settings).EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
        )
    finally:
        monkeypatch.delenv("EMAIL_URL", raising=False)
        importlib.reload(site_settings)
    assert User  # the models still load after the reload


def test_a_body_that_is_not_an_object_is_a_plain_400(api_client):
    response = api_client.post("/api/v1/auth/password-reset/", [None, None], format="json")
    assert response.status_code == 400
    assert "detail" in response.json()
