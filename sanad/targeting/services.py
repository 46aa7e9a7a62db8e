"""Writes of targeting: rules, scoring models and their versions, beneficiary lists,
their builds, manual decisions and status changes. Views, the API, commands and jobs
all come through here.

The status of a list (core.state):

    draft → locked → approved → in use → closed
      ↘ cancelled   ↘ draft (reopened, with a reason)   approved → closed

- Building evaluates the rule again and replaces the entries; only drafts are built.
- Locking freezes the build that was reviewed (built again first if the rule, model,
  area, quotas or manual decisions changed since, or on another day), in the same
  transaction as the status change: from then on registry edits change nothing.
- Approving needs `targeting.approve_list` and another person than the one who locked
  it (two-person rule).
- Distribution and cash call `list_mark_used` when they start from an approved list.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project
from sanad.registry.models import Household
from sanad.targeting import build as building
from sanad.targeting import compiler, scoring
from sanad.targeting.fields import Context
from sanad.targeting.models import (
    APPROVE,
    MANAGE,
    MANAGE_MODEL,
    BeneficiaryList,
    ManualDecision,
    PmtCoefficient,
    Quota,
    Rule,
    ScoringModel,
    ScoringModelVersion,
)

MAX_QUOTAS = 200
MAX_REASON = 2000


def _programme_reach(user: Any, programme: Programme, permission: str) -> None:
    if not has_permission(user, permission):
        raise PermissionDenied()
    if not scoped(Programme.objects.filter(pk=programme.pk), user, permission).exists():
        raise PermissionDenied(
            _("Your role does not reach the programme %(code)s.") % {"code": programme.code}
        )


def _require(user: Any, obj: Any, permission: str) -> None:
    if not has_permission(user, permission) or not can_reach(user, obj, permission):
        raise PermissionDenied()


def _name(value: Any, field: str = "name") -> str:
    text = str(value or "").strip()
    if not text or len(text) > 200:
        message = _("Give a name of 200 characters at most.")
        raise ValidationFailed(message, fields={field: [message]})
    return text


# --- rules ------------------------------------------------------------------------------
def rule_create(
    *, user: Any, programme: Programme, name: str, tree: Any, description: str = ""
) -> Rule:
    _programme_reach(user, programme, MANAGE)
    clean_name = _name(name)
    clean_tree, _leaves = compiler.validate_tree(tree)
    return Rule.objects.create(
        programme=programme,
        name=clean_name,
        description=str(description or "")[:5000],
        tree=clean_tree,
        created_by=user,
    )


def rule_update(
    *,
    rule: Rule,
    user: Any,
    name: str | None = None,
    tree: Any = None,
    description: str | None = None,
    programme: Programme | None = None,
) -> Rule:
    _require(user, rule, MANAGE)
    if programme is not None and programme.pk != rule.programme_id:
        _programme_reach(user, programme, MANAGE)
        rule.programme = programme
    if name is not None:
        rule.name = _name(name)
    if description is not None:
        rule.description = str(description)[:5000]
    if tree is not None:
        rule.tree, _leaves = compiler.validate_tree(tree)
    rule.save()
    return rule


def rule_preview(
    *, user: Any, tree: Any, area: Sequence[str] = (), as_of: datetime.date | None = None
) -> dict[str, Any]:
    """How many active households in the user's scope (and the area) the conditions
    match, by governorate: one COUNT … GROUP BY."""
    from sanad.targeting import selectors

    if not has_permission(user, MANAGE) and not has_permission(user, "targeting.view_list"):
        raise PermissionDenied()
    clean_tree, leaves = compiler.validate_tree(tree)
    return selectors.preview_counts(
        user=user, tree=clean_tree, area=_area_codes(area), as_of=as_of or timezone.localdate()
    ) | {"conditions": len(leaves)}


# --- scoring models ------------------------------------------------------------------------
def scoring_model_create(
    *, user: Any, programme: Programme, name: str, kind: str, description: str = ""
) -> ScoringModel:
    _programme_reach(user, programme, MANAGE_MODEL)
    if kind not in ScoringModel.Kind.values:
        message = _("Choose weighted points or a proxy means test.")
        raise ValidationFailed(message, fields={"kind": [message]})
    return ScoringModel.objects.create(
        programme=programme,
        name=_name(name),
        kind=kind,
        description=str(description or "")[:5000],
        created_by=user,
    )


def _threshold(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or abs(number) >= Decimal("1e9"):
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        message = _("Give the threshold as a number, or leave it empty.")
        raise ValidationFailed(message, fields={"threshold": [message]}) from exc
    return number


def _next_number(model: ScoringModel) -> int:
    current = ScoringModelVersion.objects.filter(model=model).aggregate(n=Max("number"))["n"]
    return (current or 0) + 1


def scoring_version_weighted(
    *, model: ScoringModel, user: Any, criteria: Any, threshold: Any = None, note: str = ""
) -> ScoringModelVersion:
    """A new version of a weighted model (versions are never changed)."""
    _require(user, model, MANAGE_MODEL)
    if model.kind != ScoringModel.Kind.WEIGHTED:
        raise ValidationFailed(_("This model is a proxy means test: upload its coefficients."))
    clean, _criteria = scoring.validate_criteria(compiler.load(criteria))
    limit = _threshold(threshold)
    with transaction.atomic():
        ScoringModel.objects.select_for_update().filter(pk=model.pk).first()
        return ScoringModelVersion.objects.create(
            model=model,
            number=_next_number(model),
            criteria=clean,
            direction=ScoringModelVersion.Direction.HIGH,
            threshold=limit,
            note=str(note or "")[:300],
            created_by=user,
        )


def scoring_version_pmt(
    *,
    model: ScoringModel,
    user: Any,
    content: bytes,
    filename: str,
    threshold: Any = None,
    note: str = "",
) -> ScoringModelVersion:
    """A new version of a PMT model from a coefficients table (CSV or XLSX: region,
    variable, coefficient), checked row by row."""
    from sanad.targeting.fields import unit_ids, variable_label

    _require(user, model, MANAGE_MODEL)
    if model.kind != ScoringModel.Kind.PMT:
        raise ValidationFailed(_("This model adds points per criterion: it has no coefficients."))
    rows, order = scoring.parse_coefficients(content, filename)
    limit = _threshold(threshold)
    ids = unit_ids()
    with transaction.atomic():
        ScoringModel.objects.select_for_update().filter(pk=model.pk).first()
        version = ScoringModelVersion.objects.create(
            model=model,
            number=_next_number(model),
            variables=[{"code": code, "label": variable_label(code)} for code in order],
            direction=ScoringModelVersion.Direction.LOW,
            threshold=limit,
            note=str(note or "")[:300],
            source_file=str(filename)[:255],
            created_by=user,
        )
        PmtCoefficient.objects.bulk_create(
            [
                PmtCoefficient(
                    version=version,
                    region_id=ids[row["region"]] if row["region"] else None,
                    variable=row["variable"],
                    coefficient=row["coefficient"],
                )
                for row in rows
            ]
        )
    return version


# --- lists ------------------------------------------------------------------------------
def _area_codes(area: Iterable[Any]) -> list[str]:
    codes = []
    known = set(AdminUnit.objects.values_list("pcode", flat=True))
    for item in area or ():
        code = item.pcode if isinstance(item, AdminUnit) else str(item).strip().upper()
        if code not in known:
            message = _("“%(code)s” is not a P-code of an admin unit.") % {"code": code[:20]}
            raise ValidationFailed(message, fields={"area": [message]})
        if code not in codes:
            codes.append(code)
    return codes


def _check_links(
    *,
    user: Any,
    programme: Programme,
    project: Project | None,
    activity: Activity | None,
    rule: Rule,
    model_version: ScoringModelVersion | None,
) -> Project | None:
    problems: dict[str, list[str]] = {}
    if activity is not None:
        if project is None:
            project = activity.project
        elif activity.project_id != project.pk:
            problems["activity"] = [_("The activity belongs to another project.")]
    if project is not None and project.programme_id != programme.pk:
        problems["project"] = [_("The project belongs to another programme.")]
    if rule.programme_id != programme.pk:
        problems["rule"] = [_("Choose a rule of the same programme.")]
    if model_version is not None and model_version.model.programme_id != programme.pk:
        problems["model_version"] = [_("Choose a scoring model of the same programme.")]
    if not can_reach(user, rule, "targeting.view_list"):
        problems["rule"] = [_("This rule is outside your programmes.")]
    if problems:
        raise ValidationFailed(fields=problems)
    return project


def list_create(
    *,
    user: Any,
    name: str,
    programme: Programme,
    rule: Rule,
    project: Project | None = None,
    activity: Activity | None = None,
    model_version: ScoringModelVersion | None = None,
    area: Sequence[Any] = (),
    quotas: Sequence[dict[str, Any]] = (),
) -> BeneficiaryList:
    _programme_reach(user, programme, MANAGE)
    project = _check_links(
        user=user,
        programme=programme,
        project=project,
        activity=activity,
        rule=rule,
        model_version=model_version,
    )
    codes = _area_codes(area)
    with transaction.atomic():
        lst = BeneficiaryList.objects.create(
            name=_name(name),
            programme=programme,
            project=project,
            activity=activity,
            rule=rule,
            model_version=model_version,
            created_by=user,
        )
        lst.area.set(AdminUnit.objects.filter(pcode__in=codes))
        if quotas:
            _quotas_set(lst, quotas)
    return lst


def _draft(lst: BeneficiaryList) -> None:
    lst.refresh_from_db(fields=["status"])
    if lst.status != BeneficiaryList.Status.DRAFT:
        raise Conflict(
            _("Only a draft list can be changed. Reopen it first (with a reason)."),
            code="list_not_draft",
        )


def list_update(
    *,
    lst: BeneficiaryList,
    user: Any,
    name: str | None = None,
    rule: Rule | None = None,
    project: Project | bool | None = False,
    activity: Activity | bool | None = False,
    model_version: ScoringModelVersion | bool | None = False,
    area: Sequence[Any] | None = None,
    quotas: Sequence[dict[str, Any]] | None = None,
) -> BeneficiaryList:
    """Change a draft; `False` (the default) leaves a link as it is, None clears it."""
    _require(user, lst, MANAGE)
    _draft(lst)
    new_project = lst.project if project is False else project
    new_activity = lst.activity if activity is False else activity
    new_version = lst.model_version if model_version is False else model_version
    new_rule = rule or lst.rule
    lst.project = _check_links(
        user=user,
        programme=lst.programme,
        project=new_project,  # type: ignore[arg-type]
        activity=new_activity,  # type: ignore[arg-type]
        rule=new_rule,
        model_version=new_version,  # type: ignore[arg-type]
    )
    lst.activity = new_activity  # type: ignore[assignment]
    lst.model_version = new_version  # type: ignore[assignment]
    lst.rule = new_rule
    if name is not None:
        lst.name = _name(name)
    with transaction.atomic():
        lst.save()
        if area is not None:
            lst.area.set(AdminUnit.objects.filter(pcode__in=_area_codes(area)))
        if quotas is not None:
            _quotas_set(lst, quotas)
    return lst


def _quotas_set(lst: BeneficiaryList, quotas: Sequence[dict[str, Any]]) -> None:
    """Replace the quotas: [{"admin_unit": P-code} or {"place": public id}, "max": n]."""
    import uuid

    if len(quotas) > MAX_QUOTAS:
        raise ValidationFailed(fields={"quotas": [_("At most %(n)s quotas.") % {"n": MAX_QUOTAS}]})
    rows, problems, seen = [], [], set()
    for i, q in enumerate(quotas, 1):
        if not isinstance(q, dict):
            problems.append(
                _("Quota %(n)s: give a place or an admin unit and a number.") % {"n": i}
            )
            continue
        try:
            limit = int(str(q.get("max", "")).strip())
            if limit < 0 or limit > 10_000_000:
                raise ValueError
        except ValueError:
            problems.append(
                _("Quota %(n)s: give the number of households as a whole number.") % {"n": i}
            )
            continue
        unit = place = None
        if q.get("place"):
            try:
                place = Place.objects.filter(public_id=uuid.UUID(str(q["place"]))).first()
            except ValueError:
                place = None
            if place is None:
                problems.append(_("Quota %(n)s: the place is not known.") % {"n": i})
                continue
            key = ("place", place.pk)
        else:
            unit = AdminUnit.objects.filter(
                pcode=str(q.get("admin_unit") or "").strip().upper()
            ).first()
            if unit is None:
                problems.append(_("Quota %(n)s: give a place or an admin unit P-code.") % {"n": i})
                continue
            key = ("unit", unit.pk)
        if key in seen:
            problems.append(_("Quota %(n)s: this place or unit has a quota already.") % {"n": i})
            continue
        seen.add(key)
        rows.append(Quota(list=lst, admin_unit=unit, place=place, max_households=limit))
    if problems:
        raise ValidationFailed(problems[0], fields={"quotas": problems})
    Quota.objects.filter(list=lst).delete()
    Quota.objects.bulk_create(rows)


def list_build(*, lst: BeneficiaryList, user: Any, progress: Any = None) -> BeneficiaryList:
    """Evaluate a draft list now (replacing its entries)."""
    _require(user, lst, MANAGE)
    _draft(lst)
    return building.build(lst=lst, user=user, progress=progress)


def list_lock(
    *, lst: BeneficiaryList, user: Any, reason: str = "", progress: Any = None
) -> BeneficiaryList:
    """Freeze the list: the build that was reviewed, or a fresh one if the rule, model,
    area, quotas or decisions changed since (or it was built on an earlier day). The
    snapshot and the status change commit together."""
    _require(user, lst, MANAGE)
    with transaction.atomic():
        _draft(lst)
        BeneficiaryList.objects.select_for_update().filter(pk=lst.pk).first()
        lst.refresh_from_db()
        if not building.is_current(lst):
            building.build(lst=lst, user=user, progress=progress)
        lst.locked_by = user
        lst.locked_at = timezone.now()
        BeneficiaryList.STATUS_MACHINE.transition(
            lst,
            to=BeneficiaryList.Status.LOCKED,
            by=user,
            reason=reason,
            extra_updates=("locked_by", "locked_at"),
        )
    return lst


def list_reopen(*, lst: BeneficiaryList, user: Any, reason: str) -> BeneficiaryList:
    """Back to draft (a locked list that needs changes); the reason is recorded."""
    _require(user, lst, MANAGE)
    lst.locked_by = None
    lst.locked_at = None
    BeneficiaryList.STATUS_MACHINE.transition(
        lst,
        to=BeneficiaryList.Status.DRAFT,
        by=user,
        reason=str(reason or "")[:MAX_REASON],
        extra_updates=("locked_by", "locked_at"),
    )
    return lst


def list_approve(*, lst: BeneficiaryList, user: Any, reason: str = "") -> BeneficiaryList:
    """Approve a locked list: a second person, never the one who locked it."""
    _require(user, lst, APPROVE)
    lst.refresh_from_db(fields=["locked_by", "status"])
    if lst.locked_by_id is not None and lst.locked_by_id == getattr(user, "pk", None):
        raise PermissionDenied(
            _("You locked this list: another person must approve it (two-person rule)."),
            code="same_person",
        )
    lst.approved_by = user
    lst.approved_at = timezone.now()
    BeneficiaryList.STATUS_MACHINE.transition(
        lst,
        to=BeneficiaryList.Status.APPROVED,
        by=user,
        reason=str(reason or "")[:MAX_REASON],
        extra_updates=("approved_by", "approved_at"),
    )
    return lst


def list_mark_used(
    *, lst: BeneficiaryList, user: Any, used_by: str, permission: str | None = APPROVE
) -> BeneficiaryList:
    """An approved list is now used by `used_by` ("distribution", "cash", …). Modules
    that checked their own permission pass it (or None)."""
    if permission is not None:
        _require(user, lst, permission)
    lst.refresh_from_db(fields=["status", "used_by"])
    if lst.status == BeneficiaryList.Status.IN_USE:
        return lst  # a second module (or a retry) starting from the same list
    lst.used_by = str(used_by or "")[:60]
    BeneficiaryList.STATUS_MACHINE.transition(
        lst,
        to=BeneficiaryList.Status.IN_USE,
        by=user,
        reason=_("Used by %(module)s") % {"module": lst.used_by},
        extra_updates=("used_by",),
    )
    return lst


def list_close(*, lst: BeneficiaryList, user: Any, reason: str) -> BeneficiaryList:
    if not (has_permission(user, APPROVE) and can_reach(user, lst, APPROVE)):
        _require(user, lst, MANAGE)
    BeneficiaryList.STATUS_MACHINE.transition(
        lst, to=BeneficiaryList.Status.CLOSED, by=user, reason=str(reason or "")[:MAX_REASON]
    )
    return lst


def list_cancel(*, lst: BeneficiaryList, user: Any, reason: str) -> BeneficiaryList:
    _require(user, lst, MANAGE)
    BeneficiaryList.STATUS_MACHINE.transition(
        lst, to=BeneficiaryList.Status.CANCELLED, by=user, reason=str(reason or "")[:MAX_REASON]
    )
    return lst


TRANSITIONS = {
    BeneficiaryList.Status.LOCKED: "lock",
    BeneficiaryList.Status.DRAFT: "reopen",
    BeneficiaryList.Status.APPROVED: "approve",
    BeneficiaryList.Status.CLOSED: "close",
    BeneficiaryList.Status.CANCELLED: "cancel",
}


def list_transition(
    *, lst: BeneficiaryList, user: Any, to: str, reason: str = ""
) -> BeneficiaryList:
    """One entry point for the pages and the API (in use: `list_mark_used`)."""
    if to == BeneficiaryList.Status.LOCKED:
        return list_lock(lst=lst, user=user, reason=reason)
    if to == BeneficiaryList.Status.DRAFT:
        return list_reopen(lst=lst, user=user, reason=reason)
    if to == BeneficiaryList.Status.APPROVED:
        return list_approve(lst=lst, user=user, reason=reason)
    if to == BeneficiaryList.Status.CLOSED:
        return list_close(lst=lst, user=user, reason=reason)
    if to == BeneficiaryList.Status.CANCELLED:
        return list_cancel(lst=lst, user=user, reason=reason)
    message = _("Choose lock, reopen, approve, close or cancel.")
    raise ValidationFailed(message, fields={"to": [message]})


# --- manual decisions ---------------------------------------------------------------------
def _household_in_reach(user: Any, household: Household | str) -> Household:
    qs = scoped(Household.objects.all(), user, MANAGE)
    if isinstance(household, Household):
        found = qs.filter(pk=household.pk).first()
    else:
        text = str(household or "").strip()
        found = qs.filter(registration_id=text.upper()).first()
        if found is None:
            try:
                found = qs.filter(public_id=text).first()
            except (ValueError, Exception):
                found = None
    if found is None:
        raise NotFound(_("No household with this registration id in your area."))
    return found


def decision_set(
    *, lst: BeneficiaryList, user: Any, household: Household | str, decision: str, reason: str
) -> ManualDecision:
    """Include or exclude a household by hand; the reason is mandatory. Applies from the
    next build (the page rebuilds at once)."""
    _require(user, lst, MANAGE)
    _draft(lst)
    problems: dict[str, list[str]] = {}
    if decision not in ManualDecision.Decision.values:
        problems["decision"] = [_("Choose include or exclude.")]
    text = str(reason or "").strip()
    if not text:
        problems["reason"] = [
            _("Give the reason for including or excluding this household by hand.")
        ]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    target = _household_in_reach(user, household)
    if decision == ManualDecision.Decision.INCLUDE and target.status != Household.Status.ACTIVE:
        message = _("Only an active household can be included.")
        raise ValidationFailed(message, fields={"household": [message]})
    row, _created = ManualDecision.objects.update_or_create(
        list=lst,
        household=target,
        defaults={"decision": decision, "reason": text[:MAX_REASON], "updated_by": user},
        create_defaults={
            "decision": decision,
            "reason": text[:MAX_REASON],
            "created_by": user,
            "updated_by": user,
        },
    )
    return row


def decision_remove(*, lst: BeneficiaryList, user: Any, household: Household | str) -> None:
    _require(user, lst, MANAGE)
    _draft(lst)
    target = _household_in_reach(user, household)
    for row in ManualDecision.objects.filter(list=lst, household=target):
        row.delete()


def preview_context(as_of: datetime.date | None = None) -> Context:
    return Context(as_of=as_of or timezone.localdate())
