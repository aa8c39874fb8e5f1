from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("<str:kind>/<str:target_id>/", views.report, name="report"),
]
