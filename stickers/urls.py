from django.urls import path

from . import create_page, views

app_name = "stickers"
urlpatterns = [
    path("questions/", views.inbox, name="inbox"),
    path("<uuid:sticker_id>/responses/", views.responses, name="responses"),
]

# Pages in the stories namespace that stickers serves (stories_site/urls.py adds them there).
story_pages = [
    path("create/", create_page.create, name="create"),
]
