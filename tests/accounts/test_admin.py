"""The admin lists for people, follows and blocks render without a query per row."""

import pytest
from django.urls import reverse

from tests.factories import BlockFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["user", "follow", "block"])
def test_changelists_render_with_a_fixed_number_of_queries(client, django_assert_max_num_queries, model):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        FollowFactory()
        BlockFactory()
    client.force_login(admin)
    url = reverse(f"admin:accounts_{model}_changelist")
    with django_assert_max_num_queries(12):
        response = client.get(url, {"suspended": "yes"} if model == "user" else {})
    assert response.status_code == 200


def test_user_change_page_shows_the_avatar_read_only(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(bio="hello")
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_user_change", args=[person.pk]))
    assert response.status_code == 200
    assert 'name="avatar"' not in response.content.decode()
    # Suspension changes through the moderation actions (reason + audit trail), not by hand.
    assert 'name="suspended_until_0"' not in response.content.decode()
    assert "Suspension" in response.content.decode()
