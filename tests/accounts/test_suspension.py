"""A suspension takes effect on sessions and tokens that already exist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def suspend(user, days=3):
    user.suspended_until = timezone.now() + timedelta(days=days)
    user.save(update_fields=["suspended_until"])


def test_open_session_ends_when_suspended(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("stories:create")).status_code == 200
    suspend(person)
    response = client.get(reverse("stories:create"), follow=True)
    assert response.redirect_chain  # sent to log in
    assert "suspended until" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_existing_token_is_refused_when_suspended():
    person = UserFactory()
    token = Token.objects.create(user=person)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api:my-stories")).status_code == 200
    suspend(person)
    response = api.get(reverse("api:my-stories"))
    assert response.status_code == 401
    assert "suspended" in response.json()["detail"]


def test_lifted_suspension_lets_the_token_work_again():
    person = UserFactory()
    token = Token.objects.create(user=person)
    suspend(person)
    person.suspended_until = timezone.now() - timedelta(seconds=1)
    person.save(update_fields=["suspended_until"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api:my-stories")).status_code == 200
