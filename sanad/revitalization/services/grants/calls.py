"""Business-grant calls: create and change (while a draft or open), the scoring
criteria (weights summing to 100), the committee (users who may score and reach the
call), and the status: draft → open (criteria and a committee of at least `quorum`
members) → scoring (closed to applications: the eligibility checks run on the
submitted applications) → back to open, or selected (through `call_select`) →
completed; cancelled with a reason."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanad.core.errors import Conflict, NotFound, ValidationFailed, field_error
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.models import DisplacementStatus
from sanad.revitalization.models import (
    GRANTS,
    SCORE,
    BusinessSector,
    CommitteeMember,
    Community,
    Currency,
    GrantApplication,
    GrantCall,
    ScoringCriterion,
)
from sanad.revitalization.selectors.grants import user_reaches_call
from sanad.revitalization.services._common import (
    PROGRAMME,
    actor,
    next_reference,
    programme,
    require,
)

STATUS = GrantCall.Status
APP = GrantApplication.Status
EDITABLE = (STATUS.DRAFT, STATUS.OPEN)
MAX_TRANCHES = 4
MAX_CRITERIA = 12
FIELDS = (
    "title",
    "project",
    "governorate",
    "communities",
    "description",
    "opens_on",
    "closes_on",
    "currency",
    "exchange_rate",
    "amount_min",
    "amount_max",
    "budget",
    "tranches",
    "min_age",
    "max_age",
    "displacement_statuses",
    "sectors",
    "one_per_household",
    "exclude_earlier_grantees",
    "quorum",
)


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _values(user: Any, data: Mapping[str, Any], current: GrantCall | None) -> dict[str, Any]:
    errors = _Errors()
    title = str(data.get("title") or "").strip()
    if not title:
        errors.add("title", _("Give the call a title."))
    elif len(title) > 200:
        errors.add("title", _("Keep the title under 200 characters."))
    project = data.get("project")
    if not isinstance(project, Project) or project.programme.code != PROGRAMME:
        errors.add(
            "project", _("Choose a donor project of the community revitalization programme.")
        )
    elif project.status == Project.Status.CLOSED and (
        current is None or current.project_id != project.pk
    ):
        errors.add("project", _("This project is closed. Choose an open project."))
    governorate = data.get("governorate")
    if not isinstance(governorate, AdminUnit) or governorate.level != AdminUnit.Level.GOVERNORATE:
        errors.add("governorate", _("Choose the governorate of the call."))
        governorate = None
    communities = list(data.get("communities") or [])
    if governorate is not None:
        wrong = [
            c.name
            for c in communities
            if not isinstance(c, Community) or c.governorate_id != governorate.pk
        ]
        if wrong:
            errors.add(
                "communities",
                _("These communities are not in the call's governorate: %(names)s.")
                % {"names": ", ".join(str(n) for n in wrong)},
            )
    opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
    if not isinstance(opens_on, datetime.date):
        errors.add("opens_on", _("Enter the date the call opens."))
    if not isinstance(closes_on, datetime.date):
        errors.add("closes_on", _("Enter the date the call closes."))
    elif isinstance(opens_on, datetime.date) and closes_on < opens_on:
        errors.add("closes_on", _("The call cannot close before it opens."))
    currency = data.get("currency")
    if currency not in Currency.values:
        errors.add("currency", _("Choose IQD or USD."))
    rate = _decimal(data.get("exchange_rate"))
    if rate is None or rate <= 0:
        errors.add("exchange_rate", _("Enter the exchange rate (IQD for one USD), above zero."))
    amount_min, amount_max = _decimal(data.get("amount_min")), _decimal(data.get("amount_max"))
    budget = _decimal(data.get("budget"))
    if amount_min is None or amount_min <= 0:
        errors.add("amount_min", _("Enter the smallest grant, above zero."))
    if amount_max is None or amount_max <= 0:
        errors.add("amount_max", _("Enter the largest grant, above zero."))
    elif amount_min is not None and amount_max < amount_min:
        errors.add("amount_max", _("The largest grant cannot be smaller than the smallest."))
    if budget is None or budget <= 0:
        errors.add("budget", _("Enter the budget of the call, above zero."))
    elif amount_max is not None and budget < amount_max:
        errors.add("budget", _("The budget must pay at least one largest grant."))
    tranches = data.get("tranches")
    if not isinstance(tranches, int) or not 1 <= tranches <= MAX_TRANCHES:
        errors.add(
            "tranches",
            _("A grant is paid in 1 to %(n)d tranches.") % {"n": MAX_TRANCHES},
        )
    min_age, max_age = data.get("min_age"), data.get("max_age")
    if not isinstance(min_age, int) or not 15 <= min_age <= 80:
        errors.add("min_age", _("Enter the youngest age, from 15 to 80."))
    if max_age not in (None, ""):
        if not isinstance(max_age, int) or max_age > 120:
            errors.add("max_age", _("Enter the oldest age, or leave it empty."))
        elif isinstance(min_age, int) and max_age < min_age:
            errors.add("max_age", _("The oldest age cannot be below the youngest."))
    else:
        max_age = None
    statuses = sorted(set(data.get("displacement_statuses") or []))
    if any(s not in DisplacementStatus.values for s in statuses):
        errors.add("displacement_statuses", _("Choose displacement statuses from the list."))
    sectors = sorted(set(data.get("sectors") or []))
    if any(s not in BusinessSector.values for s in sectors):
        errors.add("sectors", _("Choose business sectors from the list."))
    quorum = data.get("quorum")
    if not isinstance(quorum, int) or not 1 <= quorum <= 15:
        errors.add("quorum", _("Enter how many members must score each application, 1 to 15."))
    description = str(data.get("description") or "").strip()
    if len(description) > 10000:
        errors.add("description", _("Keep the description under 10,000 characters."))
    if errors:
        raise ValidationFailed(fields=dict(errors))
    assert governorate is not None
    probe = GrantCall(programme=programme(), governorate=governorate)
    if not user_reaches_call(user, probe, GRANTS):
        raise field_error(
            "governorate",
            _(
                "You cannot run grant calls in this governorate: your role covers other "
                "governorates or programmes."
            ),
            "call_out_of_scope",
        )
    return {
        "title": title,
        "project": project,
        "governorate": governorate,
        "communities": communities,
        "description": description,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "currency": currency,
        "exchange_rate": rate,
        "amount_min": amount_min,
        "amount_max": amount_max,
        "budget": budget,
        "tranches": tranches,
        "min_age": min_age,
        "max_age": max_age,
        "displacement_statuses": statuses,
        "sectors": sectors,
        "one_per_household": bool(data.get("one_per_household")),
        "exclude_earlier_grantees": bool(data.get("exclude_earlier_grantees")),
        "quorum": quorum,
    }


def call_create(
    *,
    user: Any,
    title: str,
    project: Project,
    governorate: AdminUnit,
    opens_on: datetime.date,
    closes_on: datetime.date,
    currency: str,
    exchange_rate: Decimal,
    amount_min: Decimal,
    amount_max: Decimal,
    budget: Decimal,
    communities: Iterable[Community] = (),
    description: str = "",
    tranches: int = 2,
    min_age: int = 18,
    max_age: int | None = None,
    displacement_statuses: Sequence[str] = (),
    sectors: Sequence[str] = (),
    one_per_household: bool = True,
    exclude_earlier_grantees: bool = True,
    quorum: int = 2,
) -> GrantCall:
    """A draft call (reference GRC-YYYY-NNNNN) in a governorate the user reaches."""
    require(user, GRANTS)
    data = {name: value for name, value in locals().items() if name in FIELDS}
    values = _values(user, data, None)
    communities_list = values.pop("communities")
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                call = GrantCall.objects.create(
                    reference=next_reference(GrantCall, "GRC"),
                    programme=programme(),
                    created_by=who,
                    updated_by=who,
                    **values,
                )
                call.communities.set(communities_list)
            return call
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def call_update(*, user: Any, call: GrantCall, **fields: Any) -> GrantCall:
    """Change a call while a draft or open (fields left out keep their value). The
    governorate cannot change once the call has applications."""
    require(user, GRANTS, call)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        call = GrantCall.objects.select_for_update().get(pk=call.pk)
        if call.status not in EDITABLE:
            raise Conflict(_("Only a draft or open call can be changed."), code="call_not_editable")
        data: dict[str, Any] = {
            name: getattr(call, name) for name in FIELDS if name != "communities"
        }
        data["communities"] = list(call.communities.all())
        data.update(fields)
        values = _values(user, data, call)
        if (
            values["governorate"].pk != call.governorate_id
            and GrantApplication.objects.filter(call=call).exists()
        ):
            raise field_error(
                "governorate",
                _("The call has applications: its governorate can no longer change."),
                "call_has_applications",
            )
        communities_list = values.pop("communities")
        for name, value in values.items():
            setattr(call, name, value)
        call.updated_by = actor(user)
        call.save()
        call.communities.set(communities_list)
    return call


# --- criteria --------------------------------------------------------------------------
def call_criteria_set(
    *, user: Any, call: GrantCall, criteria: Sequence[Mapping[str, Any]]
) -> list[ScoringCriterion]:
    """Replace the scoring criteria (in order): each a name, guidance for the scorers,
    a weight in % and the highest score; the weights sum to 100. Only while the call
    is a draft or open (no one has scored yet)."""
    require(user, GRANTS, call)
    errors = _Errors()
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(criteria, start=1):
        name = str(item.get("name") or "").strip()
        guidance = str(item.get("guidance") or "").strip()
        weight = _decimal(item.get("weight"))
        max_score = item.get("max_score")
        prefix = _("Criterion %(n)d") % {"n": i}
        if not name:
            errors.add("criteria", _("%(row)s: give it a name.") % {"row": prefix})
        elif len(name) > 200 or len(guidance) > 300:
            errors.add(
                "criteria",
                _("%(row)s: keep the name under 200 and the guidance under 300 characters.")
                % {"row": prefix},
            )
        if (
            weight is None
            or weight <= 0
            or weight > 100
            or weight != weight.quantize(Decimal("0.01"))
        ):
            errors.add(
                "criteria",
                _("%(row)s: the weight is a percentage above 0 and up to 100.") % {"row": prefix},
            )
        if not isinstance(max_score, int) or not 1 <= max_score <= 100:
            errors.add(
                "criteria",
                _("%(row)s: the highest score is a whole number from 1 to 100.") % {"row": prefix},
            )
        rows.append({"name": name, "guidance": guidance, "weight": weight, "max_score": max_score})
    if not rows:
        errors.add("criteria", _("Give at least one criterion."))
    if len(rows) > MAX_CRITERIA:
        errors.add("criteria", _("Keep to %(n)d criteria at most.") % {"n": MAX_CRITERIA})
    if not errors:
        total = sum((r["weight"] for r in rows), Decimal("0"))
        if total != 100:
            errors.add(
                "criteria",
                _("The weights add up to %(total)s%%: they must add up to 100%%.")
                % {"total": f"{total.normalize():f}"},
            )
    if errors:
        raise ValidationFailed(fields=dict(errors))
    with transaction.atomic():
        call = GrantCall.objects.select_for_update().get(pk=call.pk)
        if call.status not in EDITABLE:
            raise Conflict(
                _("The criteria can change only while the call is a draft or open."),
                code="call_not_editable",
            )
        ScoringCriterion.objects.filter(call=call).delete()
        made = [
            ScoringCriterion.objects.create(call=call, order=i, **row)
            for i, row in enumerate(rows, start=1)
        ]
    return made


# --- committee -------------------------------------------------------------------------
def call_member_add(
    *,
    user: Any,
    call: GrantCall,
    member: Any,
    role: str = CommitteeMember.Role.MEMBER,
    organisation_note: str = "",
) -> CommitteeMember:
    """Put a user on the committee: they must hold the scoring permission within the
    call's governorate and programme; each user once."""
    require(user, GRANTS, call)
    if role not in CommitteeMember.Role.values:
        raise field_error("role", _("Choose chair or member."), "invalid_role")
    note = str(organisation_note or "").strip()
    if len(note) > 200:
        raise field_error(
            "organisation_note", _("Keep this under 200 characters."), "note_too_long"
        )
    if member is None or not getattr(member, "is_active", False):
        raise field_error("user", _("Choose an active user."), "invalid_member")
    if not user_reaches_call(member, call, SCORE):
        raise field_error(
            "user",
            _(
                "%(user)s may not score applications of this call: give them the grant "
                "committee role for this governorate and programme first."
            )
            % {"user": member},
            "member_cannot_score",
        )
    with transaction.atomic():
        call = GrantCall.objects.select_for_update().get(pk=call.pk)
        if call.status not in (STATUS.DRAFT, STATUS.OPEN, STATUS.SCORING):
            raise Conflict(
                _("The committee can change only until grantees are selected."),
                code="call_not_editable",
            )
        if CommitteeMember.objects.filter(call=call, user=member).exists():
            raise field_error(
                "user",
                _("%(user)s is already on the committee.") % {"user": member},
                "member_twice",
            )
        if (
            role == CommitteeMember.Role.CHAIR
            and CommitteeMember.objects.filter(call=call, role=CommitteeMember.Role.CHAIR).exists()
        ):
            raise field_error(
                "role",
                _("The committee already has a chair: add this person as a member."),
                "chair_twice",
            )
        return CommitteeMember.objects.create(
            call=call, user=member, role=role, organisation_note=note
        )


