"""Interactive stickers on a story item, and what viewers do with them.

A sticker is data drawn by the player over the media (positions are fractions of the frame), so it
stays tappable at every screen size. One vote or quiz answer a person is held by unique
constraints, not by a read-then-write in Python, so two concurrent requests cannot both count.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class StickerType(models.TextChoices):
    POLL = "poll", "Poll"
    QUIZ = "quiz", "Quiz"
    QUESTION = "question", "Questions"
    ADD_YOURS = "add_yours", "Add Yours"
    MENTION = "mention", "Mention"
    EMOJI = "emoji", "Emoji"


class Sticker(models.Model):
    """One sticker. `data` holds the type's fields as normalised by `validation.stickers_clean`;
    a mention also points at the person (`mentioned`), so a rename does not break it.

    `chain_id` names the Add Yours chain the sticker belongs to: its own id when it starts one
    (and for every other type), the prompt's chain when it continues one. A plain UUID, not a
    foreign key, so a chain outlives the story that started it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chain_id = models.UUIDField(db_index=True, editable=False)
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="stickers")
    type = models.CharField(max_length=12, choices=StickerType.choices)
    data = models.JSONField(default=dict, blank=True)
    mentioned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    x = models.FloatField(default=0.5)
    y = models.FloatField(default=0.5)
    scale = models.FloatField(default=1.0)
    rotation = models.FloatField(default=0.0)
    position = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["story", "position"]
        constraints = [
            models.UniqueConstraint(fields=["story", "position"], name="sticker_position_once"),
            models.CheckConstraint(
                condition=Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1), name="sticker_inside_frame"
            ),
            models.CheckConstraint(condition=Q(scale__gte=0.3, scale__lte=3), name="sticker_scale_range"),
            models.CheckConstraint(
                condition=Q(rotation__gte=-180, rotation__lte=180), name="sticker_rotation_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.story_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.chain_id is None:  # a sticker starts its own chain unless told otherwise
            self.chain_id = self.pk
        super().save(*args, **kwargs)

    @property
    def options(self) -> list[str]:
        return list(self.data.get("options", []))

    @property
    def prompt(self) -> str:
        return self.data.get("prompt", "")


class PollVote(models.Model):
    sticker = models.ForeignKey(Sticker, on_delete=models.CASCADE, related_name="poll_votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sticker", "voter"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.voter_id} voted {self.option} on {self.sticker_id}"


class QuizAnswer(models.Model):
    sticker = models.ForeignKey(Sticker, on_delete=models.CASCADE, related_name="quiz_answers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sticker", "person"], name="quiz_answer_once")]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.option} on {self.sticker_id}"


class Question(models.Model):
    """A question sent to a Q&A sticker; the author may answer it with a new story.

    It belongs to the person asked (`recipient`, the sticker's author) and keeps the sticker's
    prompt, so it outlives the story it was asked on (`sticker` is SET_NULL at the purge): an
    answer story keeps its card, and the inbox of the person who answered keeps the question."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sticker = models.ForeignKey(
        Sticker, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions_received"
    )
    prompt = models.CharField(max_length=120, blank=True, help_text="The sticker's prompt when asked.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    answered_story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_questions"
    )

    class Meta:
        indexes = [
            models.Index(fields=["sticker", "-created_at"], name="question_inbox"),
            models.Index(fields=["recipient", "-created_at"], name="question_recipient"),
        ]

    def __str__(self) -> str:
        return self.text[:50]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.sticker_id is not None and self.recipient_id is None:
            self.recipient_id = self.sticker.story.author_id
            self.prompt = self.prompt or self.sticker.prompt
        super().save(*args, **kwargs)


class AddYoursResponse(models.Model):
    """A story posted in answer to an Add Yours prompt; a story answers at most one prompt.

    `sticker` is the prompt answered directly (its author is the one told); `chain_id` the chain
    joined, which is what counts. The row outlives that sticker (SET_NULL): when the prompt's
    story is purged, its answers still belong to the chain."""

    sticker = models.ForeignKey(
        Sticker, null=True, on_delete=models.SET_NULL, related_name="add_yours_responses"
    )
    chain_id = models.UUIDField(db_index=True, editable=False)
    story = models.OneToOneField("stories.Story", on_delete=models.CASCADE, related_name="add_yours_response")
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.story_id} answers {self.sticker_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.chain_id is None:  # an answer joins the chain of the prompt it answers
            self.chain_id = self.sticker.chain_id
        super().save(*args, **kwargs)


class StickerStats(models.Model):
    """The results of one interactive sticker (poll, quiz, questions, Add Yours), counted as each
    response is created (stickers/stats.py). Anonymous (no voter is stored), and keyed by the
    sticker's id without a foreign key: the sticker's wording is copied here so the results still
    read after the purge has taken the sticker with its story. The table keeps its first name
    (`analytics_stickerstats`): the model moved here from analytics, which only reads it."""

    sticker_id = models.UUIDField(primary_key=True)
    story_id = models.UUIDField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=12)
    label = models.CharField(max_length=300, blank=True)  # a poll's or quiz's question, or a prompt
    options = models.JSONField(default=list, blank=True)
    correct_option = models.PositiveSmallIntegerField(null=True, blank=True)
    responses = models.PositiveIntegerField(default=0, db_default=0)
    correct = models.PositiveIntegerField(default=0, db_default=0)
    # One counter column per option: stickers.validation.MAX_OPTIONS is 4.
    option_0 = models.PositiveIntegerField(default=0, db_default=0)
    option_1 = models.PositiveIntegerField(default=0, db_default=0)
    option_2 = models.PositiveIntegerField(default=0, db_default=0)
    option_3 = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "analytics_stickerstats"
        verbose_name_plural = "sticker stats"
        indexes = [models.Index(fields=["story_id"], name="sticker_stats_story")]

    def __str__(self) -> str:
        return f"{self.type} {self.sticker_id}: {self.responses}"

    @property
    def option_counts(self) -> list[int]:
        counts = [self.option_0, self.option_1, self.option_2, self.option_3]
        return counts[: len(self.options)]
