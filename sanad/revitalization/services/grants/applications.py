"""Grant applications: entered on the web page (or imported, `imports.py`) while the
call is open, by an active member of an active registered household of the call's
governorate; the eligibility checks (each recorded with its result and a sentence);
an officer's override to eligible or not eligible, with the reason; withdrawal."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sanad.assistance.selectors import has_received
from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.core.text import normalise_phone
from sanad.registry.derive import age_on
from sanad.registry.models import DisplacementStatus, Household, Individual
from sanad.revitalization.models import (
    GRANTS,
    BusinessSector,
    Community,
    GrantAgreement,
    GrantApplication,
    GrantCall,
)
from sanad.revitalization.services._common import actor, next_reference, require, today

APP = GrantApplication.Status
CALL = GrantCall.Status
LEDGER_ITEM = "crp_business_grant"
EVER = datetime.date(1900, 1, 1)
MAX_JOBS = 500
OVERRIDABLE = (APP.SUBMITTED, APP.ELIGIBLE, APP.INELIGIBLE)
CHECKS = (
    "household_active",
    "age",
    "displacement_status",
    "sector",
    "amount",
    "community",
    "one_per_household",
    "no_earlier_grant",
)


def _money(amount: Decimal, currency: str) -> str:
    return f"{number_format(amount, decimal_pos=0, force_grouping=True)} {currency}"


def _ancestors(unit: Any) -> set[int]:
    found: set[int] = set()
    while unit is not None and unit.pk not in found:
        found.add(unit.pk)
        unit = unit.parent
    return found


def community_for(call: GrantCall, household: Household) -> Community | None:
    """The community of the household for this call: one of the call's communities
    whose area holds the household's (or, when the call lists none, a community of
    the governorate)."""
    units = _ancestors(household.admin_unit)
    listed = list(call.communities.all())
    pool = listed or list(
        Community.objects.filter(
            governorate=call.governorate_id, programme=call.programme_id, active=True
        )
    )
    matches = [c for c in pool if c.admin_unit_id in units]
    if not matches:
        return None
    # The smallest area that holds the household: a sub-district before its district.
    matches.sort(key=lambda c: -c.admin_unit.level)
    return matches[0]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def prepare(
    call: GrantCall,
    *,
    applicant: Any,
    business_name: Any,
    sector: Any,
    business_kind: Any,
    description: Any,
    requested_amount: Any,
    jobs_planned: Any = 0,
    phone: Any = "",
    community: Any = None,
    submitted_on: Any = None,
    taken: set[int] | None = None,
) -> dict[str, Any]:
    """The values of a new application, or ValidationFailed with an error per field
    (shared by the web page and the import, which maps the fields to its columns).
    `taken`: the applicants who already applied to the call (looked up when None)."""
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    day = submitted_on or today()
    if not isinstance(day, datetime.date):
        problem("submitted_on", _("Enter the date of the application as YYYY-MM-DD."))
        day = today()
    elif day > today():
        problem("submitted_on", _("The application cannot be dated in the future."))
    elif day < call.opens_on:
        problem(
            "submitted_on",
            _("The call opened on %(day)s: the application cannot be dated before.")
            % {"day": call.opens_on.isoformat()},
        )
    household: Household | None = None
    if not isinstance(applicant, Individual):
        problem("applicant", _("Choose the applicant from the registry."))
    else:
        household = applicant.household
        if household.governorate_id != call.governorate_id:
            problem(
                "applicant",
                _("Household %(id)s is registered in another governorate than the call's.")
                % {"id": household.registration_id},
            )
        elif household.status != Household.Status.ACTIVE:
            problem(
                "applicant",
                _("Household %(id)s is not active in the registry (%(status)s).")
                % {"id": household.registration_id, "status": household.get_status_display()},
            )
        elif applicant.status != Individual.Status.ACTIVE:
            problem("applicant", _("The applicant is no longer a member of the household."))
        else:
            age = age_on(applicant.date_of_birth, day)
            if age < call.min_age:
                problem(
                    "applicant",
                    _("The applicant is %(age)d: the call takes applicants from %(min)d.")
                    % {"age": age, "min": call.min_age},
                )
            already = (
                taken
                if taken is not None
                else set(
                    GrantApplication.objects.filter(call=call)
                    .exclude(status=APP.WITHDRAWN)
                    .values_list("applicant_id", flat=True)
                )
            )
            if applicant.pk in already:
                problem(
                    "applicant",
                    _("This person has already applied to the call."),
                )
    name = str(business_name or "").strip()
    if not name:
        problem("business_name", _("Give the name of the business."))
    elif len(name) > 200:
        problem("business_name", _("Keep the business name under 200 characters."))
    if sector not in BusinessSector.values:
        problem("sector", _("Choose the business sector from the list."))
    if business_kind not in GrantApplication.BusinessKind.values:
        problem("business_kind", _("Say whether the business is new or existing."))
    text = str(description or "").strip()
    if not text:
        problem("description", _("Describe the business and what the grant is for."))
    elif len(text) > 5000:
        problem("description", _("Keep the description under 5,000 characters."))
    amount = _decimal(requested_amount)
    if amount is None or amount <= 0:
        problem("requested_amount", _("Enter the amount requested, above zero."))
    elif amount != amount.quantize(Decimal("0.01")):
        problem("requested_amount", _("Enter the amount with at most two decimals."))
    elif not call.amount_min <= amount <= call.amount_max:
        problem(
            "requested_amount",
            _("The call gives grants from %(min)s to %(max)s.")
            % {
                "min": _money(call.amount_min, call.currency),
                "max": _money(call.amount_max, call.currency),
            },
        )
    jobs = jobs_planned if jobs_planned not in (None, "") else 0
    if not isinstance(jobs, int) or isinstance(jobs, bool) or not 0 <= jobs <= MAX_JOBS:
        problem("jobs_planned", _("Enter the jobs planned, a whole number from 0 to 500."))
        jobs = 0
    number = ""
    if str(phone or "").strip():
        try:
            number = normalise_phone(str(phone))
        except ValueError:
            problem("phone", _("Enter an Iraqi mobile number, such as 0750 123 4567."))
    chosen = community if community not in ("",) else None
    if chosen is not None and (
        not isinstance(chosen, Community) or chosen.governorate_id != call.governorate_id
    ):
        problem("community", _("Choose a community of the call's governorate."))
        chosen = None
    if errors:
        raise ValidationFailed(fields=errors)
    assert household is not None and amount is not None
    if chosen is None:
        chosen = community_for(call, household)
    return {
        "household": household,
        "applicant": applicant,
        "community": chosen,
        "phone": number,
        "business_name": name,
        "sector": sector,
        "business_kind": business_kind,
        "description": text,
        "requested_amount": amount,
        "jobs_planned": jobs,
        "submitted_on": day,
    }


def insert(*, user: Any, call: GrantCall, values: dict[str, Any], source: str) -> GrantApplication:
    """Write one prepared application (inside the caller's transaction)."""
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return GrantApplication.objects.create(
                    reference=next_reference(GrantApplication, "GRA"),
                    call=call,
                    source=source,
                    created_by=who,
                    updated_by=who,
                    **values,
                )
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def require_open(call: GrantCall) -> None:
    if call.status != CALL.OPEN:
        raise Conflict(
            _("The call is not open for applications (it is “%(status)s”).")
            % {"status": call.get_status_display()},
            code="call_not_open",
        )


def application_create(
    *,
    user: Any,
    call: GrantCall,
    applicant: Individual,
    business_name: str,
    sector: str,
    business_kind: str,
    description: str,
    requested_amount: Decimal,
    jobs_planned: int = 0,
    phone: str = "",
    community: Community | None = None,
    submitted_on: datetime.date | None = None,
    source: str = GrantApplication.Source.WEB,
) -> GrantApplication:
    """A submitted application (reference GRA-YYYY-NNNNN), while the call is open."""
    require(user, GRANTS, call)
    if source not in GrantApplication.Source.values:
        raise field_error("source", _("Choose where the application comes from."), "invalid_source")
    with transaction.atomic():
        call = GrantCall.objects.select_for_update(of=("self",)).get(pk=call.pk)
        require_open(call)
        values = prepare(
            call,
            applicant=applicant,
            business_name=business_name,
            sector=sector,
            business_kind=business_kind,
            description=description,
            requested_amount=requested_amount,
            jobs_planned=jobs_planned,
            phone=phone,
            community=community,
            submitted_on=submitted_on,
        )
        return insert(user=user, call=call, values=values, source=source)


# --- eligibility -----------------------------------------------------------------------
def _check(code: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"check": code, "passed": bool(passed), "detail": detail}


def _labels(values: Iterable[str], choices: Any) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values)


