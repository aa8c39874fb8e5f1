"""The people part of the API, checked against docs/api.md."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken, Block, Follow, User
from tests.factories import DEFAULT_PASSWORD, BlockFactory, FollowFactory, UserFactory

from .helpers import make_live_story

pytestmark = pytest.mark.django_db

PROFILE_FIELDS = {
    "username",
    "display_name",
    "bio",
    "avatar_url",
    "has_active_story",
    "followers_count",
    "following_count",
    "is_following",
}


def user_url(name: str, person) -> str:
    return reverse(f"api:users-{name}", kwargs={"username": person.username})


class TestAuth:
    def test_register(self, api_client):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"username": "apiuser", "password": "a-Long-passphrase-9"},
            format="json",
        )
        assert response.status_code == 201
        user = User.objects.get(username="apiuser")
        assert response.json() == {"id": user.pk, "username": "apiuser"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"username": "apiuser", "password": "short"}, "password"),
            ({"username": "bad name!", "password": "a-Long-passphrase-9"}, "username"),
            ({"username": "apiuser"}, "password"),
            ({"username": ["x"], "password": "a-Long-passphrase-9"}, "username"),
            ({"username": "apiuser", "password": "a-Long-passphrase-9", "email": "nope"}, "email"),
        ],
    )
    def test_register_bad_input_is_a_plain_400(self, api_client, body, field):
        response = api_client.post("/api/v1/auth/register/", body, format="json")
        assert response.status_code == 400
        body = response.json()
        assert isinstance(body["errors"][field][0], str)
        assert body["detail"] == body["errors"][field][0]  # the first problem, in plain words
        assert not User.objects.exists()

    def test_register_with_a_non_object_body(self, api_client):
        response = api_client.post("/api/v1/auth/register/", "[1, 2]", content_type="application/json")
        assert response.status_code == 400

    def test_token_then_token_auth_then_logout(self, api_client):
        user = UserFactory()
        response = api_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        assert set(response.json()) == {"token"}
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        me = api_client.get("/api/v1/users/me/")
        assert me.status_code == 200
        assert me.json()["username"] == user.username
        assert api_client.post("/api/v1/auth/logout/").status_code == 204
        assert not ApiToken.objects.exists()
        assert api_client.get("/api/v1/users/me/").status_code == 401

    def test_token_wrong_password_or_suspended_is_a_plain_400(self, api_client):
        user = UserFactory()
        response = api_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": "x"}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Wrong username or password."}
        suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
        response = api_client.post(
            "/api/v1/auth/token/",
            {"username": suspended.username, "password": DEFAULT_PASSWORD},
            format="json",
        )
        assert response.status_code == 400
        assert "suspended until" in response.json()["detail"]

    def test_auth_scope_is_throttled(self, api_client, monkeypatch):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "auth": "3/minute"})
        cache.clear()
        body = {"username": "someone", "password": "wrong"}
        codes = [api_client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]
        assert api_client.post("/api/v1/auth/register/", body, format="json").status_code == 429


class TestProfile:
    def test_contract_fields(self, api_client):
        person = UserFactory(username="star", display_name="Star", bio="Hi")
        FollowFactory(follower=UserFactory(), followee=person)
        make_live_story(person)
        response = api_client.get("/api/v1/users/star/")
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= PROFILE_FIELDS
        assert body["username"] == "star"
        assert (body["display_name"], body["bio"]) == ("Star", "Hi")
        assert body["avatar_url"] is None
        assert body["has_active_story"] is True
        assert (body["followers_count"], body["following_count"]) == (1, 0)
        assert body["is_following"] is False

    def test_is_following_for_the_viewer(self, api_client):
        viewer, person = UserFactory(), UserFactory()
        FollowFactory(follower=viewer, followee=person)
        api_client.force_authenticate(viewer)
        body = api_client.get(user_url("detail", person)).json()
        assert body["is_following"] is True
        assert body["is_friend"] is False

    def test_blocked_or_suspended_or_unknown_is_404(self, api_client):
        viewer, blocker = UserFactory(), UserFactory()
        BlockFactory(blocker=blocker, blocked=viewer)
        suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
        api_client.force_authenticate(viewer)
        assert api_client.get(user_url("detail", blocker)).status_code == 404
        assert api_client.get(user_url("detail", suspended)).status_code == 404
        assert api_client.get("/api/v1/users/nobody/").status_code == 404
        assert api_client.get("/api/v1/users/a%2Fb/").status_code == 404

    def test_patch_me(self, api_client):
        user = UserFactory()
        api_client.force_authenticate(user)
        response = api_client.patch("/api/v1/users/me/", {"display_name": "New", "bio": "Bio"}, format="json")
        assert response.status_code == 200
        assert set(response.json()) >= PROFILE_FIELDS
        assert response.json()["display_name"] == "New"
        user.refresh_from_db()
        assert (user.display_name, user.bio) == ("New", "Bio")

    @pytest.mark.parametrize(
        "body",
        [
            {"bio": "x" * 301},
            {"display_name": {"a": 1}},
            {"avatar": "not a file"},
            {"remove_avatar": "maybe"},
        ],
    )
    def test_patch_me_bad_input_is_a_plain_400(self, api_client, body):
        user = UserFactory(bio="kept")
        api_client.force_authenticate(user)
        response = api_client.patch("/api/v1/users/me/", body, format="json")
        assert response.status_code == 400
        assert isinstance(next(iter(response.json().values()))[0], str)
        user.refresh_from_db()
        assert user.bio == "kept"

    def test_me_needs_auth(self, api_client):
        assert api_client.get("/api/v1/users/me/").status_code == 401


class TestFollowApi:
    def test_follow_unfollow(self, api_client):
        viewer, person = UserFactory(), UserFactory()
        api_client.force_authenticate(viewer)
        url = user_url("follow", person)
        response = api_client.post(url)
        assert response.status_code == 201
        assert response.json()["followers_count"] == 1
        assert response.json()["is_following"] is True
        assert api_client.post(url).status_code == 200
        assert Follow.objects.filter(follower=viewer, followee=person).count() == 1
        assert api_client.delete(url).status_code == 204
        assert not Follow.objects.exists()

    def test_follow_refusals(self, api_client):
        viewer, blocker = UserFactory(), UserFactory()
        BlockFactory(blocker=blocker, blocked=viewer)
        api_client.force_authenticate(viewer)
        response = api_client.post(user_url("follow", viewer))
        assert response.status_code == 400
        assert response.json() == {"detail": "You cannot follow yourself."}
        assert api_client.post(user_url("follow", blocker)).status_code == 404
        assert api_client.post("/api/v1/users/nobody/follow/").status_code == 404
        assert not Follow.objects.exists()

    def test_anonymous_cannot_follow(self, api_client):
        assert api_client.post(user_url("follow", UserFactory())).status_code == 401

    def test_block_unblock(self, api_client):
        viewer, person = UserFactory(), UserFactory()
        FollowFactory(follower=person, followee=viewer)
        api_client.force_authenticate(viewer)
        url = user_url("block", person)
        assert api_client.post(url).status_code == 201
        assert Block.objects.filter(blocker=viewer, blocked=person).exists()
        assert not Follow.objects.exists()
        assert api_client.post(url).status_code == 200
        assert api_client.get(user_url("detail", person)).status_code == 404
        assert api_client.delete(url).status_code == 204
        assert not Block.objects.exists()
        assert api_client.post(user_url("block", viewer)).status_code == 400


class TestLists:
    def test_followers_and_following_newest_first_without_blocked(self, api_client):
        star, viewer, blocked = UserFactory(), UserFactory(), UserFactory()
        FollowFactory(follower=viewer, followee=star, created_at=timezone.now() - timedelta(hours=2))
        FollowFactory(follower=blocked, followee=star, created_at=timezone.now() - timedelta(hours=1))
        late = FollowFactory(follower=UserFactory(), followee=star)
        make_live_story(late.follower)
        BlockFactory(blocker=viewer, blocked=blocked)
        api_client.force_authenticate(viewer)
        body = api_client.get(user_url("followers", star)).json()
        assert [row["username"] for row in body["results"]] == [late.follower.username, viewer.username]
        assert body["results"][0]["has_active_story"] is True
        assert body["results"][1]["has_active_story"] is False
        assert "next" in body
        following = api_client.get(user_url("following", viewer)).json()
        assert [row["username"] for row in following["results"]] == [star.username]

    def test_cursor_pagination(self, api_client):
        star = UserFactory()
        for i in range(5):
            FollowFactory(followee=star, created_at=timezone.now() - timedelta(minutes=i))
        first = api_client.get(user_url("followers", star), {"page_size": 2}).json()
        assert len(first["results"]) == 2
        second = api_client.get(first["next"]).json()
        assert len(second["results"]) == 2
        assert {r["username"] for r in first["results"]}.isdisjoint(r["username"] for r in second["results"])

    def test_search(self, api_client):
        UserFactory(username="alice", display_name="Alice")
        UserFactory(username="alfred", suspended_until=timezone.now() + timedelta(days=1))
        UserFactory(username="bob", display_name="Bob")
        body = api_client.get("/api/v1/users/", {"search": "al"}).json()
        assert [row["username"] for row in body["results"]] == ["alice"]
        assert set(body["results"][0]) >= {"username", "display_name", "avatar_url", "has_active_story"}
        assert api_client.get("/api/v1/users/").json()["results"] == []

    def test_search_for_a_nul_lists_nobody(self, api_client):
        """Issue 19, item 8: `?search=%00` listed every account, `admin` included, in the
        report; on PostgreSQL it was a 500 (a NUL cannot be sent in a query)."""
        UserFactory(username="alice")
        UserFactory(username="admin", is_staff=True)
        response = api_client.get("/api/v1/users/?search=%00")
        assert response.status_code == 200
        assert response.json()["results"] == []
