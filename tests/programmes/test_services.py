from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from sanad.accounts.models import Organisation
from sanad.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.programmes import services
from sanad.programmes.models import Project
from tests.factories import (
    ERBIL,
    NINEWA,
    ActivityFactory,
    OrganisationFactory,
    ProjectFactory,
    TargetFactory,
)

JAN1 = datetime.date(2026, 1, 1)
DEC31 = datetime.date(2026, 12, 31)


def _create(user: Any, programme: Any, donor: Any, **overrides: Any) -> Project:
    args: dict[str, Any] = {
        "user": user,
        "programme": programme,
        "code": "ECHO-IRQ-2026-01",
        "title": "Winterisation in Ninewa",
        "donor": donor,
        "start_date": JAN1,
        "end_date": DEC31,
        "currency": "USD",
        "budget": Decimal("250000"),
        "governorates": [NINEWA, ERBIL],
    }
    args.update(overrides)
    return services.project_create(**args)


def _fields(exc_info: Any) -> dict[str, Any]:
    return exc_info.value.as_dict()["error"]["fields"]


@pytest.mark.django_db
def test_a_manager_adds_a_planned_project_with_its_governorates(
    manager: Any, nfi: Any, donor: Any
) -> None:
    project = _create(manager, nfi, donor)
    assert project.status == Project.Status.PLANNED
    assert project.created_by == manager
    assert sorted(project.governorates.values_list("pcode", flat=True)) == sorted([NINEWA, ERBIL])


@pytest.mark.django_db
def test_a_project_can_be_added_by_programme_code(manager: Any, nfi: Any, donor: Any) -> None:
    assert _create(manager, "NFI", donor).programme == nfi


