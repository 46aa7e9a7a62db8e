"""Demo data of the agreements part: for the selected applications of the Duhok grant
call (part B's demo), business plans written by the programme officer and approved by
the head of the programme, agreements signed in 2026 (so some follow-up visits are due
or overdue on the demo day), one cash plan of the call approved by a second person,
tranche 1 released for every grantee, a verification visit and tranche 2 for some, and
the 3-month follow-ups of a few. Everything goes through the services; only the dates
of the tranche releases are moved back to when they would have happened (a service
stamps them with the current time)."""

from __future__ import annotations

import datetime
import logging
import random
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone

from sanad.cash import services as cash
from sanad.cash.models import TrancheRelease
from sanad.core.errors import ApplicationError
from sanad.revitalization.models import GrantAgreement, GrantApplication, GrantCall
from sanad.revitalization.services.grants import agreements as services
from sanad.revitalization.services.grants.visits import visit_record

log = logging.getLogger(__name__)

DUHOK = "IQG09"
# What a grant buys, by sector: (item, share of the total).
LINES: dict[str, list[tuple[str, Decimal]]] = {
    "retail": [
        ("Shelving and a refrigerated display", Decimal("0.45")),
        ("Opening stock (groceries)", Decimal("0.55")),
    ],
    "food": [
        ("Gas oven and dough mixer", Decimal("0.6")),
        ("Flour, oil and sugar for the first month", Decimal("0.25")),
        ("Shop sign and hygiene equipment", Decimal("0.15")),
    ],
    "agriculture": [
        ("Drip irrigation kit (1 dunam)", Decimal("0.5")),
        ("Seedlings and fertiliser", Decimal("0.3")),
        ("Plastic greenhouse cover", Decimal("0.2")),
    ],
    "manufacturing": [
        ("Welding machine and tools", Decimal("0.7")),
        ("Steel sheets and profiles", Decimal("0.3")),
    ],
    "construction": [
        ("Tile cutter, mixer and hand tools", Decimal("0.65")),
        ("Safety equipment", Decimal("0.1")),
        ("Materials for the first jobs", Decimal("0.25")),
    ],
    "services": [
        ("Two industrial sewing machines", Decimal("0.55")),
        ("Fabric and thread stock", Decimal("0.3")),
        ("Workshop rent, three months", Decimal("0.15")),
    ],
    "transport": [
        ("Motor tricycle (used, checked)", Decimal("0.85")),
        ("Registration and insurance", Decimal("0.15")),
    ],
}
DEFAULT_LINES = [("Equipment", Decimal("0.7")), ("Stock", Decimal("0.3"))]
SUMMARIES = {
    "retail": "بقالة صغيرة في السوق: رفوف وثلاجة عرض وبضاعة أولية. A small grocery in the market.",
    "food": "فرن خبز وصمون للحي. A bakery for the neighbourhood, selling to two schools.",
    "agriculture": "Vegetable plots with drip irrigation; sales to the Duhok wholesale market.",
    "manufacturing": "کارگەی ئاسنگەری: a metal workshop making doors and window guards.",
    "construction": "Tiling and plastering for the houses being rebuilt in the area.",
    "services": "ورشة خياطة: a tailoring workshop, school uniforms and repairs.",
    "transport": "Delivery with a motor tricycle for the shops of the market.",
}
WITNESSES = ["Mukhtar Salih Ahmed", "Nasreen Hussein (IOM)", "Mam Rasul, village elder"]
REVENUES = ["low", "medium", "medium", "high"]


def _quantum(currency: str) -> Decimal:
    return Decimal("1") if currency == "IQD" else Decimal("0.01")


def _budget(application: GrantApplication, call: GrantCall) -> list[dict[str, str]]:
    """Lines adding up to the amount requested, kept within the call's range."""
    total = min(max(Decimal(application.requested_amount), call.amount_min), call.amount_max)
    unit = _quantum(call.currency)
    total = total.quantize(unit, rounding=ROUND_DOWN)
    parts = LINES.get(application.sector, DEFAULT_LINES)
    lines, used = [], Decimal("0")
    for index, (item, share) in enumerate(parts):
        last = index == len(parts) - 1
        amount = total - used if last else (total * share).quantize(unit, rounding=ROUND_DOWN)
        used += amount
        lines.append({"item": item, "quantity": "1", "unit_cost": str(amount)})
    return lines


