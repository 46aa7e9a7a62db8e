"""The fleet demo: owned and contractors' vehicles of every kind in Duhok and Ninewa,
drivers, two contractors with per-trip contracts, a vehicle out of service; made
through the services, and a second run adds nothing."""

from __future__ import annotations

import datetime

import pytest

from sanad.transport import demo_fleet
from sanad.transport.models import Driver, TransportContract, TransportContractor, Vehicle
from sanad.transport.selectors import fleet as selectors
from tests.factories import DUHOK, NINEWA, ProjectFactory, make_user
from tests.transport.factories import transport_programme

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 1)


def test_the_demo_fleet_is_made_once_with_every_kind_of_vehicle():
    project = ProjectFactory(programme=transport_programme(), code=demo_fleet.PROJECT)
    officer = make_user(
        "transport_officer", governorates=(DUHOK, NINEWA), programmes=("TRANSPORT",)
    )
    made = demo_fleet.seed(users={"transport": officer, "admin": None}, today=TODAY)
    assert made == {"vehicles": 21, "drivers": 14}
    kinds = {
        k: Vehicle.objects.filter(kind=k).count()
        for k in ("bus", "minibus", "ambulance", "luggage_truck")
    }
    assert kinds == {"bus": 10, "minibus": 6, "ambulance": 2, "luggage_truck": 3}
    assert all(45 <= v.seats <= 50 for v in Vehicle.objects.filter(kind="bus"))
    assert set(Vehicle.objects.filter(kind="luggage_truck").values_list("seats", flat=True)) == {0}
    assert Vehicle.objects.filter(contractor__isnull=True).exists()
    broken = Vehicle.objects.get(status="out_of_service")
    assert "Gearbox" in Vehicle.STATUS_MACHINE.history(broken).get().reason
    assert TransportContractor.objects.filter(status="active").count() == 2
    contracts = TransportContract.objects.all()
    assert {(c.currency, c.rate_kind, c.project_id) for c in contracts} == {
        ("USD", "per_trip", project.pk)
    }
    assert Driver.objects.filter(phone__startswith="+9647").count() == 14
    free = selectors.drivers_available(user=officer, day=TODAY)
    assert free.count() == 13  # one licence has expired
    again = demo_fleet.seed(users={"transport": officer}, today=TODAY)
    assert again == made
    assert (Vehicle.objects.count(), Driver.objects.count(), TransportContract.objects.count()) == (
        21,
        14,
        2,
    )


def test_the_demo_fleet_needs_no_project():
    admin = make_user("administrator")
    made = demo_fleet.seed(users={"admin": admin}, today=TODAY)
    assert made["vehicles"] == 21
    assert not TransportContract.objects.filter(project__isnull=False).exists()
