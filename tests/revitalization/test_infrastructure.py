"""Infrastructure projects through the services: creating them (also from a need chosen
in an endorsed assessment), their statuses (no start before endorsement, no handover
without the people benefiting), milestones and progress, cash-for-work workers (once per
project) and their payments (days × daily rate), which write the ledger once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.assistance.selectors import people_reached
from sanad.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from sanad.registry.models import Individual
from sanad.revitalization.models import InfrastructureProject, ProjectMilestone, WorkerPayment
from sanad.revitalization.selectors import infrastructure as selectors
from sanad.revitalization.services import communities as community_services
from sanad.revitalization.services import infrastructure as services
from sanad.revitalization.services.infrastructure.workers import SOURCE_TYPE
from tests.factories import DUHOK, NINEWA, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import (
    crp,
    crp_project,
    make_assessment,
    make_community,
    make_project,
)

pytestmark = pytest.mark.django_db
D = datetime.date
STATUS = InfrastructureProject.Status


def officer(governorates: tuple[str, ...] = (DUHOK, NINEWA)) -> Any:
    crp()
    return make_user("programme_officer", governorates=governorates, programmes=("CRP",))


def _new(user: Any, **kwargs: Any) -> InfrastructureProject:
    kwargs.setdefault("title", "Water network of the old quarter")
    kwargs.setdefault("kind", "water_network")
    kwargs.setdefault("community", make_community())
    kwargs.setdefault("budget", Decimal("150000"))
    kwargs.setdefault("currency", "USD")
    kwargs.setdefault("exchange_rate", Decimal("1310"))
    return services.project_create(user=user, **kwargs)


def _endorse(user: Any, project: InfrastructureProject) -> InfrastructureProject:
    return services.project_endorse(
        user=user,
        project=project,
        endorsed_by="Duhok Provincial Council",
        endorsed_on=D(2026, 2, 1),
        endorsement_reference="DPC/2026/7",
    )


def _running(user: Any, **kwargs: Any) -> InfrastructureProject:
    project = _endorse(user, _new(user, **kwargs))
    return services.project_start(user=user, project=project, starts_on=D(2026, 3, 1))


def _milestones(user: Any, project: InfrastructureProject, *weights: str) -> list[ProjectMilestone]:
    return services.milestones_set(
        user=user,
        project=project,
        rows=[{"name": f"Stage {i}", "weight": w, "order": i} for i, w in enumerate(weights, 1)],
    )


# --- creating --------------------------------------------------------------------------


def test_a_project_is_created_proposed_with_a_reference():
    user = officer()
    project = _new(user)
    assert project.status == STATUS.PROPOSED and project.reference.startswith("INF-")
    assert project.governorate.pcode == DUHOK and project.programme.code == "CRP"


def test_a_project_refuses_a_donor_project_of_another_programme_and_a_wrong_rate():
    user = officer()
    from tests.factories import ProjectFactory

    with pytest.raises(ValidationFailed) as exc:
        _new(user, project=ProjectFactory(), exchange_rate=Decimal("0.00076"))
    assert {"project", "exchange_rate"} <= set(exc.value.fields)


def test_a_community_out_of_scope_cannot_have_a_project():
    user = officer(governorates=(NINEWA,))
    with pytest.raises(ValidationFailed) as exc:
        _new(user, community=make_community(governorate=DUHOK))
    assert "community" in exc.value.fields


def _endorsed_need(user: Any) -> Any:
    assessment = make_assessment()
    water = community_services.need_add(
        user=user,
        assessment=assessment,
        sector="water",
        description="Repair the water network",
        votes=30,
        estimated_cost="90000",
    )
    community_services.assessment_participation_set(
        user=user, assessment=assessment, counts={("idp", "female", "18-59"): 20}
    )
    community_services.assessment_complete(user=user, assessment=assessment)
    community_services.assessment_select_needs(user=user, assessment=assessment, needs=[water])
    community_services.assessment_endorse(
        user=user,
        assessment=assessment,
        endorsed_by="Duhok Governor's Office",
        endorsed_on=D(2026, 3, 10),
        endorsement_reference="DGO/114",
    )
    water.refresh_from_db()
    return water


def test_a_project_from_a_chosen_need_of_an_endorsed_assessment_is_endorsed_at_once():
    user = officer()
    need = _endorsed_need(user)
    defaults = services.project_defaults_from_need(need)
    assert defaults["kind"] == "water_network" and defaults["budget"] == Decimal("90000.00")
    project = services.project_create(
        user=user,
        title=defaults["title"],
        kind=defaults["kind"],
        community=defaults["community"],
        need=need,
        budget=defaults["budget"],
        currency="USD",
        exchange_rate=Decimal("1310"),
    )
    assert project.status == STATUS.ENDORSED
    assert (project.endorsed_by, project.endorsement_reference) == (
        "Duhok Governor's Office",
        "DGO/114",
    )
    history = list(selectors.project_history(project))
    assert [t.to_state for t in history] == ["endorsed"]
    with pytest.raises(ValidationFailed) as exc:
        _new(user, community=need.assessment.community, need=need)
    assert "need" in exc.value.fields


def test_sectors_map_to_kinds_of_project():
    assert services.kind_for_sector("education") == "school"
    assert services.kind_for_sector("health") == "health_centre"
    assert services.kind_for_sector("agriculture") == "other"


def test_a_need_of_another_community_is_refused():
    user = officer()
    need = _endorsed_need(user)
    with pytest.raises(ValidationFailed) as exc:
        _new(user, need=need)
    assert "need" in exc.value.fields


# --- statuses --------------------------------------------------------------------------


def test_works_cannot_start_before_the_endorsement():
    user = officer()
    project = _new(user)
    with pytest.raises(Conflict) as exc:
        services.project_start(user=user, project=project)
    assert exc.value.code == "not_endorsed"
    project = _endorse(user, project)
    started = services.project_start(user=user, project=project, starts_on=D(2026, 2, 10))
    assert started.status == STATUS.IN_PROGRESS and started.starts_on == D(2026, 2, 10)


def test_the_endorsement_needs_the_authority_the_date_and_the_letter():
    user = officer()
    with pytest.raises(ValidationFailed) as exc:
        services.project_endorse(
            user=user,
            project=_new(user),
            endorsed_by="",
            endorsed_on=None,
            endorsement_reference="",
        )
    assert {"endorsed_by", "endorsed_on", "endorsement_reference"} <= set(exc.value.fields)


def test_completion_needs_every_milestone_at_100():
    user = officer()
    project = _running(user)
    with pytest.raises(Conflict) as exc:
        services.project_complete(user=user, project=project, completed_on=D(2026, 6, 1))
    assert exc.value.code == "no_milestones"
    first, second = _milestones(user, project, "40", "60")
    services.milestone_progress(user=user, milestone=first, progress=100)
    services.milestone_progress(user=user, milestone=second, progress=80)
    with pytest.raises(Conflict) as exc:
        services.project_complete(user=user, project=project, completed_on=D(2026, 6, 1))
    assert exc.value.code == "milestones_open" and "Stage 2" in str(exc.value.message)
    services.milestone_progress(user=user, milestone=second, progress=100)
    done = services.project_complete(user=user, project=project, completed_on=D(2026, 6, 1))
    assert done.status == STATUS.COMPLETED and done.completed_on == D(2026, 6, 1)


def test_no_handover_without_the_people_benefiting_written_down():
    user = officer()
    project = _running(user)
    (only,) = _milestones(user, project, "100")
    services.milestone_progress(user=user, milestone=only, progress=100)
    project = services.project_complete(user=user, project=project, completed_on=D(2026, 6, 1))
    handover = {
        "handover_authority": "Directorate of Water, Duhok",
        "handover_on": D(2026, 6, 15),
        "handover_reference": "HO-77",
    }
    with pytest.raises(Conflict) as exc:
        services.project_hand_over(user=user, project=project, **handover)
    assert exc.value.code == "population_missing"
    services.project_population_set(
        user=user,
        project=project,
        population_served=2500,
        estimation_method="connections",
        estimation_note="412 households connected × 6.1 (DTM)",
    )
    handed = services.project_hand_over(user=user, project=project, **handover)
    assert handed.status == STATUS.HANDED_OVER and handed.handover_reference == "HO-77"


def test_population_estimation_method_and_note_go_together():
    user = officer()
    project = _new(user)
    with pytest.raises(ValidationFailed) as exc:
        services.project_population_set(
            user=user,
            project=project,
            population_served=900,
            estimation_method="",
            estimation_note="",
        )
    assert {"estimation_method", "estimation_note"} <= set(exc.value.fields)
    services.project_population_set(
        user=user, project=project, population_served=None, estimation_method="", estimation_note=""
    )


def test_cancelling_needs_a_reason_and_not_after_completion():
    user = officer()
    project = _new(user)
    with pytest.raises(ValidationFailed):
        services.project_cancel(user=user, project=project, reason="")
    assert (
        services.project_cancel(user=user, project=project, reason="No funds").status == "cancelled"
    )


def test_a_completed_project_cannot_be_edited():
    user = officer()
    project = make_project(status="completed")
    with pytest.raises(Conflict):
        services.project_update(user=user, project=project, title="New title")


def test_an_endorsed_project_keeps_its_community():
    user = officer()
    project = _endorse(user, _new(user))
    with pytest.raises(ValidationFailed) as exc:
        services.project_update(user=user, project=project, community=make_community())
    assert exc.value.code == "community_fixed"
    assert services.project_update(user=user, project=project, title="Renamed").title == "Renamed"


# --- milestones ------------------------------------------------------------------------


def test_milestone_weights_must_add_up_to_100():
    user = officer()
    project = _new(user)
    with pytest.raises(ValidationFailed) as exc:
        _milestones(user, project, "30", "30")
    assert "milestones" in exc.value.fields
    assert "60" in exc.value.fields["milestones"][0]
    assert _milestones(user, project, "30", "70")
    assert services.milestones_set(user=user, project=project, rows=[]) == []


def test_progress_is_the_weighted_mean_of_the_milestones():
    user = officer()
    project = _running(user)
    a, b, _c = _milestones(user, project, "20", "30", "50")
    services.milestone_progress(user=user, milestone=a, progress=100)
    services.milestone_progress(user=user, milestone=b, progress=50)
    fetched = selectors.project_get(user=user, public_id=project.public_id)
    assert selectors.progress_percent(fetched) == Decimal("35.0")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.done_on is not None and a.verified_by == user and b.done_on is None


def test_progress_is_recorded_only_while_the_works_are_in_progress():
    user = officer()
    project = _endorse(user, _new(user))
    (only,) = _milestones(user, project, "100")
    with pytest.raises(Conflict):
        services.milestone_progress(user=user, milestone=only, progress=10)


def test_a_milestone_with_progress_cannot_be_removed_and_reordering_keeps_progress():
    user = officer()
    project = _running(user)
    a, b = _milestones(user, project, "50", "50")
    services.milestone_progress(user=user, milestone=a, progress=40)
    with pytest.raises(ValidationFailed) as exc:
        services.milestones_set(
            user=user, project=project, rows=[{"id": b.pk, "name": "B", "weight": "100"}]
        )
    assert exc.value.code == "milestone_started"
    rows = [
        {"id": b.pk, "name": "Second first", "weight": "50", "order": 1},
        {"id": a.pk, "name": a.name, "weight": "50", "order": 2},
    ]
    first, second = services.milestones_set(user=user, project=project, rows=rows)
    assert (first.pk, first.order, second.pk, second.progress) == (b.pk, 1, a.pk, Decimal("40.00"))


# --- workers and payments --------------------------------------------------------------


def _person(governorate: str = DUHOK) -> Individual:
    household = make_household(governorate=governorate, members=2)
    return household.members.order_by("id").first()


def test_a_worker_is_a_registered_active_person_once_per_project():
    user = officer()
    project = _running(user)
    person = _person()
    worker = services.worker_add(user=user, project=project, individual=person, daily_rate="25")
    assert worker.household_id == person.household_id and worker.daily_rate == Decimal("25.00")
    with pytest.raises(ValidationFailed) as exc:
        services.worker_add(user=user, project=project, individual=person, daily_rate="30")
    assert exc.value.code == "worker_exists"
    other = _running(user)
    assert services.worker_add(user=user, project=other, individual=person, daily_rate="25")


def test_a_person_who_left_the_household_cannot_be_a_worker():
    user = officer()
    project = _running(user)
    person = _person()
    Individual.objects.filter(pk=person.pk).update(status="left")
    person.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.worker_add(user=user, project=project, individual=person, daily_rate="25")
    assert exc.value.code == "person_not_member"


def test_a_person_the_officer_cannot_see_in_the_registry_is_refused():
    user = officer(governorates=(DUHOK,))
    project = _running(user)
    with pytest.raises(ValidationFailed) as exc:
        services.worker_add(user=user, project=project, individual=_person(NINEWA), daily_rate="25")
    assert exc.value.code == "person_not_found"


def test_workers_join_only_endorsed_projects_or_ones_in_progress():
    user = officer()
    with pytest.raises(Conflict):
        services.worker_add(user=user, project=_new(user), individual=_person(), daily_rate="25")


def _paid_worker(user: Any, **kwargs: Any) -> Any:
    project = _running(user, project=crp_project(), **kwargs)
    return services.worker_add(user=user, project=project, individual=_person(), daily_rate="25000")


def test_a_payment_is_days_times_the_daily_rate_in_the_project_currency():
    user = officer()
    worker = _paid_worker(user, currency="IQD")
    payment = services.worker_payment_record(
        user=user,
        worker=worker,
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 15),
        days="11.5",
        paid_on=D(2026, 3, 16),
    )
    assert payment.amount == Decimal("287500.00") and payment.currency == "IQD"
    assert payment.exchange_rate == Decimal("1310")


def test_a_payment_writes_the_ledger_once_even_when_retried():
    user = officer()
    worker = _paid_worker(user)
    args = {
        "period_start": D(2026, 3, 1),
        "period_end": D(2026, 3, 15),
        "days": "10",
        "paid_on": D(2026, 3, 16),
    }
    first = services.worker_payment_record(user=user, worker=worker, **args)
    again = services.worker_payment_record(user=user, worker=worker, **args)
    assert again.pk == first.pk and again.replayed
    records = AssistanceRecord.objects.filter(source_type=SOURCE_TYPE)
    assert records.count() == 1
    record = records.get()
    assert record.source_id == str(first.public_id)
    assert (record.kind, record.item, record.programme.code) == ("cash", "crp_cash_for_work", "CRP")
    assert (
        record.individual_id == worker.individual_id and record.household_id == worker.household_id
    )
    assert record.value == first.amount and record.project_id == worker.project.project_id
    assert record.admin_unit_id == worker.project.community.admin_unit_id
    assert record.delivered_on == D(2026, 3, 16)


def test_a_different_payment_for_the_same_period_start_or_an_overlapping_period_is_refused():
    user = officer()
    worker = _paid_worker(user)
    services.worker_payment_record(
        user=user,
        worker=worker,
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 15),
        days="10",
        paid_on=D(2026, 3, 16),
    )
    with pytest.raises(Conflict) as exc:
        services.worker_payment_record(
            user=user,
            worker=worker,
            period_start=D(2026, 3, 1),
            period_end=D(2026, 3, 15),
            days="12",
            paid_on=D(2026, 3, 16),
        )
    assert exc.value.code == "period_paid"
    with pytest.raises(ValidationFailed) as exc:
        services.worker_payment_record(
            user=user,
            worker=worker,
            period_start=D(2026, 3, 10),
            period_end=D(2026, 3, 20),
            days="5",
            paid_on=D(2026, 3, 21),
        )
    assert exc.value.code == "period_overlaps"
    assert WorkerPayment.objects.count() == 1


def test_days_cannot_exceed_the_period_and_payments_follow_the_donor_project_dates():
    user = officer()
    worker = _paid_worker(user)
    with pytest.raises(ValidationFailed) as exc:
        services.worker_payment_record(
            user=user,
            worker=worker,
            period_start=D(2026, 3, 1),
            period_end=D(2026, 3, 5),
            days="6",
            paid_on=D(2026, 3, 6),
        )
    assert "days" in exc.value.fields
    from sanad.programmes.models import Project

    Project.objects.filter(pk=worker.project.project_id).update(end_date=D(2026, 3, 31))
    worker.project.project.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.worker_payment_record(
            user=user,
            worker=worker,
            period_start=D(2026, 3, 20),
            period_end=D(2026, 3, 30),
            days="5",
            paid_on=D(2026, 4, 2),
        )
    assert "paid_on" in exc.value.fields
    assert not WorkerPayment.objects.exists() and not AssistanceRecord.objects.exists()


def test_a_worker_paid_twice_is_one_person_reached_and_one_direct_beneficiary():
    user = officer()
    worker = _paid_worker(user)
    for start, end, paid in (
        (D(2026, 3, 1), D(2026, 3, 15), D(2026, 3, 16)),
        (D(2026, 3, 16), D(2026, 3, 31), D(2026, 4, 1)),
    ):
        services.worker_payment_record(
            user=user, worker=worker, period_start=start, period_end=end, days="10", paid_on=paid
        )
    reached = people_reached(programme="CRP")
    assert reached["individuals"] == 1
    direct = selectors.direct_beneficiaries(worker.project)
    assert direct["total"] == 1 and direct["registered"] == 1
    assert direct[worker.individual.sex] == 1


def test_payments_need_the_works_in_progress_or_completed():
    user = officer()
    project = _endorse(user, _new(user))
    worker = services.worker_add(user=user, project=project, individual=_person(), daily_rate="25")
    with pytest.raises(Conflict) as exc:
        services.worker_payment_record(
            user=user,
            worker=worker,
            period_start=D(2026, 3, 1),
            period_end=D(2026, 3, 5),
            days="5",
            paid_on=D(2026, 3, 6),
        )
    assert exc.value.code == "project_not_paying"


def test_a_payment_out_of_scope_is_not_found():
    user = officer()
    worker = _paid_worker(user)
    stranger = officer(governorates=(NINEWA,))
    with pytest.raises(NotFound):
        services.worker_payment_record(
            user=stranger,
            worker=worker,
            period_start=D(2026, 3, 1),
            period_end=D(2026, 3, 5),
            days="5",
            paid_on=D(2026, 3, 6),
        )


def test_a_worker_who_left_the_works_can_still_be_paid_for_days_worked():
    user = officer()
    worker = _paid_worker(user)
    services.worker_update(user=user, worker=worker, active=False)
    payment = services.worker_payment_record(
        user=user,
        worker=worker,
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 5),
        days="5",
        paid_on=D(2026, 3, 6),
    )
    assert payment.pk


def test_the_state_machine_refuses_skipping_steps():
    user = officer()
    project = _new(user)
    with pytest.raises(InvalidTransition):
        services.project_complete(user=user, project=project, completed_on=D(2026, 3, 1))
