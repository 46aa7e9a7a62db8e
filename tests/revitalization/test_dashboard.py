"""The programme dashboard's headline figures: unique people directly assisted (each
person once across cash for work, grants, training and social-cohesion activities; a
merged duplicate once), people benefiting from infrastructure (the largest figure per
community, only completed or handed-over projects), communities reached (from each
source); the period, governorate and project filters, the scope; the page, its CSV and
the API."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse

from sanad.assistance.services import assistance_record
from sanad.registry.services.merge import household_merge
from sanad.revitalization.models import Enrolment, GrantAgreement, GrantApplication
from sanad.revitalization.selectors.dashboard import headline_figures, summary_tiles
from sanad.revitalization.services import governance as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, NINEWA, make_user, unit
from tests.registry.factories import make_household
from tests.revitalization.factories import (
    crp,
    crp_project,
    make_call,
    make_community,
    make_course,
    make_project,
)
from tests.revitalization.matrix_governance import make_activity

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
_n = count(1)


@pytest.fixture
def admin():
    crp()
    return make_user("administrator")


@pytest.fixture
def officer():
    crp()
    return make_user("programme_officer", governorates=(DUHOK, NINEWA), programmes=("CRP",))


def deliver(admin, person=None, *, item, household=None, day=DAY, project=None, source=None):
    """A CRP ledger record as the parts write it (by the fixed source types)."""
    kind = {
        "crp_cash_for_work": "cash",
        "crp_business_grant": "cash",
        "crp_vocational_training": "training",
        "crp_social_cohesion": "service",
    }[item]
    money = (
        {"value": Decimal("150000"), "currency": "IQD", "exchange_rate": Decimal("1310")}
        if kind == "cash"
        else {}
    )
    return assistance_record(
        user=admin,
        individual=person,
        household=household,
        programme="CRP",
        project=project,
        kind=kind,
        item=item,
        delivered_on=day,
        source_type=source or f"test.{item}",
        source_id=str(next(_n)),
        permission=None,
        **money,
    )


def figures(user, **filters):
    return headline_figures(user=user, **filters)


# --- 1. people directly assisted ----------------------------------------------------------


def test_a_person_in_cash_for_work_training_and_an_activity_is_counted_once(admin):
    household = make_household(governorate=DUHOK, members=2)
    worker, spouse = household.members.order_by("date_of_birth")
    deliver(admin, worker, item="crp_cash_for_work", source="revitalization.worker_payment")
    deliver(admin, worker, item="crp_vocational_training", source="revitalization.enrolment")
    deliver(admin, spouse, item="crp_vocational_training", source="revitalization.enrolment")
    community = make_community(governorate=DUHOK)
    activity = make_activity(community=community)
    activity.participants.add(worker)
    services.activity_hold(
        user=admin,
        activity=activity,
        outcomes="Held.",
        participation={("host", "male", "18-59"): 5, ("idp", "female", "18-59"): 4},
    )
    people = figures(admin)["people"]
    assert people["total"] == 2 and people["households"] == 1
    by_source = {s["code"]: s["people"] for s in people["sources"]}
    assert by_source == {"cash_for_work": 1, "grants": 0, "training": 2, "cohesion": 1}
    assert people["named_in_sources"] == 4
    assert (people["female"], people["male"]) == (1, 1)
    assert people["by_sex_and_age"]["male"]["18-59"] == 1


def test_a_merged_duplicate_is_counted_once(admin):
    survivor = make_household(governorate=DUHOK, members=1)
    duplicate = make_household(governorate=DUHOK, members=1)
    worker = survivor.members.get()
    same_person = duplicate.members.get()
    # A grant tranche paid to the family registered twice, before the duplicate was found;
    # the same man worked on a cash-for-work project under the other registration.
    deliver(admin, household=duplicate, item="crp_business_grant", source="cash.transfer")
    deliver(admin, worker, item="crp_cash_for_work", source="revitalization.worker_payment")
    assert figures(admin)["people"]["total"] == 2  # one man, registered twice
    household_merge(
        survivor=survivor,
        duplicate=duplicate,
        user=admin,
        reason="Same family, registered twice.",
        pairs=[(same_person, worker)],
    )
    people = figures(admin)["people"]
    assert people["total"] == 1 and people["households"] == 1
    grants = next(s for s in people["sources"] if s["code"] == "grants")
    assert (grants["people"], grants["households"]) == (0, 1)


def test_people_directly_assisted_follow_the_period_governorate_project_and_scope(admin, officer):
    project = crp_project()
    duhok = make_household(governorate=DUHOK, members=1).members.get()
    ninewa = make_household(governorate=NINEWA, members=1).members.get()
    erbil = make_household(governorate="IQG11", members=1).members.get()
    deliver(admin, duhok, item="crp_cash_for_work", day=datetime.date(2026, 3, 1))
    deliver(
        admin,
        ninewa,
        item="crp_vocational_training",
        day=datetime.date(2026, 9, 1),
        project=project,
    )
    deliver(admin, erbil, item="crp_vocational_training", day=datetime.date(2026, 9, 1))
    assert figures(admin)["people"]["total"] == 3
    assert figures(officer)["people"]["total"] == 2  # Erbil is outside their scope
    assert figures(officer, start=datetime.date(2026, 6, 1))["people"]["total"] == 1
    assert figures(officer, end=datetime.date(2026, 6, 1))["people"]["total"] == 1
    assert figures(officer, governorate=unit(NINEWA))["people"]["total"] == 1
    assert figures(officer, project=project)["people"]["total"] == 1
    nfi = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    assert figures(nfi)["people"]["total"] == 0


# --- 2. people benefiting from infrastructure ---------------------------------------------


def test_people_benefiting_take_the_largest_figure_per_community_of_finished_projects(admin):
    sinjar = make_community(governorate=NINEWA, name="Sinjar")
    zummar = make_community(governorate=NINEWA, name="Zummar")
    make_project(
        community=sinjar,
        kind="school",
        status="completed",
        population_served=1200,
        completed_on=DAY,
        estimation_method="users_counted",
    )
    water = make_project(
        community=sinjar,
        kind="water_network",
        status="handed_over",
        population_served=3000,
        completed_on=DAY,
        estimation_method="connections",
        estimation_note="412 households connected × 7.3",
    )
    make_project(community=sinjar, kind="road", status="in_progress", population_served=9000)
    make_project(
        community=zummar,
        kind="health_centre",
        status="completed",
        population_served=800,
        completed_on=DAY,
    )
    make_project(community=zummar, kind="market", status="cancelled", population_served=5000)
    benefiting = figures(admin)["benefiting"]
    assert benefiting["total"] == 3800 and benefiting["sum_of_projects"] == 5000
    by_name = {c["community"].name: c for c in benefiting["communities"]}
    assert by_name["Sinjar"]["figure"] == 3000 and by_name["Sinjar"]["counted_project"] == water
    assert by_name["Sinjar"]["projects"] == 2
    counted = {r["project"].kind: r["counted"] for r in benefiting["projects"]}
    assert counted == {"school": False, "water_network": True, "health_centre": True}


def test_people_benefiting_follow_the_period_and_governorate(admin):
    duhok, ninewa = make_community(governorate=DUHOK), make_community(governorate=NINEWA)
    make_project(
        community=duhok,
        status="completed",
        population_served=700,
        completed_on=datetime.date(2026, 2, 1),
    )
    make_project(
        community=ninewa,
        status="handed_over",
        population_served=400,
        completed_on=datetime.date(2026, 8, 1),
    )
    assert figures(admin)["benefiting"]["total"] == 1100
    assert figures(admin, start=datetime.date(2026, 5, 1))["benefiting"]["total"] == 400
    assert figures(admin, governorate=unit(DUHOK))["benefiting"]["total"] == 700


# --- 3. communities reached ------------------------------------------------------------------


def _agreement(community, *, signed_on=DAY, governorate=DUHOK):
    call = make_call(governorate=governorate)
    household = make_household(governorate=governorate, members=1)
    application = GrantApplication.objects.create(
        reference=f"GRA-T-{next(_n):05d}",
        call=call,
        household=household,
        applicant=household.members.get(),
        community=community,
        business_name="Bakery",
        sector="food",
        business_kind="new",
        description="A bakery.",
        requested_amount=Decimal("3000"),
        submitted_on=datetime.date(2026, 2, 10),
        status="agreement",
    )
    return GrantAgreement.objects.create(
        application=application,
        number=f"GAG-T-{next(_n):05d}",
        amount=Decimal("3000"),
        currency="USD",
        exchange_rate=Decimal("1310"),
        tranches=2,
        signed_on=signed_on,
    )


def _course_with(community, *, completed: bool, status="finished"):
    course = make_course(
        governorate=community.governorate.pcode, community=community, status=status
    )
    household = make_household(governorate=community.governorate.pcode, members=1)
    Enrolment.objects.create(
        course=course,
        individual=household.members.get(),
        household=household,
        enrolled_on=datetime.date(2026, 4, 1),
        status="completed" if completed else "not_completed",
        completed_on=datetime.date(2026, 5, 31) if completed else None,
    )
    return course


def test_communities_are_reached_from_each_source_and_counted_once(admin):
    infra, grant, trained, cohesion, both = (make_community(governorate=DUHOK) for _ in range(5))
    not_yet = make_community(governorate=DUHOK)
    make_project(community=infra, status="completed", population_served=100, completed_on=DAY)
    make_project(community=not_yet, status="in_progress")
    _agreement(grant)
    _course_with(trained, completed=True)
    _course_with(not_yet, completed=False)
    _course_with(not_yet, completed=True, status="running")
    make_activity(community=cohesion, status="held")
    make_activity(community=not_yet, status="planned")
    make_activity(community=not_yet, status="cancelled")
    make_project(community=both, status="handed_over", population_served=50, completed_on=DAY)
    make_activity(community=both, status="held")
    reached = figures(admin)["communities"]
    assert reached["total"] == 5
    sources = {r["community"].pk: r["sources"] for r in reached["communities"]}
    assert sources == {
        infra.pk: ["infrastructure"],
        grant.pk: ["grants"],
        trained.pk: ["training"],
        cohesion.pk: ["cohesion"],
        both.pk: ["infrastructure", "cohesion"],
    }
    by_source = {s["code"]: s["communities"] for s in reached["by_source"]}
    assert by_source == {"infrastructure": 2, "grants": 1, "training": 1, "cohesion": 2}


def test_communities_reached_follow_the_period_governorate_and_project(admin):
    project = crp_project()
    early, late = make_community(governorate=DUHOK), make_community(governorate=NINEWA)
    _agreement(early, signed_on=datetime.date(2026, 2, 1))
    make_activity(community=late, status="held", held_on=datetime.date(2026, 9, 1), project=project)
    assert figures(admin)["communities"]["total"] == 2
    assert figures(admin, start=datetime.date(2026, 6, 1))["communities"]["total"] == 1
    assert figures(admin, end=datetime.date(2026, 6, 1))["communities"]["total"] == 1
    assert figures(admin, governorate=unit(DUHOK))["communities"]["total"] == 1
    assert figures(admin, project=project)["communities"]["total"] == 1
    nfi = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    assert figures(nfi)["communities"]["total"] == 0


# --- summary, page, CSV, API ---------------------------------------------------------------


def _dataset(admin, n=1):
    for _ in range(n):
        community = make_community(governorate=DUHOK)
        make_project(
            community=community, status="completed", population_served=300, completed_on=DAY
        )
        _agreement(community)
        _course_with(community, completed=True)
        make_activity(community=community, status="held")
        person = make_household(governorate=DUHOK, members=1).members.get()
        deliver(admin, person, item="crp_cash_for_work")


def test_the_summary_counts_the_programmes_records(admin):
    _dataset(admin, n=2)
    tiles = summary_tiles(user=admin)
    assert tiles["grants"] == {"calls": 2, "applications": 2, "agreements": 2}
    assert tiles["training"] == {"courses": 2, "completed": 2}
    assert tiles["activities"]["total"] == 2
    assert {s["status"]: s["n"] for s in tiles["projects"]["by_status"]}["completed"] == 2


def test_the_dashboard_shows_each_figure_with_its_method_in_a_bounded_number_of_queries(
    admin, officer, django_assert_max_num_queries
):
    _dataset(admin)
    client = client_for(officer)
    with django_assert_max_num_queries(45) as first:
        response = client.get(reverse("revitalization:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    for testid in ("method-people", "method-benefiting", "method-communities", "how-people"):
        assert f'data-testid="{testid}"' in body
    assert "counted once" in body
    assert response.context["people"]["total"] == 1
    assert response.context["benefiting"]["total"] == 300
    assert response.context["reached"]["total"] == 1
    used = len(first.captured_queries)
    _dataset(admin, n=3)
    with django_assert_max_num_queries(used) as second:
        response = client.get(reverse("revitalization:dashboard"))
    assert response.context["reached"]["total"] == 4
    assert len(second.captured_queries) == used


def test_the_dashboard_filters_by_period_governorate_and_project(admin, officer):
    _dataset(admin)
    client = client_for(officer)
    response = client.get(
        reverse("revitalization:dashboard"), {"start": "2026-07-01", "governorate": DUHOK}
    )
    assert response.status_code == 200 and response.context["reached"]["total"] == 0
    wrong = client.get(
        reverse("revitalization:dashboard"), {"start": "2026-07-01", "end": "2026-01-01"}
    )
    assert wrong.status_code == 400
    outside = client.get(reverse("revitalization:dashboard"), {"governorate": "IQG11"})
    assert outside.status_code == 400  # not one of their governorates


def test_the_figures_download_as_csv(admin, officer):
    _dataset(admin)
    response = client_for(officer).get(reverse("revitalization:dashboard_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    values = {(r[0], r[1], r[2]): r[3] for r in rows if len(r) == 4}
    assert values[("people_directly_assisted", "total", "")] == "1"
    assert values[("people_benefiting", "total", "")] == "300"
    assert values[("communities_reached", "total", "")] == "1"
    assert values[("people_directly_assisted", "source_people_named", "crp_cash_for_work")] == "1"


def test_a_user_without_the_programme_view_is_refused(admin):
    donor = make_user("donor_viewer")
    assert client_for(donor).get(reverse("revitalization:dashboard")).status_code == 403
    assert api_client_for(donor).get("/api/v1/revitalization/headline-figures/").status_code == 403


def test_the_api_gives_the_three_figures_with_their_methods(admin, officer):
    _dataset(admin)
    api = api_client_for(officer)
    data = api.get("/api/v1/revitalization/headline-figures/").json()
    assert data["people_directly_assisted"]["total"] == 1
    assert data["people_benefiting"]["total"] == 300
    assert data["communities_reached"]["total"] == 1
    assert "once" in data["people_directly_assisted"]["method"]
    assert data["people_benefiting"]["breakdown"][0]["people"] == 300
    filtered = api.get("/api/v1/revitalization/headline-figures/", {"from": "2026-07-01"}).json()
    assert filtered["communities_reached"]["total"] == 0
    bad = api.get("/api/v1/revitalization/headline-figures/", {"from": "July", "governorate": "X"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"from", "governorate"}
