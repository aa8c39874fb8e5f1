"""The feed's pages through Django's test client: home (tabs, tray, Story tags, empty states), the
player page, notifications and the header badge, and that people's text is always escaped."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as people_services
from feed.models import Notification
from feed.views import FEED_PAGE_SIZE, TRAY_PAGE_SIZE
from tests.factories import BlockFactory, FollowFactory, LiveStoryFactory, UserFactory
from tests.stickers.factories import PollStickerFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def viewer(client):
    person = UserFactory(username="viewer")
    client.force_login(person)
    return person


def player_items(response) -> list[dict]:
    """The items the player page renders into its JSON block."""
    html = response.content.decode()
    start = html.index('<script id="player-items" type="application/json">') + len(
        '<script id="player-items" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def watch(client, story):
    response = client.post(
        f"/api/v1/stories/{story.pk}/views/", {"completed": True}, content_type="application/json"
    )
    assert response.status_code == 204, response.content


# --- Home -----------------------------------------------------------------------------------


def test_home_shows_for_you_with_a_story_tag_on_every_card(client):
    stories = ReadyStoryFactory.create_batch(3)
    response = client.get(reverse("feed:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="story-card"') == 3
    assert html.count('<span class="story-tag">Story<span class="time-left"> · 23h left</span></span>') == 3
    for story in stories:
        assert f"/@{story.author.username}/story?item={story.pk}" in html
    assert 'href="?tab=for-you" aria-current="page"' in html


def test_anonymous_visitors_get_no_following_tab(client):
    response = client.get(reverse("feed:home"), {"tab": "following"})
    html = response.content.decode()
    assert "?tab=following" not in html
    assert 'href="?tab=for-you" aria-current="page"' in html


def test_following_tab_lists_only_followed_authors(client, viewer):
    followed, stranger = UserFactory(), UserFactory()
    FollowFactory(follower=viewer, followee=followed)
    mine = ReadyStoryFactory(author=followed)
    other = ReadyStoryFactory(author=stranger)
    html = client.get(reverse("feed:home"), {"tab": "following"}).content.decode()
    assert 'href="?tab=following" aria-current="page"' in html
    assert f"?item={mine.pk}" in html
    assert f"?item={other.pk}" not in html


def test_empty_states(client, viewer):
    html = client.get(reverse("feed:home")).content.decode()
    assert "No live stories yet." in html
    assert 'class="tray"' not in html
    html = client.get(reverse("feed:home"), {"tab": "following"}).content.decode()
    assert "Nobody you follow has a live story right now." in html


def test_tray_rings_live_authors_and_dims_once_everything_is_seen(client, viewer):
    author = UserFactory(username="ringer", display_name="Ring Person")
    first, second = ReadyStoryFactory(author=author), ReadyStoryFactory(author=author)
    html = client.get(reverse("feed:home")).content.decode()
    assert 'href="/@ringer/story"' in html
    assert "Watch Ring Person's story, 2 items" in html
    assert 'class="avatar avatar-lg has-story">' in html
    assert "has-story seen" not in html

    watch(client, first)
    assert "has-story seen" not in client.get(reverse("feed:home")).content.decode()
    watch(client, second)
    html = client.get(reverse("feed:home")).content.decode()
    assert "has-story seen" in html
    assert "2 items, seen" in html


def test_your_own_story_leads_the_tray(client, viewer):
    other = ReadyStoryFactory(author=UserFactory()).author
    ReadyStoryFactory(author=viewer)
    html = client.get(reverse("feed:home")).content.decode()
    assert html.index('href="/@viewer/story"') < html.index(f'href="/@{other.username}/story"')
    assert "Your story" in html


def _keys(html: str) -> list[str]:
    return re.findall(r'data-key="([^"]+)"', html)


def _more(html: str, part: str) -> str | None:
    found = re.search(rf'href="([^"]+)" data-more="{part}"', html)
    return unescape(found.group(1)) if found else None


@pytest.mark.parametrize("tab", ["for-you", "following"])
def test_home_feed_continues_page_by_page_without_repeats(client, viewer, tab):
    authors = UserFactory.create_batch(20)
    for author in authors:
        FollowFactory(follower=viewer, followee=author)
    stories = [LiveStoryFactory(author=author) for author in authors for _ in range(4)]
    html = client.get(reverse("feed:home"), {"tab": tab}).content.decode()
    cards = [key for key in _keys(html) if not key.isdigit()]
    assert len(cards) == FEED_PAGE_SIZE
    more = _more(html, "cards")
    for _ in range(len(stories)):  # bounded: a cursor that never ends fails instead of hanging
        if not more:
            break
        response = client.get(reverse("feed:home") + more + "&part=cards")
        assert response.status_code == 200
        fragment = response.content.decode()
        assert "<nav" not in fragment  # only the cards and the next link
        cards += _keys(fragment)
        more = _more(fragment, "cards")
    assert sorted(cards) == sorted(str(story.pk) for story in stories)


def test_home_tray_continues_page_by_page(client, viewer):
    authors = UserFactory.create_batch(TRAY_PAGE_SIZE + 5)
    for author in authors:
        LiveStoryFactory(author=author)
    html = client.get(reverse("feed:home")).content.decode()
    rings = [int(key) for key in _keys(html) if key.isdigit()]
    assert len(rings) == TRAY_PAGE_SIZE
    fragment = client.get(reverse("feed:home") + _more(html, "tray") + "&part=tray").content.decode()
    assert 'class="story-card"' not in fragment
    rings += [int(key) for key in _keys(fragment)]
    assert _more(fragment, "tray") is None
    assert sorted(rings) == sorted(author.pk for author in authors)


def test_home_without_scripts_opens_the_next_page(client, viewer):
    LiveStoryFactory.create_batch(FEED_PAGE_SIZE + 1)
    html = client.get(reverse("feed:home")).content.decode()
    response = client.get(reverse("feed:home") + _more(html, "cards"))
    assert response.status_code == 200
    page_two = response.content.decode()
    assert 'class="tray"' in page_two
    assert page_two.count('class="story-card"') == 1


def test_a_made_up_cursor_is_a_400_page(client, viewer):
    for params in ({"cursor": "bm90LWEtY3Vyc29y"}, {"tray": "%%%"}, {"tab": "following", "cursor": "e30"}):
        response = client.get(reverse("feed:home"), params)
        assert response.status_code == 400
        assert "did not make sense" in response.content.decode()


def test_home_is_never_cached(client):
    response = client.get(reverse("feed:home"))
    assert "no-store" in response["Cache-Control"]


def test_captions_and_names_are_escaped_on_home(client):
    author = UserFactory(display_name=HOSTILE)
    ReadyStoryFactory(author=author, caption=HOSTILE)
    html = client.get(reverse("feed:home")).content.decode()
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- Header ---------------------------------------------------------------------------------


def test_header_links_to_your_stories_and_shows_unread_count(client, viewer):
    liker = UserFactory()
    people_services.notice_send(recipient=viewer, actor=liker, kind=Notification.Kind.FOLLOW)
    people_services.notice_send(recipient=viewer, actor=UserFactory(), kind=Notification.Kind.FOLLOW)
    html = client.get(reverse("feed:home")).content.decode()
    assert f'href="{reverse("stories:mine")}"' in html
    assert 'aria-label="Notifications, 2 unread"' in html
    assert '<span class="badge nav-badge" aria-hidden="true">2</span>' in html


def test_anonymous_header_has_no_bell(client):
    html = client.get(reverse("feed:home")).content.decode()
    assert "nav-bell" not in html


# --- Notifications --------------------------------------------------------------------------


def test_notifications_page_needs_a_login(client):
    response = client.get(reverse("feed:notifications"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_notifications_page_lists_and_marks_read(client, viewer):
    fan = UserFactory(display_name="A Fan")
    story = ReadyStoryFactory(author=viewer)
    people_services.notice_send(
        recipient=viewer, actor=fan, kind=Notification.Kind.COMMENT, story=story, text=HOSTILE
    )
    people_services.notice_send(recipient=viewer, actor=fan, kind=Notification.Kind.FOLLOW)
    response = client.get(reverse("feed:notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "commented on your story:" in html
    assert "started following you." in html
    assert html.count('class="notification unread"') == 2
    assert HOSTILE not in html
    assert "&lt;img src=x" in html
    assert f"/@viewer/story?item={story.pk}" in html
    # Read from now on: the badge is gone and a second visit shows nothing new.
    assert 'aria-label="Notifications"' in html
    assert Notification.objects.filter(recipient=viewer, read_at__isnull=True).count() == 0
    html = client.get(reverse("feed:notifications")).content.decode()
    assert 'class="notification unread"' not in html


def test_notifications_empty_state(client, viewer):
    html = client.get(reverse("feed:notifications")).content.decode()
    assert "Nothing yet." in html


# --- The player page ------------------------------------------------------------------------


def test_player_page_renders_the_authors_items_as_json(client, viewer):
    author = UserFactory(username="teller")
    older = ReadyStoryFactory(author=author, published_at=timezone.now() - timedelta(hours=2))
    newer = ReadyStoryFactory(author=author, caption=HOSTILE)
    response = client.get(reverse("accounts:story", args=["teller"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    items = player_items(response)
    assert [item["id"] for item in items] == [str(older.pk), str(newer.pk)]
    assert items[1]["caption"] == HOSTILE
    assert {"liked_by_me", "seen_by_me", "overlays", "media_url", "allow_comments"} <= set(items[0])
    html = response.content.decode()
    # json_script escapes the markup, so the caption cannot close the script block.
    assert HOSTILE not in html
    assert 'class="sticker-layer"' in html
    assert 'role="dialog" aria-modal="true"' in html


def test_player_page_items_carry_their_stickers_for_the_sticker_layer(client, viewer):
    poll = PollStickerFactory(story=ReadyStoryFactory(author=UserFactory(username="teller")))
    (item,) = player_items(client.get(reverse("accounts:story", args=["teller"])))
    assert [(s["id"], s["type"]) for s in item["stickers"]] == [(str(poll.pk), "poll")]


def test_player_page_starts_at_the_item_asked_for(client, viewer):
    author = UserFactory(username="teller")
    ReadyStoryFactory(author=author)
    second = ReadyStoryFactory(author=author)
    html = client.get(reverse("accounts:story", args=["teller"]), {"item": second.pk}).content.decode()
    assert f'data-start-item="{second.pk}"' in html
    someone_elses = ReadyStoryFactory()
    html = client.get(reverse("accounts:story", args=["teller"]), {"item": someone_elses.pk}).content.decode()
    assert 'data-start-item=""' in html


@pytest.mark.parametrize(
    "case", ["no-story", "expired", "blocked", "blocked-by", "unknown", "followers-only"]
)
def test_player_page_is_404_when_there_is_nothing_to_watch(client, viewer, case):
    author = UserFactory(username="teller")
    if case == "expired":
        ReadyStoryFactory(author=author, expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "blocked":
        ReadyStoryFactory(author=author)
        BlockFactory(blocker=viewer, blocked=author)
    elif case == "blocked-by":
        ReadyStoryFactory(author=author)
        BlockFactory(blocker=author, blocked=viewer)
    elif case == "followers-only":
        ReadyStoryFactory(author=author, audience="followers")
    username = "nobody_here" if case == "unknown" else "teller"
    response = client.get(reverse("accounts:story", args=[username]))
    assert response.status_code == 404


def test_story_page_keeps_open_graph_tags_and_opens_the_player(client):
    story = ReadyStoryFactory(caption="Sunset run")
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:title"' in html
    assert '<meta property="og:image"' in html
    assert f"/@{story.author.username}/story?item={story.pk}" in html


def test_profile_ring_dims_once_every_item_is_seen(client, viewer):
    author = UserFactory(username="profiled")
    first, second = ReadyStoryFactory(author=author), ReadyStoryFactory(author=author)
    profile = reverse("accounts:profile", args=["profiled"])
    html = client.get(profile).content.decode()
    assert 'class="avatar avatar-xl has-story">' in html
    watch(client, first)
    assert "avatar-xl has-story seen" not in client.get(profile).content.decode()
    watch(client, second)
    assert "avatar-xl has-story seen" in client.get(profile).content.decode()
