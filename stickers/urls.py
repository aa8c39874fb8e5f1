from django.urls import path

from . import views

app_name = "stickers"
urlpatterns = [
    path("questions/", views.inbox, name="inbox"),
    path("<uuid:sticker_id>/responses/", views.responses, name="responses"),
]
