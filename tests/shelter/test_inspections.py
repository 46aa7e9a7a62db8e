"""Inspections: recorded with a checklist, photos and progress as a draft, signed off by
the inspector who made them; the case's progress follows the latest signed-off one; a
final inspection verified completes the works."""

from __future__ import annotations

import pytest

from sanad.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from sanad.shelter.models import Inspection, InspectionPhoto
from sanad.shelter.services import inspections
from sanad.shelter.services._common import PHOTOS
from tests.factories import ERBIL, make_user
from tests.shelter.cases_factories import (  # noqa: F401
    case_world,
    complete,
    inspect,
    jpeg_upload,
    open_case,
    photo_dir,
    started,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]


def test_an_inspection_keeps_its_checklist_photos_and_a_reference():
    w = case_world()
    case = started(w)
    inspection = inspect(
        w,
        case,
        kind="progress",
        result="noted",
        progress=15,
        sign_off=False,
        photos=[jpeg_upload("a.jpg"), jpeg_upload("b.jpg")],
    )
    assert inspection.reference.startswith("SI-")
    assert inspection.status == "draft" and inspection.inspector == w.engineer
    assert inspection.checklist == {"roof": "ok", "walls": "ok", "electrical": "na"}
    photos = list(InspectionPhoto.objects.filter(inspection=inspection))
    assert len(photos) == 2
    assert all(PHOTOS.absolute(p.path).is_file() for p in photos)


def test_a_draft_does_not_move_the_progress_until_it_is_signed_off():
    w = case_world()
    case = started(w)
    draft = inspect(w, case, kind="progress", result="noted", progress=30, sign_off=False)
    case.refresh_from_db()
    assert case.progress == 0
    inspections.inspection_sign_off(user=w.engineer, inspection=draft)
    case.refresh_from_db()
    assert case.progress == 30
    draft.refresh_from_db()
    assert draft.status == "signed_off" and draft.signed_off_at is not None


def test_only_the_inspector_signs_off_an_inspection():
    w = case_world()
    case = started(w)
    draft = inspect(w, case, kind="progress", result="noted", progress=30, sign_off=False)
    other = make_user("shelter_engineer", governorates=("IQG09",), programmes=("NFI",))
    with pytest.raises(PermissionDenied) as refused:
        inspections.inspection_sign_off(user=other, inspection=draft)
    assert refused.value.code == "not_the_inspector"


def test_who_may_not_inspect_or_cannot_reach_the_case_is_refused():
    w = case_world()
    case = started(w)
    with pytest.raises(PermissionDenied):
        inspect(w, case, user=w.officer)  # programme officers manage, engineers inspect
    from sanad.core.errors import NotFound

    outsider = make_user("shelter_engineer", governorates=(ERBIL,), programmes=("NFI",))
    with pytest.raises(NotFound):
        inspect(w, case, user=outsider)
    assert not Inspection.objects.exists()


def test_a_case_not_started_is_not_inspected():
    w = case_world()
    case = open_case(w)
    with pytest.raises(Conflict) as refused:
        inspect(w, case, kind="progress", result="noted")
    assert refused.value.code == "case_not_in_progress"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"progress": 120}, "progress"),
        ({"progress": ""}, "progress"),
        ({"result": "noted", "kind": "milestone"}, "result"),
        ({"kind": "nonsense"}, "kind"),
        ({"milestone": None, "kind": "milestone", "result": "verified"}, "milestone"),
    ],
)
def test_an_incomplete_or_wrong_inspection_says_what_to_fix(changes, field):
    w = case_world()
    case = started(w)
    data = {
        "kind": "progress",
        "result": "noted",
        "progress": 20,
        "checklist": {},
        "milestone": None,
    }
    data.update(changes)
    with pytest.raises(ValidationFailed) as refused:
        inspections.inspection_create(user=w.engineer, case=case, data=data)
    assert field in refused.value.fields


def test_a_milestone_inspection_not_verified_leaves_the_milestone_pending():
    w = case_world()
    case = started(w)
    inspect(w, case, result="not_verified", progress=20)
    assert case.milestones.get(sequence=1).status == "pending"


def test_a_final_inspection_before_the_milestones_is_refused():
    w = case_world()
    case = started(w)
    with pytest.raises(Conflict) as refused:
        inspect(w, case, kind="final", progress=100)
    assert refused.value.code == "milestones_pending"
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_a_verified_final_inspection_completes_the_works():
    w = case_world()
    case = complete(w, started(w))
    assert case.status == "completed"
    assert case.completed_on is not None and case.progress == 100
    assert set(case.milestones.values_list("status", flat=True)) == {"verified"}


def test_a_signed_off_inspection_is_not_deleted_but_a_draft_is():
    w = case_world()
    case = started(w)
    signed = inspect(w, case, kind="progress", result="noted", progress=10)
    with pytest.raises(InvalidTransition):
        inspections.inspection_delete_draft(user=w.engineer, inspection=signed)
    draft = inspect(w, case, kind="progress", result="noted", progress=10, sign_off=False)
    inspections.inspection_delete_draft(user=w.engineer, inspection=draft)
    assert list(Inspection.objects.values_list("pk", flat=True)) == [signed.pk]


def test_the_progress_is_the_latest_signed_off_inspections():
    w = case_world()
    case = started(w)
    inspect(w, case, kind="progress", result="noted", progress=50)
    inspect(w, case, kind="progress", result="noted", progress=35)  # a correction
    case.refresh_from_db()
    assert case.progress == 35


def test_the_final_inspection_of_the_last_house_completes_a_fully_certified_contract():
    import datetime

    from sanad.shelter.services import contracts
    from tests.shelter.contracts_factories import direct_contract

    w = case_world(households=1)
    case = open_case(w, modality="contractor")
    start = datetime.date.today() - datetime.timedelta(days=30)
    contract = direct_contract(
        w.officer,
        w.project,
        cases=[case],
        milestones=[("Works", "100", start + datetime.timedelta(days=20))],
        sign_on=start,
    )
    case.refresh_from_db()
    assert case.status == "in_progress" and case.started_on == start
    milestone = contract.milestones.get()
    contracts.milestone_certify(user=w.officer, milestone=milestone, completed_on=milestone.due_on)
    contract.refresh_from_db()
    assert contract.status == "active"  # the house is not finished yet
    complete(w, case)
    contract.refresh_from_db()
    assert contract.status == "completed" and contract.completed_on is not None
