"""Rules for people, straight through services and selectors."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from accounts import selectors, services, tasks
from accounts.models import SUSPENDED_FOR_GOOD, Block, Follow, User
from stories_site.errors import Invalid, NotAllowed, NotFound
from tests.factories import DEFAULT_PASSWORD, BlockFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def login_request():
    """A request to log in with: the lockout counts by the client's address, so one is needed."""
    return RequestFactory().post("/api/v1/auth/token/")


class TestRegister:
    def test_creates_a_person_who_can_log_in(self):
        user = services.user_register(
            username="new.person", password="a-Long-passphrase-9", email="NEW@Example.COM"
        )
        assert user.check_password("a-Long-passphrase-9")
        assert user.email == "NEW@example.com"

    @pytest.mark.parametrize(
        ("username", "password", "field"),
        [
            ("has/slash", "a-Long-passphrase-9", "username"),
            ("x", "a-Long-passphrase-9", "username"),
            ("me", "a-Long-passphrase-9", "username"),
            ("Stories.Team", "a-Long-passphrase-9", "username"),
            ("fine_name", "short", "password"),
            ("fine_name", "12345678901", "password"),
            ("fine_name", "password123", "password"),
        ],
    )
    def test_refuses_bad_input_per_field(self, username, password, field):
        with pytest.raises(ValidationError) as caught:
            services.user_register(username=username, password=password)
        assert field in caught.value.message_dict
        assert not User.objects.filter(username=username).exists()

    def test_username_taken_regardless_of_case(self):
        UserFactory(username="alice")
        with pytest.raises(ValidationError) as caught:
            services.user_register(username="Alice", password="a-Long-passphrase-9")
        assert caught.value.message_dict["username"] == ["That username is taken."]


class TestFollow:
    def test_follow_is_idempotent_and_says_whether_it_was_new(self):
        a, b = UserFactory(), UserFactory()
        assert services.follow_create(follower=a, followee=b) is True
        # The second insert hits the unique constraint: the race path, answered without an error.
        assert services.follow_create(follower=a, followee=b) is False
        assert Follow.objects.filter(follower=a, followee=b).count() == 1

    def test_refuses_self(self):
        a = UserFactory()
        with pytest.raises(Invalid) as caught:
            services.follow_create(follower=a, followee=a)
        assert caught.value.code == "self"

    @pytest.mark.parametrize("direction", ["a_blocks_b", "b_blocks_a"])
    def test_refuses_blocked_either_way(self, direction):
        a, b = UserFactory(), UserFactory()
        if direction == "a_blocks_b":
            BlockFactory(blocker=a, blocked=b)
        else:
            BlockFactory(blocker=b, blocked=a)
        with pytest.raises(NotAllowed) as caught:
            services.follow_create(follower=a, followee=b)
        assert caught.value.code == "blocked"
        assert not Follow.objects.exists()

    def test_refuses_suspended_or_inactive_people(self):
        a = UserFactory()
        suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
        inactive = UserFactory(is_active=False)
        for other in (suspended, inactive):
            with pytest.raises(NotFound) as caught:
                services.follow_create(follower=a, followee=other)
            assert caught.value.code == "unavailable"
        with pytest.raises(NotAllowed) as caught:
            services.follow_create(follower=suspended, followee=a)
        assert caught.value.code == "suspended"
        assert not Follow.objects.exists()

    def test_unfollow(self):
        follow = FollowFactory()
        assert services.follow_delete(follower=follow.follower, followee=follow.followee) is True
        assert services.follow_delete(follower=follow.follower, followee=follow.followee) is False


class TestBlock:
    def test_block_ends_follows_both_ways(self):
        a, b, c = UserFactory(), UserFactory(), UserFactory()
        FollowFactory(follower=a, followee=b)
        FollowFactory(follower=b, followee=a)
        FollowFactory(follower=c, followee=a)
        assert services.block_create(blocker=a, blocked=b) is True
        assert services.block_create(blocker=a, blocked=b) is False
        assert list(Follow.objects.values_list("follower", "followee")) == [(c.pk, a.pk)]
        assert Block.objects.filter(blocker=a, blocked=b).count() == 1

    def test_unblock_does_not_restore_follows(self):
        block = BlockFactory()
        assert services.block_delete(blocker=block.blocker, blocked=block.blocked) is True
        assert services.block_delete(blocker=block.blocker, blocked=block.blocked) is False
        assert not Follow.objects.exists()

    def test_refuses_self(self):
        a = UserFactory()
        with pytest.raises(Invalid) as caught:
            services.block_create(blocker=a, blocked=a)
        assert caught.value.code == "self"


