"""Engagement with stories: likes, comments, shares, views, conversations, notifications, and what
ranking and analytics keep.

Per-person rows (`Like`, `Comment`, `Share`, `StoryView`) hang off the story and go with it at the
purge. What must outlive the 24 hours is anonymous: the story's day figures, which feed counts
into `stories.StoryDailyStats` (the story's own table, keyed by the story's id without a foreign
key), `StoryRetention` for creator analytics, and `Affinity` (how much a person engaged with an
author) for ranking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.notices import NoticeKind

COMMENT_MAX_LENGTH = 500


class Like(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="like_once")]
        indexes = [models.Index(fields=["user", "story"], name="like_user_story")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.story_id}"


class Comment(models.Model):
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    text = models.CharField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["story", "created_at", "id"], name="comment_story_time")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.story_id}"


class Share(models.Model):
    """Who shared a story: one row per person and story, so `share_count` counts people, not
    clicks (a second share is answered, not counted). `user` goes null if the account is
    deleted, and the share still counts."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story", "user"], condition=Q(user__isnull=False), name="share_once"
            )
        ]

    def __str__(self) -> str:
        return f"share of {self.story_id}"


class StoryView(models.Model):
    """A signed-in person's views of one item: drives the seen ring and reach. Never listed to
    anyone (no endpoint, no admin), not even to the story's author."""

    # No index of their own: the unique (story, viewer) and the (viewer, story) index lead with
    # each, and every view writes each index of its row (feed/view_counting.py).
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="views", db_index=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    impressions = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField(default=timezone.now)
    # The UTC days of the latest impression and of the one before it. The view upsert moves
    # last into previous as it writes today, and returns previous: the first impression of a
    # day (toward `stories.StoryDailyStats.day_reach`) is told in one statement, without a row per day.
    last_seen_on = models.DateField(null=True, blank=True)
    previous_seen_on = models.DateField(null=True, blank=True)
    # When the latest counted impression was: another within STORIES_VIEW_REPEAT_SECONDS of it
    # (the same day) is answered and not counted (feed.services.view_record).
    last_seen_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "viewer"], name="view_row_once")]
        indexes = [models.Index(fields=["viewer", "story"], name="view_viewer_story")]

    def __str__(self) -> str:
        return f"view of {self.story_id}"


class ViewFlush(models.Model):
    """A batch of buffered views that was counted (feed/view_buffer.py): written in the same
    transaction as its counts, so a flush that died after committing and before clearing the
    batch from Redis is not counted twice when the batch is taken up again. Kept for a day."""

    batch = models.CharField(max_length=64, unique=True)
    views = models.PositiveIntegerField()
    flushed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"views flushed in {self.batch}"


class Affinity(models.Model):
    """How much `user` engaged with `author`'s stories, kept after the stories are gone, so For
    You can favour people someone keeps liking and commenting on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    likes = models.PositiveIntegerField(default=0, db_default=0)
    comments = models.PositiveIntegerField(default=0, db_default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "affinities"
        constraints = [
            models.UniqueConstraint(fields=["user", "author"], name="affinity_once"),
            models.CheckConstraint(condition=~Q(user=F("author")), name="no_self_affinity"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.author_id}"


class StoryRetention(models.Model):
    """Where viewers of an item drop off: for each second of the item, the number of views that
    got at least that far (second 0 counts every view that reported). Anonymous and keyed by the
    story's id without a foreign key, like `stories.StoryDailyStats`, so the curve outlives the purge.
    A view's report adds one to the seconds it newly reached, in one upsert (feed/retention.py)."""

    story_id = models.UUIDField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    second = models.PositiveSmallIntegerField()
    views = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name_plural = "story retention"
        constraints = [models.UniqueConstraint(fields=["story_id", "second"], name="retention_story_second")]

    def __str__(self) -> str:
        return f"{self.story_id} second {self.second}: {self.views}"


