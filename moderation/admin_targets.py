"""Moderation on the admin pages of what it acts on: people, stories and comments.

Their apps own those admins (accounts/admin.py, stories/admin.py, feed/admin.py) and know nothing
of moderation, which sits above them. Here each one is extended with what moderation adds (its
actions, which ask why and write the audit trail, the permissions they check, the open-report
counts and the story preview) and registered in place of the plain one: the admin URLs, pages and
permissions are those of the model, whichever module registers it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from accounts.admin import UserAdmin
from accounts.models import User
from feed.admin import CommentAdmin
from feed.models import Comment
from stories.admin import StoryAdmin
from stories.models import Story

from .admin_actions import (
    ModerationPermissions,
    delete_comments,
    make_moderators,
    remove_stories,
    suspend_people,
    unsuspend_people,
    warn_people,
)
from .admin_preview import story_preview
from .selectors import reports_open_annotation


def _inserted_after(items: Sequence, after: str, *new: object) -> list:
    """`items` with `new` right after the entry `after`: a filter goes where it always stood."""
    at = list(items).index(after) + 1
    return [*items[:at], *new, *items[at:]]


class UnderReviewFilter(admin.SimpleListFilter):
    """Stories with open reports; reads the `open_reports` annotation of the admin's queryset."""

    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return (("open", "With open reports"),)

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_reports__gt=0)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(ModerationPermissions, UserAdmin):
    """People: warn, suspend, lift a suspension, and (superusers) make moderators."""

    actions = [warn_people, suspend_people, unsuspend_people, make_moderators]


admin.site.unregister(Story)


@admin.register(Story)
class ModeratedStoryAdmin(ModerationPermissions, StoryAdmin):
    """Stories: their open reports (a column and a filter), the preview moderators watch, and the
    "Remove story" action."""

    list_display = [*StoryAdmin.list_display, "reports"]
    list_filter = _inserted_after(StoryAdmin.list_filter, "audience", UnderReviewFilter)
    actions = [remove_stories]
    readonly_fields = ["preview", *StoryAdmin.readonly_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return (
            super().get_queryset(request).annotate(open_reports=reports_open_annotation(target_field="story"))
        )

    @admin.display(description="open reports", ordering="open_reports")
    def reports(self, story: Story) -> int:
        return story.open_reports

    @admin.display(description="preview")
    def preview(self, story: Story) -> SafeString:
        return story_preview(story)


admin.site.unregister(Comment)


@admin.register(Comment)
class ModeratedCommentAdmin(ModerationPermissions, CommentAdmin):
    """Comments: their open reports and the "Delete comment" action."""

    list_display = [*CommentAdmin.list_display, "reports"]
    actions = [delete_comments]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return (
            super()
            .get_queryset(request)
            .annotate(open_reports=reports_open_annotation(target_field="comment"))
        )

    @admin.display(description="open reports", ordering="open_reports")
    def reports(self, comment: Comment) -> int:
        return comment.open_reports
