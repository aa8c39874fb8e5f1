"""The moderators' admin: the review queue (one row per reported target), the reports, and the
audit trail. Nothing here is edited by hand: every change is an action that asks for a reason
and goes through `services`, which writes the audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Imported for what it registers: the people, story and comment admins with moderation's actions.
import moderation.admin_targets  # noqa: F401

from . import selectors, services
from .admin_actions import ModerationPermissions, reason_action
from .admin_messages import message_preview
from .admin_preview import preview_media, story_preview, when
from .forms import SuspendForm
from .models import Case, ModerationAction, Reason, Report, TargetKind


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown read-only. Declared `fields` keep Django from building a form at all
    (whose Case choices would use the review queue's annotation ordering)."""

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return list(self.get_fields(request, obj))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class StatusFilter(admin.SimpleListFilter):
    """Open cases unless asked otherwise: the queue is what still needs a decision."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("open", "Open reports"), ("closed", "No open reports"), ("all", "All"))

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(has_open=True)
        if value == "closed":
            return queryset.filter(has_open=False)
        return queryset


class ReasonFilter(admin.SimpleListFilter):
    title = "reason (open reports)"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Reason.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(selectors.reports_open().filter(case=OuterRef("pk"), reason=self.value()))
            )
        return queryset


def titled(title: str) -> type[admin.ChoicesFieldListFilter]:
    """A filter on a choices field under its own title: the audit trail filters on two fields
    both called "kind" (the action's and the target's), which Django would title alike."""

    class Filter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Filter


class ReportInline(admin.TabularInline):
    model = Report
    fields = [
        "created_at",
        "reporter",
        "reason",
        "details",
        "status",
        "resolved_by",
        "resolved_at",
        "outcome",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # The case too: a report is named after what it reports (Report.__str__).
        return super().get_queryset(request).select_related("case", "reporter", "resolved_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Actions on a case: each resolves the case's open reports and tells the reporters.
def _on_story(by, case: Case, data: dict) -> object:
    return services.story_remove(
        story=services.case_target(case=case, kind=TargetKind.STORY), by=by, reason=data["reason"]
    )


def _on_comment(by, case: Case, data: dict) -> object:
    comment = services.case_target(case=case, kind=TargetKind.COMMENT)
    return services.comment_delete(comment=comment, by=by, reason=data["reason"])


def _warn(by, case: Case, data: dict) -> object:
    return services.person_warn(
        person=services.case_person(case=case), by=by, reason=data["reason"], case=case
    )


def _suspend(by, case: Case, data: dict) -> object:
    days = None if data.get("permanent") else data["days"]
    return services.person_suspend(
        person=services.case_person(case=case), by=by, days=days, reason=data["reason"], case=case
    )


def _unsuspend(by, case: Case, data: dict) -> object:
    return services.person_unsuspend(person=services.case_person(case=case), by=by, reason=data["reason"])


CASE_ACTIONS = [
    reason_action("remove_story", "Remove story", "remove_story", _on_story),
    reason_action("delete_comment", "Delete comment", "delete_comment", _on_comment),
    reason_action(
        "dismiss",
        "Dismiss reports",
        "dismiss_reports",
        lambda by, case, data: services.case_dismiss(case=case, by=by, reason=data["reason"]),
    ),
    reason_action("warn", "Warn the person", "warn_person", _warn),
    reason_action("suspend", "Suspend the person", "suspend_person", _suspend, SuspendForm),
    reason_action("unsuspend", "Lift the person's suspension", "suspend_person", _unsuspend),
]
# Which actions the case page offers as buttons, by target kind.
BUTTONS = {
    TargetKind.STORY: ["remove_story", "dismiss", "warn", "suspend", "unsuspend"],
    TargetKind.COMMENT: ["delete_comment", "dismiss", "warn", "suspend", "unsuspend"],
    TargetKind.ACCOUNT: ["dismiss", "warn", "suspend", "unsuspend"],
    TargetKind.MESSAGE: ["dismiss", "warn", "suspend", "unsuspend"],
}


def case_buttons(case: Case) -> list[str]:
    """The actions a case's page offers: lifting a suspension only when the person is suspended."""
    suspended = case.person is not None and case.person.is_suspended
    return [name for name in BUTTONS.get(case.kind, []) if name != "unsuspend" or suspended]


