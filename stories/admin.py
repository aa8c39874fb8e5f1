"""Stories in the admin. The state is read-only: it changes through the lifecycle, and a
moderator's removal goes through the "Remove story" action, which asks why and records it."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.admin import story_preview
from moderation.admin_actions import ModerationPermissions, remove_stories
from moderation.selectors import open_reports_count

from .models import ArchivedStory, Sound, Story


class UnderReviewFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return (("open", "With open reports"),)

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_reports__gt=0)
        return queryset


@admin.register(Story)
class StoryAdmin(ModerationPermissions, admin.ModelAdmin):
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
        "reports",
    ]
    list_filter = ["state", "kind", "audience", UnderReviewFilter, "filter_name", "allow_comments"]
    search_fields = ["author__username", "author__display_name", "caption", "=id"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "sound"]
    actions = [remove_stories]
    readonly_fields = [
        "preview",
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).annotate(open_reports=open_reports_count("story"))

    @admin.display(description="open reports", ordering="open_reports")
    def reports(self, story: Story) -> int:
        return story.open_reports

    @admin.display(description="preview")
    def preview(self, story: Story):
        return story_preview(story)


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
