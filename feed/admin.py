"""Admin for moderation and support. Deliberately absent: StoryView (who watched what is never
shown to anyone), Like and Share rows (who did it is nobody's business), Affinity."""

from django.contrib import admin

from stories.models import StoryDailyStats

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are changed only by their authors; moderators delete one with the "Delete
    comment" action, which asks why, tells the author and goes into the audit trail. The action
    and the open-report column come from moderation, which extends this admin and registers it
    in its place (moderation/admin_targets.py)."""

    list_display = ["id", "author", "story", "story_author", "created_at", "text"]
    list_select_related = ["author", "story__author"]
    search_fields = ["text", "author__username", "story__author__username", "=story__id"]
    raw_id_fields = ["story", "author"]
    readonly_fields = ["story", "author", "text", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="story by", ordering="story__author__username")
    def story_author(self, comment: Comment) -> str:
        return comment.story.author.username


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
