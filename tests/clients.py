"""Clients signed in as someone, for API and page tests: one place instead of a helper per file."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient


def api_for(user=None) -> APIClient:
    """An API client authenticated as `user` (signed out when None), with no auth queries."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_for(user) -> Client:
    """A browser-like client with `user`'s session."""
    client = Client()
    client.force_login(user)
    return client
