"""Fixtures for the feed tests: an API client, people, and a story clock."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def viewer():
    return UserFactory(username="viewer")


@pytest.fixture
def as_viewer(viewer) -> APIClient:
    """An API client signed in as `viewer` (no authentication queries: see test_query_counts)."""
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
