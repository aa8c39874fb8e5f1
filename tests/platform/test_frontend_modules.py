"""The front end as ES modules (issue 15, item 7): every page loads its script with
<script type="module">, the scripts share helpers by import and never through window globals, and
the server's limits reach them as json_script data, not as numbers repeated in JavaScript."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from stickers import validation as sticker_validation
from stories.overlays import MAX_OVERLAYS
from tests.browser import login, post_story
from tests.factories import DEFAULT_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js"
TEMPLATES = [ROOT / "templates", *ROOT.glob("*/templates")]
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
IMPORT = re.compile(r'^import\s.*?\sfrom\s+"([^"]+)";$', re.M)


def json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"the page carries {element_id!r} as JSON"
    return json.loads(match.group(1))


# --- Without a browser -----------------------------------------------------------------------------


def test_our_pages_load_their_scripts_as_modules():
    tags = []
    for folder in TEMPLATES:
        for path in folder.rglob("*.html"):
            if "drf_spectacular" in path.parts:  # the API docs' own vendored scripts
                continue
            tags += [(path.relative_to(ROOT), tag) for tag in SCRIPT_TAG.findall(path.read_text())]
    code = [(path, tag) for path, tag in tags if 'type="application/json"' not in tag]
    assert code, "the scan found the pages' script tags"
    assert [(path, tag) for path, tag in code if 'type="module"' not in tag or "src=" not in tag] == []


def test_scripts_share_nothing_through_window_and_import_only_files_that_exist():
    files = sorted(JS.rglob("*.js"))
    assert JS / "lib" / "dom.js" in files
    for path in files:
        text = path.read_text()
        assert not re.search(r"window\.Stories|^\(function \(\) \{", text, re.M), path  # no globals, no IIFEs
        for target in IMPORT.findall(text):
            assert target.startswith(("./", "../")), (path, target)
            assert (path.parent / target).resolve().is_file(), (path, target)


def test_scripts_stay_small_and_each_shared_helper_is_written_once():
    """No script over 450 lines; `el()`, the CSRF token and the overlay and sticker markup each
    have one home, which every page imports (no template draws an overlay of its own)."""
    files = sorted(JS.rglob("*.js"))
    assert [(path.name, n) for path in files if (n := len(path.read_text().splitlines())) > 450] == []

    def written_in(pattern: str) -> list[str]:
        return [path.relative_to(JS).as_posix() for path in files if re.search(pattern, path.read_text())]

    assert written_in(r"function el\(") == ["lib/dom.js"]
    assert written_in(r"data-csrf|dataset\.csrf|csrftoken") == ["lib/http.js"]
    assert written_in(r'"overlay overlay-font-|"sticker sticker-') == ["lib/overlays.js"]
    templates = [path for folder in TEMPLATES for path in folder.rglob("*.html")]
    drawn = re.compile(r'class="(overlay|sticker) ')
    assert [path.name for path in templates if drawn.search(path.read_text())] == []


@pytest.mark.django_db
def test_the_editor_gets_the_servers_limits_as_json(client):
    me = UserFactory(username="ada")
    client.force_login(me)
    context = json_script(client.get("/stories/create/").text, "editor-context")
    assert context["max_overlays"] == MAX_OVERLAYS
    assert context["max_stickers"] == sticker_validation.MAX_STICKERS
    assert (context["min_options"], context["max_options"]) == (
        sticker_validation.MIN_OPTIONS,
        sticker_validation.MAX_OPTIONS,
    )
    assert context["max_option_length"] == sticker_validation.MAX_OPTION_LENGTH
    assert context["max_upload_bytes"] == settings.STORIES_MAX_UPLOAD_BYTES
    assert context["max_clip_seconds"] == settings.STORIES_MAX_CLIP_SECONDS


@pytest.mark.django_db
def test_the_player_gets_the_photo_time_from_the_settings(client, settings, webp_photo):
    ada = UserFactory(username="ada")
    post_story(ada, webp_photo)
    settings.STORIES_PHOTO_SECONDS = 7.5
    html = client.get("/@ada/story").text
    assert json_script(html, "player-config") == {"photo_seconds": 7.5}


# --- In Chromium -------------------------------------------------------------------------------------

NO_GLOBALS = """() => ({
  globals: Object.keys(window).filter(name => /^Stories/i.test(name)),
  scripts: [...document.querySelectorAll("script[src]")].map(s => s.type),
})"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("one_request_at_a_time")
def test_every_page_runs_its_modules_with_no_globals(desktop_page, live_server, webp_photo):
    """Home, player, a story's own page and the editor: module scripts only, no window.Stories*,
    and each page's module did its work (`desktop_page` fails the test on any policy violation)."""
    ada = UserFactory(username="ada", display_name="Ada")
    overlay = {"text": "Same place", "x": 0.3, "y": 0.6, "size": 0.08}
    story = post_story(
        ada, webp_photo, overlays=[overlay], stickers=[{"type": "emoji", "emoji": "🔥", "x": 0.7}]
    )
    page = desktop_page
    login(page, live_server.url, "ada", DEFAULT_PASSWORD)
    where = {}
    for path, ready in (
        ("/", "main"),
        ("/@ada/story", ".player-progress .segment"),
        (f"/stories/{story.pk}/", ".story-stage .sticker-emoji"),
        ("/stories/create/", ".emoji-grid .emoji-choice"),
    ):
        page.goto(live_server.url + path)
        page.locator(ready).first.wait_for(state="attached")
        seen = page.evaluate(NO_GLOBALS)
        assert seen["globals"] == [], path
        assert seen["scripts"], path
        assert set(seen["scripts"]) == {"module"}, path
        text = page.locator(".overlay", has_text="Same place")
        if text.count():
            where[path] = text.evaluate(
                "n => [n.style.left, n.style.top, n.style.getPropertyValue('--overlay-size')]"
            )
    # The text overlay drawn by the one builder, in the same place in the player and on the page.
    assert where == {
        "/@ada/story": ["30%", "60%", "0.08"],
        f"/stories/{story.pk}/": ["30%", "60%", "0.08"],
    }


def test_production_static_files_import_the_hashed_helpers(tmp_path):
    """collectstatic's hashed page modules import the helpers by their hashed names too, so a page
    module and the helpers it imports always come from the same deploy."""
    from stories_site.staticfiles import ModuleStaticFilesStorage

    shutil.copytree(JS, tmp_path / "js")
    storage = ModuleStaticFilesStorage(location=tmp_path, base_url="/static/")
    found = {
        path.relative_to(tmp_path).as_posix(): (storage, path.relative_to(tmp_path).as_posix())
        for path in (tmp_path / "js").rglob("*.js")
    }
    for name, _hashed, processed in storage.post_process(found):
        assert not isinstance(processed, Exception), (name, processed)
    player = (tmp_path / storage.stored_name("js/player.js")).read_text()
    imported = IMPORT.findall(player)
    assert "./lib/dom.js" not in imported
    dom = storage.stored_name("js/lib/dom.js").removeprefix("js/")
    assert f"./{dom}" in imported
