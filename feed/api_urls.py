"""Engagement and feed routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from . import api, api_discovery, badge_api, messaging_api

urlpatterns = [
    path("stories/<uuid:story_id>/like/", api.LikeView.as_view(), name="story-like"),
    path("stories/<uuid:story_id>/comments/", api.CommentListView.as_view(), name="story-comments"),
    path("stories/<uuid:story_id>/views/", api.ViewView.as_view(), name="story-views"),
    path("stories/<uuid:story_id>/share/", api.ShareView.as_view(), name="story-share"),
    path("comments/<int:comment_id>/", api.CommentDetailView.as_view(), name="comment-detail"),
    path("feed/for-you/", api.ForYouView.as_view(), name="feed-for-you"),
    path("feed/following/", api.FollowingView.as_view(), name="feed-following"),
    path("feed/tray/", api.TrayView.as_view(), name="feed-tray"),
    path("stories/<uuid:story_id>/replies/", messaging_api.StoryReplyView.as_view(), name="story-replies"),
    path(
        "stories/<uuid:story_id>/reactions/",
        messaging_api.StoryReactionView.as_view(),
        name="story-reactions",
    ),
    path("conversations/", messaging_api.ConversationListView.as_view(), name="conversations"),
    path("me/badge/", badge_api.BadgeView.as_view(), name="me-badge"),
    path(
        "conversations/<int:conversation_id>/messages/",
        messaging_api.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path("search/", api_discovery.SearchView.as_view(), name="search"),
    path("hashtags/<str:tag>/stories/", api_discovery.HashtagStoriesView.as_view(), name="hashtag-stories"),
    path("sounds/<uuid:sound_id>/stories/", api_discovery.SoundStoriesView.as_view(), name="sound-stories"),
]
