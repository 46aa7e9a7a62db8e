"""Reads of business plans, grant agreements, their tranches and visits, always inside
the user's scope: the agreements with their tranches released and paid (read from the
cash module's `TrancheRelease` and `Payment` rows of the agreement's entitlement), the
gate of the next tranche (what is missing before it can be released), the visits due,
and a call's disbursement (its cash plans, the agreements not yet in one)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.cash.models import CashPlan, Payment, PlannedAmount, TrancheRelease
from sanad.core.errors import NotFound
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.revitalization.models import (
    GRANTS,
    VIEW,
    BusinessPlan,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    GrantVisit,
)

APP = GrantApplication.Status
VISIT = GrantVisit.Kind
FOLLOW_UPS = (VISIT.MONTH_3, VISIT.MONTH_6, VISIT.MONTH_12)
# Applications whose agreement still runs: tranches and visits are due.
RUNNING = (APP.AGREEMENT,)
# A live cash plan: an agreement in one is not disbursed again.
LIVE_PLANS = (CashPlan.Status.DRAFT, CashPlan.Status.APPROVED, CashPlan.Status.CLOSED)
SOURCE_PREFIX = "revitalization.grant_call:"
LEDGER_SOURCE = "revitalization.grant_agreement"
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def plan_source(call: GrantCall) -> str:
    """What the cash plans of a call record as their maker."""
    return f"{SOURCE_PREFIX}{call.reference}"


# --- applications and business plans -------------------------------------------------------
def applications_selected(user: Any, permission: str = VIEW) -> QuerySet[GrantApplication]:
    """Selected applications without an agreement yet (their business plan, if any)."""
    return (
        scoped(GrantApplication.objects.all(), user, permission)
        .filter(status=APP.SELECTED, agreement__isnull=True)
        .select_related("call", "applicant", "household", "business_plan")
        .order_by("call__reference", "rank", "reference")
    )


def application_get(*, user: Any, public_id: Any, permission: str = VIEW) -> GrantApplication:
    application = (
        scoped(GrantApplication.objects.all(), user, permission)
        .select_related("call__project", "call__governorate", "applicant", "household", "community")
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def business_plan_of(application: GrantApplication) -> BusinessPlan | None:
    return (
        BusinessPlan.objects.select_related("approved_by", "created_by", "updated_by")
        .filter(application=application)
        .first()
    )


def agreement_of(application: GrantApplication) -> GrantAgreement | None:
    return GrantAgreement.objects.filter(application=application).first()


# --- agreements ----------------------------------------------------------------------------
def _count(qs: QuerySet[Any]) -> Coalesce:
    sub = qs.order_by().values("entitlement").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def agreements_visible(user: Any, permission: str = VIEW) -> QuerySet[GrantAgreement]:
    """The agreements `user` reaches, with `released_count` (tranches released),
    `paid_count` (tranches paid) and `next_visit_due` (the earliest follow-up visit not
    yet made)."""
    releases = TrancheRelease.objects.filter(entitlement=OuterRef("entitlement"))
    paid = Payment.objects.filter(entitlement=OuterRef("entitlement"), status=Payment.Status.PAID)
    due = (
        GrantVisit.objects.filter(
            agreement=OuterRef("pk"), visited_on__isnull=True, kind__in=FOLLOW_UPS
        )
        .order_by()
        .values("agreement")
        .annotate(d=Min("due_on"))
        .values("d")[:1]
    )
    return (
        scoped(GrantAgreement.objects.all(), user, permission)
        .select_related(
            "application__call",
            "application__applicant",
            "application__household",
            "application__community",
            "entitlement__plan",
        )
        .annotate(
            released_count=_count(releases),
            paid_count=_count(paid),
            next_visit_due=Subquery(due),
        )
    )


def agreement_get(*, user: Any, public_id: Any, permission: str = VIEW) -> GrantAgreement:
    agreement = agreements_visible(user, permission).filter(public_id=public_id).first()
    if agreement is None:
        raise NotFound()
    return agreement


def calls_with_agreements(user: Any) -> QuerySet[GrantCall]:
    return (
        scoped(GrantCall.objects.all(), user, VIEW)
        .filter(applications__agreement__isnull=False)
        .distinct()
        .order_by("-opens_on", "reference")
    )


def call_get(*, user: Any, public_id: Any, permission: str = VIEW) -> GrantCall:
    call = (
        scoped(GrantCall.objects.all(), user, permission)
        .select_related("project", "governorate", "cash_plan")
        .filter(public_id=public_id)
        .first()
    )
    if call is None:
        raise NotFound()
    return call


def visits_of(agreement: GrantAgreement) -> list[GrantVisit]:
    return list(
        GrantVisit.objects.filter(agreement=agreement)
        .select_related("created_by", "updated_by")
        .order_by(F("due_on").asc(nulls_last=True), "visited_on", "id")
    )


# --- cash: where the agreement's money stands ------------------------------------------------
def planned_in(agreement: GrantAgreement) -> PlannedAmount | None:
    """The planned amount of the agreement in a live cash plan (its reference is the
    agreement's number), if it was disbursed."""
    return (
        PlannedAmount.objects.filter(
            reference=agreement.number,
            plan__status__in=LIVE_PLANS,
            plan__source__startswith=SOURCE_PREFIX,
        )
        .select_related("plan", "household")
        .order_by("-plan__created_at")
        .first()
    )


def tranche_amount(total: Decimal, tranches: int, tranche: int, currency: str) -> Decimal:
    """The cash module's split of an entitlement into tranches (each rounded down to the
    currency's unit, the last taking the remainder)."""
    from sanad.cash.services.transfers import tranche_amount as split

    return split(total, tranches, tranche, currency)


@dataclass
class TrancheRow:
    tranche: int
    amount: Decimal
    release: TrancheRelease | None = None
    payments: list[Payment] = field(default_factory=list)

    @property
    def paid(self) -> Payment | None:
        return next((p for p in self.payments if p.status == Payment.Status.PAID), None)

    @property
    def state(self) -> str:
        if self.paid is not None:
            return "paid"
        if any(p.status in (Payment.Status.PENDING, Payment.Status.SENT) for p in self.payments):
            return "on_payment_list"
        if self.release is not None:
            return "released"
        return "waiting"

    @property
    def state_label(self) -> str:
        return str(TRANCHE_STATES[self.state])

    @property
    def failed(self) -> list[Payment]:
        return [p for p in self.payments if p.status == Payment.Status.FAILED]


TRANCHE_STATES = {
    "paid": gettext_lazy("Paid"),
    "on_payment_list": gettext_lazy("Released, on a payment list"),
    "released": gettext_lazy("Released, not yet on a payment list"),
    "waiting": gettext_lazy("Not released"),
}


def tranche_rows(agreement: GrantAgreement) -> list[TrancheRow]:
    """One row per tranche: its amount, its release and its payments (if any)."""
    ent = agreement.entitlement
    total = Decimal(ent.amount if ent is not None else agreement.amount)
    n = int(ent.plan.tranches if ent is not None else agreement.tranches)
    releases: dict[int, TrancheRelease] = {}
    payments: dict[int, list[Payment]] = {}
    if ent is not None:
        for release in TrancheRelease.objects.filter(entitlement=ent).select_related("released_by"):
            releases[release.tranche] = release
        for payment in Payment.objects.filter(entitlement=ent).order_by("tranche", "id"):
            payments.setdefault(payment.tranche, []).append(payment)
    return [
        TrancheRow(
            tranche=k,
            amount=tranche_amount(total, n, k, agreement.currency),
            release=releases.get(k),
            payments=payments.get(k, []),
        )
        for k in range(1, n + 1)
    ]


# --- the gate of a tranche ------------------------------------------------------------------
@dataclass
class Gate:
    """Whether tranche `tranche` can be released now; if not, `code` and `message` say
    what is missing."""

    tranche: int | None
    code: str = ""
    message: str = ""
    released: TrancheRelease | None = None

    @property
    def open(self) -> bool:
        return self.tranche is not None and not self.code and self.released is None


def _released_on(release: TrancheRelease) -> datetime.date:
    return timezone.localdate(release.released_at)


def tranche_gate(agreement: GrantAgreement, tranche: int | None = None) -> Gate:
    """The gate of `tranche` (by default the next one not released): tranche 1 needs the
    agreement signed and its cash plan approved (the entitlement exists); tranche k ≥ 2
    needs tranche k − 1 released and a verification visit of tranche k − 1, made after
    that release, that found the grant spent as planned and the business operating."""
    ent = agreement.entitlement
    releases = (
        {r.tranche: r for r in TrancheRelease.objects.filter(entitlement=ent)}
        if ent is not None
        else {}
    )
    n = int(agreement.tranches)
    if tranche is None:
        tranche = next((k for k in range(1, n + 1) if k not in releases), None)
        if tranche is None:
            return Gate(
                None,
                "all_released",
                _("Every tranche of this agreement is released."),
            )
    if tranche in releases:
        return Gate(tranche, released=releases[tranche])
    status = GrantApplication.objects.filter(pk=agreement.application_id).values_list(
        "status", flat=True
    )[:1]
    current = next(iter(status), "")
    if current not in (APP.AGREEMENT, APP.COMPLETED):
        return Gate(
            tranche,
            "application_closed",
            _("The application is “%(status)s”: no tranche can be released.")
            % {"status": APP(current).label if current else "—"},
        )
    if not 1 <= tranche <= n:
        return Gate(
            tranche,
            "tranche_out_of_range",
            _("Choose a tranche from 1 to %(n)d.") % {"n": n},
        )
    if tranche > 1 and (tranche - 1) not in releases:
        return Gate(
            tranche,
            "tranche_out_of_order",
            _("Release tranche %(before)d first: tranches are released in order.")
            % {"before": tranche - 1},
        )
    if tranche == 1:
        if ent is not None:
            return Gate(tranche)
        planned = planned_in(agreement)
        if planned is None:
            return Gate(
                tranche,
                "not_in_cash_plan",
                _(
                    "Put the agreement in a cash plan first: “Disburse through cash” on "
                    "the call's agreements."
                ),
            )
        if planned.plan.status == CashPlan.Status.DRAFT:
            return Gate(
                tranche,
                "cash_plan_not_approved",
                _(
                    "The cash plan “%(plan)s” waits for its approval by a cash officer "
                    "(another person than who made it): tranche 1 is released once it is "
                    "approved."
                )
                % {"plan": planned.plan.name},
            )
        return Gate(
            tranche,
            "no_entitlement",
            _(
                "The cash plan “%(plan)s” has no entitlement for household %(id)s (it was "
                "no longer active when the plan was approved). Check the household in the "
                "registry."
            )
            % {"plan": planned.plan.name, "id": planned.household.registration_id},
        )
    before = tranche - 1
    released_on = _released_on(releases[before])
    visits = list(
        GrantVisit.objects.filter(
            agreement=agreement,
            kind=VISIT.VERIFICATION,
            verifies_tranche=before,
            visited_on__isnull=False,
        ).order_by("-visited_on", "-id")
    )
    if not visits:
        return Gate(
            tranche,
            "verification_missing",
            _(
                "Record a verification visit of tranche %(n)d first: tranche %(k)d is "
                "released once a visit finds tranche %(n)d spent as planned and the "
                "business operating."
            )
            % {"n": before, "k": tranche},
        )
    after = [v for v in visits if v.visited_on is not None and v.visited_on >= released_on]
    if not after:
        return Gate(
            tranche,
            "verification_before_release",
            _(
                "The verification visit of tranche %(n)d on %(visited)s was made before "
                "tranche %(n)d was released on %(released)s: record a visit made after the "
                "release."
            )
            % {
                "n": before,
                "visited": visits[0].visited_on.isoformat() if visits[0].visited_on else "",
                "released": released_on.isoformat(),
            },
        )
    if any(v.funds_used_as_planned and v.operating for v in after):
        return Gate(tranche)
    latest = after[0]
    if not latest.operating:
        finding = _("the business not operating")
    else:
        finding = _("the grant not spent as planned")
    return Gate(
        tranche,
        "verification_failed",
        _(
            "The verification visit of tranche %(n)d on %(visited)s found %(finding)s: "
            "record a new verification visit once it is."
        )
        % {
            "n": before,
            "visited": latest.visited_on.isoformat() if latest.visited_on else "",
            "finding": finding,
        },
    )


# --- visits due ---------------------------------------------------------------------------
def visits_due(user: Any, *, until: datetime.date | None = None) -> QuerySet[GrantVisit]:
    """Follow-up visits not yet made of running agreements, due on or before `until`
    (every one when None), the earliest first."""
    qs = (
        scoped(GrantVisit.objects.all(), user, VIEW)
        .filter(
            visited_on__isnull=True,
            due_on__isnull=False,
            agreement__application__status__in=RUNNING,
        )
        .select_related(
            "agreement__application__call",
            "agreement__application__applicant",
            "agreement__application__community",
        )
        .order_by("due_on", "id")
    )
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    return qs


@dataclass
class VerificationDue:
    agreement: GrantAgreement
    tranche: int
    released_on: datetime.date


def verifications_due(user: Any) -> list[VerificationDue]:
    """Running agreements whose last released tranche (not the last tranche) has no
    verification visit that opens the next one yet: a visit is due to verify it."""
    running: Any = agreements_visible(user).filter(
        application__status__in=RUNNING, entitlement__isnull=False
    )
    agreements: list[GrantAgreement] = list(
        running.filter(released_count__gte=1, released_count__lt=F("tranches")).order_by("number")
    )
    if not agreements:
        return []
    ents = [a.entitlement_id for a in agreements if a.entitlement_id is not None]
    latest: dict[int, TrancheRelease] = {}
    for release in TrancheRelease.objects.filter(entitlement_id__in=ents).order_by("tranche"):
        latest[release.entitlement_id] = release
    good = {
        (v["agreement_id"], v["verifies_tranche"], v["visited_on"])
        for v in GrantVisit.objects.filter(
            agreement__in=agreements,
            kind=VISIT.VERIFICATION,
            visited_on__isnull=False,
            funds_used_as_planned=True,
            operating=True,
        ).values("agreement_id", "verifies_tranche", "visited_on")
    }
    out = []
    for agreement in agreements:
        last = latest.get(agreement.entitlement_id or 0)
        if last is None:
            continue
        released_on = _released_on(last)
        verified = any(
            a == agreement.pk and k == last.tranche and d is not None and d >= released_on
            for a, k, d in good
        )
        if not verified:
            out.append(VerificationDue(agreement, last.tranche, released_on))
    out.sort(key=lambda row: row.released_on)
    return out


# --- a call's disbursement ------------------------------------------------------------------
@dataclass
class Disbursement:
    call: GrantCall
    plans: list[dict[str, Any]]  # {"plan", "households", "total"}
    waiting: list[GrantAgreement]  # signed, not yet in a live cash plan

    @property
    def can_disburse(self) -> bool:
        return bool(self.waiting)


def call_disbursement(call: GrantCall) -> Disbursement:
    plans = [
        {"plan": plan, "households": plan.households, "total": plan.total}
        for plan in CashPlan.objects.filter(source=plan_source(call))
        .annotate(
            households=Count("planned_amounts"),
            total=Coalesce(
                Subquery(
                    PlannedAmount.objects.filter(plan=OuterRef("pk"))
                    .order_by()
                    .values("plan")
                    .annotate(t=Sum("amount", output_field=MONEY_FIELD))
                    .values("t")[:1]
                ),
                Value(Decimal("0"), output_field=MONEY_FIELD),
            ),
        )
        .order_by("created_at")
    ]
    taken = PlannedAmount.objects.filter(
        plan__source=plan_source(call), plan__status__in=LIVE_PLANS
    ).values("reference")
    waiting = list(
        GrantAgreement.objects.filter(
            application__call=call,
            application__status__in=(APP.AGREEMENT, APP.COMPLETED),
            entitlement__isnull=True,
        )
        .exclude(number__in=taken)
        .select_related("application__household", "application__applicant")
        .order_by("number")
    )
    return Disbursement(call=call, plans=plans, waiting=waiting)


# --- who may do what --------------------------------------------------------------------------
def can_manage(user: Any, obj: Any) -> bool:
    return has_permission(user, GRANTS) and can_reach(user, obj, GRANTS)


__all__ = [
    "FOLLOW_UPS",
    "LEDGER_SOURCE",
    "TRANCHE_STATES",
    "Disbursement",
    "Gate",
    "TrancheRow",
    "VerificationDue",
    "agreement_get",
    "agreement_of",
    "agreements_visible",
    "application_get",
    "applications_selected",
    "business_plan_of",
    "call_disbursement",
    "call_get",
    "calls_with_agreements",
    "can_manage",
    "plan_source",
    "planned_in",
    "tranche_gate",
    "tranche_rows",
    "verifications_due",
    "visits_due",
    "visits_of",
]
