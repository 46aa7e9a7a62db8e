"""The governance pages as people use them: registering a centre, its visits per day,
logging a complaint there and seeing the cases one may see (never an abuse report one
may not know of), planning an activity, adding registered participants, recording it as
held with the participation grid, the refusals beside the fields; the API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from sanad.accounts.services import role_assign
from sanad.assistance.models import AssistanceRecord
from sanad.feedback.models import Case, Channel
from sanad.revitalization.models import (
    CentreCase,
    CentreVisitDay,
    CohesionActivity,
    CommunityCentre,
)
from sanad.revitalization.services import governance as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import crp, make_community
from tests.revitalization.matrix_governance import make_activity, make_centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    crp()
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("CRP",))


@pytest.fixture
def community():
    return make_community(governorate=DUHOK, name="Zakho town")


def url(name, *args):
    return reverse(f"revitalization:{name}", args=args)


def test_registering_a_centre_from_the_form(officer, community):
    channel = Channel.objects.create(
        code="help-desk-zakho", name="Help desk Zakho", kind="help_desk"
    )
    client = client_for(officer)
    assert client.get(url("centre_create")).status_code == 200
    response = client.post(
        url("centre_create"),
        {
            "name": "Zakho community centre",
            "community": str(community.public_id),
            "opening_hours": "Sunday to Thursday, 8:00 to 14:00",
            "services": "Information\nLegal counselling",
            "phone": "0750 123 4567",
            "opened_on": "2026-02-01",
            "active": "on",
            "channel": channel.code,
        },
    )
    centre = CommunityCentre.objects.get()
    assert response.status_code == 302
    assert response.url == url("centre_detail", centre.public_id)
    assert (centre.channel, centre.active, centre.created_by) == (channel, True, officer)


def test_the_form_asks_for_a_channel_when_none_can_be_created(officer, community):
    response = client_for(officer).post(
        url("centre_create"), {"name": "Zakho centre", "community": str(community.public_id)}
    )
    assert response.status_code == 400
    assert "manages feedback channels" in response.content.decode()
    assert not CommunityCentre.objects.exists()


def test_the_centre_page_records_visits_and_shows_the_last_30_days(officer, community):
    centre = make_centre(community=community)
    client = client_for(officer)
    today = datetime.date.today()
    old = today - datetime.timedelta(days=40)
    CentreVisitDay.objects.create(centre=centre, day=old, visitors_female=99)
    response = client.post(
        url("centre_visit", centre.public_id),
        {
            "visit-day": today.isoformat(),
            "visit-visitors_female": "12",
            "visit-visitors_male": "7",
            "visit-information_requests": "15",
            "visit-referrals": "2",
        },
    )
    assert response.status_code == 302
    page = client.get(url("centre_detail", centre.public_id))
    assert page.status_code == 200
    assert page.context["visits"]["totals"]["visitors"] == 19
    # Correcting the day: the form comes back filled in for that day.
    again = client.get(url("centre_detail", centre.public_id), {"day": today.isoformat()})
    assert again.context["visit_form"].initial["visitors_female"] == 12
    refused = client.post(
        url("centre_visit", centre.public_id),
        {"visit-day": today.isoformat(), "visit-visitors_female": "1", "visit-referrals": "5"},
    )
    assert refused.status_code == 400
    assert "more referrals than visitors" in refused.content.decode()


def test_logging_a_complaint_at_the_centre_from_its_page(officer, community):
    centre = make_centre(community=community)
    client = client_for(officer)
    page = client.get(url("centre_detail", centre.public_id))
    assert url("centre_case_create", centre.public_id) in page.content.decode()
    response = client.post(
        url("centre_case_create", centre.public_id),
        {
            "category": "complaint_assistance",
            "description": "The road works block the market since March.",
            "caller_name": "Azad Hassan",
            "caller_phone": "0750 765 4321",
            "caller_sex": "male",
            "caller_age_group": "18-59",
            "preferred_response": "call",
        },
    )
    assert response.status_code == 302
    link = CentreCase.objects.get()
    page = client.get(url("centre_detail", centre.public_id))
    assert link.case.reference in page.content.decode()
    assert reverse("feedback:case_detail", args=[link.case.public_id]) in page.content.decode()


def test_an_unknown_registration_id_is_refused_beside_the_field(officer, community):
    centre = make_centre(community=community)
    response = client_for(officer).post(
        url("centre_case_create", centre.public_id),
        {
            "category": "information",
            "description": "When is the next forum?",
            "household": "SND-0000-0000",
        },
    )
    assert response.status_code == 400
    assert "No registered household with this id" in response.content.decode()
    assert not Case.objects.exists()


def test_an_abuse_report_at_a_centre_stays_invisible_to_whoever_is_not_a_focal_point(
    officer, community
):
    centre = make_centre(community=community)
    services.centre_case_log(
        user=officer, centre=centre, category="information", description="Opening hours?"
    )
    psea = services.centre_case_log(
        user=officer,
        centre=centre,
        category="sea",
        description="A report for the focal points only.",
        anonymous=True,
    ).case
    normal = CentreCase.objects.exclude(case=psea).get().case
    # The officer who logged it, a colleague, an M&E viewer: the normal case only (or none).
    colleague = make_user("programme_officer", governorates=(DUHOK,), programmes=("CRP",))
    for user in (officer, colleague):
        body = client_for(user).get(url("centre_detail", centre.public_id)).content.decode()
        assert normal.reference in body and psea.reference not in body
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    body = client_for(viewer).get(url("centre_detail", centre.public_id)).content.decode()
    assert psea.reference not in body
    # A PSEA focal point who also sees the programme: both.
    focal = make_user("psea_focal_point", governorates=(DUHOK,), programmes=("CRP",))
    role_assign(
        user=focal,
        role="programme_officer",
        governorates=(DUHOK,),
        all_governorates=False,
        programmes=("CRP",),
        all_programmes=False,
    )
    body = client_for(focal).get(url("centre_detail", centre.public_id)).content.decode()
    assert normal.reference in body and psea.reference in body
    # The dashboard counts cases the same way.
    assert client_for(officer).get(url("dashboard")).context["tiles"]["centres"]["cases"] == 1
    assert client_for(focal).get(url("dashboard")).context["tiles"]["centres"]["cases"] == 2


def test_the_centre_list_is_scoped_and_its_queries_do_not_grow(
    officer, community, django_assert_max_num_queries
):
    for _ in range(3):
        make_centre(community=community)
    make_centre(governorate=ERBIL, name="Erbil centre")
    client = client_for(officer)
    with django_assert_max_num_queries(12):
        response = client.get(url("centre_list"))
    assert response.status_code == 200 and response.context["total_count"] == 3
    assert "Erbil centre" not in response.content.decode()
    for _ in range(5):
        make_centre(community=community)
    with django_assert_max_num_queries(12):
        client.get(url("centre_list"))


def test_a_centre_out_of_scope_answers_404(officer):
    erbil = make_centre(governorate=ERBIL)
    client = client_for(officer)
    assert client.get(url("centre_detail", erbil.public_id)).status_code == 404
    assert client.get(url("centre_case_create", erbil.public_id)).status_code == 404


def test_planning_an_activity_and_recording_it_as_held_with_participants(officer, community):
    client = client_for(officer)
    response = client.post(
        url("activity_create"),
        {
            "kind": "reconciliation",
            "title": "Returnees and host families: shared water committee",
            "community": str(community.public_id),
            "held_on": "2026-06-10",
            "facilitators": "Peace committee of Zakho",
        },
    )
    activity = CohesionActivity.objects.get()
    assert response.status_code == 302
    household = make_household(governorate=DUHOK, members=2)
    search = client.get(
        url("activity_detail", activity.public_id), {"q": household.registration_id}
    )
    candidates = search.context["candidates"]
    assert {c.household_id for c in candidates} == {household.pk}
    person = candidates[0]
    added = client.post(
        url("activity_participant_add", activity.public_id), {"individual": str(person.public_id)}
    )
    assert added.status_code == 302 and activity.participants.get() == person
    # One group only: refused beside the grid.
    refused = client.post(
        url("activity_hold", activity.public_id),
        {"outcomes": "A joint committee.", "n_idp_female_18_59": "5"},
    )
    assert refused.status_code == 400
    assert "at least two groups" in refused.content.decode()
    held = client.post(
        url("activity_hold", activity.public_id),
        {"outcomes": "A joint committee.", "n_idp_female_18_59": "5", "n_host_male_60plus": "3"},
    )
    assert held.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "held"
    assert (
        AssistanceRecord.objects.filter(individual=person, item="crp_social_cohesion").count() == 1
    )
    page = client.get(url("activity_detail", activity.public_id))
    assert page.context["grid"]["total"] == 8
    # Back to planned is refused: the participant is in the ledger.
    back = client.post(url("activity_action", activity.public_id, "plan"), {"plan-reason": "Oops"})
    assert back.status_code == 400
    assert "ledger" in back.content.decode()


def test_cancelling_an_activity_needs_a_reason(officer, community):
    activity = make_activity(community=community)
    client = client_for(officer)
    assert client.post(url("activity_action", activity.public_id, "cancel"), {}).status_code == 400
    response = client.post(
        url("activity_action", activity.public_id, "cancel"), {"cancel-reason": "Curfew"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "cancelled"


def test_the_activity_list_filters_and_its_queries_do_not_grow(
    officer, community, django_assert_max_num_queries
):
    make_activity(community=community, kind="reconciliation")
    make_activity(community=community, kind="civic", status="held")
    make_activity(governorate=ERBIL, reference="SCA-ERBIL-1")
    client = client_for(officer)
    with django_assert_max_num_queries(12):
        response = client.get(url("activity_list"))
    assert response.context["total_count"] == 2
    assert "SCA-ERBIL-1" not in response.content.decode()
    assert client.get(url("activity_list"), {"kind": "civic"}).context["total_count"] == 1
    assert client.get(url("activity_list"), {"status": "held"}).context["total_count"] == 1
    assert (
        client.get(url("activity_list"), {"community": community.code}).context["total_count"] == 2
    )
    assert client.get(url("activity_list"), {"governorate": ERBIL}).context["total_count"] == 0
    for _ in range(4):
        make_activity(community=community)
    with django_assert_max_num_queries(12):
        client.get(url("activity_list"))


def test_the_api_lists_centres_and_activities_without_names(officer, community):
    centre = make_centre(community=community, name="Sinjar centre")
    activity = make_activity(community=community, centre=centre)
    household = make_household(governorate=DUHOK, members=2)
    activity.participants.add(household.members.first())
    make_centre(governorate=ERBIL, name="Erbil centre")
    api = api_client_for(officer)
    centres = api.get("/api/v1/revitalization/centres/").json()
    assert [c["name"] for c in centres["results"]] == ["Sinjar centre"]
    data = api.get(f"/api/v1/revitalization/activities/{activity.public_id}/").json()
    assert data["registered_participants"] == 1 and data["centre"] == str(centre.public_id)
    assert household.members.first().given_name_en not in str(data)


def test_every_form_page_opens_in_english_and_arabic(officer, community):
    centre = make_centre(community=community)
    planned = make_activity(community=community, centre=centre, kind="reconciliation")
    held = make_activity(community=community, status="held", outcomes="Agreed.")
    client = client_for(officer)
    pages = [
        url("dashboard"),
        url("centre_list"),
        url("centre_create"),
        url("centre_detail", centre.public_id),
        url("centre_edit", centre.public_id),
        url("centre_case_create", centre.public_id),
        url("activity_list"),
        url("activity_create") + f"?centre={centre.public_id}",
        url("activity_detail", planned.public_id),
        url("activity_edit", planned.public_id),
        url("activity_hold", planned.public_id),
        url("activity_detail", held.public_id),
        url("activity_edit", held.public_id),
    ]
    for language in ("en", "ar"):
        client.cookies["django_language"] = language
        for page in pages:
            response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, page
    # A held activity's page no longer offers to record it as held; its form keeps the date.
    assert client.get(url("activity_hold", held.public_id)).status_code == 302
    form = client.get(url("activity_edit", held.public_id)).context["form"]
    assert form.fields["held_on"].disabled and not form.fields["title"].disabled
    create = client.get(url("activity_create"), {"centre": str(centre.public_id)})
    assert create.context["form"].initial["community"] == community
