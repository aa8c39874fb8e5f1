"""Fixtures for the feed tests: an API client, people, and a story clock."""

from __future__ import annotations

import time

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


@pytest.fixture
def wait_until(one_request_at_a_time):
    """Poll a database condition that the browser's requests make true."""

    def wait(check, timeout: float = 5.0, message: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with one_request_at_a_time:
                if check():
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {message}")

    return wait
