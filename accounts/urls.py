"""Page routes of accounts. Profiles live at `/@username` (no trailing slash), everything else
under /accounts/. The pages that show stories too (the profile, the player, the people lists,
follow, editing your profile) are feed/people_urls.py; stories_site/urls.py includes both lists
in one `accounts` namespace, so every name (`accounts:profile`, ...) stays."""

from django.urls import path

from . import (
    converters,  # noqa: F401 - registers the `username` converter
    recovery_views,
    views,
)

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    # Password reset and email change (accounts/recovery_views.py)
    path("accounts/reset/", recovery_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/reset/sent/", recovery_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        recovery_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        recovery_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/email/", recovery_views.email_change, name="email_change"),
    path("accounts/email/confirm/<str:token>/", recovery_views.email_confirm, name="email_confirm"),
    path("accounts/blocked/", views.blocked_list, name="blocked"),
    path("@<username:username>/", views.profile_slash, name="profile_slash"),
    path("@<username:username>/avatar", views.avatar, name="avatar"),
    path("@<username:username>/unfollow", views.unfollow, name="unfollow"),
    path("@<username:username>/block", views.block, name="block"),
    path("@<username:username>/unblock", views.unblock, name="unblock"),
]
