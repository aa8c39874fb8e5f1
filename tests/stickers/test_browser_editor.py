"""The story editor and stickers in real Chromium: a photo story made through the create page with
a text overlay and a poll; another account votes in the player and sees percentages; an Add Yours
contribution made from the prompt's page shows up there.

Uploads go through the real page and API; processing runs inline (CELERY_TASK_ALWAYS_EAGER), so
"Post to Story" ends on the story's page once it is ready."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from stickers.models import AddYoursResponse, PollVote, Question, Sticker, StickerType
from stories.lifecycle import State
from stories.models import Story
from stories_site.dev import synth
from tests.browser import login, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HOSTILE = "<img src=x onerror=alert(1)>"
STORY_PAGE = re.compile(r".*/stories/[0-9a-f-]{36}/$")


@pytest.fixture(scope="session")
def tall_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "editor-tall.jpg", width=720, height=1280, colour="#6a82fb")


@pytest.fixture(autouse=True)
def _no_alerts(request):
    """Fail on any dialog: an injected alert() would show up here."""
    names = [name for name in ("phone_page", "desktop_page") if name in request.fixturenames]
    pages = [request.getfixturevalue(name) for name in names]
    seen: list[str] = []
    for page in pages:
        page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    yield
    assert not seen, f"a dialog opened: {seen}"


def choose_photo(page, path: Path) -> None:
    page.set_input_files("#id_media", str(path))
    page.locator("#preview-image").wait_for(state="visible")
    page.wait_for_function("() => document.getElementById('preview-image').naturalWidth > 0")


def shot(page, name: str) -> None:
    """A full-page screenshot from the top, so the sticky header stays at the top."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def post_and_wait(page):
    page.get_by_role("button", name="Post to Story").click()
    page.wait_for_url(STORY_PAGE, timeout=60_000)
    return Story.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[-1])


def drag(page, locator, dx: float, dy: float) -> None:
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + dx * step / 5, y + dy * step / 5)
    page.mouse.up()


def test_photo_story_with_text_and_poll_made_in_the_editor(phone_page, live_server, tall_photo):
    UserFactory(username="ada", display_name="Ada")
    UserFactory(username="bobby", display_name="Bobby Tables")
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    choose_photo(page, tall_photo)
    size_kb = round(tall_photo.stat().st_size / 1024)
    assert page.locator("#file-name").inner_text() == f"editor-tall.jpg · {max(1, size_kb)} KB"
    frame = page.locator("#preview-frame")
    frame_box = frame.bounding_box()
    assert frame_box["width"] / frame_box["height"] == pytest.approx(9 / 16, abs=0.01), "9:16 like the player"

    # Text: typed, a font, a background, then dragged up by an eighth of the frame.
    page.get_by_role("button", name="Text", exact=True).click()
    page.get_by_label("Your text").fill(f"Hello {HOSTILE}")
    page.locator(".font-strip label").filter(has_text="Neon").click()
    page.get_by_label("Background", exact=True).check()
    page.locator("[data-panel=text]").get_by_role("button", name="Done").click()
    overlay = page.locator("#editor-overlays .overlay")
    assert overlay.inner_text() == f"Hello {HOSTILE}"
    assert overlay.evaluate("el => el.querySelector('img') === null")
    drag(page, overlay, 0, -frame_box["height"] / 8)

    # A poll: question and two options.
    page.get_by_role("button", name="Poll", exact=True).click()
    panel = page.locator("[data-panel=poll]")
    panel.get_by_label("Question").fill("Tea or coffee?")
    panel.get_by_label("Option 1", exact=True).fill("Tea")
    panel.get_by_label("Option 2", exact=True).fill("Coffee")
    assert page.locator("#editor-stickers .sticker-poll .sticker-heading").inner_text() == "Tea or coffee?"
    page.locator("[data-panel=poll]").get_by_role("button", name="Done").click()
    # The toolbar says a second poll is not possible.
    assert page.get_by_role("button", name="Poll", exact=True).get_attribute("aria-disabled") == "true"

    # A mention picked from the autocomplete, and an emoji.
    page.get_by_role("button", name="Mention", exact=True).click()
    page.get_by_role("combobox", name="Username").fill("@bob")
    page.get_by_role("option", name=re.compile("Bobby Tables")).click()
    page.locator("[data-panel=mention]").get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Emoji", exact=True).click()
    page.get_by_role("button", name="🔥").click()
    page.locator("[data-panel=emoji]").get_by_role("button", name="Done").click()

    page.get_by_label("Description for screen readers").fill("A blue wall")
    shot(page, "editor-phone")

    story = post_and_wait(page)
    assert story.state == State.READY
    assert story.alt_text == "A blue wall"
    [text] = story.overlays
    assert text["text"] == f"Hello {HOSTILE}"
    assert text["font"] == "neon"
    assert text["background"] == "#fe2c55"
    assert text["y"] == pytest.approx(0.25 - 0.125, abs=0.01), "dragged up from 0.25 by an eighth"
    stickers = list(Sticker.objects.filter(story=story).order_by("position"))
    assert [s.type for s in stickers] == [StickerType.POLL, StickerType.MENTION, StickerType.EMOJI]
    poll, mention, emoji = stickers
    assert poll.data == {"question": "Tea or coffee?", "options": ["Tea", "Coffee"]}
    assert 0 <= poll.x <= 1
    assert 0 <= poll.y <= 1
    assert mention.data == {"username": "bobby"}
    assert emoji.data == {"emoji": "🔥"}
    # The story page draws the overlay as text, escaped.
    assert page.locator(".story-stage .overlay").inner_text() == f"Hello {HOSTILE}"