def eligibility_checks(application: GrantApplication) -> list[dict[str, Any]]:
    """Every check of the call's rules on one application: {"check", "passed",
    "detail"} in the order of `CHECKS`."""
    call = application.call
    household = application.household
    applicant = application.applicant
    out = []
    # household active, applicant still a member
    if household.status != Household.Status.ACTIVE:
        out.append(
            _check(
                "household_active",
                False,
                _("The household is not active in the registry (%(status)s).")
                % {"status": household.get_status_display()},
            )
        )
    elif applicant.status != Individual.Status.ACTIVE:
        out.append(
            _check(
                "household_active",
                False,
                _("The applicant is no longer a member of the household (%(status)s).")
                % {"status": applicant.get_status_display()},
            )
        )
    else:
        out.append(
            _check(
                "household_active",
                True,
                _("The household is active in the registry and the applicant is a member."),
            )
        )
    # age
    age = age_on(applicant.date_of_birth, application.submitted_on)
    if call.max_age is None:
        passed = age >= call.min_age
        detail = _("Aged %(age)d when applying; the call takes applicants from %(min)d.") % {
            "age": age,
            "min": call.min_age,
        }
    else:
        passed = call.min_age <= age <= call.max_age
        detail = _(
            "Aged %(age)d when applying; the call takes applicants from %(min)d to %(max)d."
        ) % {"age": age, "min": call.min_age, "max": call.max_age}
    out.append(_check("age", passed, detail))
    # displacement status
    status_label = household.get_displacement_status_display()
    if not call.displacement_statuses:
        out.append(
            _check(
                "displacement_status",
                True,
                _("The household is %(status)s; the call takes every displacement status.")
                % {"status": status_label},
            )
        )
    else:
        out.append(
            _check(
                "displacement_status",
                household.displacement_status in call.displacement_statuses,
                _("The household is %(status)s; the call takes: %(allowed)s.")
                % {
                    "status": status_label,
                    "allowed": _labels(call.displacement_statuses, DisplacementStatus.choices),
                },
            )
        )
    # sector
    sector_label = application.get_sector_display()
    if not call.sectors:
        out.append(
            _check(
                "sector",
                True,
                _("Sector %(sector)s; the call takes every sector.") % {"sector": sector_label},
            )
        )
    else:
        out.append(
            _check(
                "sector",
                application.sector in call.sectors,
                _("Sector %(sector)s; the call takes: %(allowed)s.")
                % {
                    "sector": sector_label,
                    "allowed": _labels(call.sectors, BusinessSector.choices),
                },
            )
        )
    # amount
    out.append(
        _check(
            "amount",
            call.amount_min <= application.requested_amount <= call.amount_max,
            _("Asks %(amount)s; the call gives grants from %(min)s to %(max)s.")
            % {
                "amount": _money(application.requested_amount, call.currency),
                "min": _money(call.amount_min, call.currency),
                "max": _money(call.amount_max, call.currency),
            },
        )
    )
    # community
    listed = list(call.communities.all())
    if not listed:
        out.append(
            _check(
                "community",
                True,
                _("The call is open to every community of the governorate."),
            )
        )
    elif application.community_id in {c.pk for c in listed}:
        out.append(
            _check(
                "community",
                True,
                _("%(community)s is one of the call's communities.")
                % {"community": application.community},
            )
        )
    else:
        out.append(
            _check(
                "community",
                False,
                _("The applicant's community (%(community)s) is not one of the call's: %(listed)s.")
                % {
                    "community": application.community or _("not known"),
                    "listed": ", ".join(c.name for c in listed),
                },
            )
        )
    # one application per household
    if not call.one_per_household:
        out.append(
            _check(
                "one_per_household",
                True,
                _("The call accepts several applications from a household."),
            )
        )
    else:
        earlier = (
            GrantApplication.objects.filter(call=call, household=household)
            .exclude(pk=application.pk)
            .exclude(status=APP.WITHDRAWN)
            .filter(
                Q(submitted_on__lt=application.submitted_on)
                | Q(submitted_on=application.submitted_on, pk__lt=application.pk)
            )
            .order_by("submitted_on", "pk")
            .first()
        )
        if earlier is None:
            out.append(
                _check(
                    "one_per_household",
                    True,
                    _("The only application of the household to this call."),
                )
            )
        else:
            out.append(
                _check(
                    "one_per_household",
                    False,
                    _(
                        "The household applied first with %(reference)s: one application per household."
                    )
                    % {"reference": earlier.reference},
                )
            )
    # no earlier business grant
    if not call.exclude_earlier_grantees:
        out.append(
            _check(
                "no_earlier_grant",
                True,
                _("The call does not exclude households that had a business grant."),
            )
        )
    else:
        agreement = (
            GrantAgreement.objects.filter(application__household=household)
            .exclude(application=application)
            .order_by("signed_on")
            .first()
        )
        if agreement is not None:
            out.append(
                _check(
                    "no_earlier_grant",
                    False,
                    _("The household already had a business grant (agreement %(number)s).")
                    % {"number": agreement.number},
                )
            )
        elif has_received(household=household, item=LEDGER_ITEM, since=EVER):
            out.append(
                _check(
                    "no_earlier_grant",
                    False,
                    _("The assistance ledger records a business grant for the household."),
                )
            )
        else:
            out.append(
                _check(
                    "no_earlier_grant",
                    True,
                    _("The household had no business grant before."),
                )
            )
    return out


