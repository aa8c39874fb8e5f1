"""Report routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path, re_path

from accounts.models import USERNAME_PATTERN

from . import api

urlpatterns = [
    path("stories/<uuid:story_id>/report/", api.StoryReportView.as_view(), name="story-report"),
    path("comments/<int:comment_id>/report/", api.CommentReportView.as_view(), name="comment-report"),
    path("messages/<int:message_id>/report/", api.MessageReportView.as_view(), name="message-report"),
    re_path(
        rf"^users/(?P<username>{USERNAME_PATTERN})/report/$", api.UserReportView.as_view(), name="user-report"
    ),
]