@admin.register(Case)
class CaseAdmin(ModerationPermissions, ReadOnlyAdmin):
    """The review queue: reported targets, most-reported and newest first."""

    list_display = ["label", "kind", "person", "open_reports", "last_reported"]
    list_filter = [StatusFilter, ReasonFilter, "kind"]
    search_fields = [
        "label",
        "person__username",
        "reports__reporter__username",
        "reports__details",
        "story__caption",
        "comment__text",
        "message__text",
    ]
    actions = CASE_ACTIONS
    inlines = [ReportInline]
    fields = ["kind", "target_link", "person_link", "preview", "audit_trail"]
    change_form_template = "admin/moderation/case/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return selectors.cases_queue()

    def get_ordering(self, request: HttpRequest) -> list:
        return ["-has_open", "-open_count", F("last_reported_at").desc(nulls_last=True), "-created_at"]

    @admin.display(description="open reports", ordering="open_count")
    def open_reports(self, case: Case) -> int:
        return case.open_count

    @admin.display(description="last reported", ordering="last_reported_at")
    def last_reported(self, case: Case):
        return case.last_reported_at

    @admin.display(description="target")
    def target_link(self, case: Case) -> str:
        target = case.target
        if target is None:
            return f"{case.label} (gone)"
        if case.kind == TargetKind.MESSAGE:  # no admin page of its own: the preview shows it
            return case.label
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, case.label)

    @admin.display(description="person")
    def person_link(self, case: Case) -> str:
        if case.person is None:
            return "—"
        person = case.person
        url = reverse("admin:accounts_user_change", args=[person.pk])
        status = f" — suspended {person.suspension_period}" if person.is_suspended else ""
        return format_html('<a href="{}">@{}</a>{}', url, person.username, status)

    @admin.display(description="preview")
    def preview(self, case: Case) -> SafeString:
        if case.kind == TargetKind.STORY and case.story is not None:
            return story_preview(case.story)
        if case.kind == TargetKind.COMMENT and case.comment is not None:
            comment = case.comment
            return format_html(
                "<p>“{}”</p><p>by @{} on {}, {}</p>",
                comment.text,
                comment.author.username,
                format_html(
                    '<a href="{}">this story</a>',
                    reverse("admin:stories_story_change", args=[comment.story_id]),
                ),
                when(comment.created_at),
            )
        if case.kind == TargetKind.MESSAGE and case.message is not None:
            return message_preview(case.message)
        if case.kind == TargetKind.ACCOUNT and case.account is not None:
            person = case.account
            return format_html(
                "<p><strong>{}</strong> @{}</p><p>{}</p><p>Joined {}</p>",
                person.display_name,
                person.username,
                person.bio or "(no bio)",
                when(person.date_joined),
            )
        return "The target no longer exists."

    @admin.display(description="audit trail")
    def audit_trail(self, case: Case) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    when(action.created_at),
                    action.actor or "—",
                    action.get_kind_display(),
                    action.duration_days or ("for good" if action.kind == "suspend" else ""),
                    action.reason,
                )
                for action in selectors.case_audit_trail(case=case)
            ),
        )
        if not rows:
            return "No action taken yet."
        return format_html(
            "<table><thead><tr><th>when</th><th>who</th><th>what</th><th>days</th><th>why</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        case = self.get_object(request, object_id)
        actions = self.get_actions(request)
        buttons = [(name, actions[name][2]) for name in case_buttons(case) if name in actions] if case else []
        extra_context = {
            **(extra_context or {}),
            "case_buttons": buttons,
            "changelist_url": reverse("admin:moderation_case_changelist") + "?status=all",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        media = self.admin_site.admin_view(preview_media)
        return [
            path("story/<uuid:story_id>/<str:part>/", media, name="moderation_story_media"),
            *super().get_urls(),
        ]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Every report, one row each, for looking up a reporter's history."""

    list_display = ["created_at", "case", "kind", "reporter", "reason", "status", "resolved_by"]
    list_filter = ["status", "reason", ("case__kind", titled("target kind"))]
    search_fields = ["reporter__username", "case__person__username", "case__label", "details"]
    list_select_related = ["case", "reporter", "resolved_by"]
    date_hierarchy = "created_at"
    fields = [
        "case",
        "reporter",
        "reason",
        "details",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
        "outcome",
    ]

    @admin.display(description="target kind", ordering="case__kind")
    def kind(self, report: Report) -> str:
        return report.case.get_kind_display()


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The audit trail: who did what, to whom, when and why."""

    list_display = ["created_at", "actor", "kind", "case_link", "person", "duration_days", "reason"]
    list_filter = [("kind", titled("action")), ("case__kind", titled("target kind"))]
    search_fields = ["actor__username", "person__username", "reason", "case__label"]
    list_select_related = ["actor", "person", "case"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "kind", "case", "person", "duration_days", "reason"]

    @admin.display(description="target", ordering="case__label")
    def case_link(self, action: ModerationAction) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:moderation_case_change", args=[action.case_id]), action.case
        )