def check_and_record(*, user: Any, application: GrantApplication) -> GrantApplication:
    """Run the checks, keep them on the application and set it eligible or not
    eligible (the caller checked the permission and holds the transaction)."""
    checks = eligibility_checks(application)
    application.eligibility = checks
    failed = [c["detail"] for c in checks if not c["passed"]]
    to = APP.INELIGIBLE if failed else APP.ELIGIBLE
    application.updated_by = actor(user)
    if application.status == to or not GrantApplication.STATUS_MACHINE.can(application, to):
        application.save(update_fields=["eligibility", "updated_by", "updated_at"])
        return application
    reason = (
        _("Not eligible: %(checks)s") % {"checks": " ".join(failed)}
        if failed
        else _("Every eligibility check passed.")
    )
    GrantApplication.STATUS_MACHINE.transition(
        application, to=to, by=user, reason=reason, extra_updates=("eligibility", "updated_by")
    )
    return application


def application_check_eligibility(*, user: Any, application: GrantApplication) -> GrantApplication:
    """Check one application against the call's rules (while it is submitted, eligible
    or not eligible and the call is open or being scored) and set its status from the
    result. An application an officer overrode is checked again only on request."""
    require(user, GRANTS, application)
    given = application
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update(of=("self",))
            .select_related("call", "household", "applicant", "community")
            .get(pk=application.pk)
        )
        if application.call.status not in (CALL.OPEN, CALL.SCORING):
            raise Conflict(
                _("Eligibility is checked while the call is open or being scored."),
                code="call_not_checking",
            )
        if application.status not in OVERRIDABLE:
            raise Conflict(
                _("Only a submitted, eligible or not eligible application is checked."),
                code="application_decided",
            )
        check_and_record(user=user, application=application)
    given.status, given.eligibility = application.status, application.eligibility
    return given


