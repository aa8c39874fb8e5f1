"""Admin for people and their relations. Avatars are read-only here: every stored photo must
have gone through the media module's sanitizer, which an admin upload would skip. Suspension is
read-only too: it changes through the moderation actions, which record who, when and why; those
actions are moderation's, which extends the User admin with them and registers it in its place
(moderation/admin_targets.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Block, Follow, User


class SuspendedFilter(admin.SimpleListFilter):
    """Suspended now, by the clock: a past `suspended_until` no longer counts."""

    title = "suspended"
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return (("yes", "Suspended now"), ("no", "Not suspended"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(suspended_until__gt=now)
        if self.value() == "no":
            return queryset.filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=now))
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "is_active",
        "is_staff",
        "suspension",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", SuspendedFilter, "groups")
    search_fields = ("username", "display_name", "email")
    readonly_fields = ("avatar_preview", "last_login", "date_joined", "suspended_until", "suspension_reason")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "bio", "avatar_preview")}),
        ("Suspension", {"fields": ("suspended_until", "suspension_reason")}),
    )

    @admin.display(description="suspended", ordering="suspended_until")
    def suspension(self, obj: User) -> str:
        return obj.suspension_period if obj.is_suspended else "—"

    @admin.display(description="Avatar")
    def avatar_preview(self, obj: User) -> str:
        if not obj.avatar:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="96" height="96">', reverse("accounts:avatar", args=[obj.username])
        )


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    search_fields = ("follower__username", "followee__username")
    raw_id_fields = ("follower", "followee")
    date_hierarchy = "created_at"


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")
    date_hierarchy = "created_at"
