"""The edit page and the archive page in real Chromium (issue 17 items 3 and 4): the author opens
the edit page from the player's rail, changes the caption, audience and comments, and the player
shows the new caption at once; the archive page's grid plays an archived item in the story player,
for its author only, and deletes one after asking."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from stories import services
from stories.models import Story, private_name
from tests.browser import login, screenshot
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

ALL_PICTURES_SHOWN = """() => [...document.querySelectorAll('.archive-grid img')]
  .every(img => img.complete && img.naturalWidth > 0)"""
PLAYING_PICTURE_SHOWN = "() => document.querySelector('.player-media .player-media-element').naturalWidth > 0"
COLOURS = ["#f59e0b", "#2563eb", "#16a34a", "#db2777"]


def photo_story(author, colour: str, **fields) -> Story:
    """A ready photo story whose media and poster are real JPEGs, so the pictures show."""
    buffer = io.BytesIO()
    Image.new("RGB", (540, 960), colour).save(buffer, format="JPEG")
    media = default_storage.save(private_name("stories", "jpg"), ContentFile(buffer.getvalue()))
    poster = default_storage.save(private_name("posters", "jpg"), ContentFile(buffer.getvalue()))
    return ReadyStoryFactory(
        author=author,
        kind="photo",
        media=media,
        poster=poster,
        media_content_type="image/jpeg",
        width=540,
        height=960,
        duration=None,
        **fields,
    )


def test_the_author_edits_a_story_from_the_player(request, live_server):
    page = request.getfixturevalue("phone_page")
    author = UserFactory(username="maker")
    fan = UserFactory(username="fan")
    FollowFactory(follower=fan, followee=author)
    story = photo_story(author, COLOURS[0], caption="Before the edit", alt_text="An orange square")
    login(page, live_server.url, "maker", DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/@maker/story")
    edit = page.locator(".player-edit")
    edit.wait_for(state="visible")
    edit.click()
    page.wait_for_url(f"**/stories/{story.pk}/edit/**")
    form = page.locator("#story-edit-form")
    assert form.locator("textarea[name=caption]").input_value() == "Before the edit"
    form.locator("textarea[name=caption]").fill("After the edit #sunrise for @fan")
    form.locator("input[name=audience][value=followers]").check()
    form.locator("input[name=allow_comments]").uncheck()
    page.evaluate("window.scrollTo(0, 0)")  # the phone's fixed header where it belongs in the picture
    screenshot(page, "story-edit")
    form.locator("button[type=submit]").click()

    # Back in the player, on the same item, with the new caption drawn at once.
    page.wait_for_url(f"**/@maker/story?item={story.pk}")
    caption = page.locator(".player-caption")
    caption.wait_for(state="visible")
    assert caption.inner_text() == "After the edit #sunrise for @fan"
    assert page.locator(".player-caption a", has_text="#sunrise").count() == 1
    assert page.locator(".player-comments").is_hidden()
    story.refresh_from_db()
    assert (story.audience, story.allow_comments) == ("followers", False)


def test_someone_else_sees_no_edit_button_and_gets_404_on_the_edit_page(request, live_server):
    page = request.getfixturevalue("desktop_page")
    author = UserFactory(username="maker")
    UserFactory(username="viewer")
    story = photo_story(author, COLOURS[1])
    login(page, live_server.url, "viewer", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/@maker/story")
    page.locator(".player-media .player-media-element").wait_for()
    assert page.locator(".player-edit").is_hidden()
    assert page.goto(f"{live_server.url}/stories/{story.pk}/edit/").status == 404


def test_the_archive_grid_plays_in_the_player_and_deletes_after_asking(request, live_server):
    page = request.getfixturevalue("desktop_page")
    author = UserFactory(username="keeper", display_name="Kim Keeper", archive_stories=True)
    now = timezone.now()
    stories = [
        photo_story(author, colour, caption=f"Day {days}", published_at=now - timedelta(days=days, hours=2))
        for days, colour in enumerate(COLOURS, start=1)
    ]
    Story.objects.filter(pk__in=[story.pk for story in stories]).update(expires_at=now - timedelta(hours=1))
    services.stories_expire_due()
    assert Story.objects.filter(archived_at__isnull=False).count() == 4
    login(page, live_server.url, "keeper", DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/archive/")
    cards = page.locator(".archive-grid .story-card")
    assert cards.count() == 4
    page.wait_for_function(ALL_PICTURES_SHOWN)
    screenshot(page, "archive")

    # The newest first; tapping it plays it in the story player, its picture served to its author.
    cards.first.click()
    page.wait_for_url(f"**/archive/play?item={stories[0].pk}")
    shown = page.locator(".player-media .player-media-element")
    shown.wait_for()
    # The page's own first picture: the photo's sized rendition, through the poster's gate.
    assert f"/stories/{stories[0].pk}/poster?w=" in shown.get_attribute("src")
    page.wait_for_function(PLAYING_PICTURE_SHOWN)
    assert page.locator(".player-caption").inner_text() == "Day 1"
    assert page.locator(".player-edit").is_hidden()  # an archived item is kept as it was

    page.goto(f"{live_server.url}/archive/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".archive-item form button").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".archive-grid .story-card").count() == 3
    gone = Story.objects.get(pk=stories[0].pk)
    assert not gone.media
    assert not default_storage.exists(stories[0].media.name)