class TestLogin:
    def test_suspended_person_is_told_until_when(self):
        until = timezone.now() + timedelta(days=3)
        user = UserFactory(suspended_until=until)
        with pytest.raises(ValidationError) as caught:
            services.token_issue(request=login_request(), username=user.username, password=DEFAULT_PASSWORD)
        assert "suspended until" in caught.value.messages[0]
        assert str(until.year) in caught.value.messages[0]

    def test_suspended_for_good_is_told_so_not_a_date(self):
        user = UserFactory(suspended_until=SUSPENDED_FOR_GOOD)
        with pytest.raises(ValidationError) as caught:
            services.token_issue(request=login_request(), username=user.username, password=DEFAULT_PASSWORD)
        assert caught.value.messages == ["Your account is suspended for good."]

    def test_past_suspension_does_not_count(self):
        user = UserFactory(suspended_until=timezone.now() - timedelta(minutes=1))
        assert services.token_issue(
            request=login_request(), username=user.username, password=DEFAULT_PASSWORD
        )[1]

    def test_wrong_password(self):
        user = UserFactory()
        with pytest.raises(ValidationError, match="Wrong username or password"):
            services.token_issue(request=login_request(), username=user.username, password="nope")


def test_clear_expired_sessions_task_drops_only_expired():
    live, old = SessionStore(), SessionStore()
    live.create()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    assert tasks.clear_expired_sessions.name == "accounts.tasks.clear_expired_sessions"
    tasks.clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


class TestSelectors:
    def test_lists_leave_out_suspended_and_blocked_people_and_counts_agree(self):
        star, fan, suspended, blocked_fan, viewer = UserFactory.create_batch(5)
        for follower in (fan, suspended, blocked_fan):
            FollowFactory(follower=follower, followee=star)
        FollowFactory(follower=star, followee=fan)
        User.objects.filter(pk=suspended.pk).update(suspended_until=timezone.now() + timedelta(days=1))
        BlockFactory(blocker=viewer, blocked=blocked_fan)

        seen = [row.follower for row in selectors.followers_list(person=star, viewer=viewer)]
        assert seen == [fan]
        assert selectors.followers_count(person=star, viewer=viewer) == 1
        assert selectors.followers_count(person=star) == 2  # an anonymous viewer has no blocks
        assert [row.followee for row in selectors.following_list(person=star, viewer=viewer)] == [fan]
        assert list(selectors.friends_list(person=star)) == [fan]

    def test_profile_for_hides_blocked_and_suspended_but_not_from_themselves(self):
        a, b = UserFactory(), UserFactory()
        BlockFactory(blocker=a, blocked=b)
        assert selectors.profile_get(username=b.username, viewer=a) is None
        assert selectors.profile_get(username=a.username, viewer=b) is None
        suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
        assert selectors.profile_get(username=suspended.username, viewer=a) is None
        assert selectors.profile_get(username=suspended.username, viewer=suspended) == suspended

    def test_relationship(self):
        a, b = UserFactory(), UserFactory()
        FollowFactory(follower=b, followee=a)
        rel = selectors.relationship_get(viewer=a, person=b)
        assert (rel.is_following, rel.follows_you, rel.is_friend) == (False, True, False)
        FollowFactory(follower=a, followee=b)
        assert selectors.relationship_get(viewer=a, person=b).is_friend
        assert selectors.relationship_get(viewer=a, person=a).is_self

    def test_search_by_prefix_of_username_or_display_name(self):
        UserFactory(username="alice", display_name="Wonder")
        UserFactory(username="bob", display_name="Alistair")
        UserFactory(username="carol", display_name="Carol")
        found = [u.username for u in selectors.people_search(query="al", viewer=None)]
        assert found == ["alice", "bob"]
        assert list(selectors.people_search(query="  ", viewer=None)) == []


