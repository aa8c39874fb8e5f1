"""Reports, the cases they gather into, and the audit trail of what moderators did.

A `Case` is one reported thing (a story, a comment, a private message or an account): reports
about the same target share it, so the review queue lists targets, not duplicate reports, and
"one open report per person and target" is a conditional unique constraint on (case, reporter).
A case outlives its target (the purge deletes stories, a comment can be deleted): `label` and
`person` keep what the audit trail needs to stay readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

DETAILS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class TargetKind(models.TextChoices):
    STORY = "story", "Story"
    COMMENT = "comment", "Comment"
    ACCOUNT = "account", "Account"
    MESSAGE = "message", "Message"


class Reason(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment or bullying"
    HATE = "hate", "Hate speech or symbols"
    NUDITY = "nudity", "Nudity or sexual content"
    VIOLENCE = "violence", "Violence or dangerous acts"
    SELF_HARM = "self_harm", "Suicide or self-harm"
    FALSE_INFORMATION = "false_information", "False information"
    INTELLECTUAL_PROPERTY = "intellectual_property", "Intellectual property"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved (action taken)"
    DISMISSED = "dismissed", "Dismissed"


class ActionKind(models.TextChoices):
    REMOVE_STORY = "remove_story", "Removed the story"
    DELETE_COMMENT = "delete_comment", "Deleted the comment"
    DISMISS = "dismiss", "Dismissed the reports"
    WARN = "warn", "Warned the person"
    SUSPEND = "suspend", "Suspended the account"
    UNSUSPEND = "unsuspend", "Lifted the suspension"
    PREVIEW_MEDIA = "preview_media", "Watched the media"


def _only(kind: str) -> Q:
    """A case of `kind`: every target field but the one named after its kind is empty."""
    return Q(kind=kind, **{f"{field}__isnull": True for field in TargetKind.values if field != kind})


class Case(models.Model):
    """One reported target. Exactly the field of its kind points at it (or nothing, once the
    target is gone)."""

    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    story = models.OneToOneField(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_case"
    )
    comment = models.OneToOneField(
        "feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_case"
    )
    # A private message, reported by the other person in its conversation (feed.Message).
    message = models.OneToOneField(
        "feed.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_case"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_case",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
        help_text="Who answers for the target: the author of the story, comment or message; the account.",
    )
    label = models.CharField(max_length=200, help_text="What the target was, kept after it is gone.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "reported item"
        verbose_name_plural = "review queue"
        constraints = [
            models.CheckConstraint(
                name="case_target_matches_kind",
                condition=(
                    _only(TargetKind.STORY)
                    | _only(TargetKind.COMMENT)
                    | _only(TargetKind.ACCOUNT)
                    | _only(TargetKind.MESSAGE)
                ),
            ),
        ]
        permissions = [
            ("remove_story", "Can remove a reported story"),
            ("delete_comment", "Can delete a reported comment"),
            ("dismiss_reports", "Can dismiss reports"),
            ("warn_person", "Can warn a person"),
            ("suspend_person", "Can suspend and unsuspend a person"),
            ("preview_media", "Can watch a reported story's media, even removed or expired"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def target(self):
        return {
            "story": self.story,
            "comment": self.comment,
            "account": self.account,
            "message": self.message,
        }[self.kind]


class Report(models.Model):
    """One person's report of a case's target."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.CharField(max_length=25, choices=Reason.choices)
    details = models.CharField(max_length=DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reporter"],
                condition=Q(status=ReportStatus.OPEN),
                name="one_open_report_per_person_and_target",
            ),
        ]
        indexes = [models.Index(fields=["case", "status", "-created_at"], name="report_case_status")]

    def __str__(self) -> str:
        # What was reported, by its label ("Spam report on Comment by @bob: ..."), not a number.
        return f"{self.get_reason_display()} report on {self.case}"


class ModerationAction(models.Model):
    """The audit trail: who did what to which target, when and why. Never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions_received",
        help_text="The person the action concerned.",
    )
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    duration_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Suspensions: days, or empty for good."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "moderation action"
        verbose_name_plural = "audit trail"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="action_has_a_reason")]
        indexes = [models.Index(fields=["person", "-created_at"], name="action_person_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case})"
