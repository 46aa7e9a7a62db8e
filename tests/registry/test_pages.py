"""Registry pages: household list (search, filters, sort, pages, HTMX), the household's
record (logged), and the register, edit, move, status and consent forms."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanad.core.models import PersonalDataAccess
from sanad.registry.models import Household, Individual
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.registry.factories import make_household, member_data

pytestmark = pytest.mark.django_db

LIST = reverse("registry:household_list")
CREATE = reverse("registry:household_create")


def ids(response) -> list[str]:
    return [h.registration_id for h in response.context["object_list"]]


@pytest.fixture
def duhok_manager():
    return make_user("camp_manager", governorates=(DUHOK,))


@pytest.fixture
def duhok_viewer():
    return make_user("hotline_operator", governorates=(DUHOK,))


def member_fields(index: int, **values) -> dict[str, str]:
    return {
        f"members-{index}-{k}": ("on" if v is True else str(v))
        for k, v in values.items()
        if v is not False
    }


def post_data(*members: dict[str, str], initial: int = 0, **household) -> dict[str, str]:
    data = {
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(initial),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "displacement_status": "idp_out_of_camp",
        "shelter_type": "rented",
        "admin_unit": subdistrict_in(DUHOK).pcode,
    }
    data.update({k: str(v) for k, v in household.items()})
    for m in members:
        data.update(m)
    return data


class TestList:
    def test_a_duhok_user_sees_duhok_households_only(self, duhok_viewer):
        inside = make_household(governorate=DUHOK)
        outside = make_household(governorate=ERBIL)
        response = client_for(duhok_viewer).get(LIST)
        assert response.status_code == 200
        assert ids(response) == [inside.registration_id]
        assert outside.registration_id not in response.content.decode()

    def test_a_role_without_the_permission_is_refused(self):
        assert client_for(make_user("donor_viewer")).get(LIST).status_code == 403

    def test_the_search_box_finds_names_phones_documents_and_ids(self, admin_client):
        target = make_household(phones=["0750 123 4567"])
        make_household(
            members=[
                member_data(
                    relationship="head",
                    sex="female",
                    date_of_birth=datetime.date(1970, 1, 1),
                    given_name_en="Leila",
                    given_name_ar="ليلى",
                )
            ]
        )
        for query in ("احمد", "ahm", "0750 123 4567", target.registration_id):
            assert ids(admin_client.get(LIST, {"q": query})) == [target.registration_id], query

    def test_the_list_filters_by_status_displacement_shelter_governorate_and_vulnerability(
        self, admin_client
    ):
        woman = make_household(head_sex="female", members=1, displacement_status="returnee")
        big = make_household(members=7, governorate=ERBIL, shelter_type="unfinished_building")
        inactive = make_household()
        Household.objects.filter(pk=inactive.pk).update(status="inactive")
        assert ids(admin_client.get(LIST, {"vulnerability": "woman_headed"})) == [
            woman.registration_id
        ]
        assert ids(admin_client.get(LIST, {"vulnerability": "large"})) == [big.registration_id]
        assert ids(admin_client.get(LIST, {"governorate": ERBIL})) == [big.registration_id]
        assert ids(admin_client.get(LIST, {"displacement_status": "returnee"})) == [
            woman.registration_id
        ]
        assert ids(admin_client.get(LIST, {"shelter_type": "unfinished_building"})) == [
            big.registration_id
        ]
        assert ids(admin_client.get(LIST, {"status": "inactive"})) == [inactive.registration_id]

    def test_the_list_sorts_by_size(self, admin_client):
        small, large = make_household(members=1), make_household(members=4)
        assert ids(admin_client.get(LIST, {"sort": "size"})) == [
            small.registration_id,
            large.registration_id,
        ]
        assert ids(admin_client.get(LIST, {"sort": "-size"})) == [
            large.registration_id,
            small.registration_id,
        ]

    def test_an_htmx_request_gets_the_table_only(self, admin_client):
        make_household()
        response = admin_client.get(LIST, HTTP_HX_REQUEST="true")
        assert (
            b'data-testid="household-table"' in response.content
            and b"<html" not in response.content
        )

    def test_the_list_shows_the_head_and_the_flags(self, admin_client):
        make_household(head_sex="female", members=1)
        body = admin_client.get(LIST).content.decode()
        assert "Fatima Al-Jubouri" in body and "فاطمة الجبوري" in body
        assert "Woman-headed" in body

    def test_the_number_of_queries_does_not_grow_with_the_rows(
        self, duhok_manager, django_assert_max_num_queries
    ):
        client = client_for(duhok_manager)
        make_household()
        client.get(LIST)  # warm caches a long-lived process holds anyway
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
        for _ in range(8):
            make_household(members=2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(LIST)
        assert len(response.context["object_list"]) == 9


class TestDetail:
    def test_the_record_shows_members_documents_phones_consent_and_history(self, duhok_manager):
        household = make_household(
            members=[
                member_data(
                    relationship="head",
                    sex="female",
                    date_of_birth=datetime.date(1985, 2, 1),
                    documents=[{"kind": "pds_card", "number": "PDS-7781"}],
                    wg_walking=3,
                ),
            ],
            phones=["07501234567"],
            consents=[{"purpose": "assistance", "legal_basis": "vital_interest"}],
            origin_admin_unit="IQG15Q01",
            displaced_on="2014-08-03",
        )
        response = client_for(duhok_manager).get(
            reverse("registry:household_detail", args=[household.public_id])
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert household.registration_id in body and "PDS-7781" in body and "+9647501234567" in body
        assert "Vital interest" in body and "2014-08-03" in body
        assert "Woman-headed" in body and "Disability" in body
        assert 'data-testid="demographics"' in body and 'data-testid="status-form"' in body

    def test_opening_the_record_is_logged(self, duhok_viewer):
        household = make_household()
        url = reverse("registry:household_detail", args=[household.public_id])
        client_for(duhok_viewer).get(url)
        access = PersonalDataAccess.objects.get(object_public_id=str(household.public_id))
        assert access.user == duhok_viewer and access.route == url

    def test_a_household_outside_the_scope_is_not_found_and_not_logged(self, duhok_viewer):
        erbil = make_household(governorate=ERBIL)
        response = client_for(duhok_viewer).get(
            reverse("registry:household_detail", args=[erbil.public_id])
        )
        assert response.status_code == 404
        assert not PersonalDataAccess.objects.exists()

    def test_the_assistance_history_loads_by_htmx_for_those_who_may_see_it(self, duhok_viewer):
        household = make_household()
        body = (
            client_for(duhok_viewer)
            .get(reverse("registry:household_detail", args=[household.public_id]))
            .content.decode()
        )
        assert f'hx-get="/assistance/households/{household.public_id}/history/"' in body
        assert 'hx-trigger="load"' in body
        enumerator = make_user("field_enumerator", governorates=(DUHOK,))
        body = (
            client_for(enumerator)
            .get(reverse("registry:household_detail", args=[household.public_id]))
            .content.decode()
        )
        assert "hx-get=" not in body

    def test_the_print_card_link_shows_for_roles_that_print_cards(
        self, duhok_manager, duhok_viewer
    ):
        household = make_household()
        url = reverse("registry:household_detail", args=[household.public_id])
        assert b'data-testid="print-card"' in client_for(duhok_manager).get(url).content
        assert b'data-testid="print-card"' not in client_for(duhok_viewer).get(url).content

    def test_viewers_get_no_forms(self, duhok_viewer):
        household = make_household()
        body = (
            client_for(duhok_viewer)
            .get(reverse("registry:household_detail", args=[household.public_id]))
            .content.decode()
        )
        assert (
            'data-testid="status-form"' not in body and 'data-testid="household-edit"' not in body
        )


class TestRegister:
    def test_the_page_starts_with_one_member_card_marked_head(self, duhok_manager):
        response = client_for(duhok_manager).get(CREATE)
        assert response.status_code == 200
        assert response.context["formset"].forms[0].initial["relationship"] == "head"
        assert b'id="member-template"' in response.content

    def test_a_household_with_members_documents_phone_and_consent_is_registered(
        self, duhok_manager
    ):
        data = post_data(
            member_fields(
                0,
                relationship="head",
                sex="female",
                given_name_ar="فاطمة",
                family_name_en="Al-Hamdani",
                given_name_en="Fatima",
                date_of_birth="1982-05-01",
                doc_national_id="1982 0001 2345",
                doc_national_id_gov=DUHOK,
            ),
            member_fields(
                1, relationship="son", sex="male", given_name_en="Omar", age=9, wg_seeing="3"
            ),
            member_fields(2),  # a card added and left empty
            phone_0="0750 111 2233",
            **{"consent-registration_given": "yes", "consent-registration_basis": "consent"},
        )
        response = client_for(duhok_manager).post(CREATE, data)
        assert response.status_code == 302, response.context and response.context.get("page_errors")
        household = Household.objects.get()
        assert response.url == reverse("registry:household_detail", args=[household.public_id])
        assert household.size == 2 and household.is_woman_headed and household.has_disability
        assert household.source == "web" and household.created_by == duhok_manager
        omar = household.members.get(relationship="son")
        assert omar.dob_estimated
        assert (
            household.members.get(relationship="head").documents.get().issuing_governorate.pcode
            == DUHOK
        )
        assert household.consents.get().purpose == "registration"
        assert household.phones.get().number == "+9647501112233"

    def test_problems_are_shown_on_the_member_card_and_field_they_belong_to(self, duhok_manager):
        data = post_data(
            member_fields(
                0, relationship="head", sex="male", given_name_en="Ali", date_of_birth="1990-01-01"
            ),
            member_fields(
                1,
                relationship="son",
                sex="male",
                given_name_en="Ali",
                date_of_birth="1995-01-01",
                phone="123",
            ),
            phone_0="12",
        )
        response = client_for(duhok_manager).post(CREATE, data)
        assert response.status_code == 400
        son = response.context["formset"].forms[1]
        assert "12 years younger" in son.errors["date_of_birth"][0]
        assert son.errors["phone"] == ["Write an Iraqi mobile number such as 0750 123 4567."]
        assert response.context["form"].errors["phone_0"]
        assert not Household.objects.exists()

    def test_a_removed_new_card_is_left_out(self, duhok_manager):
        data = post_data(
            member_fields(
                0, relationship="head", sex="male", given_name_en="Ali", date_of_birth="1990-01-01"
            ),
            member_fields(1, relationship="son", sex="male", given_name_en="X", DELETE=True),
        )
        assert client_for(duhok_manager).post(CREATE, data).status_code == 302
        assert Household.objects.get().size == 1

    def test_a_camp_gives_the_location(self, duhok_manager):
        camp = PlaceFactory(admin_unit=subdistrict_in(DUHOK))
        data = post_data(
            member_fields(
                0, relationship="head", sex="male", given_name_en="Ali", date_of_birth="1990-01-01"
            ),
            place=str(camp.public_id),
            admin_unit="",
            displacement_status="idp_in_camp",
        )
        assert client_for(duhok_manager).post(CREATE, data).status_code == 302
        assert Household.objects.get().place == camp

    def test_viewers_cannot_register(self, duhok_viewer):
        assert client_for(duhok_viewer).get(CREATE).status_code == 403


class TestEdit:
    def test_the_edit_page_shows_the_members_and_saves_changes_and_departures(self, duhok_manager):
        household = make_household(members=3, phones=["07501234567"])
        url = reverse("registry:household_edit", args=[household.public_id])
        client = client_for(duhok_manager)
        page = client.get(url)
        assert page.status_code == 200 and len(page.context["formset"].forms) == 3
        forms = page.context["formset"].forms
        data = post_data(
            initial=3, notes="Visited again", phone_0="07501234567", phone_1="07701234567"
        )
        for i, form in enumerate(forms):
            values = {k: v for k, v in form.initial.items() if v not in (None, "", False)}
            if isinstance(values.get("date_of_birth"), datetime.date):
                values["date_of_birth"] = values["date_of_birth"].isoformat()
            data.update(member_fields(i, **values))
        son_id = forms[2].initial["id"]
        data["members-2-status"] = "left"
        data["members-2-status_reason"] = "Moved to Baghdad"
        data.update(
            member_fields(3, relationship="daughter", sex="female", given_name_en="Sara", age=1)
        )
        data["members-TOTAL_FORMS"] = "4"
        response = client.post(url, data)
        assert response.status_code == 302, response.context and (
            response.context["page_errors"],
            [f.errors for f in response.context["formset"].forms],
        )
        household.refresh_from_db()
        assert household.notes == "Visited again" and household.size == 3
        assert Individual.objects.get(public_id=son_id).status == "left"
        assert household.phones.count() == 2

    def test_someone_who_cannot_change_the_household_is_refused(self, duhok_viewer):
        household = make_household()
        assert (
            client_for(duhok_viewer)
            .get(reverse("registry:household_edit", args=[household.public_id]))
            .status_code
            == 403
        )

    def test_editing_a_household_outside_the_scope_is_not_found(self, duhok_manager):
        erbil = make_household(governorate=ERBIL)
        assert (
            client_for(duhok_manager)
            .get(reverse("registry:household_edit", args=[erbil.public_id]))
            .status_code
            == 404
        )


class TestMoveStatusConsent:
    def test_a_move_is_recorded_from_its_page(self, duhok_manager):
        household = make_household()
        camp = PlaceFactory(admin_unit=subdistrict_in(DUHOK))
        url = reverse("registry:household_move", args=[household.public_id])
        response = client_for(duhok_manager).post(
            url,
            {
                "to_place": str(camp.public_id),
                "moved_on": datetime.date.today().isoformat(),
                "displacement_status": "idp_in_camp",
                "shelter_type": "camp",
            },
        )
        assert response.status_code == 302
        household.refresh_from_db()
        assert household.place == camp and household.moves.count() == 1

    def test_a_move_without_a_date_shows_the_problem(self, duhok_manager):
        household = make_household()
        url = reverse("registry:household_move", args=[household.public_id])
        response = client_for(duhok_manager).post(
            url, {"to_admin_unit": subdistrict_in(ERBIL).pcode, "displacement_status": "returnee"}
        )
        assert response.status_code == 400 and response.context["form"].errors["moved_on"]

    def test_the_status_changes_with_a_reason(self, duhok_manager):
        household = make_household()
        url = reverse("registry:household_status", args=[household.public_id])
        client = client_for(duhok_manager)
        client.post(url, {"status": "inactive", "reason": ""})
        household.refresh_from_db()
        assert household.status == "active"
        client.post(url, {"status": "inactive", "reason": "Left the camp"})
        household.refresh_from_db()
        assert household.status == "inactive"

    def test_consent_is_recorded_from_the_household_page(self, duhok_manager):
        household = make_household()
        url = reverse("registry:household_consent", args=[household.public_id])
        response = client_for(duhok_manager).post(
            url,
            {
                "purpose": "data_sharing",
                "given": "no",
                "legal_basis": "consent",
                "recorded_on": "2026-01-05",
            },
        )
        assert response.status_code == 302
        consent = household.consents.get()
        assert consent.purpose == "data_sharing" and not consent.given
