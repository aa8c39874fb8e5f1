"""Stories in the admin. The state is read-only: it changes through the lifecycle, and a
moderator's removal goes through the "Remove story" action, which asks why and records it.

The Story admin here is the stories' own part; moderation (a higher layer) extends it with the
open-report column and filter, the preview and the "Remove story" action, and registers it in
its place (moderation/admin_targets.py)."""

from django.contrib import admin

from .models import ArchivedStory, Sound, Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "kind",
        "state",
        "audience",
        "created_at",
        "expires_at",
        "like_count",
        "comment_count",
    ]
    list_filter = ["state", "kind", "audience", "filter_name", "allow_comments"]
    search_fields = ["author__username", "author__display_name", "caption", "=id"]
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
        # The processing lease (stories/lifecycle.py): changed only by claims, heartbeats and the
        # sweeper; an edit here could hand a story to two workers or hide it from the sweeper.
        "processing_attempts",
        "last_attempt_at",
        "lease_token",
        "lease_expires_at",
        "dispatched_at",
        # When a scheduled story goes live: moved by its author (stories/services/scheduling.py),
        # which also sends the task that publishes it.
        "publish_at",
        "published_at",
        "expires_at",
        # Set at expiry when the author keeps an archive; it is what keeps the item from the purge.
        "archived_at",
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
    date_hierarchy = "created_at"


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
