"""Reads for moderation: what a person may report, the review queue, and what the purge must keep."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts import selectors as people
from accounts.models import User
from feed.models import Comment, Message
from stories import selectors as story_selectors
from stories.models import Story

from .models import Case, ModerationAction, Report, ReportStatus, TargetKind

Target = Story | Comment | Message | User


def target_kind(*, target: Target) -> str:
    if isinstance(target, Story):
        return TargetKind.STORY
    if isinstance(target, Comment):
        return TargetKind.COMMENT
    if isinstance(target, User):
        return TargetKind.ACCOUNT
    if isinstance(target, Message):
        return TargetKind.MESSAGE
    raise TypeError(f"Cannot report a {type(target).__name__}.")


def target_get(*, kind: str, target_id: object) -> Target | None:
    """The story (uuid), comment or message (id) or account (username) behind a report URL, or None.
    Visibility is checked by `services.report_create`, so every door answers the same."""
    try:
        if kind == TargetKind.STORY:
            return Story.objects.select_related("author").filter(pk=target_id).first()
        if kind == TargetKind.COMMENT:
            return Comment.objects.select_related("author", "story").filter(pk=int(target_id)).first()
        if kind == TargetKind.ACCOUNT:
            return User.objects.filter(username=target_id).first()
        if kind == TargetKind.MESSAGE:
            return Message.objects.select_related("sender", "conversation").filter(pk=int(target_id)).first()
    except (ValueError, ValidationError):
        return None
    return None


def target_person(*, target: Target) -> User:
    """Who answers for the target: its author (a message's sender), or the account itself."""
    if isinstance(target, Message):
        return target.sender
    return target if isinstance(target, User) else target.author


def target_visible(*, viewer: people.Viewer, target: Target) -> bool:
    """Only what the viewer can see may be reported: the same rules as the pages and API, except
    that blocks the viewer made do not hide anything here. Blocking someone is no reason to lose
    the right to report them or their comments; a block against the viewer still hides."""
    if isinstance(target, Story):
        return (
            story_selectors.stories_visible(viewer=viewer, despite_own_blocks=True)
            .filter(pk=target.pk)
            .exists()
        )
    if isinstance(target, Comment):
        stories = story_selectors.stories_visible(viewer=viewer, despite_own_blocks=True)
        return (
            Comment.objects.filter(
                pk=target.pk,
                story__in=stories.filter(allow_comments=True).values("pk"),
                author__in=people.people_reportable(viewer=viewer),
            )
        ).exists()
    if isinstance(target, Message):
        # A private message: only the two people of its conversation ever see it, and a block
        # either way hides nothing already written (feed/selectors/conversations.py), so it
        # stays reportable after one.
        me = getattr(viewer, "pk", None)
        return me is not None and me in (target.conversation.person_a_id, target.conversation.person_b_id)
    return people.people_reportable(viewer=viewer).filter(pk=target.pk).exists()


def reports_open() -> QuerySet[Report]:
    return Report.objects.filter(status=ReportStatus.OPEN)


def stories_under_review() -> QuerySet[Report]:
    """Ids of stories with an open report: the purge keeps their media and rows for the case."""
    return reports_open().filter(case__story__isnull=False).values("case__story_id")


def cases_queue() -> QuerySet[Case]:
    """Cases with their open report count and the time of the newest open report, most-reported
    and newest first. Subqueries, not joins, so admin search and filters cannot inflate counts."""
    open_for_case = reports_open().filter(case=OuterRef("pk")).order_by().values("case")
    return (
        Case.objects.select_related("person", "story", "comment", "account", "message")
        .annotate(
            open_count=Coalesce(
                Subquery(open_for_case.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
            ),
            last_reported_at=Subquery(open_for_case.annotate(at=Max("created_at")).values("at")),
            has_open=Exists(reports_open().filter(case=OuterRef("pk"))),
        )
        .order_by("-has_open", "-open_count", F("last_reported_at").desc(nulls_last=True), "-created_at")
    )


def reports_open_annotation(*, target_field: str) -> Coalesce:
    """An annotation: open reports on the row's story, comment or account (`target_field` is
    the Case field pointing at that model), one subquery for a whole admin page."""
    counts = (
        reports_open()
        .filter(**{f"case__{target_field}": OuterRef("pk")})
        .order_by()
        .values(f"case__{target_field}")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def reports_open_count(*, case: Case) -> int:
    return reports_open().filter(case=case).count()


def case_audit_trail(*, case: Case) -> QuerySet[ModerationAction]:
    """What was done about this target; for an account, everything done to that person."""
    actions = ModerationAction.objects.select_related("actor", "person", "case")
    if case.kind == TargetKind.ACCOUNT and case.account_id:
        return actions.filter(Q(case=case) | Q(person_id=case.account_id))
    return actions.filter(case=case)


def reports_open_on(*, cases: list[Case]) -> QuerySet[Report]:
    return reports_open().filter(case__in=cases).select_related("reporter")
