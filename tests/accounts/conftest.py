"""Fixtures for the accounts tests: private storage per test, an API client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Each test stores files in its own folder, so file assertions see only their own files."""
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
def api_client() -> APIClient:
    return APIClient()
