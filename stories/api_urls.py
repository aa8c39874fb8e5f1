from django.urls import path

from . import api, highlights_api
from .scheduled_api import MyScheduledView, PublishNowView

urlpatterns = [
    path("stories/", api.StoryCreateView.as_view(), name="story-list"),
    path("stories/<uuid:story_id>/", api.StoryDetailView.as_view(), name="story-detail"),
    path("stories/<uuid:story_id>/download/", api.StoryDownloadView.as_view(), name="story-download"),
    path("stories/<uuid:story_id>/use-sound/", api.UseSoundView.as_view(), name="story-use-sound"),
    path("me/stories/", api.MyStoriesView.as_view(), name="my-stories"),
    path("me/scheduled/", MyScheduledView.as_view(), name="my-scheduled"),
    path("stories/<uuid:story_id>/publish/", PublishNowView.as_view(), name="story-publish-now"),
    path("me/archive/", api.ArchiveView.as_view(), name="my-archive"),
    path("users/<str:username>/stories/", api.UserStoriesView.as_view(), name="user-stories"),
    path("highlights/", highlights_api.HighlightListView.as_view(), name="highlight-list"),
    path("highlights/order/", highlights_api.HighlightOrderView.as_view(), name="highlight-order"),
    path(
        "highlights/<int:highlight_id>/",
        highlights_api.HighlightDetailView.as_view(),
        name="highlight-detail",
    ),
    path(
        "highlights/<int:highlight_id>/cover/",
        highlights_api.HighlightCoverView.as_view(),
        name="highlight-cover",
    ),
    path(
        "users/<str:username>/highlights/",
        highlights_api.UserHighlightsView.as_view(),
        name="user-highlights",
    ),
    path("sounds/", api.SoundListView.as_view(), name="sound-list"),
    path("sounds/<uuid:sound_id>/", api.SoundDetailView.as_view(), name="sound-detail"),
    path("sounds/<uuid:sound_id>/publish/", api.SoundPublishView.as_view(), name="sound-publish"),
]
