"""The editor refuses, on the spot and in plain words, what the upload would refuse after the whole
file went up, and keeps what the author made (issue 19, items 15 and 18): mentions of nobody, of
oneself or of the same person twice; an empty file; the answer card as the story will show it;
new items that do not land on each other; a warning before a reload or Back throws edits away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stickers.models import Sticker
from stories.models import Story
from stories_site.dev import synth
from tests.browser import login, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.stickers.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STORY_PAGE = re.compile(r".*/stories/[0-9a-f-]{36}/$")


@pytest.fixture(scope="session")
def check_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "editor-checks.jpg", width=720, height=1280, colour="#6a82fb")


@pytest.fixture
def dialogs(request):
    """Every dialog the page opens, by type; each is dismissed (for beforeunload: stay)."""
    seen: list[str] = []
    for name in ("phone_page", "desktop_page"):
        if name in request.fixturenames:
            request.getfixturevalue(name).on("dialog", lambda d: (seen.append(d.type), d.dismiss()))
    return seen


def open_editor(page, base: str, path: Path, query: str = "") -> None:
    page.goto(f"{base}/stories/create/{query}")
    page.set_input_files("#id_media", str(path))
    page.locator("#preview-image").wait_for(state="visible")
    page.wait_for_function("() => document.getElementById('preview-image').naturalWidth > 0")


def mention(page, typed: str, pick: str | None = None) -> None:
    page.get_by_role("button", name="Mention", exact=True).click()
    page.get_by_role("combobox", name="Username").fill(typed)
    results = page.locator("#mention-results")
    results.locator("li").first.wait_for()
    if pick:
        page.get_by_role("option", name=re.compile(pick)).click()


def done(page, kind: str) -> None:
    page.locator(f"[data-panel={kind}]").get_by_role("button", name="Done").click()


def editor_errors(page) -> list[str]:
    return page.locator("#editor-errors li").all_inner_texts()


def test_mentions_of_nobody_of_oneself_or_twice_are_refused_in_the_editor(
    desktop_page, live_server, check_photo
):
    UserFactory(username="ada")
    UserFactory(username="bobby", display_name="Bobby Tables")
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_editor(page, live_server.url, check_photo)

    # Nobody by that name: the panel says so, and Done does not take it.
    mention(page, "@nobody_here")
    assert page.locator("#mention-results").inner_text() == "Nobody by that name."
    done(page, "mention")
    assert editor_errors(page) == ["Nobody is called @nobody_here: choose someone from the list."]
    assert page.locator("[data-panel=mention]").is_visible()
    screenshot(page, "editor-mention-nobody-desktop")

    # Oneself: not offered in the list, and refused when typed.
    with page.expect_response(lambda response: "/api/v1/users/?search=ada" in response.url):
        page.get_by_role("combobox", name="Username").fill("@ada")
    page.wait_for_timeout(100)
    assert page.locator("#mention-results [role=option]").count() == 0
    done(page, "mention")
    assert editor_errors(page) == ["You cannot mention yourself."]

    # Someone real, picked from the list: taken.
    page.get_by_role("combobox", name="Username").fill("@bob")
    page.get_by_role("option", name=re.compile("Bobby Tables")).click()
    done(page, "mention")
    assert editor_errors(page) == []
    assert page.locator("[data-panel=mention]").is_hidden()

    # The same person again: refused, and so is posting while it stays.
    mention(page, "@BOBBY")
    done(page, "mention")
    assert editor_errors(page) == ["You already mention @bobby in this story."]
    page.get_by_role("button", name="Post to Story").click()
    assert "Finish the text and stickers first" in page.locator("#form-errors").inner_text()
    assert Story.objects.count() == 0


def test_an_empty_file_is_refused_with_a_plain_message(phone_page, live_server, check_photo):
    UserFactory(username="ada")
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    page.set_input_files("#id_media", files=[{"name": "empty.jpg", "mimeType": "image/jpeg", "buffer": b""}])
    errors = page.locator("#form-errors")
    errors.get_by_text("“empty.jpg” is empty (0 bytes). Choose another photo or clip.").wait_for()
    assert page.locator("#editor").is_hidden(), "no editor over a preview of nothing"
    assert page.locator("#source-picker").is_visible()
    assert "KB" not in page.locator("#file-name").inner_text()
    screenshot(page, "editor-empty-file-phone")
    page.get_by_role("button", name="Post to Story").click()
    assert errors.inner_text() == "Take a photo or clip, or choose one from your device, first."
    # A real file after it is taken as usual.
    page.set_input_files("#id_media", str(check_photo))
    page.locator("#preview-image").wait_for(state="visible")
    assert errors.inner_text() == ""


def test_the_answer_card_in_the_editor_is_the_one_the_story_shows(phone_page, live_server, check_photo):
    ada = UserFactory(username="ada")
    asked_on = post_story(ada, check_photo, stickers=[{"type": "question", "prompt": "Ask me"}])
    question = QuestionFactory(
        sticker=Sticker.objects.get(story=asked_on),
        author=UserFactory(username="chen", display_name="Chen Wei"),
        text="Best noodles in town?",
    )
    page = phone_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_editor(page, live_server.url, check_photo, f"?answer={question.pk}")
    card = page.locator("#editor-stickers .sticker-answer")
    in_editor = card.inner_text()
    place = card.evaluate("el => [el.style.left, el.style.top]")
    page.get_by_role("button", name="Post to Story").click()
    page.wait_for_url(STORY_PAGE, timeout=60_000)
    story_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "Best noodles in town?" in in_editor
    assert "CHEN WEI" not in in_editor.upper()
    # The same words in the same place: in the player, and on the story's own page.
    for url, card in (
        (f"/@ada/story?item={story_id}", ".sticker-layer .sticker-answer"),
        (f"/stories/{story_id}/", ".story-stage .sticker-answer"),
    ):
        page.goto(live_server.url + url)
        posted = page.locator(card)
        posted.wait_for()
        assert posted.inner_text() == in_editor, url
        assert posted.evaluate("el => [el.style.left, el.style.top]") == place, url


def test_new_items_do_not_land_on_each_other(desktop_page, live_server, check_photo):
    UserFactory(username="ada")
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    open_editor(page, live_server.url, check_photo)
    for n in range(3):
        page.get_by_role("button", name="Text", exact=True).click()
        page.get_by_label("Your text").fill(f"Line {n + 1}")
        done(page, "text")
    for _ in range(6):
        page.get_by_role("button", name="Emoji", exact=True).click()
        done(page, "emoji")
    # One removed, one more added: the newcomer takes a free place, not someone else's.
    page.locator("#editor-stickers .sticker-emoji").nth(1).focus()
    page.keyboard.press("Delete")
    page.get_by_role("button", name="Emoji", exact=True).click()
    done(page, "emoji")
    boxes = [
        box
        for item in page.locator("#editor-overlays .overlay, #editor-stickers .sticker").all()
        if (box := item.bounding_box())
    ]
    assert len(boxes) == 9
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, f"two items lie on each other: {a} and {b}"
    screenshot(page, "editor-spread-desktop")


def test_leaving_with_unsaved_edits_asks_first_but_not_after_posting(
    desktop_page, live_server, check_photo, dialogs
):
    UserFactory(username="ada")
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/stories/create/")
    page.get_by_role("link", name="Your stories").click()  # nothing made yet: no question
    page.wait_for_url("**/stories/mine/")
    assert dialogs == []

    open_editor(page, live_server.url, check_photo)
    page.get_by_role("button", name="Text", exact=True).click()
    page.get_by_label("Your text").fill("Keep me")
    done(page, "text")
    page.get_by_role("link", name="Your stories").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/stories/create/"), "dismissing the question keeps the page"
    assert page.locator("#editor-overlays .overlay").inner_text() == "Keep me"
    page.evaluate("history.back()")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload", "beforeunload"]
    assert page.url.endswith("/stories/create/")

    page.get_by_role("button", name="Post to Story").click()
    page.wait_for_url(STORY_PAGE, timeout=60_000)
    assert dialogs == ["beforeunload", "beforeunload"], "no question once the story is posted"
