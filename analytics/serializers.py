"""JSON shapes of creator analytics (docs/api.md, "Creator analytics"). Counts and rates only:
nothing here can carry a viewer's identity."""

from __future__ import annotations

from rest_framework import serializers


class FiguresSerializer(serializers.Serializer):
    impressions = serializers.IntegerField()
    reach = serializers.IntegerField()
    completions = serializers.IntegerField(help_text="Completed views (each counts).")
    completion_rate = serializers.FloatField(help_text="completions / impressions, 0..1.")
    engagement_rate = serializers.FloatField(
        help_text="(likes + comments + shares + sticker_responses) / reach; 0 without reach."
    )
    likes = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()
    sticker_responses = serializers.IntegerField()
    follows_from_story = serializers.IntegerField()


class DayFiguresSerializer(FiguresSerializer):
    day = serializers.DateField(help_text="UTC day; reach is that day's unique viewers.")


class StickerResultSerializer(serializers.Serializer):
    sticker_id = serializers.UUIDField()
    type = serializers.CharField(help_text="poll, quiz, question or add_yours.")
    label = serializers.CharField(help_text="The poll's or quiz's question, or the prompt.")
    options = serializers.ListField(child=serializers.CharField())
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Per option (polls, quizzes).")
    responses = serializers.IntegerField(help_text="Votes, answers, questions or Add Yours stories.")
    correct_option = serializers.IntegerField(allow_null=True)
    correct_rate = serializers.FloatField(allow_null=True, help_text="Quizzes: right answers / answers.")


class StoryAnalyticsSerializer(FiguresSerializer):
    id = serializers.UUIDField(source="story.id")
    kind = serializers.CharField(source="story.kind")
    state = serializers.CharField(source="story.state")
    published_at = serializers.DateTimeField(source="story.published_at", allow_null=True)
    is_live = serializers.BooleanField(source="story.is_live")
    by_day = DayFiguresSerializer(many=True, source="days")
    stickers = StickerResultSerializer(many=True)
    retention = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1),
        help_text="One value a second of the item's length: the share of views (0..1) still watching "
        "at that second (the first is 1). Empty until a view has reported watched_ms. Kept after the purge.",
    )


class FollowerDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    gained = serializers.IntegerField()
    lost = serializers.IntegerField()
    net = serializers.IntegerField()
    followers = serializers.IntegerField(help_text="At the end of the day.")


class SummarySerializer(serializers.Serializer):
    days = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    followers = serializers.IntegerField(help_text="Followers now.")
    totals = FiguresSerializer(help_text="The period; reach = (viewer, item) pairs first reached in it.")
    by_day = DayFiguresSerializer(many=True)
    follower_growth = FollowerDaySerializer(many=True)
