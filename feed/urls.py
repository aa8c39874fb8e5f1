from django.urls import path

from . import views, views_discovery

app_name = "feed"
urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("search", views_discovery.search, name="search"),
    path("tags/<str:tag>", views_discovery.hashtag, name="hashtag"),
    path("sounds/<uuid:sound_id>", views_discovery.sound, name="sound"),
]
