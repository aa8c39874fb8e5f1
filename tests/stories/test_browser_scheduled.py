"""Scheduling in real Chromium (issue 17 item 1): the create page's "Schedule" picker in the
person's own timezone (the browser here runs in São Paulo, UTC-3, while the server keeps UTC),
then the Scheduled page: the time shown where they are, reschedule, publish now and cancel.

Screenshots: schedule-picker, scheduled-page (`make screenshots` keeps them in docs/screenshots)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from stories import services
from stories.lifecycle import State
from stories.models import Story
from stories_site.dev import synth
from tests.browser import assert_no_policy_violations, login, screenshot, watch_policy_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

ZONE = "America/Sao_Paulo"  # UTC-3 all year: no daylight saving since 2019


@pytest.fixture(scope="session")
def schedule_photo(media_dir: Path) -> Path:
    return synth.make_photo(
        media_dir / "scheduled.jpg", width=720, height=1280, colour="#2563eb", text="Soon"
    )


@pytest.fixture
def page_in_sao_paulo(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=ZONE, locale="en-GB")
    context.set_default_timeout(15_000)
    violations = watch_policy_violations(context)
    yield context.new_page()
    context.close()
    assert_no_policy_violations(violations)


def schedule(author, path: Path, publish_at) -> Story:
    """A story as a scheduled upload makes it: processed at once, then waiting."""
    options = services.story_options_clean(author=author, caption="Second", publish_at=publish_at)
    with path.open("rb") as handle:
        story = services.story_create(author=author, upload=handle, options=options, enqueue=False)
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    return story


def local(moment) -> str:
    """A datetime-local input's value for `moment`, on the browser's wall clock."""
    return moment.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")


def test_schedule_a_story_then_manage_it_on_the_scheduled_page(
    page_in_sao_paulo, live_server, schedule_photo, one_request_at_a_time
):
    page = page_in_sao_paulo
    ada = UserFactory(username="ada", display_name="Ada")
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    page.set_input_files("#id_media", str(schedule_photo))
    page.locator("#preview-image").wait_for(state="visible")
    page.get_by_label("Caption", exact=True).fill("Launch day, see you there")

    picker = page.locator("#schedule-picker")
    assert not picker.is_visible(), "Post now is the default"
    page.get_by_label("Schedule", exact=True).check()
    assert picker.is_visible()
    assert page.locator("#post-button").inner_text() == "Schedule story"
    assert "America/Sao_Paulo" in page.locator("#schedule-help").inner_text()
    field = page.get_by_label("Goes live at")
    soon = timezone.now().replace(second=0, microsecond=0)
    assert field.get_attribute("min") == local(soon) or field.get_attribute("min") == local(
        soon + timedelta(minutes=1)
    )
    assert field.get_attribute("max") <= local(soon + timedelta(days=7)), "up to 7 days ahead"

    target = soon + timedelta(hours=26)
    field.fill(local(target))
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the picture
    screenshot(page, "schedule-picker")
    page.get_by_role("button", name="Schedule story").click()
    page.wait_for_url(f"{live_server.url}/stories/scheduled/", timeout=60_000)

    with one_request_at_a_time:
        story = Story.objects.get(author=ada)
        assert story.state == State.SCHEDULED
        assert story.publish_at == target, "18:30 in São Paulo is 21:30 UTC, not 18:30 UTC"
    item = page.locator(".scheduled-item")
    assert item.count() == 1
    shown = item.locator("time").inner_text()
    assert target.astimezone(ZoneInfo(ZONE)).strftime("%H:%M") in shown, f"local time shown: {shown!r}"
    page.wait_for_function(
        "() => { const img = document.querySelector('.scheduled-thumb img');"
        " return Boolean(img && img.complete && img.naturalWidth > 0); }"
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "scheduled-page")

    # Reschedule to a day later, in the browser's timezone again.
    later = target + timedelta(days=1, minutes=15)
    item.get_by_label("New time").fill(local(later))
    with page.expect_navigation():
        item.get_by_role("button", name="Reschedule").click()
    assert "Rescheduled." in page.locator(".messages").inner_text()
    with one_request_at_a_time:
        assert Story.objects.get(pk=story.pk).publish_at == later

    # Cancel asks first; a second story goes live with "Publish now".
    with one_request_at_a_time:
        other = schedule(ada, schedule_photo, timezone.now() + timedelta(hours=2))
    assert other.state == State.SCHEDULED
    page.reload()
    assert page.locator(".scheduled-item").count() == 2
    first = page.locator(".scheduled-item").first
    assert str(other.pk) == first.get_attribute("data-story"), "soonest first"
    first.get_by_role("button", name="Publish now").click()
    page.wait_for_url(f"{live_server.url}/stories/{other.pk}/")
    with one_request_at_a_time:
        assert Story.objects.get(pk=other.pk).state == State.READY

    page.goto(f"{live_server.url}/stories/scheduled/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator(".scheduled-item").get_by_role("button", name="Cancel").click()
    assert page.locator(".scheduled-item").count() == 0
    with one_request_at_a_time:
        assert Story.objects.get(pk=story.pk).state == State.DELETED
