"""Every page fits the screen, from a 320 px phone to a 2560 px monitor: no sideways scroll, and
the header's last control ("Log out") on screen (issue 19: at 320 px the header made pages 360 px
wide, /analytics/ 416 px, with "Log out" off the edge).

The pages hold real content: a processed photo story with stickers, a failed upload with a long
reason, a notification, a question in the inbox, charts with their hidden tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts import services as people_services
from feed.models import Notification
from stickers.models import Sticker, StickerType
from stories.lifecycle import State
from stories_site.dev import synth
from tests.browser import page_at, page_width, post_story, screenshot
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from tests.stickers.factories import QuestionFactory
from tests.stories.factories import StoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

WIDTHS = [320, 390, 768, 1366, 2560]
LONG_REASON = (
    "The video is too long to process: clips can be at most 60 seconds, and this one is 95 seconds. "
    "Trim it on your phone and post it again."
)


@pytest.fixture(scope="session")
def width_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "widths.jpg", width=720, height=1280, colour="#52d0ff")


@pytest.fixture
def site(width_photo):
    """Ada follows Bob; both have live stories with stickers; Ada has a failed and a processing
    upload, a notification and a question waiting; Carol has nothing live."""
    ada = UserFactory(username="ada", display_name="Ada Lovelace-Byron of Ockham")
    bob = UserFactory(username="bob", display_name="Bob Builder")
    UserFactory(username="carol", display_name="Carol")
    FollowFactory(follower=ada, followee=bob)
    FollowFactory(follower=bob, followee=ada)
    bobs = post_story(
        bob,
        width_photo,
        caption="Supercalifragilisticexpialidocious-and-a-very-long-word-without-spaces " * 2,
        stickers=[
            {"type": "poll", "question": "Tea or coffee?", "options": ["Tea", "Coffee"], "y": 0.4},
            {"type": "add_yours", "prompt": "Show your desk", "y": 0.8},
        ],
    )
    adas = post_story(
        ada, width_photo, caption="Morning", stickers=[{"type": "question", "prompt": "Ask me"}]
    )
    StoryFactory(author=ada, state=State.FAILED, failure_reason=LONG_REASON)
    StoryFactory(author=ada, state=State.PROCESSING)
    QuestionFactory(sticker=Sticker.objects.get(story=adas), author=bob, text="Why so early? " * 10)
    people_services.notice_send(
        recipient=ada, actor=bob, kind=Notification.Kind.COMMENT, story=adas, text="Lovely " * 30
    )
    add_yours = Sticker.objects.get(story=bobs, type=StickerType.ADD_YOURS)
    signed_in = [
        ("home", "/"),
        ("create", "/stories/create/"),
        ("profile", "/@bob"),
        ("player", "/@bob/story"),
        ("notifications", "/notifications/"),
        ("analytics", "/analytics/"),
        ("analytics-story", f"/analytics/stories/{adas.pk}/"),
        ("questions", "/stickers/questions/"),
        ("your-stories", "/stories/mine/"),
        ("shared-story", f"/stories/{bobs.pk}/"),
        ("add-yours", f"/stickers/{add_yours.pk}/responses/"),
        ("followers", "/@bob/followers"),
        ("edit-profile", "/accounts/profile/"),
        ("no-live-story", "/@carol/story"),
    ]
    signed_out = [("login", "/accounts/login/"), ("signup", "/accounts/signup/"), ("home-signed-out", "/")]
    return {"signed_in": signed_in, "signed_out": signed_out}


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill("ada")
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


# The elements that stick out of the page (not counting the strips that scroll sideways).
TOO_WIDE = """width => [...document.querySelectorAll('body *')].filter(e => {
  const box = e.getBoundingClientRect();
  const scrolls = e.closest('[class*=strip], .tray, .analytics-table-wrap');
  return box.width > 0 && box.right > width + 0.5 && !scrolls;
}).slice(0, 5).map(e => {
  const right = Math.round(e.getBoundingClientRect().right);
  return `${e.tagName.toLowerCase()}.${e.className} (${right} px)`;
})"""


def too_wide(page, width: int) -> list[str]:
    """What sticks out of the page, for the failure message."""
    return page.evaluate(TOO_WIDE, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_with_the_header_on_screen(browser, live_server, site, width_photo, width):
    base = live_server.url
    with page_at(browser, width, phone=width < 700) as page:
        for name, path in site["signed_out"]:
            page.goto(base + path)
            assert page_width(page) <= width, f"{name} at {width} px: {too_wide(page, width)}"
        sign_in(page, base)
        for name, path in site["signed_in"]:
            page.goto(base + path)
            page.wait_for_load_state("load")
            assert page_width(page) <= width, f"{name} at {width} px: {too_wide(page, width)}"
            if name not in ("player",):
                logout = page.get_by_role("button", name="Log out")
                box = logout.bounding_box()
                assert logout.is_visible(), f"{name} at {width} px: no Log out"
                assert box["x"] >= 0, f"{name}: Log out off screen"
                assert box["x"] + box["width"] <= width, f"{name}: Log out off screen"
            if width == 320:
                screenshot(page, f"width-320-{name}")

        # The editor, open on a photo with a poll, fits as well.
        page.goto(f"{base}/stories/create/")
        page.set_input_files("#id_media", str(width_photo))
        page.locator("#preview-image").wait_for(state="visible")
        page.get_by_role("button", name="Poll", exact=True).click()
        assert page_width(page) <= width, f"editor at {width} px: {too_wide(page, width)}"
        if width == 320:
            screenshot(page, "width-320-editor")
