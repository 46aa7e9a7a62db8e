"""Site upgrades and camp roads through their services: planning in scope, households
reached written to the ledger once, progress of an upgrade and of a road, delays."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.shelter.models import UpgradeHousehold
from sanad.shelter.selectors import works as selectors
from sanad.shelter.services import works as services
from tests.camps.factories import make_site
from tests.factories import DUHOK, ERBIL, make_user
from tests.shelter.works_factories import (
    START,
    make_road,
    make_upgrade,
    resident,
    shelter_project,
    works_officer,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def officer():
    return works_officer()


@pytest.fixture
def site():
    return make_site(governorate=DUHOK, name="Domiz 1")


@pytest.fixture
def project():
    return shelter_project("SHL-GFFO-T")


def ledger_of(upgrade):
    return AssistanceRecord.objects.filter(
        source_type="shelter_upgrade", source_id__startswith=f"{upgrade.pk}:"
    )


# --- site upgrades ---------------------------------------------------------------------------


def test_an_upgrade_is_planned_on_a_site_with_its_governorate_and_programme(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, planned_households=10)
    assert upgrade.status == "planned"
    assert upgrade.governorate.pcode == DUHOK
    assert upgrade.programme.code == "SHELTER"
    assert upgrade.budget == Decimal("8000.00")


def test_an_upgrade_on_a_site_outside_the_users_governorates_is_not_found(officer, project):
    erbil = make_site(governorate=ERBIL)
    with pytest.raises(NotFound):
        make_upgrade(user=officer, site=erbil, project=project)


def test_an_upgrade_for_a_programme_the_user_does_not_work_for_is_refused(site):
    user = works_officer(programmes=("NFI",))
    nfi_user_shelter_project = shelter_project()
    with pytest.raises(ValidationFailed) as exc:
        make_upgrade(user=user, site=site, project=nfi_user_shelter_project)
    assert exc.value.code == "project_out_of_scope"


def test_an_engineer_without_the_works_permission_cannot_plan_an_upgrade(site, project):
    engineer = make_user("shelter_engineer", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied):
        make_upgrade(user=engineer, site=site, project=project)


def test_the_planned_end_cannot_come_before_the_planned_start(officer, site, project):
    with pytest.raises(ValidationFailed) as exc:
        make_upgrade(
            user=officer,
            site=site,
            project=project,
            planned_start="2026-05-01",
            planned_end="2026-04-01",
        )
    assert "planned_end" in exc.value.fields


def test_households_reached_are_written_to_the_ledger_once(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    a, b = resident(site, plot_code="A-01"), resident(site, plot_code="A-02")

    rows = services.upgrade_households_record(
        user=officer, upgrade=upgrade, households=[a, b], delivered_on=DAY
    )
    assert len(rows) == 2
    assert {r.plot.code for r in rows} == {"A-01", "A-02"}
    records = ledger_of(upgrade)
    assert records.count() == 2
    record = records.get(household=a)
    assert (record.kind, record.item, record.quantity, record.unit) == (
        "in_kind",
        "shelter_sealing_off",
        Decimal("1.00"),
        "kit",
    )
    assert record.source_id == f"{upgrade.pk}:{a.pk}"
    assert record.project_id == project.pk and record.delivered_on == DAY
    assert record.governorate.pcode == DUHOK

    again = services.upgrade_households_record(
        user=officer, upgrade=upgrade, households=[a], registration_ids=[b.registration_id]
    )
    assert again == []
    assert records.count() == 2
    assert UpgradeHousehold.objects.filter(upgrade=upgrade).count() == 2


def test_a_service_upgrade_writes_a_service_to_the_ledger(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, kind="latrines", start=True)
    household = resident(site)
    services.upgrade_households_record(user=officer, upgrade=upgrade, households=[household])
    record = ledger_of(upgrade).get()
    assert (record.kind, record.item) == ("service", "shelter_latrines")


def test_households_can_be_given_by_registration_id(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    household = resident(site)
    rows = services.upgrade_households_record(
        user=officer, upgrade=upgrade, registration_ids=[f" {household.registration_id} "]
    )
    assert [r.household_id for r in rows] == [household.pk]


def test_an_unknown_registration_id_is_named_in_the_error(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    with pytest.raises(ValidationFailed) as exc:
        services.upgrade_households_record(
            user=officer, upgrade=upgrade, registration_ids=["NOPE-123"]
        )
    assert "NOPE-123" in str(exc.value.message)


def test_a_household_not_living_on_the_site_refuses_the_whole_batch(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    here = resident(site)
    elsewhere = resident(make_site(governorate=DUHOK))
    with pytest.raises(ValidationFailed) as exc:
        services.upgrade_households_record(
            user=officer, upgrade=upgrade, households=[here, elsewhere]
        )
    assert exc.value.code == "household_not_resident"
    assert elsewhere.registration_id in str(exc.value.message)
    assert not UpgradeHousehold.objects.exists()
    assert not ledger_of(upgrade).exists()


def test_households_cannot_be_recorded_before_the_upgrade_starts(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project)
    with pytest.raises(Conflict):
        services.upgrade_households_record(
            user=officer, upgrade=upgrade, households=[resident(site)]
        )


def test_a_failed_ledger_write_leaves_no_household_reached(officer, site):
    # The project ended before the delivery date: the ledger refuses, nothing is kept.
    old = shelter_project(start_date=START, end_date=datetime.date(2025, 6, 30))
    upgrade = make_upgrade(user=officer, site=site, project=old, start=True)
    with pytest.raises(ValidationFailed):
        services.upgrade_households_record(
            user=officer, upgrade=upgrade, households=[resident(site)], delivered_on=DAY
        )
    assert not UpgradeHousehold.objects.exists()


def test_upgrade_progress_is_households_reached_over_planned(officer, site, project):
    upgrade = make_upgrade(
        user=officer, site=site, project=project, planned_households=4, start=True
    )
    services.upgrade_households_record(
        user=officer, upgrade=upgrade, households=[resident(site), resident(site), resident(site)]
    )
    shown = selectors.upgrade_get(user=officer, public_id=upgrade.public_id)
    assert shown.reached == 3
    assert selectors.upgrade_progress(shown) == 75


def test_completing_an_upgrade_records_the_date_spending_and_transition(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    services.upgrade_households_record(user=officer, upgrade=upgrade, households=[resident(site)])
    services.upgrade_complete(user=officer, upgrade=upgrade, completed_on=DAY, spent="7450.5")
    upgrade.refresh_from_db()
    assert (upgrade.status, upgrade.completed_on, upgrade.spent) == (
        "completed",
        DAY,
        Decimal("7450.50"),
    )
    assert StatusTransition.objects.filter(object_pk=str(upgrade.pk), to_state="completed").exists()


def test_an_upgrade_nobody_was_reached_by_cannot_be_completed(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    with pytest.raises(Conflict):
        services.upgrade_complete(user=officer, upgrade=upgrade)


def test_cancelling_needs_a_reason_and_no_household_reached(officer, site, project):
    upgrade = make_upgrade(user=officer, site=site, project=project, start=True)
    with pytest.raises(ValidationFailed):
        services.upgrade_cancel(user=officer, upgrade=upgrade, reason=" ")
    services.upgrade_cancel(user=officer, upgrade=upgrade, reason="Site closing")
    upgrade.refresh_from_db()
    assert upgrade.status == "cancelled"


def test_the_planned_households_cannot_go_below_those_reached(officer, site, project):
    upgrade = make_upgrade(
        user=officer, site=site, project=project, planned_households=3, start=True
    )
    services.upgrade_households_record(
        user=officer, upgrade=upgrade, households=[resident(site), resident(site)]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.upgrade_update(
            user=officer,
            upgrade=upgrade,
            data={
                "kind": "sealing_off",
                "project": project,
                "planned_households": 1,
                "budget": "8000",
            },
        )
    assert "planned_households" in exc.value.fields


def test_an_upgrade_past_its_planned_end_and_not_completed_is_delayed(officer, site, project):
    late = make_upgrade(
        user=officer, site=site, project=project, planned_end=datetime.date(2026, 1, 31)
    )
    on_time = make_upgrade(user=officer, site=site, project=project, planned_end=None)
    delayed = set(
        selectors.upgrades_for(officer).filter(is_delayed=True).values_list("pk", flat=True)
    )
    assert late.pk in delayed and on_time.pk not in delayed


# --- roads -----------------------------------------------------------------------------------


def test_a_road_on_a_site_takes_the_sites_governorate(officer, site, project):
    road = make_road(user=officer, project=project, site=site, governorate=None)
    assert road.governorate.pcode == DUHOK and road.site == site


def test_a_road_in_a_governorate_out_of_scope_is_refused(officer, project):
    from sanad.geo.models import AdminUnit

    with pytest.raises(ValidationFailed) as exc:
        make_road(user=officer, project=project, governorate=AdminUnit.objects.get(pcode=ERBIL))
    assert exc.value.code == "project_out_of_scope"


def test_road_progress_defaults_to_length_done_over_length(officer, project):
    road = make_road(user=officer, project=project, length_m="800", start=True)
    report = services.road_progress_report(
        user=officer,
        road=road,
        data={"reported_on": DAY, "length_done_m": "300", "spent_to_date": "15000"},
    )
    assert report.progress == Decimal("37.50")
    road.refresh_from_db()
    assert (road.length_done_m, road.progress, road.spent) == (
        Decimal("300.0"),
        Decimal("37.50"),
        Decimal("15000.00"),
    )


def test_a_progress_percentage_given_by_the_engineer_is_kept(officer, project):
    road = make_road(user=officer, project=project, length_m="800", start=True)
    services.road_progress_report(
        user=officer, road=road, data={"length_done_m": "300", "progress": "45"}
    )
    road.refresh_from_db()
    assert road.progress == Decimal("45.00")


def test_the_road_shows_its_latest_report_by_date(officer, project):
    road = make_road(user=officer, project=project, length_m="1000", start=True)
    services.road_progress_report(
        user=officer, road=road, data={"reported_on": DAY, "length_done_m": "600"}
    )
    services.road_progress_report(
        user=officer,
        road=road,
        data={"reported_on": datetime.date(2026, 2, 1), "length_done_m": "200"},
    )
    road.refresh_from_db()
    assert road.length_done_m == Decimal("600.0") and road.progress == Decimal("60.00")


def test_the_length_done_cannot_exceed_the_road(officer, project):
    road = make_road(user=officer, project=project, length_m="500", start=True)
    with pytest.raises(ValidationFailed) as exc:
        services.road_progress_report(user=officer, road=road, data={"length_done_m": "501"})
    assert "length_done_m" in exc.value.fields


def test_progress_cannot_be_reported_on_a_road_not_started(officer, project):
    road = make_road(user=officer, project=project)
    with pytest.raises(Conflict):
        services.road_progress_report(user=officer, road=road, data={"length_done_m": "1"})


def test_completing_a_road_sets_the_whole_length_and_100_percent(officer, project):
    road = make_road(user=officer, project=project, length_m="500", start=True)
    services.road_complete(user=officer, road=road, completed_on=DAY, spent="39000")
    road.refresh_from_db()
    assert (road.status, road.length_done_m, road.progress, road.spent) == (
        "completed",
        Decimal("500.0"),
        Decimal("100.00"),
        Decimal("39000.00"),
    )


def test_a_road_past_its_planned_end_is_delayed_until_completed(officer, project):
    road = make_road(
        user=officer, project=project, planned_end=datetime.date(2026, 2, 1), start=True
    )
    assert selectors.road_get(user=officer, public_id=road.public_id).is_delayed
    services.road_complete(user=officer, road=road, completed_on=DAY)
    assert not selectors.road_get(user=officer, public_id=road.public_id).is_delayed


def test_a_camp_manager_in_another_governorate_does_not_see_the_road(officer, project):
    road = make_road(user=officer, project=project)
    erbil_manager = make_user("camp_manager", governorates=(ERBIL,))
    with pytest.raises(NotFound):
        selectors.road_get(user=erbil_manager, public_id=road.public_id)


# --- demo ------------------------------------------------------------------------------------


def test_the_demo_plans_upgrades_and_roads_through_the_services_once():
    from sanad.shelter import demo_works
    from sanad.shelter.demo_works import PROJECT

    project = shelter_project(PROJECT, start_date=datetime.date(2025, 7, 1))
    officer = make_user("programme_officer", governorates=(DUHOK, "IQG15"), programmes=("SHELTER",))
    big, small = make_site(governorate=DUHOK), make_site(governorate=DUHOK)
    for _ in range(6):
        resident(big)
    for _ in range(3):
        resident(small)
    today = datetime.date(2026, 11, 1)
    made = demo_works.seed(users={"shelter.officer": officer}, today=today)
    assert len(made["upgrades"]) == 3 and len(made["roads"]) == 3
    kits = made["upgrades"][0]
    latrines = made["upgrades"][1]
    assert (kits.site, kits.households.count()) == (big, 6)
    assert (latrines.site, latrines.households.count()) == (small, 3)
    latrines.refresh_from_db()
    assert latrines.status == "completed"
    assert AssistanceRecord.objects.filter(source_type="shelter_upgrade").count() == 9
    again = demo_works.seed(users={"shelter.officer": officer}, today=today)
    assert len(again["upgrades"]) == 3
    assert project.pk == kits.project_id
