"""Demo data of the maintenance part: the infrastructure of the Duhok formal camps
(electrical sections, water points, taps, latrine and shower blocks, roads, lighting,
drainage) with their condition, preventive maintenance schedules, and about four months
of care-and-maintenance tickets worked through the services — raised by the camp
manager, assigned to the maintenance team, work recorded with photos, verified by the
camp manager (never by who did the work); a few sent back, one rejected, some still
open and some overdue, preventive tickets raised by the schedules, and one ticket from
a resident's complaint (a feedback case) when the feedback demo ran first.

Deterministic (seeded); dates are spread over the last months by moving the timestamps
back after each step (the services stamp "now")."""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanad.camps.models import (
    MANAGE_TICKET,
    RAISE_TICKET,
    Asset,
    Condition,
    MaintenanceSchedule,
    Site,
    Ticket,
)
from sanad.camps.services import schedules as schedule_services
from sanad.camps.services import tickets as services
from sanad.core import context
from sanad.core.errors import ApplicationError
from sanad.core.models import StatusTransition
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import Place

# (kind, code pattern, how many, sector letters)
INFRASTRUCTURE = [
    (Asset.Kind.ELECTRICAL, "EL-{s}", 4, "ABCD"),
    (Asset.Kind.WATER_POINT, "WP-{n}", 3, ""),
    (Asset.Kind.TAP, "TAP-{s}-{n:02d}", 3, "ABCD"),
    (Asset.Kind.PIPE, "PIPE-{s}", 4, "ABCD"),
    (Asset.Kind.LATRINE, "LAT-{s}", 4, "ABCD"),
    (Asset.Kind.SHOWER, "SHW-{s}", 4, "ABCD"),
    (Asset.Kind.ROAD, "RD-{n}", 2, ""),
    (Asset.Kind.LIGHTING, "LGT-{s}", 4, "ABCD"),
    (Asset.Kind.DRAINAGE, "DRN-{n}", 2, ""),
]
DESCRIPTIONS: dict[str, str] = {
    Asset.Kind.ELECTRICAL: "Distribution panel and overhead line, block {s}",
    Asset.Kind.WATER_POINT: "Elevated tank 10 m³ with chlorination point",
    Asset.Kind.TAP: "Tap stand, block {s}",
    Asset.Kind.PIPE: "Distribution pipe HDPE 63 mm, block {s}",
    Asset.Kind.LATRINE: "Latrine block (10 units), block {s}",
    Asset.Kind.SHOWER: "Shower block (6 units), block {s}",
    Asset.Kind.ROAD: "Gravel road",
    Asset.Kind.LIGHTING: "Solar street lights, block {s}",
    Asset.Kind.DRAINAGE: "Storm-water channel",
}
PROBLEMS: dict[str, list[tuple[str, str]]] = {
    Asset.Kind.ELECTRICAL: [
        ("Power cut in block {s} since last night", "urgent"),
        ("Exposed cable near the panel of block {s}", "urgent"),
        ("Breaker trips every evening", "high"),
    ],
    Asset.Kind.WATER_POINT: [
        ("Tank overflowing, float valve stuck", "high"),
        ("Chlorine dosing pump not working", "high"),
    ],
    Asset.Kind.TAP: [
        ("Tap leaking, water pooling around the stand", "normal"),
        ("Tap handle broken", "normal"),
    ],
    Asset.Kind.PIPE: [("Pipe burst, no water in half of block {s}", "urgent")],
    Asset.Kind.LATRINE: [
        ("Two latrine doors do not lock", "high"),
        ("Latrine pit nearly full", "high"),
        ("No light inside the latrine block at night", "normal"),
    ],
    Asset.Kind.SHOWER: [
        ("Shower drain blocked", "normal"),
        ("Water heater of the shower block broken", "normal"),
    ],
    Asset.Kind.ROAD: [("Potholes after the rain on the main road", "low")],
    Asset.Kind.LIGHTING: [("Three street lights off in block {s}", "normal")],
    Asset.Kind.DRAINAGE: [("Drainage channel blocked with waste", "high")],
}
WORK: dict[str, str] = {
    Asset.Kind.ELECTRICAL: "Replaced the damaged cable section and the breaker; tested the line.",
    Asset.Kind.WATER_POINT: "Replaced the float valve and cleaned the tank inlet.",
    Asset.Kind.TAP: "Replaced the tap and the washer; no more leak.",
    Asset.Kind.PIPE: "Cut out the burst section and fitted a new coupling; pressure restored.",
    Asset.Kind.LATRINE: "Repaired the doors and fitted new locks.",
    Asset.Kind.SHOWER: "Cleared the drain and replaced the grating.",
    Asset.Kind.ROAD: "Filled the potholes with gravel and compacted.",
    Asset.Kind.LIGHTING: "Replaced two batteries and one panel controller.",
    Asset.Kind.DRAINAGE: "Cleared the channel with the community cleaning team.",
}
SCHEDULES = [
    ("Clean and chlorinate the water tanks", Asset.Kind.WATER_POINT, 30, "normal"),
    ("Desludge the latrine pits", Asset.Kind.LATRINE, 60, "normal"),
    ("Inspect the electrical panels and earthing", Asset.Kind.ELECTRICAL, 90, "high"),
    ("Grade the camp roads", Asset.Kind.ROAD, 180, "low"),
]
TEAM = "Harikar care and maintenance team"


