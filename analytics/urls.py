"""Creator analytics pages, under /analytics/."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("stories/<uuid:story_id>/", views.story, name="story"),
]
