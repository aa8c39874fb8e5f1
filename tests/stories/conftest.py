import pytest


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """Each test gets an empty media folder, so listing storage shows only what it made."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": settings.MEDIA_URL},
        },
    }
