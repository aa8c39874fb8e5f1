"""API routes for people with their stories (users-detail, users-me, ...) and notifications,
included under /api/v1/ in the "api" namespace right after accounts' auth routes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import notifications_api, people_api

router = SimpleRouter()
router.register("users", people_api.UserViewSet, basename="users")

urlpatterns = [
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", notifications_api.NotificationReadView.as_view(), name="notifications-read"),
    *router.urls,
]