def _camps(sites: dict[str, Site]) -> list[Site]:
    return [
        s
        for code, s in sorted(sites.items())
        if code.startswith("DHK-")
        and s.place.kind == Place.Kind.FORMAL_CAMP
        and s.closed_on is None
    ]


def _photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    """A small picture standing for a phone photo (a coloured scene, not a real one)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (150 + rng.randint(0, 60), 170, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 160, 320, 240), fill=(120, 100, 80))
    x = rng.randint(40, 200)
    draw.rectangle((x, 80, x + 80, 200), fill=(90, 90, 100), outline=(30, 30, 30), width=3)
    draw.ellipse((x + 30, 120, x + 50, 140), fill=(40, 110, 200))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def _backdate(ticket: Ticket, raised: datetime.datetime, steps: list[datetime.datetime]) -> None:
    """Move the ticket's stamps (and its transitions', in order) back to `raised` and
    `steps`, keeping the due time consistent with the priority."""
    ticket.refresh_from_db()
    updates: dict[str, Any] = {
        "created_at": raised,
        "due_at": services.due_at_for(ticket.priority, raised),
    }
    transitions = list(
        StatusTransition.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket), object_pk=str(ticket.pk)
        ).order_by("id")
    )
    for transition, at in zip(transitions, steps, strict=False):
        StatusTransition.objects.filter(pk=transition.pk).update(at=at)
        if transition.to_state == "done":
            updates["done_at"] = at
        if transition.to_state == "verified":
            updates["verified_at"] = at
    updates["updated_at"] = steps[-1] if steps else raised
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    ticket.photos.update(created_at=updates.get("done_at") or raised)


def _assets(site: Site, rng: random.Random) -> list[Asset]:
    made = []
    for kind, pattern, count, sectors in INFRASTRUCTURE:
        items = (
            [(s, n) for s in sectors for n in range(1, count + 1)]
            if kind == Asset.Kind.TAP
            else (
                [(s, 0) for s in sectors[:count]]
                if sectors
                else [("", n) for n in range(1, count + 1)]
            )
        )
        for sector, n in items:
            code = pattern.format(s=sector, n=n)
            condition = rng.choices(
                [Condition.GOOD, Condition.FAIR, Condition.POOR, Condition.BROKEN],
                weights=[70, 18, 8, 4],
            )[0]
            asset, _new = Asset.objects.get_or_create(
                site=site,
                code=code,
                defaults={
                    "kind": kind,
                    "sector": f"Block {sector}" if sector else "",
                    "description": DESCRIPTIONS[kind].format(s=sector),
                    "condition": condition,
                    "installed_on": datetime.date(2014 + rng.randint(0, 8), rng.randint(1, 12), 1),
                },
            )
            made.append(asset)
    return made


def seed(*, sites: dict[str, Site], users: dict[str, Any], today: datetime.date) -> dict[str, int]:
    """Assets, schedules and tickets on the Duhok formal camps of `sites` (by place code)."""
    counts = {"assets": 0, "schedules": 0, "tickets": 0}
    if Ticket.objects.exists():
        return counts
    manager = users.get("camp.manager")
    team = users.get("maintenance")
    second = users.get("admin")
    if manager is None:
        return counts
    rng = random.Random(2026)
    now = timezone.now()
    camps = [s for s in _camps(sites) if can_reach(manager, s, MANAGE_TICKET)]
    for site in camps:
        with context.acting_as(manager, source="command"):
            assets = _assets(site, rng)
        counts["assets"] += len(assets)
        for task, kind, every, priority in SCHEDULES:
            schedule = MaintenanceSchedule.objects.create(
                site=site,
                asset_kind=kind,
                task=task,
                category=services.category_for_asset_kind(kind),
                priority=priority,
                every_days=every,
                # Some fall due today: the demo's first tick raises them.
                next_due_on=today - datetime.timedelta(days=rng.randint(0, 3))
                if rng.random() < 0.4
                else today + datetime.timedelta(days=rng.randint(3, every)),
                team=TEAM,
            )
            counts["schedules"] += bool(schedule.pk)
        counts["tickets"] += _tickets(site, assets, manager, team, second, rng, now)
    counts["tickets"] += schedule_services.schedules_raise_due(today=today)
    counts["tickets"] += _from_case(manager, sites)
    return counts


def _tickets(
    site: Site,
    assets: list[Asset],
    manager: Any,
    team: Any,
    second: Any,
    rng: random.Random,
    now: datetime.datetime,
) -> int:
    """About a dozen tickets over the last four months, in every state."""
    made = 0
    worker = team if team is not None and can_reach(team, site, "camps.work_ticket") else manager
    verifier = manager if worker != manager else second
    for i in range(rng.randint(10, 14)):
        asset = rng.choice(assets)
        title, priority = rng.choice(PROBLEMS[asset.kind])
        sector = asset.sector.replace("Block ", "") or "A"
        age_days = rng.randint(1, 120) if i > 3 else rng.randint(8, 20)
        raised = now - datetime.timedelta(days=age_days, hours=rng.randint(0, 10))
        with context.acting_as(manager, source="command"):
            try:
                ticket = services.ticket_raise(
                    user=manager,
                    site=site,
                    asset=asset,
                    source=rng.choice([Ticket.Source.STAFF, Ticket.Source.INSPECTION]),
                    data={
                        "title": title.format(s=sector),
                        "priority": priority,
                        "asset_condition": Condition.BROKEN
                        if priority == "urgent"
                        else Condition.POOR,
                        "photos": [_photo(rng, "problem.jpg")] if rng.random() < 0.6 else [],
                    },
                )
            except ApplicationError:
                continue
        made += 1
        steps: list[datetime.datetime] = []
        delay = services.DUE_AFTER[priority]

        def at(
            fraction: float, raised: datetime.datetime = raised, delay: Any = delay
        ) -> datetime.datetime:
            return min(raised + delay * fraction, now - datetime.timedelta(minutes=5))

        # The oldest are closed, recent ones on their way; a few never got going.
        stage = "verified" if age_days > 20 else rng.choice(["new", "assigned", "done", "verified"])
        if i == 0:
            stage = "rejected"
        if i == 1:
            stage = "sent_back"
        if i == 2:
            stage = "overdue"
        if i == 3:
            stage = "done"  # awaiting the manager's check
        try:
            if stage == "rejected":
                with context.acting_as(manager, source="command"):
                    services.ticket_reject(
                        user=manager,
                        ticket=ticket,
                        reason="Same problem as an open ticket on this block.",
                    )
                steps = [at(0.1)]
            elif stage in ("assigned", "done", "verified", "sent_back", "overdue"):
                with context.acting_as(manager, source="command"):
                    services.ticket_assign(
                        user=manager,
                        ticket=ticket,
                        team=TEAM,
                        assignee=worker if worker != manager else None,
                    )
                steps = [at(0.1), at(0.15)]
                if stage in ("done", "verified", "sent_back"):
                    with context.acting_as(worker, source="command"):
                        services.ticket_record_work(
                            user=worker,
                            ticket=ticket,
                            work_done=WORK[asset.kind],
                            photos=[_photo(rng, "work.jpg") for _ in range(rng.randint(1, 2))],
                        )
                    steps.append(at(0.6))
                if stage == "sent_back":
                    with context.acting_as(verifier, source="command"):
                        services.ticket_send_back(
                            user=verifier,
                            ticket=ticket,
                            reason="Still leaking at the joint; please check again.",
                        )
                    steps.append(at(0.7))
                if stage == "verified" and verifier is not None:
                    with context.acting_as(verifier, source="command"):
                        services.ticket_verify(user=verifier, ticket=ticket)
                    steps.append(at(0.9))
        except ApplicationError:
            pass
        _backdate(ticket, raised, steps)
    return made


def _from_case(manager: Any, sites: dict[str, Site]) -> int:
    """A resident's complaint on a camp, turned into a ticket (if the feedback demo ran)."""
    try:
        from sanad.feedback.selectors import cases_for
    except ImportError:  # pragma: no cover
        return 0
    if not has_permission(manager, RAISE_TICKET):
        return 0
    site_places = {s.place_id for s in sites.values()}
    case = (
        cases_for(manager)
        .filter(category="complaint_assistance", place_id__in=site_places)
        .exclude(status="closed")
        .order_by("-received_at")
        .first()
    )
    if case is None:
        return 0
    try:
        with context.acting_as(manager, source="command"):
            services.ticket_from_case(
                user=manager,
                case_public_id=case.public_id,
                data={
                    "title": "Water point in block C not working (resident complaint)",
                    "category": Ticket.Category.WATER,
                    "priority": Ticket.Priority.HIGH,
                },
            )
    except ApplicationError:
        return 0
    return 1
