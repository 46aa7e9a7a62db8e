"""Admin-unit pages: list with filters, search and sort; the P-code look-up box; detail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

pytestmark = pytest.mark.django_db

LIST = reverse("geo:adminunit_list")


def codes(response) -> list[str]:
    return [u.pcode for u in response.context["object_list"]]


@pytest.fixture
def client():
    return client_for(make_user("field_enumerator", governorates=(DUHOK,)))


class TestList:
    def test_the_list_shows_pcodes_names_in_both_scripts_level_and_parent(self, client):
        response = client.get(LIST, {"q": "IQG09Q02", "level": "2"})
        body = response.content.decode()
        assert codes(response) == ["IQG09Q02"]
        assert "Duhok" in body and "دهوك" in body and "District" in body and "IQG09" in body

    def test_the_list_keeps_the_cc_by_attribution(self, client):
        body = client.get(LIST).content.decode()
        assert 'data-testid="admin-units-attribution"' in body
        assert "Open Admin Data" in body and "CC-BY-4.0" in body

    def test_the_list_filters_by_level_and_governorate(self, client):
        response = client.get(LIST, {"level": "1", "page_size": 50})
        assert len(codes(response)) == 18
        response = client.get(LIST, {"governorate": ERBIL, "level": "2", "page_size": 50})
        assert codes(response) and all(c.startswith(ERBIL) for c in codes(response))

    def test_the_list_searches_names_in_either_script(self, client):
        assert "IQG15Q05" in codes(client.get(LIST, {"q": "Mosul"}))
        assert "IQG15Q05" in codes(client.get(LIST, {"q": "الموصل"}))

    def test_the_list_sorts_by_name(self, client):
        response = client.get(LIST, {"level": "1", "sort": "-name", "page_size": 50})
        assert response.context["object_list"][0].name_en == "Wassit"

    def test_a_donor_viewer_may_see_admin_units(self):
        donor = make_user("donor_viewer")
        assert client_for(donor).get(LIST).status_code == 200


class TestLookupBox:
    def test_a_name_shows_the_matching_units(self, client):
        response = client.get(
            reverse("geo:adminunit_lookup"), {"q": "دهوك"}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert 'data-testid="pcode-lookup-results"' in body
        assert "IQG09Q02N02" in body

    def test_an_old_code_shows_the_clear_message(self, client):
        response = client.get(
            reverse("geo:adminunit_lookup"), {"q": "IQ-G08"}, headers={"HX-Request": "true"}
        )
        assert "older governorate code scheme" in response.content.decode()

    def test_without_javascript_the_answer_appears_on_the_list_page(self, client):
        response = client.get(reverse("geo:adminunit_lookup"), {"q": "IQ-AN"}, follow=True)
        body = response.content.decode()
        assert response.status_code == 200
        assert "ISO 3166-2" in body and "IQG01" in body

    def test_a_name_that_matches_nothing_says_so(self, client):
        response = client.get(LIST, {"lookup": "Atlantis"})
        assert "No admin unit is called" in response.content.decode()


class TestDetail:
    def test_a_governorate_page_lists_its_districts_and_the_places_one_may_see(self):
        user = make_user("field_enumerator", governorates=(DUHOK,))
        PlaceFactory(name_en="Khanke")
        response = client_for(user).get(reverse("geo:adminunit_detail", args=[DUHOK]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "IQG09Q02" in body and "Khanke" in body
        assert response.context["places_count"] == 1

    def test_places_outside_ones_scope_are_not_listed_inside_a_unit(self):
        user = make_user("field_enumerator", governorates=(DUHOK,))
        PlaceFactory(name_en="Harshm", admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0)
        response = client_for(user).get(reverse("geo:adminunit_detail", args=[ERBIL]))
        assert response.status_code == 200
        assert response.context["places_count"] == 0
        assert "Harshm" not in response.content.decode()

    def test_a_lower_case_pcode_redirects_to_the_unit(self, client):
        response = client.get(reverse("geo:adminunit_detail", args=["iqg09q02"]))
        assert response.status_code == 302
        assert response.url == reverse("geo:adminunit_detail", args=["IQG09Q02"])

    def test_an_old_code_in_the_address_is_a_404_that_explains_itself(self, client):
        response = client.get(reverse("geo:adminunit_detail", args=["IQ-G08"]))
        assert response.status_code == 404
        assert "older governorate code scheme" in response.content.decode()
