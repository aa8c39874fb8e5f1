"""API routes for identity (auth/...), included under /api/v1/ in the "api" namespace. People
(`users/...`) and notifications are feed/people_api_urls.py, included right after these."""

from django.urls import path

from . import api, recovery_api, token_api

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
]