def call_member_remove(*, user: Any, call: GrantCall, member: CommitteeMember) -> None:
    """Take a member off the committee (their declarations and scores go with them).
    Once the call is open the committee keeps at least `quorum` members."""
    require(user, GRANTS, call)
    with transaction.atomic():
        call = GrantCall.objects.select_for_update().get(pk=call.pk)
        if member.call_id != call.pk:
            raise NotFound()
        if call.status not in (STATUS.DRAFT, STATUS.OPEN, STATUS.SCORING):
            raise Conflict(
                _("The committee can change only until grantees are selected."),
                code="call_not_editable",
            )
        left = CommitteeMember.objects.filter(call=call).exclude(pk=member.pk).count()
        if call.status != STATUS.DRAFT and left < call.quorum:
            raise Conflict(
                ngettext(
                    "The committee needs at least %(n)d member: add another before removing this one.",
                    "The committee needs at least %(n)d members: add another before removing this one.",
                    call.quorum,
                )
                % {"n": call.quorum},
                code="committee_below_quorum",
            )
        member.delete()


# --- status ----------------------------------------------------------------------------
def open_problems(call: GrantCall) -> list[str]:
    """What stops the call from opening, in sentences (empty: it may open)."""
    problems = []
    criteria = list(ScoringCriterion.objects.filter(call=call))
    total = sum((c.weight for c in criteria), Decimal("0"))
    if not criteria:
        problems.append(_("Add the scoring criteria."))
    elif total != 100:
        problems.append(
            _("The criteria's weights add up to %(total)s%%, not 100%%.")
            % {"total": f"{total.normalize():f}"}
        )
    members = CommitteeMember.objects.filter(call=call).count()
    if members < call.quorum:
        problems.append(
            ngettext(
                "The committee has %(have)d member; it needs at least %(need)d (the quorum).",
                "The committee has %(have)d members; it needs at least %(need)d (the quorum).",
                members,
            )
            % {"have": members, "need": call.quorum}
        )
    return problems


