"""Rules for people: sign-up, profile fields, follows, blocks and sign-in checks. A new profile
photo is stories/services/avatars.py's (it reads images); notices go through accounts/notices.py.

Pages, the API and tasks call these; they never write accounts rows themselves, so a rule such as
"a block ends follows both ways" holds whichever door a request comes through.
"""

from __future__ import annotations

import logging
from importlib import import_module
from uuid import UUID

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from stories_site.counters import add_counts
from stories_site.errors import Invalid, NotAllowed, NotFound

from . import follow_sources, selectors
from .avatars import avatar_delete
from .models import ApiToken, Block, Follow, FollowerDaily, User
from .notices import NoticeKind
from .notices import notice_send as notice_send  # the door every app notifies through (accounts/notices.py)

logger = logging.getLogger(__name__)

# Names that would shadow a route (`users/me/` in the API) or pass for the site's own voice.
# "stories.team" sends moderation's notices (moderation.services.SENDER_USERNAME).
RESERVED_USERNAMES = frozenset(
    {"me", "admin", "stories", "stories.team", "support", "moderator", "moderators"}
)


# --- Sign-up and sign-in -------------------------------------------------------------------


def user_register(*, username: str, password: str, email: str = "") -> User:
    """Create a person after the username, email and password rules; errors are per field."""
    username = (username or "").strip()
    email = User.objects.normalize_email((email or "").strip())
    user = User(username=username, email=email)
    errors: dict[str, list[str]] = {}
    try:
        user.clean_fields(exclude=_other_fields(["username", "email"]))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # Case-insensitive, so nobody can register "Alice" next to "alice" and pass for her.
    taken = username.lower() in RESERVED_USERNAMES or User.objects.filter(username__iexact=username).exists()
    if "username" not in errors and taken:
        errors["username"] = ["That username is taken."]
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        # Someone took the name between the check and the insert.
        raise Invalid({"username": ["That username is taken."]}) from None


def user_login_refusal(*, user: User) -> str | None:
    """Why this person may not sign in now, in plain words; None when they may."""
    if not user.is_active:
        return "This account is disabled."
    if user.is_suspended:
        return f"Your account is suspended {user.suspension_period}."
    return None


def token_issue(*, request: HttpRequest, username: str, password: str) -> tuple[ApiToken, str]:
    """A new API token (the row, and its key, shown this once) for the right credentials, unless
    the person is suspended. Each call makes another token (one per device or script); the
    request is needed: the lockout counts failures by account and by the client's address."""
    from .tokens import token_create, token_label

    user = authenticate(request, username=username, password=password)
    if user is None:
        raise Invalid("Wrong username or password.")
    refusal = user_login_refusal(user=user)
    if refusal:
        raise Invalid(refusal)
    return token_create(user=user, name=token_label(request=request))


def sessions_clear_expired() -> None:
    """Drop expired sessions, as `manage.py clearsessions` does, for whichever session engine."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


# --- Profile -------------------------------------------------------------------------------


def profile_changes_check(
    *, user: User, display_name: str | None = None, bio: str | None = None
) -> list[str]:
    """Set the profile fields given (None leaves one as it is) on `user`, checked but not saved;
    returns the names of those set, for `save(update_fields=...)`. Split from the save so a
    caller can check more (a new photo, stories/services/avatars.py) before anything is written."""
    changed: list[str] = []
    if display_name is not None:
        user.display_name = display_name.strip()
        changed.append("display_name")
    if bio is not None:
        user.bio = bio.strip()
        changed.append("bio")
    if changed:
        user.clean_fields(exclude=_other_fields(changed))
    return changed


def profile_update(
    *,
    viewer: User,
    display_name: str | None = None,
    bio: str | None = None,
    remove_avatar: bool = False,
) -> User:
    """Change what others see; fields left as None stay. A new photo goes through
    `stories.services.avatars.profile_update`, which reads images (accounts does not)."""
    changed = profile_changes_check(user=viewer, display_name=display_name, bio=bio)
    with transaction.atomic():
        if changed:
            viewer.save(update_fields=changed)
        if remove_avatar:
            avatar_delete(user=viewer)
    return viewer


def _other_fields(names: list[str]) -> list[str]:
    return [field.name for field in User._meta.fields if field.name not in names]


# --- Follows and blocks --------------------------------------------------------------------


def _count_follower_change(followee: User, field: str) -> None:
    """One more `gained` or `lost` follow of `followee` today (UTC), for the follower growth
    chart: one upsert in the follow's transaction, exact under concurrency, naming no follower."""
    add_counts(FollowerDaily, {"author": followee.pk, "day": timezone.now().date()}, {field: 1})


