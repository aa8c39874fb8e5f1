import pytest

from stories.media import runner


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


@pytest.fixture
def runner_commands(monkeypatch) -> list[list[str]]:
    """Every command the media runner starts (ffmpeg, ffprobe, the PyAV probe), in order, run
    for real: how many process starts a path costs, and with what arguments."""
    commands: list[list[str]] = []
    real_run = runner.run

    def recording_run(args, **kwargs):
        commands.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(runner, "run", recording_run)
    return commands
