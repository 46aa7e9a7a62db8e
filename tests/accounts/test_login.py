import datetime

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanad.accounts.models import ApiToken
from sanad.accounts.services import api_token_create
from tests.factories import PASSWORD, UserFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.real_hashers
def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_user_signs_in_and_lands_on_the_dashboard():
    make_user("field_enumerator", username="amina")
    client = Client()
    response = client.post(
        reverse("login"), {"username": "amina", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert response.context["user"].username == "amina"


def test_a_wrong_password_says_what_to_check_without_saying_which_part_was_wrong():
    make_user("field_enumerator", username="amina")
    response = Client().post(reverse("login"), {"username": "amina", "password": "nope"})
    assert response.status_code == 200
    assert "user name or password is not right" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password():
    make_user("field_enumerator", username="amina")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "amina", "password": "wrong-one"})
    response = client.post(reverse("login"), {"username": "amina", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_need_a_signed_in_user():
    response = Client().get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_reset_sends_a_link_that_sets_a_new_password():
    user = make_user("field_enumerator", username="amina", email="amina@example.org")
    client = Client()
    client.post(reverse("password_reset"), {"email": "amina@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.context["validlink"]
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "A-much-longer-pass-9", "new_password2": "A-much-longer-pass-9"},
    )
    user.refresh_from_db()
    assert user.check_password("A-much-longer-pass-9")


def test_sessions_expire_after_idle_hours_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST


def test_an_api_token_authenticates_requests_and_records_its_use(api_client):
    user = make_user("field_enumerator")
    token, key = api_token_create(user=user, name="Kobo sync")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["username"] == user.username
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is kept


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "inactive"])
def test_a_revoked_expired_unknown_or_deactivated_token_is_refused(api_client, state):
    user = make_user("field_enumerator")
    token, key = api_token_create(user=user, name="x")
    if state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    elif state == "unknown":
        key = key[:-4] + "abcd"
    else:
        user.is_active = False
        user.save()
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_tokens_are_created_shown_once_and_revoked_from_my_account_page():
    user = make_user("field_enumerator")
    client = Client()
    client.force_login(user)
    page = client.post(reverse("accounts:token_create"), {"name": "RapidPro", "days": "30"})
    key = page.context["key"]
    assert key.startswith("sanad_") and key in page.content.decode()
    token = ApiToken.objects.get(user=user)
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_one_cannot_revoke_someone_elses_token():
    owner = make_user("field_enumerator")
    token, _key = api_token_create(user=owner, name="x")
    client = Client()
    client.force_login(make_user("field_enumerator"))
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
