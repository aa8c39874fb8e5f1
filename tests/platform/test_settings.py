"""Production settings are safe, and a misconfigured start-up fails plainly."""

import secrets

import pytest

from tests.platform import processes

pytestmark = pytest.mark.slow

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "example.com",
    "CSRF_TRUSTED_ORIGINS": "https://example.com",
    "DATABASE_URL": "postgres://stories:secret@db.example.com:5432/stories",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "stories-media",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
    "AWS_SECRET_ACCESS_KEY": "example-secret-access-key-example-secret",
}


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    env = processes.clean_env(
        SECRET_KEY=secrets.token_urlsafe(64), STORIES_VAR_DIR=str(tmp_path), **PRODUCTION_ENV
    )
    result = processes.manage("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_missing_secret_key_with_debug_off_stops_start_up_plainly(tmp_path):
    env = processes.clean_env(STORIES_VAR_DIR=str(tmp_path), **PRODUCTION_ENV)
    result = processes.manage("check", env=env, cwd=tmp_path, check=False)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.endswith("SECRET_KEY must be set when DEBUG is off."), result.stderr[-2000:]