class Conversation(models.Model):
    """A private thread between two people, started by a reply or a reaction to a story. The
    pair is stored in id order (`person_a` < `person_b`), so one pair has one conversation."""

    person_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="conversation_once"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="conversation_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["person_a", "-last_message_at"], name="conversation_a_recent"),
            models.Index(fields=["person_b", "-last_message_at"], name="conversation_b_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} and {self.person_b_id}"

    def other(self, person_id: int) -> int:
        return self.person_b_id if person_id == self.person_a_id else self.person_a_id


MESSAGE_MAX_LENGTH = 1000
# The quick reactions the player offers; a reaction is a message holding one of them.
REACTIONS = ("❤️", "😂", "😮", "😢", "👏", "🔥")


class Message(models.Model):
    """One message. A reply or a reaction keeps the story it answered; when the story is gone
    (expired, deleted, purged) the message stays and reads "story unavailable"."""

    class Kind(models.TextChoices):
        TEXT = "text", "Message"
        REPLY = "reply", "Reply to a story"
        REACTION = "reaction", "Reaction to a story"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    text = models.CharField(max_length=MESSAGE_MAX_LENGTH)
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)  # when the other person opened it

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_thread"),
            models.Index(
                fields=["conversation", "sender"], condition=Q(read_at__isnull=True), name="message_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} in {self.conversation_id}: {self.text[:40]}"


class Notification(models.Model):
    """Something that happened to a person: a like, a comment, a new follower, a mention, a
    question sent to their Q&A sticker, a story added to their Add Yours prompt, a private reply
    or reaction to their story, or a notice from the moderation team."""

    # The kinds are declared where every app can name them (accounts/notices.py, the door
    # apps below feed notify through).
    Kind = NoticeKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A comment notification points at the comment and never copies its words: deleting the
    # comment deletes the notification, so the text is gone everywhere at once.
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A reply or reaction notification points at the message, for the same reason: the words
    # live in one place, and the conversation is where the notification leads.
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The words of the site's own notices (moderation), the Add Yours prompt, the question
    # asked; empty for comments and messages.
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Made in accounts before the layers; the table keeps its name (no data moved).
        db_table = "accounts_notification"
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} from {self.actor_id}"

    @property
    def shown_text(self) -> str:
        """What the notification quotes: the comment or message as it is now, or the notice's
        own words."""
        if self.comment_id:
            return self.comment.text
        if self.message_id:
            return self.message.text
        return self.text

    @property
    def summary(self) -> str:
        """What happened, in words that follow the actor's name (the page and the API say it
        the same way)."""
        return NOTIFICATION_SUMMARIES.get(self.kind, "")

    @property
    def link(self) -> str | None:
        """Where the notification leads: the conversation for a reply or reaction, the Q&A
        inbox for a question, the actor's profile for a follow, else the story in the player
        while it is live (None once it is gone, and for a notice without one). A live story of
        someone else's that the reader may no longer see never gets here:
        `feed.notifications.notifications_for` leaves its notification out."""
        if self.message_id:
            return reverse("feed:conversation", args=[self.message.conversation_id]) + "#latest"
        if self.kind == self.Kind.QUESTION:
            return reverse("stickers:inbox")
        if self.kind == self.Kind.FOLLOW:
            return self.actor.get_absolute_url()
        story = self.story if self.story_id else None
        now = timezone.now()
        if story is not None and story.state == "ready" and (story.expires_at or now) > now:
            return reverse("accounts:story", args=[story.author.username]) + f"?item={story.pk}"
        return None


NOTIFICATION_SUMMARIES = {
    Notification.Kind.LIKE: "liked your story.",
    Notification.Kind.COMMENT: "commented on your story:",
    Notification.Kind.FOLLOW: "started following you.",
    Notification.Kind.MENTION: "mentioned you in their story.",
    Notification.Kind.MODERATION: "(a message from the moderators)",
    Notification.Kind.QUESTION: "asked you a question:",
    Notification.Kind.ADD_YOURS: "added their story to your Add Yours:",
    Notification.Kind.REPLY: "replied to your story:",
    Notification.Kind.REACTION: "reacted to your story:",
}
