"""Moderation rules: reporting, and what moderators do about reports.

Every moderator action checks its permission here (the admin checks too, for what it shows),
needs a reason, writes a `ModerationAction` row, resolves the open reports of the target it was
taken on, and tells the people concerned: the reporters hear the outcome, the person acted on
hears why. Story state changes go through `stories.lifecycle.transition`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services as accounts
from accounts.models import SUSPENDED_FOR_GOOD, User
from feed import services as feed_services
from feed.models import Comment
from stories import lifecycle
from stories.lifecycle import State
from stories.models import Story
from stories_site.errors import Invalid, NotAllowed, NotFound

from . import selectors
from .models import (
    DETAILS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ActionKind,
    Case,
    ModerationAction,
    Reason,
    Report,
    ReportStatus,
    TargetKind,
)
from .selectors import Target

logger = logging.getLogger(__name__)

NOTICE_KIND = "moderation"
# Outcome notices come from this account, not from the moderator: a person who was acted on
# must not learn which moderator did it. Made on first use, with no usable password.
SENDER_USERNAME = "stories.team"
SENDER_DISPLAY_NAME = "Stories team"


# --- Reporting ---------------------------------------------------------------------------------


def case_get_or_create(*, target: Target) -> Case:
    """The one case of a target, made on first use (a race ends in the other request's row)."""
    kind = selectors.target_kind(target=target)
    case, _ = Case.objects.get_or_create(
        **{kind: target},
        defaults={
            "kind": kind,
            "person": selectors.target_person(target=target),
            "label": _label(kind, target),
        },
    )
    return case


def _label(kind: str, target: Target) -> str:
    if kind == TargetKind.STORY:
        return f"{target.get_kind_display() or 'Story'} by @{target.author.username} ({target.pk})"[:200]
    if kind == TargetKind.COMMENT:
        # Not the text: a label outlives the comment, and a deleted comment must be gone
        # everywhere. While the comment exists, the case page shows it (Case.comment).
        return f"Comment by @{target.author.username} ({target.pk})"
    if kind == TargetKind.MESSAGE:
        # Not the text either: the case page shows the message while it exists (Case.message).
        return f"Message by @{target.sender.username} ({target.pk})"
    return f"Account @{target.username}"


def report_create(*, reporter: User, target: Target, reason: str, details: str = "") -> Report:
    """File a report. Raises NotFound when the reporter cannot see the target (nothing to learn
    from the answer), Invalid for a bad reason, long details, one's own content or a second open
    report of the same target, NotAllowed while the reporter is suspended."""
    if accounts.user_login_refusal(user=reporter):
        raise NotAllowed("Your account cannot report right now.")
    if not selectors.target_visible(viewer=reporter, target=target):
        raise NotFound("This does not exist or is no longer available.")
    errors: dict[str, str] = {}
    if reason not in Reason.values:
        errors["reason"] = "Choose one of: " + ", ".join(Reason.values) + "."
    details = (details or "").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        errors["details"] = f"Keep the details to {DETAILS_MAX_LENGTH} characters."
    if errors:
        raise Invalid(errors)
    if selectors.target_person(target=target).pk == reporter.pk:
        raise Invalid("You cannot report yourself or your own posts.")
    try:
        with transaction.atomic():
            return Report.objects.create(
                case=case_get_or_create(target=target), reporter=reporter, reason=reason, details=details
            )
    except IntegrityError:
        raise Invalid("You already reported this.") from None


# --- Helpers every action shares ---------------------------------------------------------------


def _require(user: User, codename: str) -> None:
    if not (user.is_active and user.is_staff and user.has_perm(f"moderation.{codename}")):
        raise NotAllowed("You do not have permission to do this.")


def reason_clean(*, reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "Say why: the reason goes into the audit trail."})
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters."})
    return reason


def notice_sender_get() -> User | None:
    """The team account, or None if a person registered its name first (then nobody is told,
    rather than told by an impostor)."""
    sender, _ = User.objects.get_or_create(
        username=SENDER_USERNAME,
        defaults={"display_name": SENDER_DISPLAY_NAME, "password": make_password(None)},
    )
    if sender.has_usable_password():
        logger.error("The username %s belongs to a person: moderation notices are not sent.", SENDER_USERNAME)
        return None
    return sender


