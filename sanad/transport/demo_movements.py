"""The transport demo: the Kabarto 2 consolidation's households become relocation
requests (one per moving day), one moved end to end (declarations, fitness to travel,
approval, a planned convoy, a no-show re-balanced at departure, an incident on the way,
every family checked in at Kabarto 1), one convoy ready to board, one request waiting
for approval; and new arrivals registered at the Peshkhabour border crossing for Domiz 1.

Runs after the camps demo (its consolidation plan) and the fleet demo. Idempotent: a
second run adds nothing."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from sanad.camps.models import ClosurePlan
from sanad.camps.services import closure as closure_services
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.transport.models import (
    Convoy,
    Fitness,
    Incident,
    MovementHousehold,
    MovementRequest,
)
from sanad.transport.selectors.fleet import drivers_available, vehicles_available
from sanad.transport.services import checks, convoys, movements

BORDER_FAMILIES: tuple[tuple[tuple[str, str, str, str, int, str], ...], ...] = (
    (
        ("Hozan", "هوزان", "Ibrahim", "male", 41, "head"),
        ("Rojin", "روجين", "Ibrahim", "female", 36, "spouse"),
        ("Baran", "باران", "Ibrahim", "male", 12, "son"),
        ("Zozan", "زوزان", "Ibrahim", "female", 9, "daughter"),
        ("Delal", "دلال", "Ibrahim", "female", 3, "daughter"),
    ),
    (
        ("Amina", "أمينة", "Sheikhmous", "female", 67, "head"),
        ("Jiyan", "جيان", "Sheikhmous", "female", 29, "daughter"),
    ),
    (
        ("Mohammed", "محمد", "Haji", "male", 33, "head"),
        ("Nesrin", "نسرين", "Haji", "female", 30, "spouse"),
        ("Ahmed", "أحمد", "Haji", "male", 6, "son"),
        ("Sara", "سارة", "Haji", "female", 1, "daughter"),
    ),
)


def _project() -> Project | None:
    return Project.objects.filter(code="TRP-PRM-2026-01").first()


def _prepare(
    officer: Any, request: MovementRequest, rnd: random.Random, day: datetime.date
) -> None:
    """Declarations, consent, luggage and fitness for every household of the request: a
    few passengers need an escort, a wheelchair or a stretcher."""
    for row in request.households.filter(status=MovementHousehold.Status.WAITING):
        movements.movement_household_declare(
            user=officer,
            row=row,
            declaration_on=day,
            method=rnd.choice(("signed", "signed", "thumbprint")),
            consent_given=True,
        )
        rows = []
        for passenger in row.passengers.select_related("individual"):
            fitness = Fitness.FIT
            draw = rnd.random()
            if passenger.is_older and draw < 0.35:
                fitness = Fitness.WHEELCHAIR if draw < 0.12 else Fitness.ESCORT
            elif draw < 0.02:
                fitness = Fitness.ESCORT
            rows.append(
                {
                    "passenger": passenger,
                    "fitness": fitness,
                    "is_older": passenger.is_older,
                    "has_disability": passenger.has_disability,
                    "late_pregnancy": passenger.late_pregnancy,
                    "unaccompanied_child": passenger.unaccompanied_child,
                    "note": "",
                }
            )
        movements.passengers_assess(user=officer, row=row, passengers=rows)


def _convoy(officer: Any, request: MovementRequest, day: datetime.date) -> Convoy:
    convoy = convoys.convoy_create(
        user=officer, request=request, departs_on=day, departure_time=datetime.time(7, 30)
    )
    vehicles = list(vehicles_available(user=officer, day=day))
    drivers = list(drivers_available(user=officer, day=day))
    wanted = {"bus": 2, "minibus": 1, "ambulance": 1, "luggage_truck": 1}
    chosen = []
    for vehicle in vehicles:
        if wanted.get(vehicle.kind, 0) > 0:
            wanted[vehicle.kind] -= 1
            chosen.append(vehicle)
    first_bus = next((v for v in chosen if v.kind == "bus"), None)
    for n, vehicle in enumerate(chosen):
        escort = ""
        if vehicle.kind == "ambulance":
            escort = "Dr. Lana Aziz"
        elif vehicle == first_bus:
            escort = "Nurse Bahar Salih"
        convoys.convoy_vehicle_add(
            user=officer,
            convoy=convoy,
            vehicle=vehicle,
            driver=drivers[n] if n < len(drivers) else None,
            escort_name=escort,
        )
    convoys.convoy_plan(user=officer, convoy=convoy)
    return convoy


def _relocations(
    users: dict[str, Any], today: datetime.date, rnd: random.Random
) -> list[MovementRequest]:
    manager, officer = users["camp.manager"], users["transport"]
    lead = users.get("movements.lead") or users["admin"]
    plan = (
        ClosurePlan.objects.filter(site__place__code="DHK-KBR2")
        .exclude(status__in=("done", "cancelled"))
        .first()
    )
    if plan is None:
        return []
    if not plan.households.filter(status="planned", move_on__isnull=False).exists():
        return []
    closure_services.closure_movement_requests(user=manager, plan=plan)
    requests = list(
        MovementRequest.objects.filter(source_ref=str(plan.public_id)).order_by("requested_date")
    )
    project = _project()
    for request in requests:
        if project is not None and request.project_id is None:
            movements.movement_update(user=officer, request=request, project=project)
    # The first: moved end to end today (its families have arrived).
    if requests:
        done = requests[0]
        _prepare(officer, done, rnd, today - datetime.timedelta(days=9))
        movements.movement_transition(user=officer, request=done, to="submitted")
        movements.movement_transition(user=lead, request=done, to="approved")
        convoy = _convoy(officer, done, today)
        convoys.convoy_transition(user=officer, convoy=convoy, to="ready")
        loads = list(convoy.loads.order_by("id"))
        for n, load in enumerate(loads):
            action = "no_show" if n == len(loads) - 1 and len(loads) > 3 else "boarded"
            checks.convoy_check(user=officer, convoy=convoy, load=load, action=action)
        if convoy.loads.filter(status="no_show").exists():
            checks.convoy_rebalance(user=officer, convoy=convoy)
        checks.convoy_depart(user=officer, convoy=convoy)
        checks.incident_record(
            user=officer,
            convoy=convoy,
            kind=Incident.Kind.CHECKPOINT,
            severity=Incident.Severity.LOW,
            occurred_at=timezone.now() - datetime.timedelta(hours=3),
            location="Checkpoint on the Duhok–Zakho road",
            description="Convoy held 40 minutes while the manifests were checked.",
            people_affected=0,
            action_taken="Manifests shown; the convoy was let through.",
        )
        for load in convoy.loads.filter(status="boarded"):
            checks.convoy_check(user=officer, convoy=convoy, load=load, action="arrived")
        checks.convoy_complete(user=officer, convoy=convoy)
    # The second: approved, its convoy planned and ready to board.
    if len(requests) > 1:
        ready = requests[1]
        _prepare(officer, ready, rnd, today - datetime.timedelta(days=2))
        movements.movement_transition(user=officer, request=ready, to="submitted")
        movements.movement_transition(user=lead, request=ready, to="approved")
        convoy = _convoy(
            officer, ready, max(today + datetime.timedelta(days=1), ready.requested_date)
        )
        convoys.convoy_transition(user=officer, convoy=convoy, to="ready")
    # The third: prepared and submitted, waiting for approval.
    if len(requests) > 2:
        waiting = requests[2]
        _prepare(officer, waiting, rnd, today - datetime.timedelta(days=1))
        movements.movement_transition(user=officer, request=waiting, to="submitted")
    return requests


def _border(users: dict[str, Any], today: datetime.date) -> MovementRequest | None:
    officer = users["transport"]
    border = Place.objects.filter(code="BCP-PKB").first()
    camp = Place.objects.filter(code="DHK-DMZ1").first()
    if border is None or camp is None:
        return None
    request = movements.movement_create(
        user=officer,
        kind="border_reception",
        origin=border,
        destination=camp,
        requested_date=today + datetime.timedelta(days=1),
        project=_project(),
        notes="Syrian families received at Peshkhabour; Domiz 1 has free plots in block C.",
    )
    for family in BORDER_FAMILIES:
        members = []
        for given_en, given_ar, family_en, sex, age, relationship in family:
            members.append(
                {
                    "given_name_en": given_en,
                    "given_name_ar": given_ar,
                    "family_name_en": family_en,
                    "sex": sex,
                    "age": age,
                    "relationship": relationship,
                }
            )
        movements.movement_border_register(user=officer, request=request, members=members)
    return request


def seed(*, users: dict[str, Any], today: datetime.date) -> dict[str, int]:
    """Seed the movements, convoys and checks; `users` by demo user name (admin,
    transport, movements.lead, camp.manager)."""
    if MovementRequest.objects.exists() or "transport" not in users:
        return {}
    users.setdefault("camp.manager", users["admin"])
    rnd = random.Random(11)
    requests = _relocations(users, today, rnd)
    border = _border(users, today)
    return {
        "requests": len(requests) + (1 if border else 0),
        "convoys": Convoy.objects.count(),
    }
