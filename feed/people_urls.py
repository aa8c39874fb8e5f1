"""Routes of the people pages that show stories (feed/people_views.py). stories_site/urls.py
puts them in the `accounts` namespace with accounts' own routes, so their names are unchanged."""

from django.urls import path

import accounts.converters  # noqa: F401 - registers the `username` converter

from . import people_views

urlpatterns = [
    path("accounts/profile/", people_views.edit_profile, name="edit"),
    path("@<username:username>", people_views.profile, name="profile"),
    path("@<username:username>/story", people_views.story, name="story"),
    path("@<username:username>/followers", people_views.followers, name="followers"),
    path("@<username:username>/following", people_views.following, name="following"),
    path("@<username:username>/follow", people_views.follow, name="follow"),
]
