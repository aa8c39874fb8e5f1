from django.urls import path

from . import edit_views, highlight_views, private_media, views
from .scheduled_views import scheduled, scheduled_cancel, scheduled_publish_now, scheduled_reschedule

app_name = "stories"
# The create page (/stories/create/, `stories:create`) is stickers.create_page: it composes a
# story's options with the stickers the editor offers (stories_site/urls.py adds it here).
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("<uuid:story_id>/", views.detail, name="detail"),
    path("<uuid:story_id>/media", private_media.story_media, name="media"),
    path("<uuid:story_id>/poster", private_media.story_poster, name="poster"),
    path("<uuid:story_id>/download", private_media.story_download, name="download"),
    path("<uuid:story_id>/delete", views.delete, name="delete"),
    path("<uuid:story_id>/edit/", edit_views.edit, name="edit"),
    path("scheduled/", scheduled, name="scheduled"),
    path("scheduled/<uuid:story_id>/reschedule", scheduled_reschedule, name="scheduled_reschedule"),
    path("scheduled/<uuid:story_id>/publish", scheduled_publish_now, name="scheduled_publish_now"),
    path("scheduled/<uuid:story_id>/cancel", scheduled_cancel, name="scheduled_cancel"),
    path("highlights/", highlight_views.manage, name="highlights"),
    path("highlights/<int:highlight_id>/", highlight_views.play, name="highlight"),
    path("highlights/<int:highlight_id>/cover", highlight_views.cover, name="highlight_cover"),
    path("sounds/<uuid:sound_id>/audio", private_media.sound_audio, name="sound_audio"),
]
