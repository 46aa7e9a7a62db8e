"""Inspections of a house's works: recorded on a phone (checklist per component,
progress, result, findings, photos) as a draft, then signed off by the inspector.

Signing off a milestone inspection that verified the milestone marks it verified
(milestones in order only) and, in the cash modality, releases the tranche it carries
through the cash module, in the same transaction: a family's next tranche is payable
only after that. A final inspection verified completes the works. The case's progress
is the latest signed-off inspection's."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    field_error,
)
from sanad.core.photos import CleanPhoto, clean_photo
from sanad.shelter.models import (
    COMPONENTS,
    INSPECT,
    CaseMilestone,
    Inspection,
    InspectionPhoto,
    RehabCase,
)
from sanad.shelter.services._common import PHOTOS, actor, money, next_reference, require, today

Kind = Inspection.Kind
Result = Inspection.Result
MAX_PHOTOS = 12
# The results each kind of inspection may record.
RESULTS = {
    Kind.PROGRESS: {Result.NOTED, Result.VERIFIED, Result.NOT_VERIFIED},
    Kind.MILESTONE: {Result.VERIFIED, Result.NOT_VERIFIED},
    Kind.FINAL: {Result.VERIFIED, Result.NOT_VERIFIED},
    Kind.DEFECTS: {Result.NOTED, Result.VERIFIED, Result.NOT_VERIFIED},
}


def next_milestone(case: RehabCase) -> CaseMilestone | None:
    """The first milestone still pending: the only one an inspection may verify."""
    return case.milestones.filter(status=CaseMilestone.Status.PENDING).order_by("sequence").first()


def _clean(case: RehabCase, data: dict[str, Any]) -> dict[str, Any]:
    kind = str(data.get("kind") or "")
    if kind not in Kind.values:
        raise field_error("kind", _("Choose the kind of inspection."), "invalid_kind")
    result = str(data.get("result") or "")
    if result not in RESULTS[Kind(kind)]:
        raise field_error(
            "result",
            _("Choose a result this kind of inspection can record."),
            "invalid_result",
        )
    inspected_on = data.get("inspected_on") or today()
    if not isinstance(inspected_on, datetime.date):
        try:
            inspected_on = datetime.date.fromisoformat(str(inspected_on))
        except ValueError:
            raise field_error(
                "inspected_on", _("Write the date as YYYY-MM-DD."), "invalid_date"
            ) from None
    if inspected_on > today():
        raise field_error(
            "inspected_on", _("The inspection cannot be in the future."), "future_date"
        )
    try:
        progress = Decimal(
            str(data.get("progress") if data.get("progress") not in (None, "") else "")
        )
    except (InvalidOperation, ValueError):
        raise field_error(
            "progress", _("Give the progress of the works, 0 to 100 %."), "invalid_progress"
        ) from None
    if not progress.is_finite() or not 0 <= progress <= 100:
        raise field_error(
            "progress", _("Give the progress of the works, 0 to 100 %."), "invalid_progress"
        )
    checklist_in = data.get("checklist") or {}
    checklist = {}
    for component, state in checklist_in.items():
        if component not in COMPONENTS:
            continue
        if state not in Inspection.Check.values:
            raise field_error(
                f"check_{component}", _("Choose a value from the list."), "invalid_check"
            )
        checklist[component] = state
    milestone = data.get("milestone")
    if kind == Kind.MILESTONE:
        if milestone is None or milestone.case_id != case.pk:
            raise field_error(
                "milestone",
                _("Choose the milestone this inspection verifies."),
                "milestone_required",
            )
        if milestone.status != CaseMilestone.Status.PENDING:
            raise field_error(
                "milestone", _("This milestone is already verified."), "milestone_verified"
            )
    else:
        milestone = None
    if kind in (Kind.FINAL,) and result == Result.VERIFIED:
        progress = Decimal(100)
    return {
        "kind": kind,
        "result": result,
        "inspected_on": inspected_on,
        "progress": money(progress),
        "checklist": checklist,
        "milestone": milestone,
        "findings": str(data.get("findings") or "").strip()[:5000],
    }


def _check_case_state(case: RehabCase, kind: str) -> None:
    if kind == Kind.DEFECTS:
        if case.status != RehabCase.Status.HANDED_OVER:
            raise Conflict(
                _("A defects inspection is made on a handed-over house."),
                code="case_not_handed_over",
            )
    elif case.status != RehabCase.Status.IN_PROGRESS:
        raise Conflict(
            _("Works are inspected while the case is in progress (it is “%(status)s”).")
            % {"status": case.get_status_display()},
            code="case_not_in_progress",
        )


def _clean_photos(photos: Any) -> list[CleanPhoto]:
    uploads = [p for p in (photos or []) if p]
    if len(uploads) > MAX_PHOTOS:
        raise field_error(
            "photos", _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}, "too_many_photos"
        )
    return [clean_photo(p) for p in uploads]


def inspection_create(
    *, user: Any, case: RehabCase, data: dict[str, Any], photos: Any = None
) -> Inspection:
    """Record an inspection as a draft (the inspector is `user`). `data`: kind,
    milestone (a CaseMilestone, for a milestone inspection), inspected_on, checklist
    {component: ok|not_ok|na}, progress, result, findings; `sign_off=True` signs it
    off at once."""
    require(user, INSPECT, case)
    case = RehabCase.objects.get(pk=case.pk)
    if data.get("milestone") is not None:
        data = {**data, "milestone": CaseMilestone.objects.get(pk=data["milestone"].pk)}
    values = _clean(case, data)
    _check_case_state(case, values["kind"])
    cleaned = _clean_photos(photos)
    written: list[str] = []
    try:
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    case = RehabCase.objects.select_for_update().get(pk=case.pk)
                    _check_case_state(case, values["kind"])
                    inspection = Inspection.objects.create(
                        reference=next_reference(Inspection, "SI"),
                        case=case,
                        inspector=user,
                        created_by=actor(user),
                        updated_by=actor(user),
                        **values,
                    )
                    for photo in cleaned:
                        relative = PHOTOS.store(inspection.public_id, photo)
                        written.append(relative)
                        InspectionPhoto.objects.create(
                            inspection=inspection,
                            path=relative,
                            content_type=photo.content_type,
                            uploaded_by=actor(user),
                        )
                    if data.get("sign_off"):
                        inspection = inspection_sign_off(user=user, inspection=inspection)
                    return inspection
            except IntegrityError:
                PHOTOS.remove(written)
                written.clear()
        raise Conflict(_("Could not number the inspection. Try again."), code="number_busy")
    except BaseException:
        PHOTOS.remove(written)
        raise


def inspection_sign_off(*, user: Any, inspection: Inspection) -> Inspection:
    """The inspector signs the report off. Milestone verified → the milestone is
    verified (the next pending one only) and its tranche released (cash modality);
    final verified → the works are completed; the case's progress follows."""
    require(user, INSPECT, inspection)
    with transaction.atomic():
        inspection = (
            # Only the inspection's row: PostgreSQL refuses FOR UPDATE across the
            # nullable milestone join.
            Inspection.objects.select_for_update(of=("self",))
            .select_related("case", "milestone")
            .get(pk=inspection.pk)
        )
        if inspection.status != Inspection.Status.DRAFT:
            raise InvalidTransition(
                _("Inspection %(ref)s is already signed off.") % {"ref": inspection.reference},
                code="already_signed_off",
            )
        if inspection.inspector_id != getattr(user, "pk", None):
            raise PermissionDenied(
                _("Only the inspector who made the inspection signs it off."),
                code="not_the_inspector",
            )
        case = RehabCase.objects.select_for_update().get(pk=inspection.case_id)
        _check_case_state(case, inspection.kind)
        now = timezone.now()
        changed = Inspection.objects.filter(
            pk=inspection.pk, status=Inspection.Status.DRAFT
        ).update(status=Inspection.Status.SIGNED_OFF, signed_off_at=now, updated_at=now)
        if changed != 1:
            raise InvalidTransition(
                _("Inspection %(ref)s is already signed off.") % {"ref": inspection.reference},
                code="already_signed_off",
            )
        inspection.status, inspection.signed_off_at = Inspection.Status.SIGNED_OFF, now
        verified = inspection.result == Result.VERIFIED
        if inspection.kind == Kind.MILESTONE and verified:
            _verify_milestone(user, case, inspection.milestone, inspection)
        if inspection.kind == Kind.FINAL and verified:
            pending = list(
                case.milestones.filter(status=CaseMilestone.Status.PENDING).order_by("sequence")
            )
            if len(pending) > 1 or (pending and pending[0].releases_tranche):
                raise Conflict(
                    _(
                        "Milestone “%(name)s” is not verified yet: verify it before the final inspection."
                    )
                    % {"name": pending[0].name},
                    code="milestones_pending",
                )
            for milestone in pending:
                _verify_milestone(user, case, milestone, inspection)
        if inspection.kind != Kind.DEFECTS:
            _progress(case, inspection)
        if inspection.kind == Kind.FINAL and verified:
            case.completed_on = inspection.inspected_on
            case.progress = Decimal(100)
            RehabCase.STATUS_MACHINE.transition(
                case,
                to=RehabCase.Status.COMPLETED,
                by=user,
                reason=_("Final inspection %(ref)s verified the works.")
                % {"ref": inspection.reference},
                extra_updates=["completed_on", "progress"],
            )
            if case.contract is not None:
                # The last house of a contract whose milestones are all certified
                # completes the contract (its defects-liability period starts).
                from sanad.shelter.services.contracts import contract_check_completion

                contract_check_completion(user=user, contract=case.contract)
    return inspection


