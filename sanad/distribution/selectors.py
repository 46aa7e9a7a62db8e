"""Reads of the distribution app: plans, events, receipts and samples a user may see
(through `core.scoping.scoped`), the households of an event for distribution day, the
look-up of a scanned card or a search, and the reports.

The report (`distribution_report`) is one dict that the report page, the XLSX and the
PDF all render, so the three can never disagree:

- households served, of which woman-headed and with a person with a disability.
- people: individuals served, by sex × age group (0-5, 6-17, 18-59,
  60+) × disability. A household served is one with a receipt (not voided); its
  individuals are its current members born on or before the report's last day, their
  age taken on that day (the event's date, or the project's last event). A household
  served at two events of the project is counted once.
- kits: kits handed out per kit, and the items they contained (the components of the
  kit version valid on each event's date × kits).
- stock: per kit, kits dispatched to the events, distributed, returned, lost and still
  in the field; "used" is what left the warehouse and did not come back.
- events, refusals by reason, and how receipts were recorded (collector, proof, QR or
  search).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.distribution.models import (
    VIEW,
    Event,
    Expected,
    MonitoringSample,
    Plan,
    Receipt,
    Refusal,
    SampledHousehold,
)
from sanad.programmes.models import Project
from sanad.registry.derive import AGE_GROUPS
from sanad.registry.models import Household, Individual
from sanad.stock.models import Kit

REFUSAL_LABELS = {
    "not_on_list": gettext_lazy("Not on the beneficiary list"),
    "already_received": gettext_lazy("Already received"),
    "event_not_open": gettext_lazy("Distribution not open"),
    "household_not_active": gettext_lazy("Household not active in the registry"),
    "season_closed": gettext_lazy("Outside the season window"),
    "already_received_this_season": gettext_lazy("Already received a kit this season"),
    "no_original_kit": gettext_lazy("Replacement without the original kit"),
}


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _get(qs: QuerySet[Any], public_id: Any) -> Any:
    key = _uuid(public_id)
    obj = qs.filter(public_id=key).first() if key else None
    if obj is None:
        raise NotFound()
    return obj


# --- plans, events, receipts, samples --------------------------------------------------
def plans_all() -> QuerySet[Plan]:
    return Plan.objects.select_related(
        "programme",
        "project",
        "beneficiary_list",
        "kit__item",
        "warehouse__place",
        "approved_by",
        "created_by",
    )


def plans_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Plan]:
    return scoped(plans_all(), user, permission)


def plan_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Plan:
    return _get(plans_visible_to(user, permission), public_id)


def events_all() -> QuerySet[Event]:
    return Event.objects.select_related(
        "plan__kit__item",
        "plan__programme",
        "plan__project",
        "plan__warehouse",
        "plan__beneficiary_list",
        "place__admin_unit",
        "closed_by",
    )


def events_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Event]:
    return scoped(events_all(), user, permission)


def event_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Event:
    return _get(events_visible_to(user, permission), public_id)


def receipts_all() -> QuerySet[Receipt]:
    return Receipt.objects.select_related(
        "event__place", "event__plan", "household", "kit", "collected_by", "created_by"
    )


def receipts_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Receipt]:
    return scoped(receipts_all(), user, permission)


def receipt_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Receipt:
    return _get(receipts_visible_to(user, permission), public_id)


def samples_visible_to(user: Any, permission: str = VIEW) -> QuerySet[MonitoringSample]:
    return scoped(
        MonitoringSample.objects.select_related("plan", "created_by").annotate(drawn=Count("rows")),
        user,
        permission,
    )


def sample_get(*, user: Any, public_id: Any, permission: str = VIEW) -> MonitoringSample:
    sample = _get(
        scoped(MonitoringSample.objects.select_related("plan"), user, permission), public_id
    )
    return sample


def sample_rows(sample: MonitoringSample) -> QuerySet[SampledHousehold]:
    return sample.rows.select_related("household", "event__place").order_by(
        "event__place__name_en", "household__registration_id"
    )


def plan_events(plan: Plan) -> QuerySet[Event]:
    return events_all().filter(plan=plan).order_by("date", "place__name_en", "pk")


def event_refusals(event: Event) -> QuerySet[Refusal]:
    return Refusal.objects.filter(event=event).select_related("household", "by")


# --- distribution day ------------------------------------------------------------------
def event_expected(event: Event) -> QuerySet[Household]:
    """The households expected at the event, each with `receipt_at` (None until served),
    heads prefetched as `heads`."""
    from django.db.models import OuterRef, Subquery

    received = Receipt.objects.filter(event=event, household=OuterRef("pk")).values("received_at")[
        :1
    ]
    return (
        Household.objects.filter(pk__in=Expected.objects.filter(event=event).values("household_id"))
        .annotate(receipt_at=Subquery(received))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Individual.objects.filter(
                    relationship=Individual.Relationship.HEAD, status=Individual.Status.ACTIVE
                ),
                to_attr="heads",
            )
        )
        .order_by("registration_id")
    )


def household_from_scan(text: str) -> Household | None:
    """The household of a scanned card (the QR's text, with or without its prefix) or
    of a registration id typed in: exact look-ups, over the whole registry, so that a
    family that is not on the list is shown with the reason it is refused."""
    from sanad.registry.cards.pdf import token_from_scan

    value = (text or "").strip()
    if not value:
        return None
    token = token_from_scan(value)
    found = Household.objects.filter(card_token=token).first()
    if found is None:
        found = Household.objects.filter(registration_id__iexact=value).first()
    return found


def household_find(*, event: Event, query: str, limit: int = 20) -> list[Household]:
    """Distribution day's search: a card or registration id (exact, anywhere), else a
    name or phone among the households of the plan's list."""
    exact = household_from_scan(query)
    if exact is not None:
        return [exact]
    from sanad.registry.selectors import households_matching
    from sanad.targeting import selectors as targeting

    listed = Household.objects.filter(
        pk__in=targeting.list_households(
            event.plan.beneficiary_list, require_approved=False
        ).values("pk")
    )
    return list(households_matching(listed, query).order_by("registration_id")[:limit])


# --- reports ---------------------------------------------------------------------------
def _minus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_q(low: int, high: int | None, on: datetime.date) -> Q:
    q = Q(date_of_birth__lte=_minus_years(on, low))
    if high is not None:
        q &= Q(date_of_birth__gt=_minus_years(on, high + 1))
    return q


def _people(household_ids: Any, on: datetime.date) -> dict[str, Any]:
    members = Individual.objects.filter(
        household_id__in=household_ids,
        status=Individual.Status.ACTIVE,
        date_of_birth__lte=on,
    )
    sexes = list(Individual.Sex)
    counts: dict[str, Any] = {
        "total": Count("pk"),
        "disability": Count("pk", filter=Q(has_disability=True)),
    }
    for sex in sexes:
        for label, low, high in AGE_GROUPS:
            cell = Q(sex=sex.value) & _age_q(low, high, on)
            counts[f"{sex.value}|{label}"] = Count("pk", filter=cell)
            counts[f"{sex.value}|{label}|d"] = Count("pk", filter=cell & Q(has_disability=True))
    row = members.aggregate(**counts)
    rows = []
    for sex in sexes:
        groups = {
            label: {
                "total": row[f"{sex.value}|{label}"],
                "disability": row[f"{sex.value}|{label}|d"],
            }
            for label, _low, _high in AGE_GROUPS
        }
        rows.append(
            {
                "sex": sex.value,
                "label": str(sex.label),
                "groups": groups,
                "total": sum(g["total"] for g in groups.values()),
                "disability": sum(g["disability"] for g in groups.values()),
            }
        )
    totals = {
        label: {
            "total": sum(r["groups"][label]["total"] for r in rows),
            "disability": sum(r["groups"][label]["disability"] for r in rows),
        }
        for label, _low, _high in AGE_GROUPS
    }
    return {
        "individuals": row["total"] or 0,
        "with_disability": row["disability"] or 0,
        "age_groups": [label for label, _low, _high in AGE_GROUPS],
        "rows": rows,
        "totals": totals,
        "ages_on": on,
    }


def _kit_version(kit: Kit, day: datetime.date) -> Any:
    from sanad.stock.selectors import kit_version_on

    try:
        return kit_version_on(kit=kit, day=day)
    except Exception:
        return None


def _kits_and_items(events: list[Event], receipts: QuerySet[Receipt]) -> dict[str, Any]:
    per_event = {
        (r["event_id"], r["kit_id"]): r["kits"] or Decimal(0)
        for r in receipts.values("event_id", "kit_id").annotate(kits=Sum("quantity"))
    }
    by_id = {e.pk: e for e in events}
    kits: dict[int, dict[str, Any]] = {}
    items: dict[int, dict[str, Any]] = {}
    kit_objs = {k.pk: k for k in Kit.objects.filter(pk__in={k for _e, k in per_event})}
    for (event_id, kit_id), count in sorted(per_event.items()):
        kit = kit_objs[kit_id]
        row = kits.setdefault(
            kit_id,
            {
                "code": kit.code,
                "name": kit.name,
                "kind": str(kit.get_kind_display()),
                "kits": Decimal(0),
            },
        )
        row["kits"] += count
        version = _kit_version(kit, by_id[event_id].date)
        if version is None:
            continue
        for component in version.components.select_related("item"):
            item = items.setdefault(
                component.item_id,
                {
                    "code": component.item.code,
                    "name": component.item.name,
                    "unit": component.item.unit,
                    "quantity": Decimal(0),
                },
            )
            item["quantity"] += component.quantity * count
    return {
        "kits": sorted(kits.values(), key=lambda r: r["code"]),
        "items": sorted(items.values(), key=lambda r: r["code"]),
    }


def _stock(events: list[Event]) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for e in events:
        kit = e.plan.kit
        row = rows.setdefault(
            kit.pk,
            {
                "code": kit.code,
                "name": kit.name,
                "dispatched": Decimal(0),
                "distributed": Decimal(0),
                "returned": Decimal(0),
                "lost": Decimal(0),
                "in_field": Decimal(0),
            },
        )
        row["dispatched"] += e.dispatched
        row["distributed"] += e.distributed
        row["returned"] += e.returned
        row["lost"] += e.lost
        if e.status == Event.Status.OPEN:
            row["in_field"] += e.dispatched - e.distributed
    for row in rows.values():
        row["used"] = row["dispatched"] - row["returned"]
    return sorted(rows.values(), key=lambda r: r["code"])


def distribution_report(
    *, user: Any, event: Event | None = None, project: Project | None = None
) -> dict[str, Any]:
    """The report of one event or of a project (every event of its plans the user may
    see). See the module's docstring for what is counted and how."""
    if (event is None) == (project is None):
        raise ValueError("a report is of one event or of one project")
    events_qs = events_visible_to(user)
    if event is not None:
        events_qs = events_qs.filter(pk=event.pk)
        if not events_qs.exists():
            raise NotFound()
    else:
        events_qs = events_qs.filter(plan__project=project)
    events = list(events_qs.order_by("date", "place__name_en", "pk"))
    event_ids = [e.pk for e in events]
    receipts = Receipt.objects.filter(event_id__in=event_ids, status=Receipt.Status.RECEIVED)
    served = receipts.values("household_id").distinct()
    live_dates = [e.date for e in events if e.status != Event.Status.CANCELLED]
    on = max(live_dates) if live_dates else timezone.localdate()

    per_event: dict[int, int] = {
        r["event_id"]: r["households"]
        for r in receipts.values("event_id").annotate(
            households=Count("household_id", distinct=True)
        )
    }
    refused = {
        r["event_id"]: r["households"]
        for r in Refusal.objects.filter(event_id__in=event_ids)
        .values("event_id")
        .annotate(households=Count("household_id", distinct=True))
    }
    refusals = [
        {
            "code": r["code"],
            "label": str(REFUSAL_LABELS.get(r["code"], r["code"])),
            "households": r["households"],
        }
        for r in Refusal.objects.filter(event_id__in=event_ids)
        .values("code")
        .annotate(households=Count("household_id", distinct=True))
        .order_by("code")
    ]

    def _counts(field: str, choices: Any) -> list[dict[str, Any]]:
        labels = dict(choices)
        return [
            {"code": r[field], "label": str(labels.get(r[field], r[field])), "receipts": r["n"]}
            for r in receipts.values(field).annotate(n=Count("pk")).order_by(field)
        ]

    if event is not None:
        e = events[0]
        title = _("Distribution report: %(place)s, %(date)s") % {
            "place": e.place.name,
            "date": e.date.isoformat(),
        }
        header = [
            f"{_('Plan')}: {e.plan.name}",
            f"{_('Kit')}: {e.plan.kit.name} · {_('Project')}: {e.plan.project.code}",
            f"{_('Status')}: {e.get_status_display()}",
        ]
        if e.difference_reason:
            header.append(f"{_('Reason for the difference')}: {e.difference_reason}")
    else:
        assert project is not None
        title = _("Distribution report: project %(code)s") % {"code": project.code}
        header = [
            f"{_('Project')}: {project.code} · {project.title}",
            f"{_('Events')}: {len(events)}",
        ]
    return {
        "kind": "event" if event is not None else "project",
        "title": title,
        "header": header,
        "generated_at": timezone.localtime(),
        "households": served.count(),
        "households_with": Household.objects.filter(pk__in=served).aggregate(
            woman_headed=Count("pk", filter=Q(is_woman_headed=True)),
            disability=Count("pk", filter=Q(has_disability=True)),
        ),
        "people": _people(served, on),
        "kits": _kits_and_items(events, receipts),
        "stock": _stock(events),
        "events": [
            {
                "id": str(e.public_id),
                "place": e.place.name,
                "date": e.date,
                "status": str(e.get_status_display()),
                "plan": e.plan.name,
                "kit": e.plan.kit.code,
                "expected": e.expected_households,
                "served": per_event.get(e.pk, 0),
                "refused": refused.get(e.pk, 0),
                "dispatched": e.dispatched,
                "distributed": e.distributed,
                "returned": e.returned,
                "lost": e.lost,
                "reason": e.difference_reason,
            }
            for e in events
        ],
        "refusals": refusals,
        "collectors": _counts("collector", Receipt.Collector.choices),
        "proofs": _counts("proof", Receipt.Proof.choices),
        "found_by": _counts("found_by", [("qr", _("QR code")), ("search", _("Search"))]),
    }


def report_project_get(*, user: Any, public_id: Any) -> Project:
    """A project whose distribution report the user may see: one of the programmes
    their distribution role reaches."""
    return _get(scoped(Project.objects.select_related("programme"), user, VIEW), public_id)


def event_report(*, user: Any, event: Event) -> dict[str, Any]:
    return distribution_report(user=user, event=event)


def project_report(*, user: Any, project: Project) -> dict[str, Any]:
    return distribution_report(user=user, project=project)


def plan_progress(plan: Plan) -> dict[str, Any]:
    """Figures for a plan's page: households on the list, expected at events, served."""
    from sanad.targeting import selectors as targeting

    totals = plan.events.exclude(status=Event.Status.CANCELLED).aggregate(
        expected=Sum("expected_households"),
        dispatched=Sum("dispatched"),
        distributed=Sum("distributed"),
    )
    return {
        "listed": targeting.list_households(plan.beneficiary_list, require_approved=False).count(),
        "expected": totals["expected"] or 0,
        "served": Receipt.objects.filter(event__plan=plan, status=Receipt.Status.RECEIVED)
        .values("household_id")
        .distinct()
        .count(),
        "dispatched": totals["dispatched"] or Decimal(0),
        "distributed": totals["distributed"] or Decimal(0),
        "reserved": plan.reserved,
    }
