"""Avatar uploads through the page and the API, and the avatar view that serves them."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import BlockFactory, UserFactory

from .helpers import jpeg_with_exif, png_bomb, upload

pytestmark = pytest.mark.django_db


def avatar_url(person) -> str:
    return reverse("accounts:avatar", kwargs={"username": person.username})


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_upload_is_oriented_cropped_resized_and_stripped(client, media_storage):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:edit"),
        {"display_name": "A", "bio": "", "avatar": upload(jpeg_with_exif(), name="../../evil name.jpg")},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatars/")
    assert "evil" not in user.avatar.name

    served = client.get(avatar_url(user))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in served["Cache-Control"]
    data = b"".join(served.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert image.size == (400, 400)
    # Orientation 6 turns the stored picture a quarter clockwise: its left half (red) is on top.
    top, bottom = image.convert("RGB").getpixel((200, 60)), image.convert("RGB").getpixel((200, 340))
    assert top[0] > 200, top
    assert top[2] < 60, top
    assert bottom[2] > 200, bottom
    assert bottom[0] < 60, bottom
    assert not image.getexif()
    assert b"SpyCam" not in data
    assert b"Exif" not in data


def test_replacing_the_avatar_deletes_the_old_file(client, media_storage, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:edit"), {"display_name": "", "bio": "", "avatar": upload(jpeg_with_exif())})
    user.refresh_from_db()
    first = user.avatar.name
    # The old file goes only once the new name is committed (tests run inside a transaction).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:edit"), {"display_name": "", "bio": "", "avatar": upload(jpeg_with_exif())}
        )
    user.refresh_from_db()
    assert user.avatar.name != first
    assert not default_storage.exists(first)
    assert [p.relative_to(media_storage).as_posix() for p in stored_files(media_storage)] == [
        user.avatar.name
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:edit"), {"display_name": "", "bio": "", "remove_avatar": "on"})
    user.refresh_from_db()
    assert not user.avatar
    assert stored_files(media_storage) == []
    assert client.get(avatar_url(user)).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (png_bomb(), "bomb.png", "too large"),
        (b"just some text, honestly\n" * 10, "notes.jpg", "must be a photo"),
        (jpeg_with_exif()[:400], "cut.jpg", "damaged"),
    ],
)
def test_bad_images_are_refused_plainly_on_the_page(client, media_storage, data, name, message):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    response = client.post(
        reverse("accounts:edit"), {"display_name": "After", "bio": "", "avatar": upload(data, name)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar
    assert user.display_name == "Before"  # all or nothing
    assert stored_files(media_storage) == []


def test_oversized_avatar_is_refused_before_decoding(client, settings, media_storage):
    settings.STORIES_MAX_AVATAR_BYTES = 1000
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:edit"), {"display_name": "", "bio": "", "avatar": upload(jpeg_with_exif())}
    )
    # Issue 13: the cap applies while the body streams, so the answer is about its size (413).
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert stored_files(media_storage) == []


@pytest.mark.parametrize(
    ("data", "name"),
    [(png_bomb(), "bomb.png"), (b"plain text pretending", "fake.jpg")],
)
def test_bad_images_are_a_400_on_the_api(api_client, media_storage, data, name):
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.patch(reverse("api:users-me"), {"avatar": upload(data, name)}, format="multipart")
    assert response.status_code == 400
    assert isinstance(response.json()["errors"]["avatar"][0], str)
    assert stored_files(media_storage) == []


def test_api_avatar_upload_and_avatar_url(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.patch(
        reverse("api:users-me"), {"avatar": upload(jpeg_with_exif())}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["avatar_url"] == f"http://testserver/@{user.username}/avatar"


class TestAvatarView:
    @pytest.fixture
    def person(self, client):
        person = UserFactory()
        client.force_login(person)
        client.post(
            reverse("accounts:edit"), {"display_name": "", "bio": "", "avatar": upload(jpeg_with_exif())}
        )
        client.logout()
        person.refresh_from_db()
        return person

    def test_etag_revalidation(self, client, person):
        first = client.get(avatar_url(person))
        again = client.get(avatar_url(person), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_404_when_blocked_either_way(self, client, person):
        other = UserFactory()
        BlockFactory(blocker=person, blocked=other)
        client.force_login(other)
        assert client.get(avatar_url(person)).status_code == 404

    def test_404_when_suspended(self, client, person):
        person.suspended_until = timezone.now() + timedelta(hours=1)
        person.save()
        assert client.get(avatar_url(person)).status_code == 404

    def test_404_when_none(self, client):
        assert client.get(avatar_url(UserFactory())).status_code == 404
