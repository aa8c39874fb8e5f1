"""Admin actions that ask for a reason first, shared by the review queue and the people, story
and comment admins. An action builds an intermediate page (reason, and days for a suspension),
then calls one moderation service per selected row; the service checks the permission again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from stories_site.errors import ServiceError

from . import services
from .forms import ActionForm, SuspendForm

Apply = Callable[[Any, Model, dict[str, Any]], object]


def reason_action(
    name: str, description: str, permission: str, apply: Apply, form_class: type[ActionForm] = ActionForm
):
    """An admin action `name` guarded by `has_<permission>_permission` on the ModelAdmin."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    apply(request.user, obj, form.cleaned_data)
                except ServiceError as exc:  # the row is skipped, the others go on
                    modeladmin.message_user(request, f"{obj}: {exc.text}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(request, f"{description}: done for {done}.", messages.SUCCESS)
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "form": form,
            "objects": list(queryset),
            "action": name,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderation/action_form.html", context)

    action.__name__ = name
    return admin.action(description=description, permissions=[permission])(action)


def _days(data: dict[str, Any]) -> int | None:
    return None if data.get("permanent") else data["days"]


class ModerationPermissions:
    """`has_<permission>_permission` for the actions above: a ModelAdmin mixin."""

    def _can(self, request: HttpRequest, codename: str) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm(f"moderation.{codename}")
        )

    def has_remove_story_permission(self, request: HttpRequest) -> bool:
        return self._can(request, "remove_story")

    def has_delete_comment_permission(self, request: HttpRequest) -> bool:
        return self._can(request, "delete_comment")

    def has_dismiss_reports_permission(self, request: HttpRequest) -> bool:
        return self._can(request, "dismiss_reports")

    def has_warn_person_permission(self, request: HttpRequest) -> bool:
        return self._can(request, "warn_person")

    def has_suspend_person_permission(self, request: HttpRequest) -> bool:
        return self._can(request, "suspend_person")

    def has_make_moderator_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser


# --- Actions on people (User rows) ---------------------------------------------------------------

warn_people = reason_action(
    "warn_people",
    "Warn",
    "warn_person",
    lambda by, person, d: services.person_warn(person=person, by=by, reason=d["reason"]),
)
suspend_people = reason_action(
    "suspend_people",
    "Suspend",
    "suspend_person",
    lambda by, person, d: services.person_suspend(person=person, by=by, days=_days(d), reason=d["reason"]),
    SuspendForm,
)
unsuspend_people = reason_action(
    "unsuspend_people",
    "Lift suspension",
    "suspend_person",
    lambda by, person, d: services.person_unsuspend(person=person, by=by, reason=d["reason"]),
)


@admin.action(description="Make moderator", permissions=["make_moderator"])
def make_moderators(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = sum(services.moderator_add(person=person) for person in queryset)
    modeladmin.message_user(request, f"{changed} made moderator.", messages.SUCCESS)


# --- Actions on stories and comments -------------------------------------------------------------

remove_stories = reason_action(
    "remove_stories",
    "Remove story",
    "remove_story",
    lambda by, story, d: services.story_remove(story=story, by=by, reason=d["reason"]),
)
delete_comments = reason_action(
    "delete_comments",
    "Delete comment",
    "delete_comment",
    lambda by, comment, d: services.comment_delete(comment=comment, by=by, reason=d["reason"]),
)
