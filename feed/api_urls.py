"""Engagement and feed routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from . import api, api_discovery

urlpatterns = [
    path("stories/<uuid:story_id>/like/", api.LikeView.as_view(), name="story-like"),
    path("stories/<uuid:story_id>/comments/", api.CommentListView.as_view(), name="story-comments"),
    path("stories/<uuid:story_id>/views/", api.ViewView.as_view(), name="story-views"),
    path("stories/<uuid:story_id>/share/", api.ShareView.as_view(), name="story-share"),
    path("comments/<int:comment_id>/", api.CommentDetailView.as_view(), name="comment-detail"),
    path("feed/for-you/", api.ForYouView.as_view(), name="feed-for-you"),
    path("feed/following/", api.FollowingView.as_view(), name="feed-following"),
    path("feed/tray/", api.TrayView.as_view(), name="feed-tray"),
    path("search/", api_discovery.SearchView.as_view(), name="search"),
    path("hashtags/<str:tag>/stories/", api_discovery.HashtagStoriesView.as_view(), name="hashtag-stories"),
    path("sounds/<uuid:sound_id>/stories/", api_discovery.SoundStoriesView.as_view(), name="sound-stories"),
]
