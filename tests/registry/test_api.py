"""API: /api/v1/households/ (search, filters, nested create, PATCH, status, move,
consent; no DELETE) and /api/v1/individuals/ (read-only)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanad.core.models import PersonalDataAccess
from sanad.registry.models import Household
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"
INDIVIDUALS = "/api/v1/individuals/"


@pytest.fixture
def manager():
    return make_user("programme_officer", governorates=(DUHOK,))


@pytest.fixture
def viewer():
    return make_user("hotline_operator", governorates=(DUHOK,))


def payload(**overrides):
    body = {
        "admin_unit": subdistrict_in(DUHOK).pcode,
        "displacement_status": "idp_out_of_camp",
        "shelter_type": "host_family",
        "members": [
            {
                "given_name_ar": "خالد",
                "given_name_en": "Khalid",
                "sex": "male",
                "date_of_birth": "1978-06-01",
                "relationship": "head",
                "documents": [
                    {
                        "kind": "national_id",
                        "number": "1978 1111 2222",
                        "issuing_governorate": DUHOK,
                    }
                ],
            },
            {
                "given_name_ar": "هدى",
                "sex": "female",
                "age": 40,
                "relationship": "spouse",
                "wg_walking": 4,
            },
        ],
        "phones": ["0751 222 3344"],
        "consents": [{"purpose": "registration", "legal_basis": "consent"}],
        "source_ref": "partner-42",
    }
    body.update(overrides)
    return body


class TestCreate:
    def test_a_household_is_registered_with_nested_members_documents_phones_and_consent(
        self, manager
    ):
        response = api_client_for(manager).post(HOUSEHOLDS, payload(), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        household = Household.objects.get(public_id=body["id"])
        assert body["registration_id"] == household.registration_id
        assert body["source"] == "api" and body["source_ref"] == "partner-42"
        assert body["governorate"] == DUHOK and body["size"] == 2 and body["has_disability"]
        assert [m["relationship"] for m in body["members"]] == ["head", "spouse"]
        assert body["members"][0]["documents"] == [
            {"kind": "national_id", "number": "1978 1111 2222", "issuing_governorate": DUHOK}
        ]
        assert body["members"][1]["dob_estimated"] is True
        assert body["phones"] == [{"number": "+9647512223344", "is_primary": True}]
        assert body["consents"][0]["is_valid"] is True

    def test_every_problem_comes_back_at_once_with_its_path(self, manager):
        body = payload(phones=["12"], displacement_status="nomad")
        body["members"][1]["date_of_birth"] = "2999-01-01"
        body["members"][1]["is_pregnant"] = True
        body["members"][0]["documents"][0]["kind"] = "driving_licence"
        response = api_client_for(manager).post(HOUSEHOLDS, body, format="json")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "validation_failed"
        assert set(error["fields"]) == {
            "displacement_status",
            "phones.0",
            "members.1.date_of_birth",
            "members.0.documents.0.kind",
        }

    def test_a_document_already_registered_is_refused_with_the_household_named(self, manager):
        first = api_client_for(manager).post(HOUSEHOLDS, payload(), format="json").json()
        response = api_client_for(manager).post(
            HOUSEHOLDS, payload(source_ref="partner-43"), format="json"
        )
        assert (
            first["registration_id"]
            in response.json()["error"]["fields"]["members.0.documents.0.number"][0]
        )

    def test_a_viewer_cannot_register(self, viewer):
        response = api_client_for(viewer).post(HOUSEHOLDS, payload(), format="json")
        assert (
            response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
        )

    def test_registering_outside_ones_governorates_is_refused(self, manager):
        body = payload(admin_unit=subdistrict_in(ERBIL).pcode)
        response = api_client_for(manager).post(HOUSEHOLDS, body, format="json")
        assert response.status_code == 400 and "admin_unit" in response.json()["error"]["fields"]


class TestRead:
    def test_the_list_is_scoped_and_searchable(self, viewer):
        inside = make_household(phones=["07501234567"])
        make_household(governorate=ERBIL)
        api = api_client_for(viewer)
        body = api.get(HOUSEHOLDS).json()
        assert [h["id"] for h in body["results"]] == [str(inside.public_id)]
        assert body["results"][0]["head"]["name_en"] == "Ahmed Al-Jubouri"
        assert api.get(HOUSEHOLDS, {"q": "0750 123 4567"}).json()["count"] == 1
        assert api.get(HOUSEHOLDS, {"q": "احمد"}).json()["count"] == 1
        assert api.get(HOUSEHOLDS, {"q": "nobody"}).json()["count"] == 0

    def test_the_list_filters_by_vulnerabilities_together(self, viewer):
        both = make_household(head_sex="female", members=7)
        make_household(head_sex="female", members=1)
        api = api_client_for(viewer)
        response = api.get(f"{HOUSEHOLDS}?vulnerability=woman_headed&vulnerability=large")
        assert [h["id"] for h in response.json()["results"]] == [str(both.public_id)]
        assert api.get(HOUSEHOLDS, {"vulnerability": "woman_headed"}).json()["count"] == 2

    def test_the_list_filters_by_place(self, viewer):
        camp = PlaceFactory()
        in_camp = make_household(place=camp, admin_unit=None)
        make_household()
        response = api_client_for(viewer).get(HOUSEHOLDS, {"place": str(camp.public_id)})
        assert [h["id"] for h in response.json()["results"]] == [str(in_camp.public_id)]

    def test_reading_a_household_is_logged(self, viewer):
        household = make_household()
        url = f"{HOUSEHOLDS}{household.public_id}/"
        body = api_client_for(viewer).get(url).json()
        assert len(body["members"]) == 3
        assert (
            PersonalDataAccess.objects.get(object_public_id=str(household.public_id)).route == url
        )

    def test_a_household_outside_the_scope_is_a_404_in_the_error_shape(self, viewer):
        erbil = make_household(governorate=ERBIL)
        response = api_client_for(viewer).get(f"{HOUSEHOLDS}{erbil.public_id}/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    def test_the_number_of_queries_does_not_grow_with_the_rows(
        self, viewer, django_assert_max_num_queries
    ):
        api = api_client_for(viewer)
        make_household()
        api.get(HOUSEHOLDS)  # warm caches a long-lived process holds anyway
        with CaptureQueriesContext(connection) as few:
            api.get(HOUSEHOLDS)
        for _ in range(6):
            make_household(members=2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert api.get(HOUSEHOLDS).json()["count"] == 7

    def test_individuals_are_read_only_and_scoped(self, viewer, django_assert_max_num_queries):
        household = make_household(members=2)
        make_household(governorate=ERBIL)
        api = api_client_for(viewer)
        api.get(INDIVIDUALS)
        with CaptureQueriesContext(connection) as few:
            body = api.get(INDIVIDUALS).json()
        assert body["count"] == 2
        assert {i["registration_id"] for i in body["results"]} == {household.registration_id}
        make_household(members=4)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert api.get(INDIVIDUALS).json()["count"] == 6
        assert api.post(INDIVIDUALS, {}, format="json").status_code in (403, 405)

    def test_reading_an_individual_is_logged(self, viewer):
        member = make_household().members.first()
        api_client_for(viewer).get(f"{INDIVIDUALS}{member.public_id}/")
        assert PersonalDataAccess.objects.filter(object_public_id=str(member.public_id)).exists()


class TestChange:
    def test_patch_changes_the_household_and_its_members(self, manager):
        household = make_household(members=2)
        spouse = household.members.get(relationship="spouse")
        response = api_client_for(manager).patch(
            f"{HOUSEHOLDS}{household.public_id}/",
            {
                "notes": "Needs a winter kit",
                "members": [
                    {"id": str(spouse.public_id), "is_pregnant": True},
                    {
                        "given_name_en": "Yara",
                        "sex": "female",
                        "date_of_birth": "2024-02-02",
                        "relationship": "daughter",
                    },
                ],
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["notes"] == "Needs a winter kit" and body["size"] == 3
        assert any(m["is_pregnant"] for m in body["members"])

    def test_a_member_leaves_through_patch_with_a_reason(self, manager):
        household = make_household(members=3)
        son = household.members.get(relationship="son")
        api = api_client_for(manager)
        url = f"{HOUSEHOLDS}{household.public_id}/"
        missing = api.patch(
            url, {"members": [{"id": str(son.public_id), "status": "left"}]}, format="json"
        )
        assert "members.0.status_reason" in missing.json()["error"]["fields"]
        ok = api.patch(
            url,
            {"members": [{"id": str(son.public_id), "status": "left", "status_reason": "Married"}]},
            format="json",
        )
        assert ok.json()["size"] == 2

    def test_there_is_no_delete_and_no_put(self, manager):
        household = make_household()
        api = api_client_for(manager)
        assert api.delete(f"{HOUSEHOLDS}{household.public_id}/").status_code == 405
        assert (
            api.put(f"{HOUSEHOLDS}{household.public_id}/", payload(), format="json").status_code
            == 405
        )

    def test_the_status_changes_through_its_own_endpoint(self, manager):
        household = make_household()
        api = api_client_for(manager)
        url = f"{HOUSEHOLDS}{household.public_id}/status/"
        no_reason = api.post(url, {"status": "withdrawn"}, format="json")
        assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
        response = api.post(
            url, {"status": "withdrawn", "reason": "Asked to be removed"}, format="json"
        )
        assert response.status_code == 200 and response.json()["status"] == "withdrawn"
        merged = api.post(url, {"status": "merged", "reason": "dup"}, format="json")
        assert merged.status_code in (400, 409)

    def test_a_move_and_a_consent_are_recorded_through_the_api(self, manager):
        household = make_household()
        api = api_client_for(manager)
        moved = api.post(
            f"{HOUSEHOLDS}{household.public_id}/move/",
            {
                "to_admin_unit": subdistrict_in(ERBIL).pcode,
                "moved_on": datetime.date.today().isoformat(),
                "displacement_status": "idp_out_of_camp",
            },
            format="json",
        )
        assert moved.status_code == 200 and moved.json()["governorate"] == ERBIL
        consent = api.post(
            f"{HOUSEHOLDS}{household.public_id}/consents/",
            {"purpose": "communication", "legal_basis": "consent", "given": False},
            format="json",
        )
        # The household moved to Erbil, outside the manager's governorates.
        assert consent.status_code == 404

    def test_changing_a_household_one_only_sees_is_refused(self, viewer):
        household = make_household()
        response = api_client_for(viewer).patch(
            f"{HOUSEHOLDS}{household.public_id}/", {"notes": "x"}, format="json"
        )
        assert response.status_code == 403
