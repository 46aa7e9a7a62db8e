import pytest
from django.test import Client
from django.urls import reverse

from sanad.accounts.roles import Role
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_gets_a_dashboard_with_navigation(role):
    response = client_for(make_user(role)).get(reverse("web:dashboard"), follow=True)
    assert response.status_code == 200
    assert b"navbar" in response.content and b"Sign out" in response.content


def test_a_donor_viewer_sees_no_places_on_the_dashboard():
    response = client_for(make_user("donor_viewer")).get(reverse("web:dashboard"))
    assert "places_total" not in response.context
    assert f'href="{reverse("geo:place_list")}"'.encode() not in response.content


def test_the_not_found_page_is_friendly_and_says_what_to_do():
    response = client_for(make_user("field_enumerator")).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Back to the dashboard" in response.content


def test_the_health_endpoint_answers_without_signing_in():
    assert Client().get(reverse("web:health")).json() == {"status": "ok"}


def test_the_api_schema_and_documentation_page_are_served():
    client = client_for(make_user("field_enumerator"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/me/" in paths and "/api/v1/jobs/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()  # served from the vendored sidecar, no CDN


def test_the_api_answers_unauthenticated_requests_with_the_error_shape():
    response = Client().get("/api/v1/jobs/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_unknown_api_object_is_a_404_in_the_error_shape():
    from tests.conftest import api_client_for

    response = api_client_for(make_user("administrator")).get(
        "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"
    )
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["code"] == "not_found" and body["message"] and body["fields"] == {}


def test_the_server_error_page_is_friendly_and_needs_no_database(rf):
    from sanad.web.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert b"Nothing you entered was saved half-way" in response.content


def test_a_page_the_role_may_not_open_is_a_friendly_403():
    response = client_for(make_user("donor_viewer")).get(reverse("accounts:user_list"))
    assert response.status_code == 403
    assert b"Ask an administrator" in response.content


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/places/" in out.read_text()


def test_a_vendors_cashier_lands_on_the_redemption_page():
    response = client_for(make_user("vendor_staff")).get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("cash:redeem")
