"""API: admin units with the P-code look-up, and places (scoped, written through the services)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanad.geo.models import Place
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/places/"
UNITS = "/api/v1/admin-units/"


def erbil_place(**kwargs):
    return PlaceFactory(admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0, **kwargs)


@pytest.fixture
def duhok_viewer():
    return make_user("field_enumerator", governorates=(DUHOK,))


@pytest.fixture
def duhok_manager():
    return make_user("camp_manager", governorates=(DUHOK,))


class TestAdminUnits:
    def test_the_admin_units_filter_by_level_parent_and_governorate(self, duhok_viewer):
        api = api_client_for(duhok_viewer)
        assert api.get(UNITS, {"level": 1}).json()["count"] == 18
        districts = api.get(UNITS, {"parent": "iqg09", "page_size": 100}).json()["results"]
        assert districts and {d["parent"] for d in districts} == {DUHOK}
        in_duhok = api.get(UNITS, {"governorate": DUHOK, "level": 3, "page_size": 100}).json()[
            "results"
        ]
        assert in_duhok and all(u["governorate"] == DUHOK for u in in_duhok)

    def test_the_admin_units_are_searched_by_name_or_pcode(self, duhok_viewer):
        api = api_client_for(duhok_viewer)
        assert [u["pcode"] for u in api.get(UNITS, {"search": "الموصل"}).json()["results"]] == [
            "IQG15Q05"
        ]
        assert api.get(UNITS, {"search": "IQG09Q02N02"}).json()["count"] == 1

    def test_an_admin_unit_is_fetched_by_its_pcode(self, duhok_viewer):
        body = api_client_for(duhok_viewer).get(f"{UNITS}iqg09q02/").json()
        assert body == {
            "pcode": "IQG09Q02",
            "level": 2,
            "name_en": "Duhok",
            "name_ar": "دهوك",
            "parent": DUHOK,
            "governorate": DUHOK,
            "lat": 36.943,
            "lon": 43.105,
        }

    def test_an_old_code_in_the_address_is_a_404_with_the_clear_message(self, duhok_viewer):
        response = api_client_for(duhok_viewer).get(f"{UNITS}IQ-G08/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_a_current_pcode"
        assert "older governorate code scheme" in response.json()["error"]["message"]

    def test_the_lookup_finds_names_in_either_script(self, duhok_viewer):
        api = api_client_for(duhok_viewer)
        for query in ("duhok", "دهوك"):
            body = api.get(f"{UNITS}lookup/", {"q": query, "level": 1}).json()
            assert [u["pcode"] for u in body["results"]] == [DUHOK]

    @pytest.mark.parametrize(
        ("query", "words"),
        [
            ("IQ-G08", "older governorate code scheme"),
            ("IQ10077", "older numeric scheme"),
            ("IQ-AN", "ISO 3166-2"),
            ("IQG99", "not a current P-code"),
        ],
    )
    def test_the_lookup_answers_400_not_a_current_pcode_for_other_codes(
        self, duhok_viewer, query, words
    ):
        response = api_client_for(duhok_viewer).get(f"{UNITS}lookup/", {"q": query})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "not_a_current_pcode"
        assert words in error["message"]
        assert error["fields"]["pcode"] == [error["message"]]

    def test_the_lookup_needs_a_query(self, duhok_viewer):
        response = api_client_for(duhok_viewer).get(f"{UNITS}lookup/")
        assert response.status_code == 400
        assert "q" in response.json()["error"]["fields"]


class TestPlacesRead:
    def test_the_list_is_scoped_to_ones_governorates(self, duhok_viewer):
        PlaceFactory(name_en="Khanke")
        erbil_place(name_en="Harshm")
        body = api_client_for(duhok_viewer).get(PLACES).json()
        assert [p["name_en"] for p in body["results"]] == ["Khanke"]
        place = body["results"][0]
        assert set(place) >= {
            "id",
            "kind",
            "code",
            "name_en",
            "name_ar",
            "admin_unit",
            "governorate",
            "lat",
            "lon",
            "status",
        }
        assert place["governorate"] == DUHOK

    def test_an_out_of_scope_place_is_a_404(self, duhok_viewer):
        place = erbil_place()
        response = api_client_for(duhok_viewer).get(f"{PLACES}{place.public_id}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_the_list_filters_searches_and_orders(self, duhok_viewer):
        PlaceFactory(name_en="Bravo", kind=Place.Kind.VILLAGE)
        PlaceFactory(name_en="Alpha", status=Place.Status.CLOSED)
        PlaceFactory(name_en="Charlie", name_ar="شارلي")
        api = api_client_for(duhok_viewer)

        def names(params):
            return [p["name_en"] for p in api.get(PLACES, params).json()["results"]]

        assert names({"kind": "village"}) == ["Bravo"]
        assert names({"status": "closed"}) == ["Alpha"]
        assert names({"governorate": DUHOK, "ordering": "-name_en"}) == [
            "Charlie",
            "Bravo",
            "Alpha",
        ]
        assert names({"governorate": ERBIL}) == []
        assert names({"search": "شارلي"}) == ["Charlie"]

    def test_the_number_of_queries_does_not_grow_with_the_rows(
        self, duhok_viewer, django_assert_num_queries
    ):
        api = api_client_for(duhok_viewer)
        PlaceFactory.create_batch(2)
        api.get(
            PLACES
        )  # warm caches that a long-lived process holds anyway (user's roles, content types)
        with CaptureQueriesContext(connection) as few:
            api.get(PLACES)
        PlaceFactory.create_batch(20)
        with django_assert_num_queries(len(few.captured_queries)):
            assert api.get(PLACES).json()["count"] == 22


class TestPlacesWrite:
    def payload(self, **overrides):
        values = {
            "kind": "formal_camp",
            "name_en": "Kabarto 2",
            "name_ar": "كبرتو ٢",
            "admin_unit": subdistrict_in(DUHOK).pcode,
            "lat": 36.95,
            "lon": 42.95,
            "code": "DHK-CMP-02",
        }
        values.update(overrides)
        return values

    def test_a_manager_adds_a_place(self, duhok_manager):
        response = api_client_for(duhok_manager).post(PLACES, self.payload(), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "open" and body["governorate"] == DUHOK
        assert Place.objects.get(public_id=body["id"]).created_by == duhok_manager

    def test_coordinates_outside_iraq_answer_the_one_error_shape(self, duhok_manager):
        response = api_client_for(duhok_manager).post(
            PLACES, self.payload(lat=51.5, lon=-0.1), format="json"
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"}
        assert error["code"] == "outside_iraq"
        assert "outside Iraq" in error["message"]
        assert set(error["fields"]) == {"lat", "lon"}

    def test_missing_fields_answer_the_one_error_shape(self, duhok_manager):
        response = api_client_for(duhok_manager).post(PLACES, {"kind": "palace"}, format="json")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "validation_failed"
        assert {"kind", "name_en", "admin_unit"} <= set(error["fields"])

    def test_an_old_code_for_the_admin_unit_gets_the_clear_message(self, duhok_manager):
        response = api_client_for(duhok_manager).post(
            PLACES, self.payload(admin_unit="IQ-DA"), format="json"
        )
        assert response.status_code == 400
        message = response.json()["error"]["fields"]["admin_unit"][0]
        assert "ISO 3166-2" in message and DUHOK in message

    def test_a_place_outside_ones_governorates_is_refused(self, duhok_manager):
        response = api_client_for(duhok_manager).post(
            PLACES,
            self.payload(admin_unit=subdistrict_in(ERBIL).pcode, lat=36.2, lon=44.0),
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "outside_scope"
        assert not Place.objects.exists()

    def test_a_viewer_cannot_add_places(self, duhok_viewer):
        response = api_client_for(duhok_viewer).post(PLACES, self.payload(), format="json")
        assert response.status_code == 403

    def test_a_manager_changes_a_place_partially(self, duhok_manager):
        place = PlaceFactory(name_en="Old")
        response = api_client_for(duhok_manager).patch(
            f"{PLACES}{place.public_id}/", {"name_en": "New"}, format="json"
        )
        assert response.status_code == 200
        place.refresh_from_db()
        assert place.name_en == "New" and place.lat == 36.9

    def test_changing_an_out_of_scope_place_is_a_404(self, duhok_manager):
        place = erbil_place()
        response = api_client_for(duhok_manager).patch(
            f"{PLACES}{place.public_id}/", {"name_en": "x"}, format="json"
        )
        assert response.status_code == 404

    def test_places_cannot_be_deleted(self, duhok_manager):
        place = PlaceFactory()
        assert (
            api_client_for(duhok_manager).delete(f"{PLACES}{place.public_id}/").status_code == 405
        )

    def test_closing_records_the_reason(self, duhok_manager):
        place = PlaceFactory()
        response = api_client_for(duhok_manager).post(
            f"{PLACES}{place.public_id}/close/", {"reason": "Consolidated"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["status"] == "closed"
        assert Place.STATUS_MACHINE.history(place).get().reason == "Consolidated"

    def test_closing_without_a_reason_says_what_to_fix(self, duhok_manager):
        place = PlaceFactory()
        response = api_client_for(duhok_manager).post(
            f"{PLACES}{place.public_id}/close/", {}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "reason_required"
        assert "reason" in response.json()["error"]["fields"]

    def test_the_status_cannot_be_changed_by_editing(self, duhok_manager):
        place = PlaceFactory()
        api_client_for(duhok_manager).patch(
            f"{PLACES}{place.public_id}/", {"status": "closed"}, format="json"
        )
        place.refresh_from_db()
        assert place.status == "open"


def test_the_schema_generates_without_warnings_for_geo(admin_client):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    response = admin_client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/admin-units/lookup/" in text and "/api/v1/places/{public_id}/close/" in text
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not [
        p
        for p in problems
        if "geo" in p.lower() or "place" in p.lower() or "adminunit" in p.lower()
    ]
