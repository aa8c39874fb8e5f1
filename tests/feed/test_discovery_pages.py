"""Discovery pages through Django's test client: /search (a plain GET form), /tags/<tag> and
/sounds/<id>; what they list, what they keep out of sight, and that captions stay text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stories.models import Audience
from tests.factories import BlockFactory, LiveStoryFactory

from .discovery import captioned, library_sound, person

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'


@pytest.fixture
def viewer(client):
    someone = person(username="viewer")
    client.force_login(someone)
    return someone


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestSearchPage:
    def test_the_header_links_to_it_and_it_works_without_scripts(self, client):
        home = html(client.get("/"))
        assert 'href="/search"' in home
        page = html(client.get("/search"))
        assert page.count("<h1") == 1
        assert '<form class="search-form row" role="search" method="get" action="/search">' in page
        assert 'name="q"' in page
        assert "<h2>People</h2>" not in page

    def test_results_link_to_people_hashtags_and_sounds(self, client, viewer):
        ann = person(username="annika", display_name="Annika Berg")
        sound = library_sound("Annual parade drums", owner=ann)
        captioned("#Annecy at dawn", author=ann)
        page = html(client.get("/search", {"q": "ann"}))
        assert 'href="/@annika"' in page
        assert '<a href="/tags/annecy">#annecy</a> <span class="muted small">1 live story</span>' in page
        assert f'href="/sounds/{sound.pk}"' in page
        # Her story is live: her avatar opens it.
        assert 'href="/@annika/story"' in page

    def test_nothing_the_viewer_may_not_see(self, client, viewer):
        blocked = person(username="annblocked")
        BlockFactory(blocker=blocked, blocked=viewer)
        person(username="annsuspended", suspended_until=timezone.now() + timedelta(days=1))
        captioned("#annfollowers", audience=Audience.FOLLOWERS)
        library_sound("Ann's removed", is_removed=True)
        page = html(client.get("/search", {"q": "ann"}))
        for hidden in ("annblocked", "annsuspended", "annfollowers", "removed"):
            assert hidden not in page
        assert "Nothing matches “ann”." in page

    def test_a_bad_query_is_said_plainly_and_the_query_stays_text(self, client):
        page = html(client.get("/search", {"q": "x" * 101}))
        assert "Keep the search to 100 characters." in page
        page = html(client.get("/search", {"q": HOSTILE}))
        assert "<script>alert(2)" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


class TestHashtagPage:
    def test_lists_live_visible_stories_newest_first(self, client, viewer):
        now = timezone.now()
        older = captioned("#Cats are great", published_at=now - timedelta(hours=2))
        newer = captioned("more #cats", published_at=now - timedelta(minutes=5))
        hidden = captioned("#cats for friends", audience=Audience.FRIENDS)
        expired = captioned("#cats old", published_at=now - timedelta(hours=30))
        page = html(client.get("/tags/cats"))
        assert page.count("<h1") == 1
        assert "<h1>#cats</h1>" in page
        assert "2 live stories" in page
        assert page.index(str(newer.pk)) < page.index(str(older.pk))
        assert str(hidden.pk) not in page
        assert str(expired.pk) not in page
        # Cards are links already: the tag inside is marked, not a nested link.
        assert '<span class="caption-hashtag">#Cats</span> are great' in page

    def test_the_address_is_lower_case(self, client):
        response = client.get("/tags/Cats")
        assert (response.status_code, response["Location"]) == (301, "/tags/cats")
        assert client.get("/tags/%23cats")["Location"] == "/tags/cats"

    def test_not_a_tag_is_404_and_an_unused_one_is_empty(self, client):
        assert client.get("/tags/123").status_code == 404
        assert client.get("/tags/a-b").status_code == 404
        page = html(client.get("/tags/nobodyusesthis"))
        assert "No live stories with #nobodyusesthis right now." in page

    def test_pages_continue_by_cursor(self, client):
        now = timezone.now()
        made = [captioned("#many", published_at=now - timedelta(minutes=n)) for n in range(32)]
        first = html(client.get("/tags/many"))
        assert first.count('class="story-card"') == 30
        more = first.split('class="button more-stories" href="')[1].split('"')[0].replace("&amp;", "&")
        second = html(client.get("/tags/many" + more))
        assert second.count('class="story-card"') == 2
        assert str(made[-1].pk) in second
        assert client.get("/tags/many", {"cursor": "bogus"}).status_code == 400

    def test_hostile_caption_stays_text(self, client):
        captioned(f"#safe {HOSTILE} @viewer https://example.com/x")
        page = html(client.get("/tags/safe"))
        assert "<script>alert(2)</script>" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


class TestSoundPage:
    def test_title_owner_use_count_and_live_stories(self, client, viewer):
        owner = person(username="dj")
        sound = library_sound("Original sound - @dj", owner=owner, use_count=3)
        using = LiveStoryFactory(author=person(), sound=sound)
        friends_only = LiveStoryFactory(author=person(), sound=sound, audience=Audience.FRIENDS)
        page = html(client.get(f"/sounds/{sound.pk}"))
        assert page.count("<h1") == 1
        assert "♫ Original sound - @dj</h1>" in page
        assert 'By <a href="/@dj">@dj</a>' in page
        assert "Used in 3 stories" in page
        assert f'src="/stories/sounds/{sound.pk}/audio"' in page
        assert str(using.pk) in page
        assert str(friends_only.pk) not in page

    def test_unavailable_sounds_are_404(self, client, viewer):
        blocker = person()
        BlockFactory(blocker=blocker, blocked=viewer)
        assert client.get("/sounds/00000000-0000-4000-8000-000000000000").status_code == 404
        assert client.get(f"/sounds/{library_sound('gone', is_removed=True).pk}").status_code == 404
        assert client.get(f"/sounds/{library_sound('theirs', owner=blocker).pk}").status_code == 404


def test_story_page_renders_caption_links(client):
    person(username="viewer2")
    story = captioned("Look #Here with @viewer2 at https://example.com/a <b>")
    page = html(client.get(f"/stories/{story.pk}/"))
    assert '<a class="caption-hashtag" href="/tags/here">#Here</a>' in page
    assert '<a class="caption-mention" href="/@viewer2">@viewer2</a>' in page
    assert '<a class="caption-link" href="https://example.com/a" rel="nofollow ugc noopener">' in page
    assert "&lt;b&gt;</p>" in page
