"""Admin for moderation and support. Deliberately absent: StoryView (who watched what is never
shown to anyone), Like and Share rows (who did it is nobody's business), Affinity."""

from django.contrib import admin

from .models import Comment, StoryDailyStats


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "story", "created_at", "text"]
    list_select_related = ["author", "story"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["story", "author"]
    date_hierarchy = "created_at"


@admin.register(StoryDailyStats)
class StoryDailyStatsAdmin(admin.ModelAdmin):
    """Anonymous counts: read-only, they are the analytics' source of truth."""

    list_display = [
        "story_id",
        "author",
        "day",
        "impressions",
        "reach",
        "completions",
        "likes",
        "comments",
        "shares",
    ]
    list_select_related = ["author"]
    search_fields = ["=story_id", "author__username"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
