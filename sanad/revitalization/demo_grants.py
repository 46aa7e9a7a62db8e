"""The revitalization demo, part B (business grants): two calls.

- Duhok, "Small business recovery grants — Zakho and Sumel" (USD): criteria, a committee
  of three, applications from registered households of the two communities (entered on
  the web or imported), closed and checked (some not eligible: too old, a sector the call
  does not fund, a second application from the same household), scored by the committee
  (one member declares a conflict of interest on one application), ranked (one tie
  broken by the jobs planned) and the grantees selected within the budget with a reserve
  list. Part C's demo writes their business plans and agreements.
- Ninewa, "Livelihood recovery grants — Sinjar and Sununi" (IQD): open, with the first
  applications submitted.

Everything goes through the services as "crp.officer" and the committee users would.
Runs after part A's demo (its communities). Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from sanad.programmes.models import Project
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import BusinessSector, Community, GrantApplication, GrantCall
from sanad.revitalization.selectors import grants as selectors
from sanad.revitalization.services._common import today
from sanad.revitalization.services.grants import applications as app_services
from sanad.revitalization.services.grants import calls as call_services
from sanad.revitalization.services.grants import scoring

D = datetime.date
DUHOK, NINEWA = "IQG09", "IQG15"
DUHOK_TITLE = "Small business recovery grants — Zakho and Sumel"
NINEWA_TITLE = "Livelihood recovery grants — Sinjar and Sununi"
RATE = Decimal("1310")

# (business name, sector, new or existing, description)
BUSINESSES: tuple[tuple[str, str, str, str], ...] = (
    ("مخبز الأمل", "food", "existing", "Bakery: a second oven and a flour stock for Ramadan."),
    ("Nazarki Mobile Repairs", "services", "existing", "Tools and spare parts for phone repairs."),
    ("خياطة زينب", "services", "new", "Two sewing machines and fabric for school uniforms."),
    ("Sumel Poultry", "agriculture", "new", "A 500-bird broiler unit with feed for two cycles."),
    ("دکانی ئازاد", "retail", "existing", "Shelves, a fridge and stock for a grocery."),
    (
        "Zakho Aluminium Works",
        "manufacturing",
        "existing",
        "A cutting machine for windows and doors.",
    ),
    ("صالون روجين", "services", "new", "Chairs, dryers and products for a women's salon."),
    ("Khanke Vegetable Stall", "retail", "new", "A covered stall and scales at the market."),
    ("مطعم سنجار", "food", "new", "Kitchen equipment for a small restaurant."),
    ("Delal Beekeeping", "agriculture", "existing", "Twenty hives and protective equipment."),
    ("ورشة حدادة الخابور", "manufacturing", "new", "Welding set and steel for a metal workshop."),
    ("Berav Electrical", "construction", "existing", "Tools and cable stock for house wiring."),
    ("محل ألبسة نور", "retail", "new", "Clothes stock and a fitting room."),
    ("Shingal Dairy", "food", "existing", "A milk cooler and a yoghurt press."),
    ("Gulan Taxi", "transport", "existing", "Engine repairs and tyres for a shared taxi."),
    ("نجارة العائلة", "manufacturing", "existing", "A planer and wood for furniture orders."),
    ("Avro Tiles", "construction", "new", "A tile cutter and a mixer for finishing works."),
    ("حلويات بيشخابور", "food", "new", "Ovens and trays for a sweets shop."),
    ("Jiyan Greenhouse", "agriculture", "new", "A 300 m² greenhouse with drip irrigation."),
    (
        "Roj Computer Services",
        "services",
        "new",
        "Two computers and a printer for typing and copies.",
    ),
)
CRITERIA = (
    ("Business viability", "Market, costs, the applicant's experience.", "40", 10),
    (
        "Jobs and income for others",
        "Jobs created, for women and young people especially.",
        "25",
        10,
    ),
    ("Vulnerability of the household", "Displacement, disability, woman-headed.", "20", 10),
    ("Contribution and commitment", "Own savings, premises, plan to keep going.", "15", 5),
)


def _project(governorate: str) -> Project | None:
    qs = Project.objects.filter(programme__code="CRP").exclude(status=Project.Status.CLOSED)
    # A project running now: the call's agreements are signed and paid within it.
    on = today()
    running = qs.filter(start_date__lte=on, end_date__gte=on).order_by("code")
    return (
        running.filter(governorates__pcode=governorate).first()
        or running.first()
        or qs.filter(governorates__pcode=governorate).first()
        or qs.order_by("code").first()
    )


def _units(unit: Any) -> set[int]:
    found: set[int] = set()
    while unit is not None and unit.pk not in found:
        found.add(unit.pk)
        unit = unit.parent
    return found


def _communities(governorate: str, pcodes: tuple[str, ...]) -> list[Community]:
    return list(
        Community.objects.filter(
            governorate__pcode=governorate, programme__code="CRP", admin_unit__pcode__in=pcodes
        ).select_related("admin_unit")
    )


def _applicants(
    governorate: str, communities: list[Community], rnd: random.Random, n: int
) -> list[Individual]:
    """Heads of active households aged 20 to 64 (in the communities when there are
    some), `n` at most, in a stable random order."""
    on = today()
    latest, earliest = D(on.year - 20, on.month, 1), D(on.year - 64, on.month, 1)
    heads = list(
        Individual.objects.filter(
            household__governorate__pcode=governorate,
            household__status=Household.Status.ACTIVE,
            status=Individual.Status.ACTIVE,
            relationship=Individual.Relationship.HEAD,
            date_of_birth__lte=latest,
            date_of_birth__gte=earliest,
        )
        .select_related("household__admin_unit__parent__parent")
        .order_by("pk")[:3000]
    )
    if communities:
        areas = {c.admin_unit_id for c in communities}
        inside = [h for h in heads if _units(h.household.admin_unit) & areas]
        if len(inside) >= n // 2:
            heads = inside
    rnd.shuffle(heads)
    return heads[:n]


def _call(
    officer: Any,
    committee: list[Any],
    *,
    title: str,
    governorate: str,
    communities: list[Community],
    opens_on: D,
    closes_on: D,
    **money: Any,
) -> GrantCall | None:
    from sanad.geo.models import AdminUnit

    project = _project(governorate)
    if project is None:
        return None
    call = call_services.call_create(
        user=officer,
        title=title,
        project=project,
        governorate=AdminUnit.objects.get(pcode=governorate),
        communities=communities,
        description=(
            "Grants for small businesses that create jobs where displaced families, returnees "
            "and their hosts live. Applicants are registered household members aged 18 to 55; "
            "one application per household; households that already had a business grant are "
            "not eligible. A committee of three scores each application; ties go to the more "
            "vulnerable household, then to more jobs."
        ),
        opens_on=opens_on,
        closes_on=closes_on,
        tranches=2,
        min_age=18,
        max_age=55,
        quorum=min(2, len(committee)),
        **money,
    )
    call_services.call_criteria_set(
        user=officer,
        call=call,
        criteria=[
            {"name": n, "guidance": g, "weight": Decimal(w), "max_score": m}
            for n, g, w, m in CRITERIA
        ],
    )
    for i, member in enumerate(committee):
        call_services.call_member_add(
            user=officer,
            call=call,
            member=member,
            role="chair" if i == 0 else "member",
            organisation_note=("IOM livelihoods", "Chamber of commerce", "Local council")[i % 3],
        )
    call_services.call_transition(user=officer, call=call, to="open")
    return call


def _apply(
    officer: Any,
    call: GrantCall,
    applicant: Individual,
    business: tuple[str, str, str, str],
    *,
    amount: Decimal,
    jobs: int,
    day: D,
    source: str = "web",
) -> GrantApplication:
    name, sector, kind, description = business
    return app_services.application_create(
        user=officer,
        call=call,
        applicant=applicant,
        business_name=name,
        sector=sector,
        business_kind=kind,
        description=description,
        requested_amount=amount,
        jobs_planned=jobs,
        phone=applicant.phone or "",
        submitted_on=day,
        source=source,
    )


def _values(rnd: random.Random, call: GrantCall, base: float) -> list[Decimal]:
    out = []
    for c in selectors.criteria_of(call):
        value = max(0.0, min(float(c.max_score), base * c.max_score + rnd.uniform(-1.5, 1.5)))
        out.append(Decimal(round(value * 2) / 2).quantize(Decimal("0.5")))
    return out


def _score(member: Any, application: GrantApplication, values: list[Decimal]) -> None:
    criteria = selectors.criteria_of(application.call)
    scoring.application_declare(user=member, application=application, has_conflict=False)
    scoring.application_score(
        user=member,
        application=application,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
        comments={criteria[0].pk: "Visited the premises." if values[0] >= 7 else ""},
    )


def _duhok(officer: Any, committee: list[Any], rnd: random.Random) -> dict[str, int]:
    on = today()
    opens, closes = on - datetime.timedelta(days=150), on - datetime.timedelta(days=110)
    communities = _communities(DUHOK, ("IQG09Q04N01", "IQG09Q03N03"))
    call = _call(
        officer,
        committee,
        title=DUHOK_TITLE,
        governorate=DUHOK,
        communities=communities,
        opens_on=opens,
        closes_on=closes,
        currency="USD",
        exchange_rate=RATE,
        amount_min=Decimal("1500"),
        amount_max=Decimal("5000"),
        budget=Decimal("30000"),
        # Taxis are left to the transport programme: an application for one is not eligible.
        sectors=[v for v in BusinessSector.values if v != BusinessSector.TRANSPORT],
    )
    if call is None:
        return {}
    heads = _applicants(DUHOK, communities, rnd, 17)
    if len(heads) < 6:
        return {"grant calls": 1}
    apps: list[GrantApplication] = []
    for i, head in enumerate(heads):
        business = BUSINESSES[i % len(BUSINESSES)]
        amount = Decimal(rnd.choice((2500, 3000, 3500, 4000, 4500, 5000)))
        day = opens + datetime.timedelta(days=rnd.randint(0, 39))
        apps.append(
            _apply(
                officer,
                call,
                head,
                business,
                amount=amount,
                jobs=rnd.randint(1, 4),
                day=day,
                source="import" if i % 4 == 3 else "web",
            )
        )
    # Not eligible: a second application from a household, and an applicant too old.
    spouse = (
        Individual.objects.filter(
            household__in=[h.household_id for h in heads],
            status=Individual.Status.ACTIVE,
            date_of_birth__lte=D(on.year - 19, 1, 1),
        )
        .exclude(relationship=Individual.Relationship.HEAD)
        .order_by("pk")
        .first()
    )
    if spouse is not None:
        apps.append(
            _apply(
                officer,
                call,
                spouse,
                BUSINESSES[2],
                amount=Decimal("2000"),
                jobs=1,
                day=closes,
            )
        )
    older = (
        Individual.objects.filter(
            household__governorate__pcode=DUHOK,
            household__status=Household.Status.ACTIVE,
            status=Individual.Status.ACTIVE,
            relationship=Individual.Relationship.HEAD,
            date_of_birth__lt=D(on.year - 58, 1, 1),
        )
        .exclude(household__in=[h.household_id for h in heads])
        .order_by("pk")
        .first()
    )
    if older is not None:
        apps.append(
            _apply(officer, call, older, BUSINESSES[4], amount=Decimal("3000"), jobs=1, day=closes)
        )
    call_services.call_transition(user=officer, call=call, to="scoring")
    eligible = list(
        GrantApplication.objects.filter(call=call, status="eligible")
        .select_related("household", "call")
        .order_by("reference")
    )
    # The tie: two eligible applications of households with as many vulnerability flags,
    # different jobs planned, scored the same by everyone.
    pair: tuple[GrantApplication, GrantApplication] | None = None
    for a in eligible:
        for b in eligible:
            if (
                a.pk < b.pk
                and a.jobs_planned != b.jobs_planned
                and selectors.vulnerability_count(a.household)
                == selectors.vulnerability_count(b.household)
            ):
                pair = (a, b)
                break
        if pair:
            break
    # One member declares a conflict on one application (when the others still make the
    # quorum without them).
    conflicted = (
        next((a for a in eligible if pair is None or a not in pair), None)
        if len(committee) > call.quorum
        else None
    )
    bases = {a.pk: rnd.uniform(0.35, 0.9) for a in eligible}
    tie_values = {m.pk: _values(rnd, call, 0.75) for m in committee}
    for a in eligible:
        for i, member in enumerate(committee):
            if a == conflicted and i == len(committee) - 1:
                scoring.application_declare(
                    user=member,
                    application=a,
                    has_conflict=True,
                    note="The applicant is my cousin's husband.",
                )
                continue
            if pair is not None and a in pair:
                _score(member, a, tie_values[member.pk])
            else:
                _score(member, a, _values(rnd, call, bases[a.pk]))
    scoring.call_select(user=officer, call=call, reserve=3)
    return {
        "grant calls": 1,
        "grant applications": GrantApplication.objects.filter(call=call).count(),
        "grantees selected": GrantApplication.objects.filter(call=call, status="selected").count(),
    }


def _ninewa(officer: Any, committee: list[Any], rnd: random.Random) -> dict[str, int]:
    on = today()
    opens, closes = on - datetime.timedelta(days=12), on + datetime.timedelta(days=30)
    communities = _communities(NINEWA, ("IQG15Q07N03", "IQG15Q07N02"))
    call = _call(
        officer,
        committee,
        title=NINEWA_TITLE,
        governorate=NINEWA,
        communities=communities,
        opens_on=opens,
        closes_on=closes,
        currency="IQD",
        exchange_rate=RATE,
        amount_min=Decimal("2000000"),
        amount_max=Decimal("6500000"),
        budget=Decimal("45000000"),
    )
    if call is None:
        return {}
    made = 0
    for i, head in enumerate(_applicants(NINEWA, communities, rnd, 8)):
        business = BUSINESSES[(i * 3 + 5) % len(BUSINESSES)]
        _apply(
            officer,
            call,
            head,
            business,
            amount=Decimal(rnd.choice((2500000, 3500000, 4500000, 6000000))),
            jobs=rnd.randint(0, 3),
            day=opens + datetime.timedelta(days=rnd.randint(0, 11)),
        )
        made += 1
    return {"grant calls": 1, "grant applications": made}


def seed(*, admin: Any, users: dict[str, Any], seed: int = 12) -> dict[str, int]:
    if GrantCall.objects.filter(title__in=(DUHOK_TITLE, NINEWA_TITLE)).exists():
        return {
            "grant calls": GrantCall.objects.count(),
            "grant applications": GrantApplication.objects.count(),
        }
    rnd = random.Random(seed)
    officer = users.get("crp.officer") or admin
    committee = [u for u in (users.get(f"committee.{i}") for i in (1, 2, 3)) if u is not None]
    if len(committee) < 2:
        committee = [*committee, admin][:3]
    counts: dict[str, int] = {}
    for part in (_duhok, _ninewa):
        for label, n in part(officer, committee, rnd).items():
            counts[label] = counts.get(label, 0) + n
    return counts
