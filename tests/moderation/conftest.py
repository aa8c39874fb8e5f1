"""Fixtures for the moderation tests: private storage per test, the four kinds of people the
permission matrix is about, and a reported story with real bytes in storage."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from moderation import services
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores files in its own folder, so listing storage shows only its own files."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media-private/"},
        },
    }
    return root


@pytest.fixture
def moderator(db):
    person = UserFactory(username="mod")
    services.moderator_add(person=person)
    return person


@pytest.fixture
def staff(db):
    """Staff without the Moderators group: reaches the admin index and nothing else."""
    return UserFactory(username="staffer", is_staff=True)


@pytest.fixture
def ordinary(db):
    return UserFactory(username="ordinary")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
