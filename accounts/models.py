import hashlib
import secrets
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .validators import validate_username_shape


def avatar_upload_to(instance: "User", filename: str) -> str:
    """Server-made names only: the client's file name never reaches storage."""
    return f"avatars/{secrets.token_urlsafe(16)}.jpg"


# Suspended "for good" is a date no one will live to see, so `suspended_until` stays the one
# field every check (log-in, tokens, visibility) reads.
SUSPENDED_FOR_GOOD = datetime(9999, 12, 31, tzinfo=UTC)

# One pattern for the model, the page URLs and the API lookups, so no route accepts a slash.
USERNAME_PATTERN = r"[A-Za-z0-9_.]{2,30}"

username_validator = RegexValidator(
    rf"^{USERNAME_PATTERN}$",
    "Use 2 to 30 letters, digits, underscores or dots.",
)


class UserManager(DjangoUserManager):
    def get_by_natural_key(self, username: str | None) -> "User":
        """The account to sign in as, whatever the case typed: sign-up already treats "Alice"
        and "ALICE" as one name, so log-in (the site, API tokens, the admin) does too. An exact
        match wins; older accounts that differ only in case, with none typed exactly, are
        ambiguous and match nobody (DoesNotExist, as for an unknown name), and so does a name
        with a control character in it, which no username holds (PostgreSQL refuses a NUL)."""
        if not isinstance(username, str) or not username or not username.isprintable():
            raise self.model.DoesNotExist
        exact = self.filter(username=username).first()
        if exact is not None:
            return exact
        found = list(self.filter(username__iexact=username)[:2])
        if len(found) != 1:
            raise self.model.DoesNotExist
        return found[0]


class User(AbstractUser):
    username = models.CharField(
        "username",
        max_length=30,
        unique=True,
        validators=[username_validator, validate_username_shape],
        help_text="2 to 30 letters, digits, underscores or dots, with a letter or digit; "
        "no dot at either end or two in a row.",
        error_messages={"unique": "That username is taken."},
    )
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    # A new photo waiting for the media worker (stories/services/avatars.py); `avatar` shows meanwhile.
    # `avatar_error`: why the last photo could not be used, for its owner.
    avatar_pending = models.FileField(max_length=255, blank=True)
    avatar_error = models.CharField(max_length=300, blank=True)
    suspended_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While set and in the future, the person cannot log in, post or be seen.",
    )
    suspension_reason = models.CharField(max_length=500, blank=True)
    # Keep expired stories, media and all, in a private archive instead of purging them
    # (stories/services/archive.py); off by default.
    archive_stories = models.BooleanField(default=False)

    objects = UserManager()

    class Meta:
        indexes = [models.Index(fields=["suspended_until"])]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def suspension_period(self) -> str:
        """How a suspension reads to the person and to moderators: "for good" or "until <when>"."""
        if self.suspended_until is None:
            return ""
        if self.suspended_until >= SUSPENDED_FOR_GOOD:
            return "for good"
        when = date_format(timezone.localtime(self.suspended_until), "DATETIME_FORMAT")
        return f"until {when} ({timezone.get_current_timezone_name()})"

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})

    def save(self, *args, **kwargs) -> None:
        """A new password (changed, reset, set by an admin) ends every API token: whoever held
        one with the old password does not keep the account. Sessions end by themselves, as
        Django ties each to the password's hash; the password-change doors keep the session
        they were used from (`update_session_auth_hash`) and hand out a fresh token."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()
            legacy_tokens().filter(user=self).delete()


def legacy_tokens():
    """DRF's one-token-per-person table, from before ApiToken: read only to adopt a key made
    there (accounts.authentication) and emptied with the rest when a password changes."""
    from rest_framework.authtoken.models import Token

    return Token.objects.all()


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """One API token of a person: one per device or script, listed and revoked one by one.

    Only a SHA-256 digest of the key is stored, so a copy of the database holds no working
    token; the key itself is shown once, when it is made. `prefix` (its first characters) tells
    tokens apart in the list. STORIES_TOKEN_TTL_HOURS, when set, ends a token that long after
    it was made (accounts.authentication)."""

    KEY_BYTES = 20  # 40 hex characters, the shape of DRF's keys
    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    name = models.CharField(max_length=200, blank=True, help_text="The client that asked for it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.prefix}... of {self.user_id}"

    @classmethod
    def new_key(cls) -> str:
        return secrets.token_hex(cls.KEY_BYTES)


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")
    created_at = models.DateTimeField(default=timezone.now)
    # The story the follow was made from (the player or the story's page), for the followee's
    # analytics. A plain id, not a foreign key: it outlives the story's purge.
    source_story_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.follower} -> {self.followee}"


class FollowerDaily(models.Model):
    """New follows and ended follows (unfollows, blocks) of one author on one UTC day, added by
    the follow services in the same transaction as the follow row, so the series is exact. An
    anonymous count (no follower is stored), read by creator analytics' follower growth chart.
    The table keeps its first name (`analytics_followerdaily`): the model moved here from
    analytics, which only reads it, without moving data."""

    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    gained = models.PositiveIntegerField(default=0, db_default=0)
    lost = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "analytics_followerdaily"
        verbose_name_plural = "follower daily counts"
        constraints = [models.UniqueConstraint(fields=["author", "day"], name="follower_daily_once")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.day}: +{self.gained} -{self.lost}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="no_self_block"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"