def _verify_milestone(
    user: Any, case: RehabCase, milestone: CaseMilestone | None, inspection: Inspection
) -> None:
    if milestone is None:
        return
    milestone = CaseMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.status != CaseMilestone.Status.PENDING:
        raise Conflict(
            _("Milestone “%(name)s” is already verified.") % {"name": milestone.name},
            code="milestone_verified",
        )
    first = next_milestone(case)
    if first is not None and first.pk != milestone.pk:
        raise Conflict(
            _("Verify milestone “%(name)s” first: milestones are verified in order.")
            % {"name": first.name},
            code="milestone_out_of_order",
        )
    milestone.status = CaseMilestone.Status.VERIFIED
    milestone.verified_at = timezone.now()
    milestone.verified_by = actor(user)
    milestone.inspection = inspection
    milestone.save(update_fields=["status", "verified_at", "verified_by", "inspection"])
    if case.modality == RehabCase.Modality.CASH and milestone.releases_tranche:
        if case.entitlement is None:
            raise Conflict(
                _("The case has no cash entitlement to release tranche %(n)d from.")
                % {"n": milestone.releases_tranche},
                code="entitlement_required",
            )
        from sanad.cash.services import entitlement_tranche_release

        entitlement_tranche_release(
            user=user,
            entitlement=case.entitlement,
            tranche=int(milestone.releases_tranche),
            evidence=(
                f"Inspection {inspection.reference} verified milestone "
                f"“{milestone.name}”, case {case.reference}"
            )[:300],
            source=f"shelter_inspection:{inspection.pk}",
            permission=None,
        )


def _progress(case: RehabCase, inspection: Inspection) -> None:
    """The case's progress: the latest signed-off inspection's (by date, then order)."""
    latest = (
        Inspection.objects.filter(case=case, status=Inspection.Status.SIGNED_OFF)
        .exclude(kind=Kind.DEFECTS)
        .order_by("-inspected_on", "-id")
        .values_list("progress", flat=True)
        .first()
    )
    if latest is not None and latest != case.progress:
        case.progress = latest
        RehabCase.objects.filter(pk=case.pk).update(progress=latest, updated_at=timezone.now())


def inspection_delete_draft(*, user: Any, inspection: Inspection) -> None:
    """The inspector throws away a draft (never a signed-off report)."""
    require(user, INSPECT, inspection)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status != Inspection.Status.DRAFT:
            raise InvalidTransition(
                _("A signed-off inspection is kept."), code="already_signed_off"
            )
        if inspection.inspector_id != getattr(user, "pk", None):
            raise PermissionDenied(
                _("Only the inspector who made the inspection deletes it."),
                code="not_the_inspector",
            )
        paths = list(inspection.photos.values_list("path", flat=True))
        inspection.photos.all().delete()
        inspection.delete()
        transaction.on_commit(lambda: PHOTOS.remove(paths))
