"""API routes for leaving and your data; included under /api/v1/ before accounts' routes, so
`users/me/` reaches privacy.api.me (DELETE here, the rest to accounts)."""

from django.urls import path

from . import api

urlpatterns = [
    path("users/me/", api.me, name="users-me-delete"),
    path("users/me/export/", api.ExportView.as_view(), name="users-me-export"),
]