def _lock_pair(a: User, b: User) -> None:
    """Lock both people's rows, lower id first, for the rest of the transaction.

    Every write about the relation between two people (follow, unfollow, block) takes these two
    locks before it reads or writes, so such writes run one after the other: a follow that
    checked "no block" cannot insert its row while a block between the same two people is
    deleting follows. Always the same order, so two of them never wait on each other. (SQLite
    has no row locks; its IMMEDIATE transactions already run one writer at a time.)"""
    # NO KEY UPDATE: rows that merely point at these people (a notification, a counter) take a
    # KEY SHARE lock for their foreign key, which this one leaves free, so they never wait here.
    pair = User.objects.select_for_update(no_key=True).filter(pk__in=[a.pk, b.pk]).order_by("pk")
    list(pair.values_list("pk"))


def follow_create(*, follower: User, followee: User, source_story_id: UUID | None = None) -> bool:
    """Follow someone; True when a new follow was made, False when it already existed.

    `source_story_id`: the story it was made from (the player, the story's page), already
    checked by the caller (`stories.services.follows.follow_from_story`: the followee's, and
    visible to the follower before following). Stored on the follow as a plain id and counted
    on that story's figures through the declared counter (accounts/follow_sources.py).

    The block check that decides is made under both people's row locks (`_lock_pair`), in the
    transaction that inserts the follow: a block racing this follow either lands first and the
    follow is refused, or waits and then ends the follow. A block never leaves a follow behind.

    Refused: Invalid for yourself, NotAllowed while suspended or across a block, NotFound for
    someone inactive or suspended (each with a `code`: self, suspended, blocked, unavailable)."""
    if follower.pk == followee.pk:
        raise Invalid("You cannot follow yourself.", code="self")
    if user_login_refusal(user=follower):
        raise NotAllowed("Your account cannot follow people right now.", code="suspended")
    if not selectors.users_active().filter(pk=followee.pk).exists():
        raise NotFound("This person is not available.", code="unavailable")
    blocked = NotAllowed("You cannot follow this person.", code="blocked")
    if selectors.block_either_way_exists(viewer=follower, person=followee):
        raise blocked
    with transaction.atomic():
        _lock_pair(follower, followee)
        if selectors.block_either_way_exists(viewer=follower, person=followee):
            raise blocked  # a block landed after the check above
        try:
            with transaction.atomic():
                Follow.objects.create(follower=follower, followee=followee, source_story_id=source_story_id)
        except IntegrityError:
            # A double click or a second device won the race; the follow exists either way.
            return False
        _count_follower_change(followee, "gained")
        if source_story_id is not None:
            follow_sources.source_count(story_id=source_story_id, author_id=followee.pk, delta=1)
    notice_send(recipient=followee, actor=follower, kind=NoticeKind.FOLLOW)
    return True


def _end_follow(follower: User, followee: User) -> bool:
    """Delete the follow if there is one and count it lost, and take it back from the story it
    was made from, so a story's `follows_from_story` is net: unfollowing and following again
    from the same story counts once. Only the request that deleted the row counts, so racing
    unfollows count once. Called under the pair's locks."""
    row = Follow.objects.filter(follower=follower, followee=followee).values("pk", "source_story_id").first()
    if row is None:
        return False
    deleted, _ = Follow.objects.filter(pk=row["pk"]).delete()
    if deleted:
        _count_follower_change(followee, "lost")
        if row["source_story_id"] is not None:
            follow_sources.source_count(story_id=row["source_story_id"], author_id=followee.pk, delta=-1)
    return deleted > 0


def follow_delete(*, follower: User, followee: User) -> bool:
    """Stop following; True when there was a follow to end."""
    with transaction.atomic():
        _lock_pair(follower, followee)
        return _end_follow(follower, followee)


def block_create(*, blocker: User, blocked: User) -> bool:
    """Block someone and end follows both ways; True when the block is new. Under both people's
    row locks, like `follow_create`, so no follow can slip in between the deletes and the block."""
    if blocker.pk == blocked.pk:
        raise Invalid("You cannot block yourself.", code="self")
    with transaction.atomic():
        _lock_pair(blocker, blocked)
        _end_follow(blocker, blocked)
        _end_follow(blocked, blocker)
        try:
            with transaction.atomic():
                Block.objects.create(blocker=blocker, blocked=blocked)
        except IntegrityError:
            return False
    return True


def block_delete(*, blocker: User, blocked: User) -> bool:
    """Lift a block; follows ended by it stay ended. True when there was a block to lift."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return deleted > 0
