from django.urls import path

from . import edit_views, highlight_views, views
from .scheduled_views import scheduled, scheduled_cancel, scheduled_publish_now, scheduled_reschedule

app_name = "stories"
urlpatterns = [
    path("create/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("<uuid:story_id>/", views.detail, name="detail"),
    path("<uuid:story_id>/media", views.story_media, name="media"),
    path("<uuid:story_id>/poster", views.story_poster, name="poster"),
    path("<uuid:story_id>/download", views.story_download, name="download"),
    path("<uuid:story_id>/delete", views.delete, name="delete"),
    path("<uuid:story_id>/edit/", edit_views.edit, name="edit"),
    path("scheduled/", scheduled, name="scheduled"),
    path("scheduled/<uuid:story_id>/reschedule", scheduled_reschedule, name="scheduled_reschedule"),
    path("scheduled/<uuid:story_id>/publish", scheduled_publish_now, name="scheduled_publish_now"),
    path("scheduled/<uuid:story_id>/cancel", scheduled_cancel, name="scheduled_cancel"),
    path("highlights/", highlight_views.manage, name="highlights"),
    path("highlights/<int:highlight_id>/", highlight_views.play, name="highlight"),
    path("highlights/<int:highlight_id>/cover", highlight_views.cover, name="highlight_cover"),
    path("sounds/<uuid:sound_id>/audio", views.sound_audio, name="sound_audio"),
]
