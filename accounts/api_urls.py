"""API routes for people, included under /api/v1/ in the "api" namespace (users-detail, ...)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, recovery_api, token_api

router = SimpleRouter()
router.register("users", api.UserViewSet, basename="users")

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/password/", token_api.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password-reset/", recovery_api.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        recovery_api.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/tokens/", token_api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", token_api.TokenDetailView.as_view(), name="auth-token-detail"),
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="notifications-read"),
    *router.urls,
]
