"""Page routes. Profiles live at `/@username` (no trailing slash), everything else under /accounts/."""

from django.urls import path, register_converter

from . import recovery_views, views
from .converters import UsernameConverter

register_converter(UsernameConverter, "username")

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/profile/", views.edit_profile, name="edit"),
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
    path("@<username:username>", views.profile, name="profile"),
    path("@<username:username>/", views.profile_slash, name="profile_slash"),
    path("@<username:username>/story", views.story, name="story"),
    path("@<username:username>/followers", views.followers, name="followers"),
    path("@<username:username>/following", views.following, name="following"),
    path("@<username:username>/avatar", views.avatar, name="avatar"),
    path("@<username:username>/follow", views.follow, name="follow"),
    path("@<username:username>/unfollow", views.unfollow, name="unfollow"),
    path("@<username:username>/block", views.block, name="block"),
    path("@<username:username>/unblock", views.unblock, name="unblock"),
]
