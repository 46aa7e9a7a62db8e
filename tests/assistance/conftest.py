"""Shared set-up for the ledger tests: programmes, a project running around today,
households in Duhok and Erbil, and `deliver()` for recording through the service."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from sanad.assistance.services import assistance_record
from sanad.programmes.models import Programme
from tests.factories import DUHOK, ERBIL, ActivityFactory, ProjectFactory, make_user, subdistrict_in
from tests.registry.factories import HouseholdFactory, IndividualFactory

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def household_with_members(governorate: str = DUHOK, *, members: int = 3, **fields: Any) -> Any:
    """A household row with a head (a man born 1980), a wife (born 1983) and children
    (born 2015 onwards): `members` in all."""
    household = HouseholdFactory(admin_unit=subdistrict_in(governorate), **fields)
    IndividualFactory(
        household=household,
        relationship="head",
        sex="male",
        date_of_birth=datetime.date(1980, 5, 1),
    )
    if members >= 2:
        IndividualFactory(
            household=household,
            relationship="spouse",
            sex="female",
            date_of_birth=datetime.date(1983, 7, 1),
            given_name_ar="فاطمة",
            given_name_en="Fatima",
        )
    for i in range(2, members):
        IndividualFactory(
            household=household,
            relationship="daughter" if i % 2 else "son",
            sex="female" if i % 2 else "male",
            date_of_birth=datetime.date(2013 + i, 1, 15),
        )
    return household


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in English, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def nfi(db: Any) -> Programme:
    return Programme.objects.get(code="NFI")


@pytest.fixture
def shelter(db: Any) -> Programme:
    return Programme.objects.get(code="SHELTER")


@pytest.fixture
def project(nfi: Programme) -> Any:
    return ProjectFactory(
        programme=nfi,
        code="ECHO-NFI-1",
        start_date=days_ago(300),
        end_date=TODAY + datetime.timedelta(days=60),
    )


@pytest.fixture
def activity(project: Any) -> Any:
    return ActivityFactory(project=project, code="1.1", name="Winter kits")


@pytest.fixture
def officer(db: Any) -> Any:
    """A programme officer for NFI in Duhok: may see and record NFI deliveries there."""
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))


@pytest.fixture
def system_user(db: Any) -> Any:
    return make_user("administrator", username="ledger-admin")


@pytest.fixture
def household(db: Any) -> Any:
    return household_with_members(DUHOK, members=4)


@pytest.fixture
def erbil_household(db: Any) -> Any:
    return household_with_members(ERBIL, members=2)


@pytest.fixture
def deliver(system_user: Any, nfi: Programme) -> Any:
    """Record a delivery through the service with sensible defaults (an NFI kit)."""
    counter = {"n": 0}

    def _deliver(**kwargs: Any) -> Any:
        counter["n"] += 1
        values: dict[str, Any] = {
            "user": system_user,
            "programme": nfi,
            "kind": "in_kind",
            "item": "winter_kit",
            "quantity": Decimal("1"),
            "unit": "kit",
            "delivered_on": days_ago(10),
            "source_type": "tests.delivery",
            "source_id": f"d-{counter['n']}",
        }
        values.update(kwargs)
        return assistance_record(**values)

    return _deliver
