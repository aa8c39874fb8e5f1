"""Pages for leaving and your data, under /accounts/ next to the profile settings."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("accounts/delete/", views.delete_account, name="delete"),
    path("accounts/export/", views.export_page, name="export"),
    path("accounts/export/start/", views.export_start, name="export_start"),
    path("accounts/export/download/", views.export_download, name="export_download"),
]
