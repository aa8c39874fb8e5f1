"""Issue 13: people with bad intent. Each test is one abuse that worked before the fix: a forged
X-Forwarded-For, password guessing at each door, a token that outlived its password or its
lifetime, and one person inflating shares, views and notifications (docs/security.md)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts import tokens
from accounts.models import ApiToken
from feed import services as feed
from feed.models import Notification
from stories.models import StoryDailyStats
from tests.factories import DEFAULT_PASSWORD, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Brand-new-passphrase-7"


@pytest.fixture
def auth_rate(monkeypatch):
    """The "auth" rate at 5 a minute (the suite's settings lift every rate out of reach)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "auth": "5/minute"})


@pytest.fixture
def lockout(settings):
    """A lockout after 3 failures per account, 6 per address, lasting 10 minutes."""
    settings.STORIES_LOGIN_FAILURE_LIMIT = 3
    settings.STORIES_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.STORIES_LOGIN_COOLOFF_MINUTES = 10
    return settings


def token_post(api: APIClient, username: str, password: str, **headers):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **headers
    )


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text


# --- 1. One client identity for every throttle ---------------------------------------------------


class TestClientIdentity:
    def test_a_forged_x_forwarded_for_does_not_reset_the_auth_throttle(self, auth_rate):
        api = APIClient()
        codes = [
            token_post(api, f"someone{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
            for n in range(30)
        ]
        assert codes[:5] == [400] * 5
        assert set(codes[5:]) == {429}

    def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(self, auth_rate, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        api = APIClient()
        # The proxy appends the peer it saw; whatever the client wrote stays to the left.
        forged = [f"10.0.0.{n}, 198.51.100.7" for n in range(8)]
        codes = [
            token_post(api, f"x{n}", "wrong", HTTP_X_FORWARDED_FOR=xff).status_code
            for n, xff in enumerate(forged)
        ]
        assert codes == [400] * 5 + [429] * 3
        # Another client behind the same proxy has its own budget.
        assert token_post(api, "x", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 400

    def test_the_pages_draw_on_the_same_budget_for_the_same_address(self, auth_rate):
        api, browser = APIClient(), Client()
        for n in range(3):
            assert (
                token_post(api, f"someone{n}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
                == 400
            )
        codes = [
            browser.post(
                "/accounts/signup/", {"username": f"bot{n}"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
            ).status_code
            for n in range(3)
        ]
        assert codes == [200, 200, 429]  # 5 in all, whatever the header said

    @pytest.mark.redis
    def test_throttle_and_lockout_counts_live_in_redis_for_every_process(self, auth_rate, lockout):
        """Another process (here: a separate Redis connection) sees the same counts, so several
        gunicorn workers share one budget instead of one each."""
        import redis
        from django.conf import settings
        from django.core.cache import cache

        token_post(APIClient(), "someone", "wrong")
        other_process = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        assert other_process.exists(cache.make_key("throttle_auth_127.0.0.1"))
        assert any(b"login-failures:address:" in key for key in other_process.keys("*login-failures*"))


# --- 2. Password guessing stopped at every door -------------------------------------------------


class TestLockout:
    def test_api_token_locks_the_account_and_then_refuses_the_right_password(self, lockout):
        person = UserFactory(username="alice")
        api = APIClient()
        # Any spelling of the name is the same account, and another address does not help.
        for n, typed in enumerate(["alice", "ALICE", "Alice"]):
            response = token_post(api, typed, "guess", REMOTE_ADDR=f"203.0.113.{n}")
        assert_locked(response)
        assert response.json() == {"detail": response.json()["detail"]}  # the API's error shape
        locked = token_post(api, "alice", DEFAULT_PASSWORD, REMOTE_ADDR="203.0.113.99")
        assert_locked(locked)
        assert not ApiToken.objects.filter(user=person).exists()
        # The lockout ends: the right password works again, and the wrong count starts over.
        with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
            assert token_post(api, "alice", DEFAULT_PASSWORD).status_code == 200
            assert token_post(api, "alice", "guess").status_code == 400

    def test_an_admin_lifts_a_lockout_by_name(self, lockout):
        from django.core.management import call_command

        UserFactory(username="carol")
        api = APIClient()
        for n in range(3):
            token_post(api, "carol", "guess", REMOTE_ADDR=f"192.0.2.{n}")
        assert_locked(token_post(api, "carol", DEFAULT_PASSWORD))
        call_command("axes_reset_username", "CAROL", stdout=io.StringIO())
        assert token_post(api, "carol", DEFAULT_PASSWORD).status_code == 200

    def test_one_address_trying_many_accounts_is_locked(self, lockout):
        UserFactory(username="victim")
        api = APIClient()
        for n in range(6):
            response = token_post(api, f"user{n}", "password1", REMOTE_ADDR="198.51.100.1")
        assert_locked(response)
        assert_locked(token_post(api, "victim", DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.1"))
        # The victim, elsewhere, is not locked out by someone else's address.
        assert token_post(api, "victim", DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 200

    def test_web_login_page(self, lockout):
        UserFactory(username="bob")
        browser = Client()
        for _ in range(2):
            assert browser.post("/accounts/login/", {"username": "bob", "password": "no"}).status_code == 200
        assert_locked(browser.post("/accounts/login/", {"username": "bob", "password": "no"}))
        locked = browser.post("/accounts/login/", {"username": "BOB", "password": DEFAULT_PASSWORD})
        assert_locked(locked)
        assert "_auth_user_id" not in browser.session
        assert "<html" in locked.content.decode().lower()  # a page, not JSON

    def test_admin_login_page(self, lockout):
        UserFactory(username="boss", is_staff=True, is_superuser=True)
        browser = Client()
        for _ in range(3):
            response = browser.post("/admin/login/", {"username": "boss", "password": "no"})
        assert_locked(response)
        assert_locked(browser.post("/admin/login/", {"username": "boss", "password": DEFAULT_PASSWORD}))
        assert "_auth_user_id" not in browser.session

    def test_the_old_password_check_of_both_password_changes(self, lockout):
        person = UserFactory()
        page, api = Client(), APIClient()
        page.force_login(person)
        api.force_authenticate(person)
        body = {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        assert page.post("/accounts/password/", body).status_code == 200  # the form's error
        wrong = {"old_password": "guess", "new_password": NEW_PASSWORD}
        response = api.post("/api/v1/auth/password/", wrong, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["old_password"]
        assert_locked(api.post("/api/v1/auth/password/", wrong, format="json"))
        right = {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
        assert_locked(api.post("/api/v1/auth/password/", right, format="json"))
        person.refresh_from_db()
        assert person.check_password(DEFAULT_PASSWORD)

    def test_signup_page_is_throttled_by_address(self, auth_rate):
        browser = Client()
        codes = [
            browser.post("/accounts/signup/", {"username": f"bot{n}"}, REMOTE_ADDR="192.0.2.9").status_code
            for n in range(6)
        ]
        assert codes == [200] * 5 + [429]
        response = browser.post("/accounts/signup/", {"username": "bot9"}, REMOTE_ADDR="192.0.2.9")
        assert int(response["Retry-After"]) > 0
        assert "Too many attempts from your address" in response.content.decode()


# --- 3. Sessions and tokens end -----------------------------------------------------------------


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


class TestTokensEnd:
    def test_a_password_change_ends_every_token_and_other_session_and_hands_a_new_token(self):
        person = UserFactory()
        keys = [token_post(APIClient(), person.username, DEFAULT_PASSWORD).json()["token"] for _ in range(2)]
        other_session = Client()
        other_session.force_login(person)
        response = api_with(keys[0]).post(
            "/api/v1/auth/password/",
            {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )
        assert response.status_code == 200
        fresh = response.json()["token"]
        for old in keys:
            assert api_with(old).get("/api/v1/users/me/").status_code == 401
        assert api_with(fresh).get("/api/v1/users/me/").status_code == 200
        assert other_session.get("/api/v1/users/me/").status_code == 401  # signed out
        assert token_post(APIClient(), person.username, NEW_PASSWORD).status_code == 200

    def test_the_password_page_keeps_its_own_session_and_ends_the_rest(self):
        person = UserFactory()
        key = tokens.token_create(user=person)[1]
        page, elsewhere = Client(), Client()
        page.force_login(person)
        elsewhere.force_login(person)
        body = {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        }
        assert page.post("/accounts/password/", body).status_code == 302
        assert page.get("/api/v1/users/me/").status_code == 200
        assert elsewhere.get("/api/v1/users/me/").status_code == 401
        assert api_with(key).get("/api/v1/users/me/").status_code == 401

    def test_owners_list_and_revoke_their_tokens(self):
        person, stranger = UserFactory(), UserFactory()
        first, second = (
            token_post(APIClient(), person.username, DEFAULT_PASSWORD).json()["token"] for _ in "ab"
        )
        theirs = tokens.token_create(user=stranger)[0]
        listed = api_with(second).get("/api/v1/auth/tokens/").json()["results"]
        assert [row["prefix"] for row in listed] == [second[:8], first[:8]]
        assert [row["current"] for row in listed] == [True, False]
        assert not any(first in str(row) for row in listed)  # never the key itself
        assert api_with(second).delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
        assert api_with(second).delete(f"/api/v1/auth/tokens/{listed[1]['id']}/").status_code == 204
        assert api_with(first).get("/api/v1/users/me/").status_code == 401
        assert api_with(second).get("/api/v1/users/me/").status_code == 200

    def test_a_token_expires_after_its_lifetime(self, settings):
        settings.STORIES_TOKEN_TTL_HOURS = 2
        person = UserFactory()
        key = token_post(APIClient(), person.username, DEFAULT_PASSWORD).json()["token"]
        assert api_with(key).get("/api/v1/users/me/").status_code == 200
        with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False):
            response = api_with(key).get("/api/v1/users/me/")
            assert response.status_code == 401
            assert "expired" in response.json()["detail"]
        assert not ApiToken.objects.filter(user=person).exists()

    def test_a_drf_token_from_before_is_adopted_and_ends_with_the_password(self):
        from rest_framework.authtoken.models import Token

        person = UserFactory()
        old = Token.objects.create(user=person).key
        assert api_with(old).get("/api/v1/users/me/").status_code == 200
        person.set_password(NEW_PASSWORD)
        person.save()
        assert api_with(old).get("/api/v1/users/me/").status_code == 401


# --- 6. Counters count people -------------------------------------------------------------------


def day_stats(story) -> StoryDailyStats:
    return StoryDailyStats.objects.get(story_id=story.pk, day=timezone.now().date())


class TestCountersCountPeople:
    def test_ten_shares_by_one_person_count_one(self):
        story, sharer = LiveStoryFactory(), UserFactory()
        api = APIClient()
        api.force_authenticate(sharer)
        answers = [api.post(f"/api/v1/stories/{story.pk}/share/") for _ in range(10)]
        assert {answer.status_code for answer in answers} == {200}
        assert {answer.json()["share_count"] for answer in answers} == {1}
        story.refresh_from_db()
        assert (story.share_count, day_stats(story).shares) == (1, 1)

    def test_view_repeats_count_once_per_window_signed_in_or_not(self, settings):
        settings.STORIES_VIEW_REPEAT_SECONDS = 60
        story, viewer = LiveStoryFactory(), UserFactory()
        signed_in, signed_out = APIClient(), APIClient()
        signed_in.force_authenticate(viewer)
        url = f"/api/v1/stories/{story.pk}/views/"
        for n in range(20):
            assert signed_in.post(url, {}, format="json").status_code == 204
            forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
            assert signed_out.post(url, {}, format="json", **forged).status_code == 204
        assert day_stats(story).impressions == 2  # one person, one address
        with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
            signed_in.post(url, {}, format="json")
            signed_out.post(url, {}, format="json")
            assert day_stats(story).impressions == 4

    def test_a_follow_unfollow_loop_notifies_once_a_day(self):
        from accounts import services as accounts

        star, fan = UserFactory(), UserFactory()
        for _ in range(10):
            accounts.follow_create(follower=fan, followee=star)
            accounts.follow_delete(follower=fan, followee=star)
        assert Notification.objects.filter(recipient=star, kind="follow").count() == 1
        with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
            accounts.follow_create(follower=fan, followee=star)
        assert Notification.objects.filter(recipient=star, kind="follow").count() == 2

    def test_a_deleted_comment_leaves_no_text_in_notifications(self):
        story, commenter = LiveStoryFactory(), UserFactory()
        comment = feed.comment_create(viewer=commenter, story=story, text="a secret I regret")
        author = APIClient()
        author.force_authenticate(story.author)
        assert author.get("/api/v1/notifications/").json()["results"][0]["text"] == "a secret I regret"
        assert not Notification.objects.filter(text__contains="secret").exists()  # not copied
        feed.comment_delete(comment=comment, by=commenter)
        assert not Notification.objects.filter(kind="comment").exists()
        assert "a secret" not in str(author.get("/api/v1/notifications/").json())
        page = Client()
        page.force_login(story.author)
        assert "a secret" not in page.get("/notifications/").content.decode()
