"""Downloading your data: the zip's contents, direct for small accounts, by a worker (once) for
large ones, on the page and through the API."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from privacy.models import DataExport
from tests.factories import CommentFactory, FollowFactory, UserFactory

from .helpers import make_live_story

pytestmark = pytest.mark.django_db
CLIP = b"\x00\x00\x00\x18ftypmp42 pretend clip bytes"


@pytest.fixture
def ada():
    ada = UserFactory(username="ada", email="ada@example.com", bio="hello")
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    media = default_storage.save("stories/clip.mp4", ContentFile(CLIP))
    live = make_live_story(ada, media=media, media_content_type="video/mp4", caption="live one")
    make_live_story(ada, state="expired", media="", caption="old one")
    CommentFactory(author=ada, story=make_live_story(bob), text="nice")
    FollowFactory(follower=bob, followee=ada)
    FollowFactory(follower=ada, followee=carol)
    ada.live_story = live
    return ada


def read_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # read to the end: the test client closes it
    return zipfile.ZipFile(io.BytesIO(body))


def check_contents(archive: zipfile.ZipFile, ada) -> None:
    names = set(archive.namelist())
    assert {"profile.json", "stories.json", "comments.json", "followers.json", "following.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert (profile["username"], profile["email"], profile["bio"]) == ("ada", "ada@example.com", "hello")
    stories = {row["caption"]: row for row in json.loads(archive.read("stories.json"))}
    assert set(stories) == {"live one", "old one"}
    assert stories["old one"]["media"] is None  # no longer live: no media
    assert archive.read(stories["live one"]["media"]) == CLIP
    assert [row["text"] for row in json.loads(archive.read("comments.json"))] == ["nice"]
    assert [row["username"] for row in json.loads(archive.read("followers.json"))] == ["bob"]
    assert [row["username"] for row in json.loads(archive.read("following.json"))] == ["carol"]


def test_small_accounts_get_the_zip_at_once(api_client, ada):
    api_client.force_authenticate(ada)
    check_contents(read_zip(api_client.get("/api/v1/users/me/export/")), ada)
    assert not DataExport.objects.exists()


def test_signed_out_gets_401(api_client):
    assert api_client.get("/api/v1/users/me/export/").status_code == 401


def test_large_accounts_wait_for_a_worker_and_download_once(
    settings, api_client, ada, django_capture_on_commit_callbacks
):
    settings.STORIES_EXPORT_SYNC_BYTES = len(CLIP) - 1
    api_client.force_authenticate(ada)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = api_client.get("/api/v1/users/me/export/")
    assert first.status_code == 202
    assert first.json() == {"status": "preparing"}
    assert int(first["Retry-After"]) > 0
    assert api_client.get("/api/v1/users/me/export/").status_code == 202  # still preparing
    assert DataExport.objects.count() == 1
    for callback in queued:
        callback()  # the worker runs (eager)
    job = DataExport.objects.get()
    assert job.state == "ready"
    assert default_storage.exists(job.file)
    check_contents(read_zip(api_client.get("/api/v1/users/me/export/")), ada)
    assert not default_storage.exists(job.file)  # deleted once downloaded
    assert not DataExport.objects.filter(pk=job.pk).exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert api_client.get("/api/v1/users/me/export/").status_code == 202  # a new one starts


def test_export_page_prepares_then_downloads_once(client, ada, django_capture_on_commit_callbacks):
    client.force_login(ada)
    page = client.get(reverse("privacy:export")).content.decode()
    assert "Prepare my data" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("privacy:export_start"))
    preparing = client.get(reverse("privacy:export")).content.decode()
    assert "Preparing your data" in preparing
    assert 'http-equiv="refresh"' in preparing
    for callback in queued:
        callback()
    ready = client.get(reverse("privacy:export")).content.decode()
    assert reverse("privacy:export_download") in ready
    check_contents(read_zip(client.get(reverse("privacy:export_download"))), ada)
    again = client.get(reverse("privacy:export_download"))
    assert again.status_code == 302
    assert again["Location"] == reverse("privacy:export")


def test_nobody_else_downloads_it(client, ada, django_capture_on_commit_callbacks):
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export_start"))
    assert DataExport.objects.get().state == "ready"
    client.force_login(UserFactory(username="eve"))
    assert client.get(reverse("privacy:export_download")).status_code == 302
    assert DataExport.objects.get().state == "ready"