def application_override(
    *, user: Any, application: GrantApplication, to: str, reason: str
) -> GrantApplication:
    """An officer sets an application eligible or not eligible against the checks,
    with the reason (recorded in the status history and beside the checks)."""
    require(user, GRANTS, application)
    reason = str(reason or "").strip()
    if to not in (APP.ELIGIBLE, APP.INELIGIBLE):
        raise field_error("to", _("Choose eligible or not eligible."), "invalid_override")
    if not reason:
        raise field_error("reason", _("Say why you override the checks."), "reason_required")
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    given = application
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=application.pk)
        )
        if application.call.status not in (CALL.OPEN, CALL.SCORING):
            raise Conflict(
                _("Eligibility can be changed while the call is open or being scored."),
                code="call_not_checking",
            )
        if application.status not in OVERRIDABLE or application.status == to:
            raise Conflict(
                _("The application is already “%(status)s”.")
                % {"status": application.get_status_display()},
                code="nothing_to_override",
            )
        checks = [c for c in (application.eligibility or []) if c.get("check") != "override"]
        checks.append(
            {
                "check": "override",
                "passed": to == APP.ELIGIBLE,
                "detail": _("Set %(status)s by %(user)s: %(reason)s")
                % {
                    "status": APP(to).label,
                    "user": getattr(user, "get_full_name", lambda: "")() or user,
                    "reason": reason,
                },
            }
        )
        application.eligibility = checks
        application.updated_by = actor(user)
        GrantApplication.STATUS_MACHINE.transition(
            application,
            to=to,
            by=user,
            reason=reason,
            extra_updates=("eligibility", "updated_by"),
        )
    given.status, given.eligibility = application.status, application.eligibility
    return given


def application_withdraw(
    *, user: Any, application: GrantApplication, reason: str
) -> GrantApplication:
    """The applicant withdrew (or the officer withdraws the application): with the
    reason. Their scores stay but no longer count."""
    require(user, GRANTS, application)
    reason = str(reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the application is withdrawn."), "reason_required")
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    given = application
    with transaction.atomic():
        application = GrantApplication.objects.select_for_update().get(pk=application.pk)
        application.updated_by = actor(user)
        GrantApplication.STATUS_MACHINE.transition(
            application, to=APP.WITHDRAWN, by=user, reason=reason, extra_updates=("updated_by",)
        )
    given.status = application.status
    return given
