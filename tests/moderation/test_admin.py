"""The permission matrix over every moderation page and action in the admin (a moderator, staff
outside the Moderators group, an ordinary person, and nobody signed in), the case page's preview
and audit trail, and the Moderators group itself."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from feed.models import Comment
from moderation import services
from moderation.models import ActionKind, Case, ModerationAction, Report
from stories.lifecycle import State
from stories.models import Sound, Story
from tests.factories import CommentFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["moderator", "staff", "ordinary", "anonymous"]


@dataclass
class World:
    story: Story
    comment: object
    person: User
    story_case: Case
    comment_case: Case
    account_case: Case


@pytest.fixture
def world() -> World:
    story = ReadyStoryFactory(caption="buy followers", overlays=[{"type": "text", "text": "DM me"}])
    comment = CommentFactory(text="nasty words")
    person = UserFactory(username="troll")
    for target in (story, comment, person):
        services.report_create(reporter=UserFactory(), target=target, reason="spam", details="details here")
    Sound.objects.create(title="beat", file="sounds/x.m4a")
    return World(
        story,
        comment,
        person,
        Case.objects.get(story=story),
        Case.objects.get(comment=comment),
        Case.objects.get(account=person),
    )


@pytest.fixture
def as_person(request, client, moderator, staff, ordinary):
    def login(who: str):
        if who != "anonymous":
            client.force_login({"moderator": moderator, "staff": staff, "ordinary": ordinary}[who])
        return client

    return login


def expect(who: str, response) -> None:
    if who == "moderator":
        assert response.status_code == 200, response.status_code
    elif who == "staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


PAGES = {
    "review queue": lambda w: reverse("admin:moderation_case_changelist"),
    "closed cases": lambda w: reverse("admin:moderation_case_changelist") + "?status=closed",
    "story case": lambda w: reverse("admin:moderation_case_change", args=[w.story_case.pk]),
    "comment case": lambda w: reverse("admin:moderation_case_change", args=[w.comment_case.pk]),
    "account case": lambda w: reverse("admin:moderation_case_change", args=[w.account_case.pk]),
    "reports": lambda w: reverse("admin:moderation_report_changelist"),
    "report": lambda w: reverse("admin:moderation_report_change", args=[Report.objects.first().pk]),
    "audit trail": lambda w: reverse("admin:moderation_moderationaction_changelist"),
    "people": lambda w: reverse("admin:accounts_user_changelist"),
    "person": lambda w: reverse("admin:accounts_user_change", args=[w.person.pk]),
    "stories": lambda w: reverse("admin:stories_story_changelist"),
    "story": lambda w: reverse("admin:stories_story_change", args=[w.story.pk]),
    "comments": lambda w: reverse("admin:feed_comment_changelist"),
    "sounds": lambda w: reverse("admin:stories_sound_changelist"),
    "stickers": lambda w: reverse("admin:stickers_sticker_changelist"),
    "media preview": lambda w: reverse("admin:moderation_story_media", args=[w.story.pk, "media"]),
    "poster preview": lambda w: reverse("admin:moderation_story_media", args=[w.story.pk, "poster"]),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("page", list(PAGES))
def test_pages(as_person, world, who, page):
    expect(who, as_person(who).get(PAGES[page](world)))


# (changelist, action, target, extra form fields, check that it took effect)
ACTIONS = {
    "remove story (queue)": (
        "moderation_case",
        "remove_story",
        lambda w: w.story_case.pk,
        {},
        lambda w: Story.objects.get(pk=w.story.pk).state == State.REMOVED,
    ),
    "delete comment (queue)": (
        "moderation_case",
        "delete_comment",
        lambda w: w.comment_case.pk,
        {},
        lambda w: w.comment_case.reports.get().status == "resolved",
    ),
    "dismiss (queue)": (
        "moderation_case",
        "dismiss",
        lambda w: w.account_case.pk,
        {},
        lambda w: w.account_case.reports.get().status == "dismissed",
    ),
    "warn (queue)": (
        "moderation_case",
        "warn",
        lambda w: w.story_case.pk,
        {},
        lambda w: ModerationAction.objects.filter(kind=ActionKind.WARN, person=w.story.author).exists(),
    ),
    "suspend (queue)": (
        "moderation_case",
        "suspend",
        lambda w: w.account_case.pk,
        {"days": "7"},
        lambda w: User.objects.get(pk=w.person.pk).is_suspended,
    ),
    "remove story (stories)": (
        "stories_story",
        "remove_stories",
        lambda w: w.story.pk,
        {},
        lambda w: Story.objects.get(pk=w.story.pk).state == State.REMOVED,
    ),
    "delete comment (comments)": (
        "feed_comment",
        "delete_comments",
        lambda w: w.comment.pk,
        {},
        lambda w: not Comment.objects.filter(pk=w.comment.pk).exists(),
    ),
    "warn (people)": (
        "accounts_user",
        "warn_people",
        lambda w: w.person.pk,
        {},
        lambda w: ModerationAction.objects.filter(kind=ActionKind.WARN, person=w.person).exists(),
    ),
    "suspend for good (people)": (
        "accounts_user",
        "suspend_people",
        lambda w: w.person.pk,
        {"permanent": "on"},
        lambda w: User.objects.filter(pk=w.person.pk, suspended_until__year=9999).exists(),
    ),
}


def post_action(client, changelist: str, action: str, pk, fields: dict, *, apply: bool = True):
    data = {"action": action, "_selected_action": [str(pk)], "reason": "Against the rules", **fields}
    if apply:
        data["apply"] = "1"
    query = "?status=all" if changelist == "moderation_case" else ""  # the queue shows open cases only
    return client.post(reverse(f"admin:{changelist}_changelist") + query, data)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_actions(as_person, world, who, name):
    changelist, action, pk, fields, took_effect = ACTIONS[name]
    client = as_person(who)
    form = post_action(client, changelist, action, pk(world), fields, apply=False)
    response = post_action(client, changelist, action, pk(world), fields)
    if who == "moderator":
        assert form.status_code == 200
        assert 'name="reason"' in form.content.decode()
        assert response.status_code == 302, response.content.decode()[:2000]
        assert took_effect(world)
        assert ModerationAction.objects.filter(actor__username="mod", reason="Against the rules").exists()
    else:
        expect(who, response)
        assert not took_effect(world)
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_unsuspend(as_person, world, moderator, who):
    services.person_suspend(person=world.person, by=moderator, days=2, reason="first")
    response = post_action(as_person(who), "moderation_case", "unsuspend", world.account_case.pk, {})
    lifted = not User.objects.get(pk=world.person.pk).is_suspended
    if who == "moderator":
        assert response.status_code == 302
        assert lifted
    else:
        expect(who, response)
        assert not lifted


def test_an_action_without_a_reason_shows_the_form_again(client, moderator, world):
    client.force_login(moderator)
    response = post_action(client, "moderation_case", "remove_story", world.story_case.pk, {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Story.objects.get(pk=world.story.pk).state == State.READY


def test_suspend_needs_days_or_for_good(client, moderator, world):
    client.force_login(moderator)
    response = post_action(client, "moderation_case", "suspend", world.account_case.pk, {})
    assert "Give a number of days" in response.content.decode()
    assert not User.objects.get(pk=world.person.pk).is_suspended


def test_an_action_on_the_wrong_kind_of_case_says_so(client, moderator, world):
    client.force_login(moderator)
    response = post_action(client, "moderation_case", "remove_story", world.comment_case.pk, {})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "This is not a story" in page.content.decode()


@pytest.mark.parametrize(("who", "allowed"), [("superuser", True), ("moderator", False)])
def test_make_moderator_is_for_superusers_only(client, moderator, world, who, allowed):
    client.force_login(UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else moderator)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_moderators", "_selected_action": [str(world.person.pk)]},
    )
    person = User.objects.get(pk=world.person.pk)
    assert person.groups.filter(name="Moderators").exists() is allowed
    assert person.is_staff is allowed
    assert not person.is_superuser


def test_case_page_previews_the_story_lists_reports_and_the_audit_trail(client, moderator, world):
    client.force_login(moderator)
    services.person_warn(person=world.story.author, by=moderator, reason="Last chance", case=world.story_case)
    page = client.get(reverse("admin:moderation_case_change", args=[world.story_case.pk])).content.decode()
    assert reverse("admin:moderation_story_media", args=[world.story.pk, "media"]) in page
    assert "<video" in page
    assert "buy followers" in page  # the caption
    assert "DM me" in page  # an overlay
    assert "details here" in page  # the report
    assert "Last chance" in page  # the audit trail
    assert "Warned the person" in page
    for action in ("remove_story", "dismiss", "suspend"):
        assert f'value="{action}"' in page  # the buttons
    assert 'value="delete_comment"' not in page


def test_the_queue_puts_the_most_reported_first_and_hides_closed_cases(client, moderator, world):
    for _ in range(2):
        services.report_create(reporter=UserFactory(), target=world.comment, reason="hate")
    services.case_dismiss(case=world.account_case, by=moderator, reason="fine")
    client.force_login(moderator)
    response = client.get(reverse("admin:moderation_case_changelist"))
    rows = [case.pk for case in response.context["cl"].result_list]
    assert rows == [world.comment_case.pk, world.story_case.pk]
    assert response.context["cl"].result_list[0].open_count == 3
    searched = client.get(reverse("admin:moderation_case_changelist"), {"q": "troll", "status": "all"})
    assert [c.pk for c in searched.context["cl"].result_list] == [world.account_case.pk]
    by_reason = client.get(reverse("admin:moderation_case_changelist"), {"reason": "hate"})
    assert [c.pk for c in by_reason.context["cl"].result_list] == [world.comment_case.pk]


def test_the_moderators_group_has_only_what_moderators_need():
    group = Group.objects.get(name="Moderators")
    perms = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert {"moderation.remove_story", "moderation.suspend_person", "moderation.view_case"} <= perms
    model_writes = {p for p in perms if p.split(".")[1].startswith(("add_", "change_", "delete_"))}
    assert model_writes == {"moderation.delete_comment"}  # the custom action, not a model delete
    assert "accounts.change_user" not in perms


def test_make_moderator_command(capsys):
    person = UserFactory(username="newmod")
    call_command("make_moderator", "newmod")
    person.refresh_from_db()
    assert person.is_staff
    assert not person.is_superuser
    assert person.has_perm("moderation.remove_story")
    assert "is now a moderator" in capsys.readouterr().out