def team_notice_send(*, person: User | None, text: str, story: Story | None = None) -> None:
    """A moderation notice in the person's notifications (nothing for the suspended or gone)."""
    sender = notice_sender_get() if person is not None else None
    if sender is not None:
        accounts.notice_send(recipient=person, actor=sender, kind=NOTICE_KIND, story=story, text=text)


def _record(
    by: User,
    kind: str,
    case: Case,
    reason: str,
    *,
    person: User | None = None,
    days: int | None = None,
    outcome: str,
    status: str = ReportStatus.RESOLVED,
    cases: Iterable[Case] = (),
) -> ModerationAction:
    """Write the audit row, close the open reports of the case (and of `cases`), and tell each
    reporter once what came of it."""
    action = ModerationAction.objects.create(
        actor=by, kind=kind, case=case, person=person or case.person, reason=reason, duration_days=days
    )
    reports = list(selectors.reports_open_on(cases=[case, *cases]))
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        status=status, resolved_at=action.created_at, resolved_by=by, outcome=outcome
    )
    for reporter in {r.reporter_id: r.reporter for r in reports}.values():
        team_notice_send(person=reporter, text=f"Thanks for your report. {outcome}")
    return action


# --- Actions -----------------------------------------------------------------------------------


def story_remove(*, story: Story, by: User, reason: str) -> ModerationAction:
    """Take a story down: invisible everywhere at once (it is no longer ready). Its media stays,
    private, for the case; the purge deletes it once no report on it is open."""
    _require(by, "remove_story")
    reason = reason_clean(reason=reason)
    with transaction.atomic():
        try:
            lifecycle.transition(story, State.REMOVED)
        except lifecycle.InvalidTransition:
            raise Invalid("This story was already removed or deleted.") from None
        action = _record(
            by,
            ActionKind.REMOVE_STORY,
            case_get_or_create(target=story),
            reason,
            outcome="We removed the story you reported.",
        )
        team_notice_send(person=story.author, text=f"We removed your story. Why: {reason}", story=story)
    return action


def comment_delete(*, comment: Comment, by: User, reason: str) -> ModerationAction:
    """Delete a comment for good, with the same bookkeeping as its author deleting it."""
    _require(by, "delete_comment")
    reason = reason_clean(reason=reason)
    with transaction.atomic():
        case = case_get_or_create(target=comment)
        action = _record(
            by, ActionKind.DELETE_COMMENT, case, reason, outcome="We deleted the comment you reported."
        )
        # The feed's own deletion keeps the story's comment count and daily stats right; the
        # comment's author is always allowed to delete it, so it runs on their behalf.
        feed_services.comment_delete(comment=comment, by=comment.author)
        # Not quoted: the notice would keep the very text that was taken down.
        team_notice_send(
            person=comment.author, text=f"We deleted one of your comments. Why: {reason}", story=comment.story
        )
    return action


def case_dismiss(*, case: Case, by: User, reason: str) -> ModerationAction:
    """Close the open reports of a case without acting on the target."""
    _require(by, "dismiss_reports")
    reason = reason_clean(reason=reason)
    if not selectors.reports_open_count(case=case):
        raise Invalid("There are no open reports to dismiss.")
    with transaction.atomic():
        return _record(
            by,
            ActionKind.DISMISS,
            case,
            reason,
            status=ReportStatus.DISMISSED,
            outcome="We looked at what you reported and did not find that it breaks our rules.",
        )


def person_warn(*, person: User, by: User, reason: str, case: Case | None = None) -> ModerationAction:
    """Tell a person they broke the rules, on the record, without taking anything down."""
    _require(by, "warn_person")
    reason = reason_clean(reason=reason)
    _refuse_self_or_superuser(person, by)
    with transaction.atomic():
        account_case = case_get_or_create(target=person)
        action = _record(
            by,
            ActionKind.WARN,
            case or account_case,
            reason,
            person=person,
            cases=[account_case],
            outcome="We warned the person responsible.",
        )
        team_notice_send(person=person, text=f"A warning from the Stories team: {reason}")
    return action


