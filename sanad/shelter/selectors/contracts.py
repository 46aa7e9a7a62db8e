"""Reads of contractors, tenders and contracts, always inside the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.shelter.models import (
    VIEW,
    Bid,
    Contract,
    ContractMilestone,
    Contractor,
    RehabCase,
    Tender,
)
from sanad.shelter.services._common import today
from sanad.shelter.services.contracts import (
    TECHNICAL_PASS,
    eligible_cases_q,
    milestones_total,
    open_defects,
    recommended_bid,
    retention_due_on,
)

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


def milestone_overdue_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """Payment milestones of an active contract, not certified, past their due date."""
    on = on or today()
    return Q(
        **{
            f"{prefix}status": ContractMilestone.Status.PENDING,
            f"{prefix}due_on__lt": on,
            f"{prefix}contract__status": Contract.Status.ACTIVE,
        }
    )


def delayed_q(on: datetime.date | None = None) -> Q:
    """Contracts running late: active past their planned completion, or with a
    milestone past due and not certified."""
    on = on or today()
    late_milestone = ContractMilestone.objects.filter(
        milestone_overdue_q(on), contract=OuterRef("pk")
    )
    return Q(status=Contract.Status.ACTIVE) & (Q(end_on__lt=on) | Q(Exists(late_milestone)))


# --- contractors -----------------------------------------------------------------------


def contractors_for(user: Any) -> QuerySet[Contractor]:
    return (
        scoped(Contractor.objects.all(), user, VIEW)
        .prefetch_related("governorates")
        .annotate(
            contract_count=Count("contracts", distinct=True),
            active_contracts=Count(
                "contracts",
                filter=Q(contracts__status=Contract.Status.ACTIVE),
                distinct=True,
            ),
        )
    )


def contractor_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Contractor:
    if not _is_uuid(public_id):
        raise NotFound()
    obj = scoped(Contractor.objects.all(), user, permission).filter(public_id=public_id).first()
    if obj is None:
        raise NotFound()
    return obj


def contracts_of_contractor(*, user: Any, contractor: Contractor) -> QuerySet[Contract]:
    return contracts_for(user).filter(contractor=contractor)


def bids_of_contractor(*, user: Any, contractor: Contractor) -> QuerySet[Bid]:
    return (
        scoped(Bid.objects.all(), user, VIEW)
        .filter(contractor=contractor)
        .select_related("tender")
        .order_by("-created_at")
    )


# --- tenders ---------------------------------------------------------------------------


def tenders_for(user: Any, permission: str = VIEW) -> QuerySet[Tender]:
    return (
        scoped(Tender.objects.all(), user, permission)
        .select_related("project", "governorate", "programme")
        .annotate(
            house_count=Count("cases", distinct=True),
            bid_count=Count("bids", distinct=True),
        )
    )


def tender_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Tender:
    if not _is_uuid(public_id):
        raise NotFound()
    obj = (
        scoped(Tender.objects.all(), user, permission)
        .select_related("project", "governorate", "programme")
        .filter(public_id=public_id)
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def tender_bids(tender: Tender) -> list[Bid]:
    """The bids, cheapest first, with `recommended` and `passes` marked."""
    bids = list(tender.bids.select_related("contractor").order_by("amount", "created_at"))
    best = recommended_bid(bids)
    for b in bids:
        b.passes = b.technical_score is not None and b.technical_score >= TECHNICAL_PASS  # type: ignore[attr-defined]
        b.recommended = best is not None and b.pk == best.pk  # type: ignore[attr-defined]
    return bids


def tender_cases(tender: Tender) -> QuerySet[RehabCase]:
    return tender.cases.select_related("property", "household").order_by("reference")


def eligible_cases(
    *, user: Any, project: Any, governorate: Any, permission: str, currency: str | None = None
) -> QuerySet[RehabCase]:
    """Open contractor-modality cases of a project in a governorate that may go into a
    new lot (no contract, in no live tender), in the user's reach."""
    qs = (
        scoped(RehabCase.objects.all(), user, permission)
        .filter(eligible_cases_q(), project=project, governorate=governorate)
        .select_related("property", "household")
        .distinct()
        .order_by("reference")
    )
    if currency:
        qs = qs.filter(currency=currency)
    return qs


