from django.contrib import admin

from .models import ArchivedStory, Sound, Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "kind", "state", "audience", "filter_name", "created_at", "expires_at"]
    list_filter = ["state", "kind", "audience", "filter_name"]
    search_fields = ["author__username", "caption", "id"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "sound"]
    readonly_fields = [
        "state",
        "state_changed_at",
        "failure_reason",
        "original",
        "media",
        "poster",
        "media_content_type",
        "duration",
        "width",
        "height",
        "processing_attempts",
        "last_attempt_at",
        "published_at",
        "expires_at",
        "like_count",
        "comment_count",
        "share_count",
    ]


@admin.register(Sound)
class SoundAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "duration", "use_count", "is_removed", "created_at"]
    list_filter = ["is_removed"]
    search_fields = ["title", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "source_story"]


@admin.register(ArchivedStory)
class ArchivedStoryAdmin(admin.ModelAdmin):
    list_display = [
        "story_id",
        "author",
        "kind",
        "final_state",
        "published_at",
        "like_count",
        "comment_count",
    ]
    list_filter = ["final_state", "kind"]
    search_fields = ["author__username"]
    list_select_related = ["author"]