def call_transition(*, user: Any, call: GrantCall, to: str, reason: str = "") -> GrantCall:
    """Move a call to `to`:

    - open (from draft, or back from scoring): criteria summing to 100 and a committee
      of at least `quorum` members;
    - scoring (closed to applications): the eligibility checks run on every submitted
      application;
    - scoring (back from selected): the choice is undone (applications back to
      eligible) unless an agreement was signed;
    - completed (from selected);
    - cancelled: with the reason.
    Grantees are selected with `call_select`."""
    from sanad.revitalization.services.grants.applications import check_and_record

    require(user, GRANTS, call)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    if to == STATUS.SELECTED:
        raise Conflict(
            _("Grantees are selected from the ranking: use the selection page."),
            code="use_selection",
        )
    given = call
    with transaction.atomic():
        call = GrantCall.objects.select_for_update().get(pk=call.pk)
        if to == STATUS.OPEN and call.status in (STATUS.DRAFT, STATUS.SCORING):
            problems = open_problems(call)
            if problems:
                raise Conflict(" ".join(problems), code="call_not_ready")
        if to == STATUS.SCORING and call.status == STATUS.SELECTED:
            chosen = GrantApplication.objects.filter(
                call=call, status__in=(APP.AGREEMENT, APP.COMPLETED)
            )
            if chosen.exists():
                raise Conflict(
                    _("Agreements are signed: the selection can no longer be undone."),
                    code="agreements_signed",
                )
        call.updated_by = actor(user)
        GrantCall.STATUS_MACHINE.transition(
            call, to=to, by=user, reason=reason, extra_updates=("updated_by",)
        )
        if to == STATUS.SCORING:
            undo = GrantApplication.objects.filter(
                call=call, status__in=(APP.SELECTED, APP.RESERVE, APP.REJECTED)
            )
            for application in undo:
                application.decision_note = ""
                GrantApplication.STATUS_MACHINE.transition(
                    application,
                    to=APP.ELIGIBLE,
                    by=user,
                    reason=reason or _("The selection was undone."),
                    extra_updates=("decision_note",),
                )
            for application in GrantApplication.objects.filter(
                call=call, status=APP.SUBMITTED
            ).select_related("household", "applicant", "call"):
                check_and_record(user=user, application=application)
    given.status = call.status
    return given
