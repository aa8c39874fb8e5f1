import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .lifecycle import State


def private_name(prefix: str, extension: str) -> str:
    """An unguessable, server-made storage name; nothing from the client enters it."""
    return f"{prefix}/{timezone.now():%Y/%m/%d}/{secrets.token_urlsafe(24)}.{extension}"


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    FOLLOWERS = "followers", "Followers"
    FRIENDS = "friends", "Friends (mutual follows)"


class Kind(models.TextChoices):
    VIDEO = "video", "Video"
    PHOTO = "photo", "Photo"


class SoundMode(models.TextChoices):
    MIX = "mix", "Mix with the clip's audio"
    REPLACE = "replace", "Replace the clip's audio"


class Sound(models.Model):
    """A reusable audio clip: uploaded as an original, lifted from a story, or a demo sound."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sounds"
    )
    file = models.FileField(max_length=255)
    duration = models.FloatField(default=0)
    source_story = models.ForeignKey(
        "Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_sounds"
    )
    use_count = models.PositiveIntegerField(default=0)
    is_removed = models.BooleanField(default=False)
    # A lifted sound keeps its story's audience and blocks (and goes with the story) until its
    # author publishes it; originals and demo sounds are published from the start.
    published = models.BooleanField(default=True)
    # Processing happens in the media worker: `original` holds the upload (or nothing, for a
    # lifted sound: the worker reads the story's clip) until `file` is made; a failure says why.
    original = models.FileField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-use_count", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        """processing, ready or failed (removed sounds are never shown)."""
        if self.file:
            return "ready"
        return "failed" if self.failure_reason else "processing"


class Story(models.Model):
    """One story item: a clip or a photo. An author's live items, oldest first, are their Story."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories")
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    state_changed_at = models.DateTimeField(default=timezone.now)
    failure_reason = models.CharField(max_length=300, blank=True)

    caption = models.CharField(max_length=500, blank=True)
    # Hashtags, mentions and links found once at upload (stories/captions.py).
    caption_entities = models.JSONField(default=list, blank=True)
    alt_text = models.CharField(max_length=500, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    filter_name = models.CharField(max_length=20, default="none")
    sound = models.ForeignKey(Sound, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")
    sound_mode = models.CharField(max_length=10, choices=SoundMode.choices, default=SoundMode.MIX)
    trim_start = models.FloatField(default=0)
    overlays = models.JSONField(default=list, blank=True)
    allow_comments = models.BooleanField(default=True)
    allow_downloads = models.BooleanField(default=False)
    allow_replies = models.BooleanField(default=True)  # private replies and reactions (feed.messaging)
    # How long the item stays up once live: 1 hour to 7 days (stories.options.LIFETIMES).
    lifetime_hours = models.PositiveSmallIntegerField(default=24)

    original = models.FileField(max_length=255, blank=True)
    media = models.FileField(max_length=255, blank=True)
    media_content_type = models.CharField(max_length=100, blank=True)
    poster = models.FileField(max_length=255, blank=True)
    # The box widths of the sized WebP renditions stored beside the poster (a photo's beside the
    # photo), made after processing; empty until then, or for stories older than them
    # (stories/renditions.py: their names, and which one a page gets).
    rendition_widths = models.JSONField(default=list, blank=True)
    duration = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The processing attempt holding the story (stories/lifecycle.py: claim, renew, release):
    # its token and the deadline its heartbeat keeps moving; empty/null while nobody holds it.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # When a processing message was last handed to the broker; null: never (the broker was down),
    # so the sweeper sends it (stories/services/processing.py: stories_requeue_stuck).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    share_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the author wants it live (null: as soon as it is processed); published_at is when it
    # actually went live (stories/services/scheduling.py).
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the item expired while its author's archive was on (stories/services/archive.py):
    # the purge leaves it, media and all, private to its author, until the author deletes it.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="story_state_expiry"),
            models.Index(fields=["author", "state", "published_at"], name="story_author_live"),
            models.Index(fields=["-published_at"], name="story_published", condition=Q(state="ready")),
            # The publish sweep and the Scheduled page: scheduled stories by publish time.
            models.Index(fields=["publish_at"], name="story_scheduled", condition=Q(state="scheduled")),
            models.Index(
                fields=["author", "-archived_at"],
                name="story_archive",
                condition=Q(archived_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'story'} by {self.author_id} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"story_id": self.pk})

    @property
    def is_live(self) -> bool:
        return self.state == State.READY and self.expires_at is not None and self.expires_at > timezone.now()


class ArchivedStory(models.Model):
    """What is left of a story item after the purge: anonymous aggregate counts, no media, no
    viewer identities. Keyed by the story's id so creator analytics outlive the 24 hours."""

    story_id = models.UUIDField(primary_key=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archived_stories"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    final_state = models.CharField(max_length=12, choices=State.choices)
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    share_count = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "archived story"
        verbose_name_plural = "archived stories"
        indexes = [models.Index(fields=["author", "published_at"])]

    def __str__(self) -> str:
        return f"archived {self.kind} by {self.author_id}"


class StoryDailyStats(models.Model):
    """Anonymous per-story, per-day (UTC) counts for creator analytics: a story's own figures,
    kept with the story and written by whoever counts them (feed: views, likes, comments,
    shares; stickers: sticker responses; stories.services.follows: follows made from the
    story), each through `stories.daily_stats` or the shared upsert. `story_id` is not a foreign
    key so the row survives the purge; `likes` and `comments` are net (an unlike or a deleted
    comment subtracts on the day it happens). Database defaults let one upsert name only the
    counters it adds to. The table keeps its first name (`feed_storydailystats`): the model
    moved here from feed without moving data.

    Reach is kept two ways because unique viewers do not add up across days: `reach` counts a
    signed-in viewer on the day of their first view of the item (so the sum over days is the
    item's unique viewers), `day_reach` counts them on every day they viewed it (that day's
    unique viewers). `completions` counts a signed-in viewer's first completed view of the item
    (once per person, like `reach`), so completions / impressions stays within 0..1. Likes,
    comments and shares count what other people did: the author's own are left out, as their
    views are."""

    story_id = models.UUIDField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    impressions = models.PositiveIntegerField(default=0, db_default=0)
    reach = models.PositiveIntegerField(default=0, db_default=0)
    completions = models.PositiveIntegerField(default=0, db_default=0)
    likes = models.IntegerField(default=0, db_default=0)
    comments = models.IntegerField(default=0, db_default=0)
    shares = models.PositiveIntegerField(default=0, db_default=0)
    day_reach = models.PositiveIntegerField(default=0, db_default=0)
    sticker_responses = models.PositiveIntegerField(default=0, db_default=0)
    # Net: an ended follow made from the story is taken back on the day it ends.
    follows_from_story = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "feed_storydailystats"
        verbose_name_plural = "story daily stats"
        constraints = [models.UniqueConstraint(fields=["story_id", "day"], name="stats_story_day")]
        indexes = [models.Index(fields=["author", "day"], name="stats_author_day")]

    def __str__(self) -> str:
        return f"{self.story_id} on {self.day}"


class Hashtag(models.Model):
    """A tag as written after "#" in captions, lower case (stories/captions.py: normalize_tag)."""

    name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.name}"


class StoryHashtag(models.Model):
    """A story's caption has this tag: written once at upload, gone with the story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="story_hashtags")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="story_hashtags")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hashtag", "story"], name="story_hashtag_once")]

    def __str__(self) -> str:
        return f"#{self.hashtag_id} on {self.story_id}"


class Highlight(models.Model):
    """A named collection of its owner's own stories, kept on their profile in their order
    (`position`, smallest first). Items play in the story player; each keeps its story's
    audience and blocks (stories/highlight_selectors.py)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="highlights")
    title = models.CharField(max_length=40)
    # The cover: an item's poster (cover_story), else a cleaned uploaded image (cover_image,
    # made by the media worker from cover_pending), else the first visible item's poster.
    cover_story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cover_image = models.FileField(max_length=255, blank=True)
    cover_pending = models.FileField(max_length=255, blank=True)
    cover_error = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["owner", "position"], name="highlight_owner_order")]

    def __str__(self) -> str:
        return f"highlight {self.title!r} of {self.owner_id}"


class HighlightItem(models.Model):
    """One story in a highlight. A story purged or deleted takes its items with it (cascade), so
    it simply disappears from the highlight."""

    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="items")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="highlight_items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["highlight", "story"], name="highlight_story_once")]

    def __str__(self) -> str:
        return f"{self.story_id} in highlight {self.highlight_id}"