@pytest.mark.django_db
def test_an_end_date_before_the_start_date_is_refused(manager: Any, nfi: Any, donor: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(manager, nfi, donor, end_date=datetime.date(2025, 12, 1))
    assert "before the start date" in _fields(exc)["end_date"][0]


@pytest.mark.django_db
def test_a_negative_budget_is_refused(manager: Any, nfi: Any, donor: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(manager, nfi, donor, budget=Decimal("-1"))
    assert "cannot be negative" in _fields(exc)["budget"][0]


@pytest.mark.django_db
def test_a_budget_that_is_not_a_number_is_refused(manager: Any, nfi: Any, donor: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(manager, nfi, donor, budget="a lot")
    assert "as a number" in _fields(exc)["budget"][0]


@pytest.mark.django_db
def test_a_partner_ngo_cannot_be_the_donor(manager: Any, nfi: Any) -> None:
    ngo = OrganisationFactory(kind=Organisation.Kind.PARTNER_NGO)
    with pytest.raises(ValidationFailed) as exc:
        _create(manager, nfi, ngo)
    assert "is not a donor" in _fields(exc)["donor"][0]


@pytest.mark.django_db
def test_a_un_agency_can_be_the_donor(manager: Any, nfi: Any) -> None:
    agency = OrganisationFactory(name="UNHCR", kind=Organisation.Kind.UN_AGENCY)
    assert _create(manager, nfi, agency).donor == agency


@pytest.mark.django_db
def test_a_project_code_is_used_once_whatever_its_case(manager: Any, nfi: Any, donor: Any) -> None:
    _create(manager, nfi, donor)
    with pytest.raises(ValidationFailed) as exc:
        _create(manager, nfi, donor, code="echo-irq-2026-01")
    assert "already exists" in _fields(exc)["code"][0]


@pytest.mark.django_db
def test_all_the_mistakes_are_reported_at_once(manager: Any, nfi: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(
            manager,
            nfi,
            None,
            code=" ",
            title="",
            currency="EUR",
            budget=None,
            governorates=["IQG15D001"],
        )
    assert set(_fields(exc)) == {"code", "title", "donor", "currency", "budget", "governorates"}


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_add_a_shelter_project(
    nfi_manager: Any, shelter: Any, donor: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _create(nfi_manager, shelter, donor)


@pytest.mark.django_db
def test_a_donor_viewer_cannot_add_a_project(donor_viewer: Any, nfi: Any, donor: Any) -> None:
    with pytest.raises(PermissionDenied):
        _create(donor_viewer, nfi, donor)


@pytest.mark.django_db
def test_changing_a_project_keeps_what_is_not_given(manager: Any, nfi: Any, donor: Any) -> None:
    project = _create(manager, nfi, donor)
    services.project_update(project=project, user=manager, budget="300000.50")
    project.refresh_from_db()
    assert project.budget == Decimal("300000.50")
    assert project.title == "Winterisation in Ninewa"
    assert project.governorates.count() == 2


@pytest.mark.django_db
def test_project_dates_cannot_leave_its_targets_outside(manager: Any) -> None:
    target = TargetFactory(period_start=datetime.date(2026, 10, 1), period_end=DEC31)
    project = target.activity.project
    with pytest.raises(ValidationFailed) as exc:
        services.project_update(project=project, user=manager, end_date=datetime.date(2026, 6, 30))
    assert "outside the project dates" in _fields(exc)["end_date"][0]
    project.refresh_from_db()
    assert project.end_date == DEC31


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_move_a_project_to_shelter(
    nfi_manager: Any, nfi: Any, shelter: Any
) -> None:
    project = ProjectFactory(programme=nfi)
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, user=nfi_manager, programme=shelter)


@pytest.mark.django_db
def test_starting_and_closing_a_project_are_recorded_with_who_and_why(
    manager: Any, nfi: Any, donor: Any
) -> None:
    project = _create(manager, nfi, donor)
    services.project_activate(project=project, user=manager, reason="Agreement signed")
    services.project_close(project=project, user=manager, reason="Funds spent")
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    history = list(Project.STATUS_MACHINE.history(project))
    assert [(t.from_state, t.to_state, t.reason, t.by) for t in history] == [
        ("planned", "active", "Agreement signed", manager),
        ("active", "closed", "Funds spent", manager),
    ]


@pytest.mark.django_db
def test_closing_a_project_needs_a_reason(manager: Any) -> None:
    project = ProjectFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.project_close(project=project, user=manager, reason="  ")
    assert exc.value.code == "reason_required"
    assert not StatusTransition.objects.exists()


@pytest.mark.django_db
def test_an_active_project_cannot_be_started_again(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.ACTIVE)
    with pytest.raises(InvalidTransition):
        services.project_activate(project=project, user=manager)


@pytest.mark.django_db
def test_a_closed_project_cannot_be_changed_until_reopened(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.CLOSED)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_create(user=manager, project=project, code="1.1", name="Kits")
    assert exc.value.code == "project_closed"
    services.project_activate(project=project, user=manager, reason="Extension agreed")
    assert services.activity_create(user=manager, project=project, code="1.1", name="Kits").pk


@pytest.mark.django_db
def test_an_activity_code_is_used_once_per_project(manager: Any) -> None:
    activity = ActivityFactory(code="1.1")
    with pytest.raises(ValidationFailed) as exc:
        services.activity_create(user=manager, project=activity.project, code="1.1", name="Again")
    assert "already has an activity" in _fields(exc)["code"][0]
    other = ProjectFactory()
    assert services.activity_create(user=manager, project=other, code="1.1", name="Elsewhere").pk


@pytest.mark.django_db
def test_a_target_period_must_be_inside_the_project_dates(manager: Any) -> None:
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(
            user=manager,
            activity=activity,
            indicator="people_reached",
            label="People",
            period_start=JAN1,
            period_end=datetime.date(2027, 3, 31),
            value=100,
        )
    assert "inside the project dates" in _fields(exc)["period_end"][0]


@pytest.mark.django_db
def test_setting_a_target_twice_for_the_same_period_changes_its_value(manager: Any) -> None:
    activity = ActivityFactory()
    args: dict[str, Any] = {
        "user": manager,
        "activity": activity,
        "indicator": "hh_reached_nfi",
        "label": "Households reached",
        "unit": "households",
        "period_start": JAN1,
        "period_end": DEC31,
    }
    first = services.target_set(value=100, **args)
    second = services.target_set(value=120, **args)
    assert first.pk == second.pk
    assert activity.targets.get().value == Decimal("120")


@pytest.mark.django_db
def test_overlapping_periods_for_one_indicator_are_refused(manager: Any) -> None:
    activity = ActivityFactory()
    services.target_set(
        user=manager,
        activity=activity,
        indicator="people_reached",
        label="People",
        period_start=JAN1,
        period_end=datetime.date(2026, 6, 30),
        value=100,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(
            user=manager,
            activity=activity,
            indicator="people_reached",
            label="People",
            period_start=datetime.date(2026, 6, 1),
            period_end=DEC31,
            value=100,
        )
    assert "overlaps" in _fields(exc)["period_start"][0]
    services.target_set(
        user=manager,
        activity=activity,
        indicator="people_reached",
        label="People",
        period_start=datetime.date(2026, 7, 1),
        period_end=DEC31,
        value=100,
    )
    assert activity.targets.count() == 2


@pytest.mark.django_db
def test_a_negative_target_and_an_indicator_with_spaces_are_refused(manager: Any) -> None:
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(
            user=manager,
            activity=activity,
            indicator="people reached",
            label="People",
            period_start=JAN1,
            period_end=DEC31,
            value=-5,
        )
    assert set(_fields(exc)) == {"indicator", "value"}


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_set_targets_in_shelter(nfi_manager: Any, shelter: Any) -> None:
    activity = ActivityFactory(project=ProjectFactory(programme=shelter))
    with pytest.raises(PermissionDenied):
        services.target_set(
            user=nfi_manager,
            activity=activity,
            indicator="x",
            label="x",
            period_start=JAN1,
            period_end=DEC31,
            value=1,
        )


@pytest.mark.django_db
def test_a_project_closed_meanwhile_cannot_be_changed_from_an_old_page(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.ACTIVE)
    stale = Project.objects.get(pk=project.pk)
    services.project_close(project=project, user=manager, reason="Ended")
    with pytest.raises(ValidationFailed) as exc:
        services.project_update(project=stale, user=manager, title="Edited from an old page")
    assert exc.value.code == "project_closed"
    project.refresh_from_db()
    assert (project.status, project.title) == (Project.Status.CLOSED, stale.title)
