"""Place pages: list (scope, filters, search, sort, pages), detail, add, edit, close, export."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanad.core.models import Job
from sanad.geo.models import Place
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, NINEWA, PlaceFactory, make_user, subdistrict_in

pytestmark = pytest.mark.django_db

LIST = reverse("geo:place_list")


def erbil_place(**kwargs):
    return PlaceFactory(admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0, **kwargs)


def names(response) -> list[str]:
    return [p.name_en for p in response.context["object_list"]]


@pytest.fixture
def duhok_viewer():
    return make_user("field_enumerator", governorates=(DUHOK,))


@pytest.fixture
def duhok_manager():
    return make_user("camp_manager", governorates=(DUHOK,))


class TestList:
    def test_a_duhok_only_user_does_not_see_an_erbil_place(self, duhok_viewer):
        PlaceFactory(name_en="Khanke")
        erbil_place(name_en="Harshm")
        response = client_for(duhok_viewer).get(LIST)
        assert response.status_code == 200
        assert names(response) == ["Khanke"]
        assert "Harshm" not in response.content.decode()

    def test_a_user_without_the_permission_is_refused(self):
        donor = make_user("donor_viewer")
        assert client_for(donor).get(LIST).status_code == 403

    def test_the_list_filters_by_kind_status_and_governorate(self, admin_client):
        PlaceFactory(name_en="Camp A")
        PlaceFactory(name_en="Village B", kind=Place.Kind.VILLAGE)
        PlaceFactory(name_en="Camp C", status=Place.Status.CLOSED)
        erbil_place(name_en="Camp D")
        assert names(admin_client.get(LIST, {"kind": "village"})) == ["Village B"]
        assert names(admin_client.get(LIST, {"status": "closed"})) == ["Camp C"]
        assert names(admin_client.get(LIST, {"governorate": ERBIL})) == ["Camp D"]
        assert names(admin_client.get(LIST, {"governorate": DUHOK, "kind": "formal_camp"})) == [
            "Camp A",
            "Camp C",
        ]

    def test_the_dashboard_links_filter_the_list(self, admin_client):
        PlaceFactory(name_en="Camp A")
        erbil_place(name_en="Camp D")
        response = admin_client.get(f"{LIST}?governorate={ERBIL}")
        assert names(response) == ["Camp D"]
        assert response.context["filterset"].form["governorate"].value() == ERBIL

    def test_the_list_filters_by_an_admin_unit_at_any_level(self, admin_client):
        sub = subdistrict_in(DUHOK)
        PlaceFactory(name_en="Inside", admin_unit=sub)
        erbil_place(name_en="Outside")
        for code in (sub.pcode, sub.parent.pcode, DUHOK, sub.pcode.lower()):
            assert names(admin_client.get(LIST, {"admin_unit": code})) == ["Inside"], code

    def test_the_search_finds_names_in_both_scripts_and_the_site_code(self, admin_client):
        PlaceFactory(name_en="Bajed Kandala", name_ar="باجد كندالا", code="DHK-07")
        PlaceFactory(name_en="Khanke", name_ar="خانكي")
        assert names(admin_client.get(LIST, {"q": "kandala"})) == ["Bajed Kandala"]
        assert names(admin_client.get(LIST, {"q": "كندالا"})) == ["Bajed Kandala"]
        assert names(admin_client.get(LIST, {"q": "dhk-07"})) == ["Bajed Kandala"]

    def test_the_columns_sort_both_ways(self, admin_client):
        for name in ("Bravo", "Alpha", "Charlie"):
            PlaceFactory(name_en=name)
        assert names(admin_client.get(LIST)) == ["Alpha", "Bravo", "Charlie"]
        assert names(admin_client.get(LIST, {"sort": "-name"})) == ["Charlie", "Bravo", "Alpha"]
        response = admin_client.get(LIST, {"sort": "governorate"})
        assert response.status_code == 200

    def test_the_list_is_paginated(self, admin_client):
        PlaceFactory.create_batch(12)
        first = admin_client.get(LIST, {"page_size": 5})
        third = admin_client.get(LIST, {"page_size": 5, "page": 3})
        assert len(first.context["object_list"]) == 5
        assert len(third.context["object_list"]) == 2
        assert first.context["paginator"].count == 12

    def test_an_htmx_request_gets_only_the_table(self, admin_client):
        PlaceFactory(name_en="Khanke")
        response = admin_client.get(LIST, {"q": "khan"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert "Khanke" in body
        assert "<html" not in body

    def test_the_number_of_queries_does_not_grow_with_the_rows(
        self, duhok_manager, django_assert_num_queries
    ):
        client = client_for(duhok_manager)
        PlaceFactory.create_batch(2)
        client.get(
            LIST
        )  # warm caches that a long-lived process holds anyway (user's roles, content types)
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
        PlaceFactory.create_batch(20, kind=Place.Kind.INFORMAL_SITE)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(LIST)
        assert len(response.context["object_list"]) == 22

    def test_managers_see_the_add_button_and_viewers_do_not(self, duhok_manager, duhok_viewer):
        assert b'data-testid="place-add"' in client_for(duhok_manager).get(LIST).content
        assert b'data-testid="place-add"' not in client_for(duhok_viewer).get(LIST).content


class TestDetail:
    def test_the_detail_shows_names_kind_status_and_the_admin_unit_chain(self, duhok_viewer):
        place = PlaceFactory(name_en="Khanke", name_ar="خانكي")
        response = client_for(duhok_viewer).get(reverse("geo:place_detail", args=[place.public_id]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Khanke" in body and "خانكي" in body and "Formal camp" in body
        sub = place.admin_unit
        for code in (sub.pcode, sub.parent.pcode, DUHOK):
            assert code in body
        assert 'data-testid="place-close-form"' not in body  # a viewer cannot close it

    def test_an_out_of_scope_place_is_a_404(self, duhok_viewer):
        place = erbil_place()
        response = client_for(duhok_viewer).get(reverse("geo:place_detail", args=[place.public_id]))
        assert response.status_code == 404

    def test_the_status_history_is_shown(self, duhok_manager):
        place = PlaceFactory()
        client = client_for(duhok_manager)
        client.post(reverse("geo:place_close", args=[place.public_id]), {"reason": "Consolidated"})
        body = client.get(reverse("geo:place_detail", args=[place.public_id])).content.decode()
        assert "Consolidated" in body
        assert "Reopen the place" in body


class TestAddAndEdit:
    def test_a_manager_adds_a_place_from_the_sub_district_list(self, duhok_manager):
        sub = subdistrict_in(DUHOK)
        response = client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "informal_site",
                "name_en": "Sharya informal",
                "name_ar": "شاريا",
                "admin_unit": sub.pcode,
                "lat": "36.93",
                "lon": "42.98",
                "code": "",
                "notes": "",
            },
        )
        place = Place.objects.get(name_en="Sharya informal")
        assert response.status_code == 302
        assert response.url == reverse("geo:place_detail", args=[place.public_id])
        assert place.admin_unit == sub and place.created_by == duhok_manager

    def test_a_typed_pcode_is_accepted_in_any_case(self, duhok_manager):
        sub = subdistrict_in(DUHOK)
        client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "office",
                "name_en": "Field office",
                "admin_unit_pcode": sub.pcode.lower(),
            },
        )
        assert Place.objects.get(name_en="Field office").admin_unit == sub

    def test_an_old_code_typed_in_the_form_gets_the_clear_message(self, duhok_manager):
        response = client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "office",
                "name_en": "Field office",
                "admin_unit_pcode": "IQ-DA",
            },
        )
        assert response.status_code == 400
        errors = response.context["form"].errors["admin_unit_pcode"]
        assert "ISO 3166-2" in errors[0] and DUHOK in errors[0]

    def test_a_place_outside_ones_governorates_is_refused_with_a_clear_message(self, duhok_manager):
        response = client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "office",
                "name_en": "Erbil office",
                "admin_unit_pcode": subdistrict_in(ERBIL).pcode,
            },
        )
        assert response.status_code == 400
        assert (
            "your role covers other governorates"
            in response.context["form"].errors["admin_unit"][0]
        )
        assert not Place.objects.exists()

    def test_coordinates_outside_iraq_are_refused_on_the_form(self, duhok_manager):
        response = client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "office",
                "name_en": "Office",
                "admin_unit": subdistrict_in(DUHOK).pcode,
                "lat": "48.85",
                "lon": "2.35",
            },
        )
        assert response.status_code == 400
        assert "outside Iraq" in response.context["form"].errors["lat"][0]

    def test_the_sub_district_list_offers_only_ones_governorates(self, duhok_manager):
        response = client_for(duhok_manager).get(reverse("geo:place_create"))
        body = response.content.decode()
        assert subdistrict_in(DUHOK).pcode in body
        assert subdistrict_in(NINEWA).pcode not in body

    def test_every_mistake_is_shown_at_once(self, duhok_manager):
        response = client_for(duhok_manager).post(
            reverse("geo:place_create"),
            {
                "kind": "office",
                "name_en": "",
                "admin_unit_pcode": "IQ10077",
                "lat": "51",
                "lon": "0",
            },
        )
        errors = response.context["form"].errors
        assert {"name_en", "admin_unit_pcode", "lat", "lon"} <= set(errors)
        assert "older numeric scheme" in errors["admin_unit_pcode"][0]

    def test_a_viewer_cannot_open_the_form(self, duhok_viewer):
        assert client_for(duhok_viewer).get(reverse("geo:place_create")).status_code == 403

    def test_a_manager_edits_a_place(self, duhok_manager):
        place = PlaceFactory(name_en="Old")
        url = reverse("geo:place_edit", args=[place.public_id])
        client = client_for(duhok_manager)
        assert client.get(url).context["form"]["name_en"].value() == "Old"
        response = client.post(
            url,
            {
                "kind": place.kind,
                "name_en": "New",
                "name_ar": place.name_ar,
                "admin_unit": place.admin_unit.pcode,
                "lat": "37.1",
                "lon": "43.1",
            },
        )
        assert response.status_code == 302
        place.refresh_from_db()
        assert (place.name_en, place.lat) == ("New", 37.1)

    def test_editing_an_out_of_scope_place_is_a_404(self, duhok_manager):
        place = erbil_place()
        assert (
            client_for(duhok_manager)
            .get(reverse("geo:place_edit", args=[place.public_id]))
            .status_code
            == 404
        )


class TestCloseAndReopen:
    def test_a_manager_closes_a_place_with_a_reason(self, duhok_manager):
        place = PlaceFactory()
        response = client_for(duhok_manager).post(
            reverse("geo:place_close", args=[place.public_id]), {"reason": "Camp consolidated"}
        )
        assert response.status_code == 302
        place.refresh_from_db()
        assert place.status == "closed"
        assert Place.STATUS_MACHINE.history(place).get().reason == "Camp consolidated"

    def test_closing_without_a_reason_shows_the_message(self, duhok_manager):
        place = PlaceFactory()
        response = client_for(duhok_manager).post(
            reverse("geo:place_close", args=[place.public_id]), {"reason": ""}
        )
        assert response.status_code == 400
        assert "Say why the place is closing" in response.content.decode()
        place.refresh_from_db()
        assert place.status == "open"

    def test_a_manager_reopens_a_place(self, duhok_manager):
        place = PlaceFactory(status=Place.Status.CLOSED)
        client_for(duhok_manager).post(
            reverse("geo:place_reopen", args=[place.public_id]), {"reason": ""}
        )
        place.refresh_from_db()
        assert place.status == "open"

    def test_a_viewer_cannot_close_a_place(self, duhok_viewer):
        place = PlaceFactory()
        response = client_for(duhok_viewer).post(
            reverse("geo:place_close", args=[place.public_id]), {"reason": "x"}
        )
        assert response.status_code == 403


class TestExportButton:
    def test_the_export_starts_a_job_and_opens_the_job_page(
        self, django_capture_on_commit_callbacks
    ):
        user = make_user("im_officer", governorates=(DUHOK,))
        PlaceFactory()
        client = client_for(user)
        assert b'data-testid="place-export"' in client.get(LIST).content
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("geo:place_export"), {"kind": "formal_camp"})
        job = Job.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("core:job_detail", args=[job.public_id])
        job.refresh_from_db()
        assert job.kind == "geo.places_export" and job.params == {"kind": "formal_camp"}
        assert job.status == Job.Status.SUCCEEDED and job.result == {"rows": 1}

    def test_users_without_the_export_permission_get_no_button_and_a_403(self, duhok_manager):
        assert b'data-testid="place-export"' not in client_for(duhok_manager).get(LIST).content
        assert client_for(duhok_manager).post(reverse("geo:place_export")).status_code == 403