def test_server_refusals_are_shown_next_to_the_editor(desktop_page, live_server, tall_photo):
    """The editor refuses a mention of nobody itself (test_browser_editor_checks.py); one it
    took can still be refused by the upload, here because the person is suspended meanwhile."""
    UserFactory(username="ada")
    bobby = UserFactory(username="bobby", display_name="Bobby Tables")
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    choose_photo(page, tall_photo)
    page.get_by_role("button", name="Mention", exact=True).click()
    page.get_by_role("combobox", name="Username").fill("@bob")
    page.get_by_role("option", name=re.compile("Bobby Tables")).click()
    page.locator("[data-panel=mention]").get_by_role("button", name="Done").click()
    User.objects.filter(pk=bobby.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    page.get_by_role("button", name="Post to Story").click()
    errors = page.locator("#editor-errors")
    errors.get_by_text("No account named @bobby.").wait_for()
    assert Story.objects.count() == 0


def test_editor_on_a_desktop(desktop_page, live_server, tall_photo):
    """The editor with every kind of sticker, for the screenshot; keyboard moves and deletes."""
    UserFactory(username="ada")
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    choose_photo(page, tall_photo)
    page.get_by_role("button", name="Text", exact=True).click()
    page.get_by_label("Your text").fill("Friday!")
    page.locator(".font-strip label").filter(has_text="Strong").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Quiz", exact=True).click()
    panel = page.locator("[data-panel=quiz]")
    panel.get_by_label("Question").fill("Capital of France?")
    panel.get_by_label("Option 1", exact=True).fill("Lyon")
    panel.get_by_label("Option 2", exact=True).fill("Paris")
    page.locator("[data-panel=quiz] input[name=quiz_correct]").nth(1).check()
    page.locator("[data-panel=quiz]").get_by_role("button", name="Done").click()
    quiz = page.locator("#editor-stickers .sticker-quiz")
    before = quiz.evaluate("el => parseFloat(el.style.left)")
    quiz.focus()
    page.keyboard.press("Shift+ArrowRight")
    assert quiz.evaluate("el => parseFloat(el.style.left)") == pytest.approx(before + 5, abs=0.01)
    page.get_by_role("button", name="Questions", exact=True).click()
    page.locator("[data-panel=question]").get_by_role("button", name="Done").click()
    shot(page, "editor-desktop")
    page.locator("#editor-stickers .sticker-question").focus()
    page.keyboard.press("Delete")
    assert page.locator("#editor-stickers .sticker-question").count() == 0
    page.locator("#editor-overlays .overlay").click()
    assert page.get_by_label("Your text").input_value() == "Friday!"


def test_another_account_votes_in_the_player_and_sees_percentages(phone_page, live_server, tall_photo):
    ada = UserFactory(username="ada", display_name="Ada")
    UserFactory(username="bob", display_name="Bob")
    story = post_story(
        ada,
        tall_photo,
        stickers=[
            {"type": "poll", "question": f"Tea or coffee? {HOSTILE}", "options": ["Tea", "Coffee"], "y": 0.4},
            {"type": "question", "prompt": "Ask me anything", "y": 0.75, "scale": 0.8},
        ],
    )
    poll, asked = Sticker.objects.filter(story=story).order_by("position")
    page = phone_page
    login(page, live_server.url, "bob", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@ada/story?item={story.pk}")
    player = page.locator("#player")
    sticker = page.locator(".sticker-layer .sticker-poll")
    sticker.wait_for()
    assert sticker.locator(".sticker-heading").inner_text() == f"Tea or coffee? {HOSTILE}"

    # Typing a question holds the player; sending says so; leaving the box lets it play on.
    box = page.get_by_label("Your question")
    box.focus()
    assert "is-paused" in player.get_attribute("class")
    box.fill("Why tea?")
    page.locator(".sticker-question").get_by_role("button", name="Send").click()
    page.locator(".sticker-question .sticker-note").get_by_text("Sent").wait_for()
    assert Question.objects.get(sticker=asked).text == "Why tea?"
    assert "is-paused" not in player.get_attribute("class")

    page.get_by_role("button", name="Pause").click()  # hold the photo while we look
    sticker.get_by_role("button", name="Coffee").click()
    sticker.locator(".sticker-option.is-mine").wait_for()
    assert sticker.locator(".sticker-option-result").all_inner_texts() == ["0%", "100%"]
    assert sticker.locator(".sticker-note").inner_text() == "1 vote"
    assert PollVote.objects.get(sticker=poll).option == 1
    page.wait_for_timeout(600)  # the bars grow for half a second
    screenshot(page, "poll-after-voting-phone")

    # The author sees counts, not percentages.
    page.context.clear_cookies()
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@ada/story?item={story.pk}")
    page.locator(".sticker-layer .sticker-poll.has-results").wait_for()
    results = page.locator(".sticker-layer .sticker-poll .sticker-option-result").all_inner_texts()
    assert results == ["0", "1"]
    assert (
        page.locator(".sticker-layer .sticker-question").get_by_role("link", name="See 1 question").count()
        == 1
    )


def test_add_yours_contribution_appears_on_the_prompts_page(desktop_page, live_server, tall_photo):
    carol = UserFactory(username="carol", display_name="Carol")
    UserFactory(username="dave", display_name="Dave")
    prompt_story = post_story(carol, tall_photo, stickers=[{"type": "add_yours", "prompt": "Show your desk"}])
    prompt = Sticker.objects.get(story=prompt_story)
    page = desktop_page
    login(page, live_server.url, "dave", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stickers/{prompt.pk}/responses/")
    page.get_by_role("link", name="Add yours").click()
    page.wait_for_url(re.compile(r".*/stories/create/\?add_yours="))
    assert page.locator(".editor-banner").get_by_text("Show your desk").is_visible()
    choose_photo(page, tall_photo)
    placed = page.locator("#editor-stickers .sticker-add-yours")
    assert placed.locator(".sticker-heading").inner_text() == "Show your desk"
    story = post_and_wait(page)
    assert AddYoursResponse.objects.get(sticker=prompt).story == story
    assert list(Sticker.objects.filter(story=story).values_list("type", "data")) == [
        ("add_yours", {"prompt": "Show your desk"})
    ]
    page.goto(f"{live_server.url}/stickers/{prompt.pk}/responses/")
    assert page.locator(".add-yours-count").inner_text() == "1 added theirs"
    assert page.locator(f'a.story-card[href="/stories/{story.pk}/"]').count() == 1
    # The prompt the editor placed continues Carol's chain: Dave's sticker shows the same list.
    placed_sticker = Sticker.objects.get(story=story)
    assert placed_sticker.chain_id == prompt.chain_id
    page.goto(f"{live_server.url}/stickers/{placed_sticker.pk}/responses/")
    assert page.locator(".add-yours-count").inner_text() == "1 added theirs"
    assert page.locator(f'a.story-card[href="/stories/{story.pk}/"]').count() == 1
    # In the player the prompt's sticker counts everyone in the chain.
    page.goto(f"{live_server.url}/@carol/story?item={prompt_story.pk}")
    note = page.locator(".sticker-layer .sticker-add-yours .sticker-note")
    note.wait_for()
    assert note.inner_text() == "1 added theirs"
