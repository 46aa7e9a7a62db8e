import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lang", "word"), [("ar", "لوحة المعلومات"), ("ckb", "داشبۆرد")])
def test_arabic_and_kurdish_pages_are_right_to_left_and_translated(lang, word):
    user = make_user("field_enumerator", preferred_language=lang)
    page = client_for(user).get(reverse("web:dashboard")).content.decode()
    assert f'lang="{lang}" dir="rtl"' in page
    assert "bootstrap.rtl.min.css" in page
    assert word in page


def test_english_pages_are_left_to_right():
    page = client_for(make_user("field_enumerator")).get(reverse("web:dashboard")).content.decode()
    assert 'lang="en" dir="ltr"' in page and "bootstrap.min.css" in page


def test_switching_language_is_remembered_on_the_account():
    user = make_user("field_enumerator")
    client = client_for(user)
    client.post(reverse("web:set_language"), {"language": "ar", "next": reverse("web:dashboard")})
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    other_device = client_for(user)  # a new session, no cookie
    assert 'dir="rtl"' in other_device.get(reverse("web:dashboard")).content.decode()


def test_the_sign_in_page_follows_the_language_chosen_before_signing_in():
    client = Client()
    client.post(reverse("web:set_language"), {"language": "ckb", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="ckb" dir="rtl"' in page


def test_an_unknown_language_falls_back_to_english():
    user = make_user("field_enumerator")
    client_for(user).post(reverse("web:set_language"), {"language": "xx"})
    user.refresh_from_db()
    assert user.preferred_language == ""


def test_the_language_switch_refuses_to_redirect_off_site():
    response = Client().post(
        reverse("web:set_language"), {"language": "ar", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_error_messages_of_services_are_translated():
    from django.utils import translation

    from sanad.core.errors import NotFound

    with translation.override("ar"):
        assert (
            str(NotFound().message)
            != "Nothing was found at this address, or you do not have access to it."
        )
