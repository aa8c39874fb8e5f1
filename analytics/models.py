"""Creator analytics tables that the feed's `StoryDailyStats` does not cover: follower growth and
sticker results. Both are anonymous counts (no viewer, voter or follower is stored) keyed so they
outlive the story's purge: no foreign key to a story or a sticker."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_OPTIONS = 4  # stickers.services.MAX_OPTIONS: one counter column per option


class FollowerDaily(models.Model):
    """New follows and ended follows (unfollows, blocks) of one author on one UTC day, added by
    the follow services in the same transaction as the follow row, so the series is exact."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    gained = models.PositiveIntegerField(default=0, db_default=0)
    lost = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name_plural = "follower daily counts"
        constraints = [models.UniqueConstraint(fields=["author", "day"], name="follower_daily_once")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.day}: +{self.gained} -{self.lost}"


class StickerStats(models.Model):
    """The results of one interactive sticker (poll, quiz, questions, Add Yours), counted as each
    response is created. The sticker's wording is copied here so the results still read after
    the purge has taken the sticker with its story."""

    sticker_id = models.UUIDField(primary_key=True)
    story_id = models.UUIDField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=12)
    label = models.CharField(max_length=300, blank=True)  # a poll's or quiz's question, or a prompt
    options = models.JSONField(default=list, blank=True)
    correct_option = models.PositiveSmallIntegerField(null=True, blank=True)
    responses = models.PositiveIntegerField(default=0, db_default=0)
    correct = models.PositiveIntegerField(default=0, db_default=0)
    option_0 = models.PositiveIntegerField(default=0, db_default=0)
    option_1 = models.PositiveIntegerField(default=0, db_default=0)
    option_2 = models.PositiveIntegerField(default=0, db_default=0)
    option_3 = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name_plural = "sticker stats"
        indexes = [models.Index(fields=["story_id"], name="sticker_stats_story")]

    def __str__(self) -> str:
        return f"{self.type} {self.sticker_id}: {self.responses}"

    @property
    def option_counts(self) -> list[int]:
        counts = [self.option_0, self.option_1, self.option_2, self.option_3]
        return counts[: len(self.options)]
