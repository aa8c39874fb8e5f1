"""The private archive's pages, at /archive/ (stories/archive_views.py)."""

from django.urls import path

from . import archive_views

app_name = "archive"
urlpatterns = [
    path("", archive_views.archive, name="list"),
    path("play", archive_views.play, name="play"),
    path("settings", archive_views.switch, name="settings"),
    path("<uuid:story_id>/delete", archive_views.delete, name="delete"),
]