def person_suspend(
    *, person: User, by: User, days: int | None, reason: str, case: Case | None = None
) -> ModerationAction:
    """Suspend for `days`, or for good when None. From this moment the person cannot log in
    (open sessions and tokens end on their next request), post, or be seen: their stories leave
    every feed at once, because visibility checks the author's suspension on every read."""
    _require(by, "suspend_person")
    reason = reason_clean(reason=reason)
    _refuse_self_or_superuser(person, by)
    if days is not None and not 1 <= days <= 3650:
        raise Invalid({"days": "Suspend for 1 to 3650 days, or for good."})
    until = SUSPENDED_FOR_GOOD if days is None else timezone.now() + timedelta(days=days)
    with transaction.atomic():
        # Told before the suspension starts: notices are not delivered to suspended people.
        team_notice_send(person=person, text=f"Your account is suspended {_how_long(days)}. Why: {reason}")
        User.objects.filter(pk=person.pk).update(suspended_until=until, suspension_reason=reason[:500])
        person.suspended_until, person.suspension_reason = until, reason[:500]
        account_case = case_get_or_create(target=person)
        return _record(
            by,
            ActionKind.SUSPEND,
            case or account_case,
            reason,
            person=person,
            days=days,
            cases=[account_case],
            outcome="We suspended the account responsible.",
        )


def person_unsuspend(*, person: User, by: User, reason: str) -> ModerationAction:
    """Lift a suspension: the person can log in again, and their stories still within their 24
    hours are visible again (nothing was deleted, visibility simply stops excluding them)."""
    _require(by, "suspend_person")
    reason = reason_clean(reason=reason)
    if not person.is_suspended:
        raise Invalid("This account is not suspended.")
    with transaction.atomic():
        User.objects.filter(pk=person.pk).update(suspended_until=None, suspension_reason="")
        person.suspended_until, person.suspension_reason = None, ""
        action = ModerationAction.objects.create(
            actor=by,
            kind=ActionKind.UNSUSPEND,
            case=case_get_or_create(target=person),
            person=person,
            reason=reason,
        )
        team_notice_send(person=person, text="Your suspension was lifted. Welcome back.")
    return action


def preview_record(*, story: Story, by: User, part: str) -> ModerationAction:
    """A moderator opened a story's media in the admin preview: allowed only for a story with a
    case (someone reported it), and always written to the audit trail, so watching people's
    stories is never silent. NotFound for a story nobody reported."""
    _require(by, "preview_media")
    case = Case.objects.filter(story=story).first()
    if case is None:
        raise NotFound("Only reported stories can be previewed.")
    return ModerationAction.objects.create(
        actor=by,
        kind=ActionKind.PREVIEW_MEDIA,
        case=case,
        person=case.person,
        reason=f"Opened the story's {part} in the admin preview (state: {story.state}).",
    )


def _refuse_self_or_superuser(person: User, by: User) -> None:
    if person.pk == by.pk:
        raise Invalid("You cannot act on your own account.")
    if person.is_superuser and not by.is_superuser:
        raise NotAllowed("Only a superuser can act on a superuser's account.")


def _how_long(days: int | None) -> str:
    if days is None:
        return "for good"
    return f"for {days} day{'s' if days != 1 else ''}"


# --- Moderators --------------------------------------------------------------------------------

MODERATORS_GROUP = "Moderators"


def moderator_add(*, person: User) -> bool:
    """Staff (to reach the admin) in the Moderators group; True when something changed."""
    group = Group.objects.get(name=MODERATORS_GROUP)
    changed = not person.is_staff or not person.groups.filter(pk=group.pk).exists()
    if not person.is_staff:
        User.objects.filter(pk=person.pk).update(is_staff=True)
        person.is_staff = True
    person.groups.add(group)
    return changed


def case_target(*, case: Case, kind: str) -> Target:
    """The case's target when it is of `kind` and still exists, for actions started from a case."""
    target = case.target if case.kind == kind else None
    if target is None:
        what = TargetKind(kind).label.lower()
        raise Invalid(f"This is not a {what}, or the {what} no longer exists.")
    return target


def case_person(*, case: Case) -> User:
    if case.person is None:
        raise Invalid("The person behind this no longer exists.")
    return case.person
