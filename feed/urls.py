from django.urls import path

from . import messaging_views, views, views_discovery

app_name = "feed"
urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("messages/", messaging_views.inbox, name="inbox"),
    path("messages/<int:conversation_id>/", messaging_views.conversation, name="conversation"),
    path("stories/<uuid:story_id>/answer/", messaging_views.story_answer, name="story-answer"),
    path("search", views_discovery.search, name="search"),
    path("tags/<str:tag>", views_discovery.hashtag, name="hashtag"),
    path("sounds/<uuid:sound_id>", views_discovery.sound, name="sound"),
]
