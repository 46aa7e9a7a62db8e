"""Mobile Response Team visits (and the informal profile they update) and the prioritised
list of sites with its exact score."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sanad.camps.models import Hazard, MrtVisit, PopulationCount, Site
from sanad.camps.selectors import mrt as selectors
from sanad.camps.services import mrt as services
from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.geo.models import Place
from tests.camps.factories import make_site
from tests.camps.mrt_factories import make_hazard, make_informal_site, make_visit
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def mrt_user(governorates=(DUHOK,)):
    return make_user("field_enumerator", governorates=governorates, programmes=("CCCM",))


def visit_data(**kwargs):
    base = {"team": "MRT Duhok 2", "visited_on": timezone.localdate(), "families_present": 42}
    base.update(kwargs)
    return base


# --- visits ------------------------------------------------------------------------------------
def test_a_visit_is_recorded_with_the_families_the_team_found():
    site = make_informal_site()
    visit = services.visit_record(
        user=mrt_user(),
        site=site,
        data=visit_data(deployment="Routine", activities="Site walk, committee meeting"),
    )
    assert (visit.site, visit.team, visit.families_present) == (site, "MRT Duhok 2", 42)
    assert visit.deployment == "Routine"


def test_a_visit_updates_the_sites_informal_profile_only_with_what_was_given():
    site = make_informal_site(services_notes="One water tank", tenure=Site.Tenure.PUBLIC)
    services.visit_record(
        user=mrt_user(),
        site=site,
        data=visit_data(
            eviction_risk="high", shelter_types={"tent": 12, "makeshift": 3, "caravan": 0}
        ),
    )
    site.refresh_from_db()
    assert site.eviction_risk == "high"
    assert site.shelter_types == {"tent": 12, "makeshift": 3}
    assert site.tenure == Site.Tenure.PUBLIC
    assert site.services_notes == "One water tank"


def test_a_visit_refuses_a_wrong_profile_and_records_nothing():
    site = make_informal_site()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            user=mrt_user(),
            site=site,
            data=visit_data(tenure="stolen", eviction_risk="extreme", shelter_types={"tent": -1}),
        )
    assert {"tenure", "eviction_risk", "shelter_types"} <= set(exc.value.fields)
    assert not MrtVisit.objects.exists()


def test_a_visit_needs_a_team_a_day_not_in_the_future_and_a_sane_family_count():
    site = make_informal_site()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            user=mrt_user(),
            site=site,
            data={
                "team": "",
                "visited_on": timezone.localdate() + datetime.timedelta(days=2),
                "families_present": -3,
            },
        )
    assert {"team", "visited_on", "families_present"} <= set(exc.value.fields)


def test_only_mrt_roles_in_the_sites_governorate_record_visits():
    site = make_informal_site()
    with pytest.raises(PermissionDenied):
        services.visit_record(user=mrt_user(governorates=(ERBIL,)), site=site, data=visit_data())
    with pytest.raises(PermissionDenied):
        services.visit_record(
            user=make_user("im_officer", governorates=(DUHOK,)), site=site, data=visit_data()
        )
    manager = make_user("camp_manager", governorates=(DUHOK,))
    assert services.visit_record(user=manager, site=site, data=visit_data()).pk


# --- the priority score ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("max_risk", "hazards", "eviction", "families", "parts", "score"),
    [
        (0, 0, "", None, (0, 0, 0, 0), 0),
        (25, 5, "high", 150, (50, 15, 20, 15), 100),
        (25, 9, "high", 4000, (50, 15, 20, 15), 100),  # the caps
        (12, 2, "medium", 45, (24, 6, 10, 4), 44),
        (4, 1, "low", 9, (8, 3, 0, 0), 11),  # 9 families is less than one point
        (20, 3, "", 10, (40, 9, 0, 1), 50),
    ],
)
def test_the_priority_score_is_exact(max_risk, hazards, eviction, families, parts, score):
    kwargs = {
        "max_risk": max_risk,
        "open_hazards": hazards,
        "eviction_risk": eviction,
        "families": families,
    }
    assert selectors.priority_points(**kwargs) == parts
    assert selectors.priority_score(**kwargs) == score


def test_site_priorities_score_sites_from_their_open_hazards_eviction_risk_and_families():
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    today = timezone.localdate()
    a = make_informal_site(name="Alpha informal", eviction_risk="high")
    make_hazard(a, likelihood=4, impact=5)  # 20
    make_hazard(a, likelihood=2, impact=2)  # 4
    make_hazard(a, likelihood=5, impact=5, status=Hazard.Status.MITIGATED)  # not counted
    make_visit(a, visited_on=today - datetime.timedelta(days=30), families_present=200)
    make_visit(a, visited_on=today, families_present=85)  # the latest counts
    b = make_informal_site(name="Bravo informal", eviction_risk="medium")
    make_hazard(b, likelihood=3, impact=3)  # 9
    camp = make_site(name="Charlie camp")  # no hazards, population count only
    PopulationCount.objects.create(
        site=camp, month=datetime.date(2025, 1, 1), source="manual", households=300
    )
    PopulationCount.objects.create(
        site=camp, month=datetime.date(2025, 2, 1), source="manual", households=120
    )
    make_informal_site(governorate=ERBIL, name="Elsewhere")
    make_informal_site(name="Closed one", closed_on=today)

    rows = selectors.site_priorities(user=viewer)
    assert [str(r.site) for r in rows] == ["Alpha informal", "Bravo informal", "Charlie camp"]
    alpha, bravo, charlie = rows
    assert (alpha.max_risk, alpha.open_hazards, alpha.families, alpha.last_visit) == (
        20,
        2,
        85,
        today,
    )
    assert alpha.score == 40 + 6 + 20 + 8
    assert alpha.band == "critical"
    assert bravo.score == 18 + 3 + 10 + 0
    assert (charlie.families, charlie.score, charlie.band) == (120, 12, "")


def test_site_priorities_filter_by_kind_and_sort_by_any_column():
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    low = make_informal_site(name="Low")
    make_hazard(low, likelihood=1, impact=1)
    for _ in range(3):
        make_hazard(low, likelihood=1, impact=2)
    high = make_informal_site(name="High")
    make_hazard(high, likelihood=5, impact=4)
    make_site(name="A camp")
    informal = selectors.site_priorities(user=viewer, kind=Place.Kind.INFORMAL_SITE)
    assert [str(r.site) for r in informal] == ["High", "Low"]
    by_hazards = selectors.site_priorities(
        user=viewer, kind=Place.Kind.INFORMAL_SITE, sort="-hazards"
    )
    assert [str(r.site) for r in by_hazards] == ["Low", "High"]
    by_name = selectors.site_priorities(user=viewer, sort="name")
    assert [str(r.site) for r in by_name] == ["A camp", "High", "Low"]
    assert (
        next(str(r.site) for r in selectors.site_priorities(user=viewer, sort="nonsense")) == "High"
    )


def test_someone_without_camps_access_sees_no_priorities():
    make_hazard(make_informal_site())
    assert (
        selectors.site_priorities(user=make_user("warehouse_officer", governorates=(DUHOK,))) == []
    )


def test_the_demo_seeds_visits_hazards_and_trainings_once():
    from sanad.camps import demo_mrt
    from sanad.camps.models import Training

    sites = {
        "DHK-IS-014": make_informal_site(code="DHK-IS-014"),
        "DHK-DMZ1": make_site(code="DHK-DMZ1"),
        "DHK-KHN": make_site(code="DHK-KHN"),
    }
    users = {
        "enumerator": mrt_user(),
        "camp.manager": make_user("camp_manager", governorates=(DUHOK,), programmes=("CCCM",)),
    }
    today = timezone.localdate()
    counts = demo_mrt.seed(sites=sites, users=users, today=today)
    assert counts["visits"] >= 3 and counts["hazards"] >= 2 and counts["trainings"] == 3
    assert MrtVisit.objects.filter(site=sites["DHK-IS-014"]).count() == counts["visits"]
    assert Training.objects.filter(participants__isnull=False).distinct().count() == 3
    assert all(h.risk == h.likelihood * h.impact for h in Hazard.objects.all())
    assert demo_mrt.seed(sites=sites, users=users, today=today)["visits"] == 0
