"""The accounts pages through the test client: flows, profile content, buttons and privacy."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Follow, User
from tests.factories import DEFAULT_PASSWORD, BlockFactory, FollowFactory, UserFactory

from .helpers import make_live_story

pytestmark = pytest.mark.django_db


def profile_url(person) -> str:
    return reverse("accounts:profile", kwargs={"username": person.username})


class TestSignupLoginLogout:
    def test_signup_creates_the_account_and_logs_in(self, client):
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": "newbie",
                "email": "",
                "password1": "a-Long-passphrase-9",
                "password2": "a-Long-passphrase-9",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(username="newbie")
        assert get_user(client).pk == user.pk

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                {
                    "username": "bad/name",
                    "password1": "a-Long-passphrase-9",
                    "password2": "a-Long-passphrase-9",
                },
                "Use 2 to 30 letters",
            ),
            (
                {"username": "okname", "password1": "a-Long-passphrase-9", "password2": "different-Pass-9"},
                "The two passwords differ.",
            ),
            ({"username": "okname", "password1": "123", "password2": "123"}, "too short"),
            ({"username": "", "password1": "", "password2": ""}, "This field is required."),
        ],
    )
    def test_signup_errors_are_shown_plainly(self, client, data, message):
        response = client.post(reverse("accounts:signup"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not User.objects.exclude(username="").exists()

    def test_login_and_logout(self, client):
        user = UserFactory()
        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert get_user(client).pk == user.pk
        assert client.get(reverse("accounts:logout")).status_code == 405  # POST only
        assert get_user(client).pk == user.pk
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert not get_user(client).is_authenticated

    @pytest.mark.parametrize("page", ["accounts:login", "admin:login"])
    def test_log_in_with_the_username_in_another_case(self, client, page):
        """Issue 19, item 14: "ALICE" is taken at sign-up, but "Alice" could not log in."""
        user = UserFactory(username="ALICE", is_staff=True)
        response = client.post(reverse(page), {"username": "Alice", "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert get_user(client).pk == user.pk

    def test_suspended_person_cannot_log_in_and_is_told_until_when(self, client):
        user = UserFactory(suspended_until=timezone.now() + timedelta(days=2))
        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 200
        assert "suspended until" in response.content.decode()
        assert not get_user(client).is_authenticated

    def test_password_change(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": DEFAULT_PASSWORD,
                "new_password1": "n3w-Passphrase!",
                "new_password2": "n3w-Passphrase!",
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password("n3w-Passphrase!")
        assert get_user(client).is_authenticated  # the session survives its own password change

    def test_password_change_needs_login(self, client):
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestProfilePage:
    def test_shows_names_bio_counts_and_escapes_user_text(self, client):
        person = UserFactory(username="star", display_name="<b>Star</b>", bio="I <script>sing</script>")
        for fan in UserFactory.create_batch(3):
            FollowFactory(follower=fan, followee=person)
        FollowFactory(follower=person, followee=UserFactory())
        response = client.get("/@star")
        html = response.content.decode()
        assert response.status_code == 200
        assert "&lt;b&gt;Star&lt;/b&gt;" in html
        assert "<script>sing" not in html
        assert "<strong>3</strong>" in html
        assert "<strong>1</strong>" in html

    def test_trailing_slash_redirects(self, client):
        UserFactory(username="star")
        response = client.get("/@star/")
        assert response.status_code == 301
        assert response["Location"] == "/@star"

    def test_slash_in_username_matches_nothing(self, client):
        UserFactory(username="star")
        assert client.get("/@star/x").status_code == 404

    def test_unknown_person_is_404(self, client):
        assert client.get("/@nobody").status_code == 404

    @pytest.mark.parametrize(
        ("viewer_follows", "they_follow", "label"),
        [
            (False, False, "Follow"),
            (False, True, "Follow back"),
            (True, False, "Following"),
            (True, True, "Friends"),
        ],
    )
    def test_follow_button_states(self, client, viewer_follows, they_follow, label):
        viewer, person = UserFactory(), UserFactory()
        if viewer_follows:
            FollowFactory(follower=viewer, followee=person)
        if they_follow:
            FollowFactory(follower=person, followee=viewer)
        client.force_login(viewer)
        html = client.get(profile_url(person)).content.decode()
        action = "unfollow" if viewer_follows else "follow"
        assert f'action="/@{person.username}/{action}"' in html
        assert f">{label}</button>" in html

    def test_own_profile_offers_edit(self, client):
        person = UserFactory()
        client.force_login(person)
        html = client.get(profile_url(person)).content.decode()
        assert reverse("accounts:edit") in html
        assert f'action="/@{person.username}/follow"' not in html
        assert f'action="/@{person.username}/block"' not in html

    def test_ring_when_a_live_story_exists(self, client):
        person = UserFactory()
        make_live_story(person)
        html = client.get(profile_url(person)).content.decode()
        assert "has-story" in html
        assert f'href="/@{person.username}/story"' in html

    def test_no_ring_when_the_story_expired(self, client):
        person = UserFactory()
        make_live_story(person, expires_at=timezone.now() - timedelta(minutes=1))
        html = client.get(profile_url(person)).content.decode()
        assert "has-story" not in html

    def test_no_ring_for_a_followers_only_story_seen_by_a_stranger(self, client):
        person, stranger = UserFactory(), UserFactory()
        make_live_story(person, audience="followers")
        client.force_login(stranger)
        assert "has-story" not in client.get(profile_url(person)).content.decode()
        FollowFactory(follower=stranger, followee=person)
        assert "has-story" in client.get(profile_url(person)).content.decode()

    def test_story_page_lists_live_items(self, client):
        person = UserFactory()
        make_live_story(person, caption="first clip")
        make_live_story(person, caption="gone", expires_at=timezone.now() - timedelta(minutes=1))
        response = client.get(reverse("accounts:story", kwargs={"username": person.username}))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('class="story-card"') == 1
        assert "first clip" in html
        assert "gone" not in html

    def test_story_address_without_a_live_story_is_a_real_page(self, client):
        """Issue 19: /@user/story with nothing live was Django's bare 404; now a page that says
        so and links to the profile (still a 404: there is no story there)."""
        person = UserFactory(display_name="Quiet Quinn")
        make_live_story(person, expires_at=timezone.now() - timedelta(minutes=1))
        response = client.get(reverse("accounts:story", kwargs={"username": person.username}))
        assert response.status_code == 404
        html = response.content.decode()
        assert "No live story" in html
        assert "Quiet Quinn has no live story right now." in html
        assert f'href="{profile_url(person)}"' in html
        assert 'class="site-header"' in html  # the site's own page, not a bare error

    def test_suspended_profile_is_404_to_others(self, client):
        person = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
        assert client.get(profile_url(person)).status_code == 404
        client.force_login(UserFactory())
        assert client.get(profile_url(person)).status_code == 404


class TestBlocking:
    def test_blocked_people_404_on_each_other_everywhere(self, client):
        a, b = UserFactory(), UserFactory()
        BlockFactory(blocker=a, blocked=b)
        for viewer, other in ((a, b), (b, a)):
            client.force_login(viewer)
            for name in ("profile", "followers", "following", "story", "avatar"):
                url = reverse(f"accounts:{name}", kwargs={"username": other.username})
                assert client.get(url).status_code == 404, (viewer, name)

    def test_blocked_people_vanish_from_lists(self, client):
        a, b, hub = UserFactory(), UserFactory(), UserFactory()
        FollowFactory(follower=a, followee=hub)
        FollowFactory(follower=b, followee=hub)
        BlockFactory(blocker=a, blocked=b)
        client.force_login(a)
        html = client.get(reverse("accounts:followers", kwargs={"username": hub.username})).content.decode()
        assert f"@{a.username}<" in html
        assert f"@{b.username}<" not in html
        assert "<strong>1</strong>" in client.get(profile_url(hub)).content.decode()

    def test_block_through_the_menu_then_unblock(self, client):
        a, b = UserFactory(), UserFactory()
        FollowFactory(follower=a, followee=b)
        FollowFactory(follower=b, followee=a)
        client.force_login(a)
        assert f'action="/@{b.username}/block"' in client.get(profile_url(b)).content.decode()
        response = client.post(reverse("accounts:block", kwargs={"username": b.username}), follow=True)
        assert response.redirect_chain[-1][0] == reverse("accounts:blocked")
        assert f"@{b.username}" in response.content.decode()
        assert Block.objects.filter(blocker=a, blocked=b).exists()
        assert not Follow.objects.exists()
        assert client.get(profile_url(b)).status_code == 404
        client.post(reverse("accounts:unblock", kwargs={"username": b.username}))
        assert not Block.objects.exists()
        assert client.get(profile_url(b)).status_code == 200

    def test_follow_blocked_person_is_404(self, client):
        a, b = UserFactory(), UserFactory()
        BlockFactory(blocker=b, blocked=a)
        client.force_login(a)
        assert client.post(reverse("accounts:follow", kwargs={"username": b.username})).status_code == 404
        assert not Follow.objects.exists()


class TestFollowButtons:
    def test_follow_and_unfollow_redirect_back_with_a_message(self, client):
        viewer, person = UserFactory(), UserFactory(display_name="Pat")
        client.force_login(viewer)
        response = client.post(reverse("accounts:follow", kwargs={"username": person.username}), follow=True)
        assert response.redirect_chain == [(profile_url(person), 302)]
        assert "You follow Pat now." in response.content.decode()
        assert Follow.objects.filter(follower=viewer, followee=person).exists()
        response = client.post(
            reverse("accounts:unfollow", kwargs={"username": person.username}), follow=True
        )
        assert "You no longer follow Pat." in response.content.decode()
        assert not Follow.objects.exists()

    def test_follow_goes_back_to_a_safe_next_only(self, client):
        viewer, person = UserFactory(), UserFactory()
        client.force_login(viewer)
        url = reverse("accounts:follow", kwargs={"username": person.username})
        assert client.post(url, {"next": "/somewhere"})["Location"] == "/somewhere"
        assert client.post(url, {"next": "https://evil.example/"})["Location"] == profile_url(person)

    def test_anonymous_follow_goes_to_login(self, client):
        person = UserFactory()
        response = client.post(reverse("accounts:follow", kwargs={"username": person.username}))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert not Follow.objects.exists()

    def test_follow_is_post_only(self, client):
        viewer, person = UserFactory(), UserFactory()
        client.force_login(viewer)
        assert client.get(reverse("accounts:follow", kwargs={"username": person.username})).status_code == 405


class TestEditProfile:
    def test_edit_names_and_bio(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(reverse("accounts:edit"), {"display_name": " Sam ", "bio": "Hello"})
        assert response.status_code == 302
        user.refresh_from_db()
        assert (user.display_name, user.bio) == ("Sam", "Hello")

    def test_a_clip_as_avatar_is_refused_as_not_a_photo(self, client, vp9_webm):
        """Issue 19: a WebM avatar read "not a video or photo we can read", as if a video would
        do; an avatar must be a photo and the page says so."""
        user = UserFactory()
        client.force_login(user)
        with vp9_webm.open("rb") as clip:
            response = client.post(reverse("accounts:edit"), {"display_name": "", "bio": "", "avatar": clip})
        assert response.status_code == 200
        html = response.content.decode()
        assert "A profile photo must be a photo (JPEG, PNG, WebP or HEIC)" in html
        assert "video or photo" not in html
        user.refresh_from_db()
        assert not user.avatar

    def test_huge_bio_is_refused_plainly(self, client):
        user = UserFactory(bio="before")
        client.force_login(user)
        response = client.post(reverse("accounts:edit"), {"display_name": "x", "bio": "b" * 5000})
        assert response.status_code == 200
        assert "at most 300 characters" in response.content.decode()
        user.refresh_from_db()
        assert user.bio == "before"