class TestBlockAgainstFollow:
    """Issue 19, item 2: a follow racing a block must not outlive it."""

    def test_a_block_landing_after_the_follows_first_check_still_wins(self, monkeypatch):
        """The interleaving of the race, made deterministic: fay blocks ben after ben's follow
        passed its early block check and before its row is written. Before the fix the
        follow was written anyway and outlived the block."""
        ben, fay = UserFactory(username="ben"), UserFactory(username="fay")
        real = services.selectors.block_either_way_exists
        checks = []

        def block_lands_after_the_first_check(*, viewer, person):
            blocked = real(viewer=viewer, person=person)
            checks.append(blocked)
            if len(checks) == 1:  # the early check passed; the block lands before the row
                services.block_create(blocker=fay, blocked=ben)
            return blocked

        monkeypatch.setattr(services.selectors, "block_either_way_exists", block_lands_after_the_first_check)
        with pytest.raises(NotAllowed) as caught:
            services.follow_create(follower=ben, followee=fay)
        assert caught.value.code == "blocked"
        assert checks == [False, True]  # refused by the check made under the pair's locks
        assert services.block_delete(blocker=fay, blocked=ben) is True
        assert not Follow.objects.filter(follower=ben, followee=fay).exists()
        assert selectors.followers_count(person=fay, viewer=fay) == 0

    def test_block_then_follow_is_refused_and_leaves_the_counters_even(self):
        from accounts.models import FollowerDaily
        from analytics import selectors as analytics

        ben, fay = UserFactory(), UserFactory()
        services.follow_create(follower=ben, followee=fay)
        services.block_create(blocker=fay, blocked=ben)
        with pytest.raises(NotAllowed):
            services.follow_create(follower=ben, followee=fay)
        row = FollowerDaily.objects.get(author=fay)
        assert (row.gained, row.lost) == (1, 1)
        today = timezone.now().date()
        assert (
            analytics.follower_growth(author=fay, start=today, end=today)[1]
            == selectors.followers_count(person=fay, viewer=fay)
            == 0
        )


class TestCaseInsensitiveLogin:
    """Issue 19, item 14: sign-up treats "ALICE" and "Alice" as one name, so log-in does too."""

    def test_token_for_any_case_of_the_username(self):
        user = UserFactory(username="ALICE")
        for typed in ("ALICE", "Alice", "alice"):
            assert (
                services.token_issue(request=login_request(), username=typed, password=DEFAULT_PASSWORD)[
                    0
                ].user
                == user
            )
        with pytest.raises(ValidationError, match="Wrong username or password"):
            services.token_issue(request=login_request(), username="alice", password="not-the-password")

    def test_an_exact_match_wins_and_case_twins_without_one_match_nobody(self):
        """Accounts made before sign-up refused case twins: the one typed exactly signs in; a
        spelling matching two of them matches neither (never the wrong person)."""
        lower = UserFactory(username="twin")
        User.objects.create_user(username="TWIN", password="another-Pass-42")
        assert (
            services.token_issue(request=login_request(), username="twin", password=DEFAULT_PASSWORD)[0].user
            == lower
        )
        assert (
            services.token_issue(request=login_request(), username="TWIN", password="another-Pass-42")[
                0
            ].user.username
            == "TWIN"
        )
        with pytest.raises(ValidationError, match="Wrong username or password"):
            services.token_issue(request=login_request(), username="Twin", password=DEFAULT_PASSWORD)

    @pytest.mark.parametrize("typed", ["", "\x00", "a\x00"])
    def test_empty_or_nul_names_are_just_wrong(self, typed):
        UserFactory(username="alice")
        with pytest.raises(ValidationError, match="Wrong username or password"):
            services.token_issue(request=login_request(), username=typed, password=DEFAULT_PASSWORD)


class TestUsernameShape:
    """Issue 19, item 14: names made of dots were accepted."""

    @pytest.mark.parametrize("name", ["..", ".dot.", "a..b", ".ann", "ann.", "__", "_._"])
    def test_refused(self, name):
        with pytest.raises(ValidationError) as caught:
            services.user_register(username=name, password="a-Long-passphrase-9")
        assert caught.value.message_dict["username"]
        assert not User.objects.filter(username=name).exists()

    @pytest.mark.parametrize("name", ["ann.lee", "_ann_", "a.b.c", "x1", "9_9", "new.person", "Mr_Dot.2"])
    def test_names_that_were_valid_stay_valid(self, name):
        assert services.user_register(username=name, password="a-Long-passphrase-9").username == name


@pytest.mark.parametrize("query", ["\x00", "al\x00", "\x00al", "\x1f", "\x7f"])
def test_search_with_control_characters_matches_nobody(query):
    """Issue 19, item 8: `?search=%00` listed every account in the report, and on PostgreSQL a
    NUL in the query is a DataError (a 500). No name holds a control character."""
    UserFactory(username="alice")
    UserFactory(username="admin")
    assert list(selectors.people_search(query="al", viewer=None)) != []
    assert list(selectors.people_search(query=query, viewer=None)) == []
