"""Analytics routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from . import api

urlpatterns = [
    path("analytics/stories/<uuid:story_id>/", api.StoryAnalyticsView.as_view(), name="analytics-story"),
    path("analytics/summary/", api.SummaryView.as_view(), name="analytics-summary"),
]