# --- contracts -------------------------------------------------------------------------


def contracts_for(user: Any, permission: str = VIEW) -> QuerySet[Contract]:
    on = today()
    late_milestone = ContractMilestone.objects.filter(
        milestone_overdue_q(on), contract=OuterRef("pk")
    )
    return (
        scoped(Contract.objects.all(), user, permission)
        .select_related("contractor", "project", "governorate", "tender")
        .annotate(
            # Subqueries, not joins: two to-many joins would multiply the sums.
            house_count=Coalesce(
                Subquery(
                    RehabCase.objects.filter(contract=OuterRef("pk"))
                    .values("contract")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                Value(0),
            ),
            certified=Coalesce(
                Subquery(
                    ContractMilestone.objects.filter(contract=OuterRef("pk"))
                    .exclude(status=ContractMilestone.Status.PENDING)
                    .values("contract")
                    .annotate(s=Sum("gross"))
                    .values("s")
                ),
                Value(ZERO),
                output_field=_MONEY,
            ),
            is_delayed=Case(
                When(
                    Q(status=Contract.Status.ACTIVE)
                    & (Q(end_on__lt=on) | Q(Exists(late_milestone))),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def contract_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Contract:
    if not _is_uuid(public_id):
        raise NotFound()
    obj = (
        scoped(Contract.objects.all(), user, permission)
        .select_related("contractor", "project", "governorate", "tender", "programme")
        .filter(public_id=public_id)
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def contract_milestones(contract: Contract) -> list[ContractMilestone]:
    on = today()
    rows = list(contract.milestones.select_related("certified_by").order_by("sequence"))
    for m in rows:
        m.is_overdue = (  # type: ignore[attr-defined]
            m.status == ContractMilestone.Status.PENDING
            and m.due_on < on
            and contract.status == Contract.Status.ACTIVE
        )
    return rows


def contract_houses(contract: Contract) -> list[RehabCase]:
    on = today()
    rows = list(
        RehabCase.objects.filter(contract=contract)
        .select_related("property", "household")
        .order_by("reference")
    )
    for c in rows:
        c.is_delayed = bool(  # type: ignore[attr-defined]
            c.planned_end
            and c.planned_end < on
            and c.status in (RehabCase.Status.OPEN, RehabCase.Status.IN_PROGRESS)
        )
    return rows


def contract_totals(contract: Contract, milestones: list[ContractMilestone]) -> dict[str, Any]:
    """Certified, retained, penalties, paid and remaining (of the value, after what is
    certified), plus the percentage of the milestones and the retention state."""
    done = [m for m in milestones if m.status != ContractMilestone.Status.PENDING]
    certified = sum((m.gross or ZERO for m in done), ZERO)
    retained = sum((m.retention or ZERO for m in done), ZERO)
    penalties = sum((m.penalty or ZERO for m in done), ZERO)
    payable = sum((m.net or ZERO for m in done), ZERO)
    paid = sum((m.net or ZERO for m in done if m.status == ContractMilestone.Status.PAID), ZERO)
    cap = (contract.value * contract.penalty_cap_percent / 100).quantize(Decimal("0.01"))
    return {
        "certified": certified,
        "retained": retained,
        "penalties": penalties,
        "payable": payable,
        "paid": paid,
        "unpaid": payable - paid,
        "remaining": contract.value - certified,
        "percent": milestones_total(contract),
        "penalty_cap": cap,
        "cap_reached": penalties >= cap and cap > 0,
        "retention_due_on": retention_due_on(contract),
        "open_defects": open_defects(contract),
        "late_milestones": sum(1 for m in milestones if getattr(m, "is_overdue", False)),
    }
