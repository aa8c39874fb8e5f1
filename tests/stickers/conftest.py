"""Fixtures for the sticker tests: private media storage per test and signed-in API clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """ReadyStoryFactory stores small files; each test keeps them in its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": settings.MEDIA_URL},
        },
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def viewer():
    return UserFactory(username="viewer")


@pytest.fixture
def as_viewer(viewer) -> APIClient:
    return client_for(viewer)