def _pick(users: dict[str, Any], admin: Any, *names: str, other_than: Any = None) -> Any:
    for user in [*(users.get(n) for n in names), admin]:
        if user is not None and (other_than is None or user.pk != other_than.pk):
            return user
    return None


def _backdate(release: TrancheRelease, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    TrancheRelease.objects.filter(pk=release.pk).update(released_at=moment)


def seed(*, admin: Any, users: dict[str, Any], seed: int = 12) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {
        "business plans": 0,
        "grant agreements": 0,
        "grant cash plans": 0,
        "grant tranches released": 0,
        "business visits recorded": 0,
    }
    officer = _pick(users, admin, "crp.officer")
    lead = _pick(users, admin, "crp.lead", other_than=officer)
    if officer is None or lead is None:
        return counts
    today = timezone.localdate()
    applications = list(
        GrantApplication.objects.filter(status="selected", call__governorate__pcode=DUHOK)
        .select_related("call__project")
        .order_by("call__reference", "rank", "reference")
    )
    signed: list[GrantAgreement] = []
    for index, application in enumerate(applications):
        call = application.call
        plan = services.business_plan_save(
            user=officer,
            application=application,
            summary=SUMMARIES.get(application.sector, application.description[:300]),
            budget_lines=_budget(application, call),
            own_contribution=(Decimal(call.amount_min) / 10).quantize(_quantum(call.currency)),
            jobs_expected=max(1, application.jobs_planned),
            revenue_band_expected=rng.choice(REVENUES),
        )
        services.business_plan_approve(user=lead, plan=plan)
        counts["business plans"] += 1
        # Signed from May 2026, about two weeks apart: the earliest have their 3-month
        # follow-up overdue on the demo day, the latest are still to come.
        project = call.project
        earliest = max(
            application.submitted_on + datetime.timedelta(days=14),
            call.closes_on,
            project.start_date,
        )
        day = max(datetime.date(2026, 5, 4) + datetime.timedelta(days=13 * index), earliest)
        day = min(day, today - datetime.timedelta(days=10), project.end_date)
        if day < earliest:
            continue
        thumb = index % 4 == 3
        try:
            agreement = services.agreement_sign(
                user=officer,
                application=application,
                signed_on=day,
                signature="thumbprint" if thumb else "signed",
                witness=WITNESSES[index % len(WITNESSES)],
            )
        except ApplicationError as exc:
            log.warning("Demo agreements: %s not signed: %s", application.reference, exc.message)
            continue
        signed.append(agreement)
        counts["grant agreements"] += 1
    calls = {a.application.call_id: a.application.call for a in signed}
    for call in calls.values():
        try:
            cash_plan = services.agreements_disburse(user=officer, call=call)
            cash.plan_approve(user=lead, plan=cash_plan)
        except ApplicationError as exc:
            log.warning("Demo agreements: call %s not disbursed: %s", call.reference, exc.message)
            continue
        counts["grant cash plans"] += 1
        services.agreements_link_entitlements(call)
    for index, agreement in enumerate(signed):
        agreement.refresh_from_db()
        if agreement.entitlement_id is None:
            continue
        first = services.agreement_release_tranche(user=officer, agreement=agreement, tranche=1)
        released_on = min(agreement.signed_on + datetime.timedelta(days=7), today)
        _backdate(first, released_on)
        counts["grant tranches released"] += 1
        visited = released_on + datetime.timedelta(days=45 + rng.randint(0, 10))
        if index % 2 == 0 and agreement.tranches > 1 and visited <= today:
            visit_record(
                user=officer,
                agreement=agreement,
                kind="verification",
                verifies_tranche=1,
                visited_on=visited,
                operating=True,
                funds_used_as_planned=True,
                notes="Equipment bought and in use; receipts checked.",
            )
            counts["business visits recorded"] += 1
            second = services.agreement_release_tranche(
                user=officer, agreement=agreement, tranche=2
            )
            _backdate(second, min(visited + datetime.timedelta(days=2), today))
            counts["grant tranches released"] += 1
        due = agreement.signed_on + datetime.timedelta(days=92)
        if index % 3 == 0 and due + datetime.timedelta(days=6) <= today:
            visit_record(
                user=officer,
                agreement=agreement,
                kind="month_3",
                visited_on=due + datetime.timedelta(days=rng.randint(0, 6)),
                operating=True,
                jobs_created=rng.randint(1, 3),
                revenue_band=rng.choice(REVENUES),
                notes="The business is open; the owner keeps a sales book.",
            )
            counts["business visits recorded"] += 1
    return counts
