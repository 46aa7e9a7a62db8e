"""Rehabilitation cases: opened from a validated assessment (one per house, or in bulk
from a final prioritisation), started, handed over with the family's signature and a
completion certificate (writing the assistance ledger once), defects during the
liability period, and closed after it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.shelter.models import Assessment, PriorityEntry, PriorityRound, RehabCase
from sanad.shelter.services import cases as services
from sanad.shelter.services._common import PHOTOS
from tests.factories import ERBIL, make_user
from tests.shelter.cases_factories import (  # noqa: F401
    case_world,
    complete,
    handover,
    open_case,
    photo_dir,
    started,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]


# --- opening ------------------------------------------------------------------------------
def test_a_case_copies_the_assessment_and_gets_default_milestones():
    w = case_world()
    assessment = w.assessment(0, boq_total="4321.50")
    case = services.case_create(user=w.officer, assessment=assessment, modality="direct")
    assert case.reference.startswith("SC-") and case.status == "open"
    assert case.property == assessment.property and case.household == w.households[0]
    assert (case.project, case.programme) == (assessment.project, assessment.programme)
    assert case.budget == Decimal("4321.50") and case.currency == "USD"
    assert list(case.milestones.values_list("name", "progress")) == [
        ("Structural works", 40),
        ("Finishing", 80),
        ("Completion", 100),
    ]


def test_one_case_per_assessment_and_only_from_a_validated_one():
    w = case_world()
    assessment = w.assessment(0)
    services.case_create(user=w.officer, assessment=assessment, modality="direct")
    with pytest.raises(Conflict) as refused:
        services.case_create(user=w.officer, assessment=assessment, modality="direct")
    assert refused.value.code == "case_exists"
    draft = w.assessment(1, status=Assessment.Status.SUBMITTED)
    with pytest.raises(Conflict) as refused:
        services.case_create(user=w.officer, assessment=draft, modality="direct")
    assert refused.value.code == "assessment_not_validated"


def test_who_may_not_manage_cases_or_cannot_reach_the_house_is_refused():
    w = case_world()
    assessment = w.assessment(0)
    with pytest.raises(PermissionDenied):
        services.case_create(user=w.engineer, assessment=assessment, modality="direct")
    outsider = make_user("programme_officer", governorates=(ERBIL,), programmes=("NFI",))
    with pytest.raises(NotFound):
        services.case_create(user=outsider, assessment=assessment, modality="direct")
    assert not RehabCase.objects.exists()


def test_edited_milestones_must_rise_to_100_percent():
    w = case_world()
    with pytest.raises(ValidationFailed) as refused:
        open_case(
            w, milestones=[{"name": "Walls", "progress": 60}, {"name": "Roof", "progress": 50}]
        )
    assert refused.value.code == "milestone_progress"
    with pytest.raises(ValidationFailed) as refused:
        open_case(w, milestones=[{"name": "Walls", "progress": 60}])
    assert refused.value.code == "milestones_not_complete"
    case = open_case(
        w, milestones=[{"name": "Walls", "progress": 60}, {"name": "All", "progress": 100}]
    )
    services.case_milestones_set(
        user=w.officer,
        case=case,
        milestones=[{"name": "Everything", "progress": 100, "due_on": "2026-12-01"}],
    )
    assert list(case.milestones.values_list("name", "due_on")) == [
        ("Everything", datetime.date(2026, 12, 1))
    ]


def _final_round(w, assessments, selected):
    rnd = PriorityRound.objects.create(
        name="Round 1", programme=w.project.programme, project=w.project, status="final"
    )
    for rank, (a, sel) in enumerate(zip(assessments, selected, strict=True), start=1):
        PriorityEntry.objects.create(
            round=rnd,
            assessment=a,
            damage_points=75,
            vulnerability_points=50,
            priority=65,
            rank=rank,
            selected=sel,
        )
    return rnd


def test_a_final_round_opens_a_case_for_each_ticked_house():
    w = case_world(households=3)
    assessments = [w.assessment(i) for i in range(3)]
    rnd = _final_round(w, assessments, [True, False, True])
    created = services.case_create_from_round(user=w.officer, round=rnd, modality="contractor")
    assert [c.assessment_id for c in created] == [assessments[0].pk, assessments[2].pk]
    assert {c.modality for c in created} == {"contractor"}
    with pytest.raises(Conflict) as refused:
        services.case_create_from_round(user=w.officer, round=rnd, modality="contractor")
    assert refused.value.code == "nothing_to_open"


def test_opening_from_a_round_is_all_or_nothing():
    w = case_world(households=2)
    good = w.assessment(0)
    bad = w.assessment(1, occupants=0, area=None)  # no figures to check the standard
    rnd = _final_round(w, [good, bad], [True, True])
    with pytest.raises(ValidationFailed) as refused:
        services.case_create_from_round(user=w.officer, round=rnd, modality="direct")
    assert "ranked 2" in str(refused.value.message)
    assert not RehabCase.objects.exists()
    rnd.status = "draft"
    rnd.save()
    with pytest.raises(Conflict) as refused:
        services.case_create_from_round(user=w.officer, round=rnd, modality="direct")
    assert refused.value.code == "round_not_final"


def test_a_contractor_case_needs_its_contract_to_start():
    w = case_world()
    case = open_case(w, modality="contractor")
    with pytest.raises(Conflict) as refused:
        services.case_start(user=w.officer, case=case)
    assert refused.value.code == "contract_required"


def test_cancelling_needs_a_reason():
    w = case_world()
    case = open_case(w)
    with pytest.raises(ValidationFailed):
        services.case_cancel(user=w.officer, case=case, reason=" ")
    case = services.case_cancel(user=w.officer, case=case, reason="Family moved away")
    assert case.status == "cancelled"
    assert RehabCase.STATUS_MACHINE.history(case).last().reason == "Family moved away"


# --- handover and ledger -------------------------------------------------------------------
def test_handover_numbers_the_certificate_keeps_the_signature_and_writes_the_ledger():
    w = case_world()
    case = complete(w, started(w))
    case = handover(w, case, actual_cost="4500")
    assert case.status == "handed_over"
    assert case.certificate_number.startswith(f"CC-{today().year}-")
    assert case.defects_liability_until == today() + datetime.timedelta(days=180)
    assert PHOTOS.absolute(case.handover_signature).read_bytes()[:4] == b"\x89PNG"
    record = AssistanceRecord.objects.get(source_type="shelter_case", source_id=str(case.pk))
    assert (record.kind, record.item, record.quantity, record.unit) == (
        "service",
        "shelter_rehabilitation",
        1,
        "house",
    )
    assert (record.value, record.currency) == (Decimal("4500.00"), "USD")
    assert record.household == w.households[0]


def test_a_cash_case_is_handed_over_without_a_value_in_the_ledger():
    w = case_world(cash=True, tranches=2, households=1)
    case = complete(w, started(w, modality="cash"))
    handover(w, case)
    record = AssistanceRecord.objects.get(source_type="shelter_case", source_id=str(case.pk))
    assert record.value is None and record.currency == ""


def test_signed_on_paper_is_accepted_and_a_forged_signature_is_not():
    w = case_world()
    case = complete(w, started(w))
    with pytest.raises(ValidationFailed) as refused:
        handover(w, case, signature="data:image/png;base64,PHN2Zz48L3N2Zz4=")
    assert refused.value.code == "signature_invalid"
    with pytest.raises(ValidationFailed) as refused:
        handover(w, case, signature="")
    assert refused.value.code == "signature_required"
    case = handover(w, case, signature="", signed_on_paper=True)
    assert case.status == "handed_over" and case.handover_signature == ""


def test_a_house_not_completed_is_not_handed_over_and_nothing_is_kept(settings):
    w = case_world()
    case = started(w)
    with pytest.raises(Conflict):
        handover(w, case)
    assert not AssistanceRecord.objects.filter(source_type="shelter_case").exists()
    root = settings.SANAD_SHELTER_PHOTO_DIR
    assert not any(p.is_file() for p in root.rglob("*"))


# --- defects and closing ----------------------------------------------------------------
def test_defects_are_reported_fixed_and_verified_or_reopened():
    w = case_world()
    case = handover(w, complete(w, started(w)))
    defect = services.defect_report(
        user=w.officer,
        case=case,
        data={"component": "roof", "description": "Leak over the kitchen", "due_on": today()},
    )
    defect = services.defect_fix(user=w.officer, defect=defect)
    with pytest.raises(ValidationFailed):
        services.defect_reopen(user=w.engineer, defect=defect, reason="")
    defect = services.defect_reopen(user=w.engineer, defect=defect, reason="Still leaks")
    assert defect.status == "open" and defect.fixed_on is None
    defect = services.defect_fix(user=w.officer, defect=defect)
    with pytest.raises(PermissionDenied):
        services.defect_verify(user=w.officer, defect=defect)  # an inspector verifies
    defect = services.defect_verify(user=w.engineer, defect=defect)
    assert defect.status == "verified" and defect.verified_by == w.engineer


def test_a_case_closes_after_the_liability_period_with_no_defect_open():
    w = case_world()
    case = handover(w, complete(w, started(w)))
    with pytest.raises(Conflict) as refused:
        services.case_close(user=w.officer, case=case)
    assert refused.value.code == "case_not_closable"
    defect = services.defect_report(
        user=w.officer, case=case, data={"component": "walls", "description": "Crack"}
    )
    RehabCase.objects.filter(pk=case.pk).update(
        defects_liability_until=today() - datetime.timedelta(days=1)
    )
    out = StringIO()
    call_command("shelter_close_cases", stdout=out)
    assert "0" in out.getvalue()
    case.refresh_from_db()
    assert case.status == "handed_over"  # a defect is open
    services.defect_fix(user=w.officer, defect=defect)
    services.defect_verify(user=w.engineer, defect=defect)
    call_command("shelter_close_cases", stdout=out)
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == today()
    assert services.cases_close_due() == 0  # idempotent
