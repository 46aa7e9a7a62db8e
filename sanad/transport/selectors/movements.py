"""Reads of movement requests and their households, always inside the user's scope:
lists with counts, a household's readiness to be planned into a convoy, the status
history, the XLSX of the households with their passengers' fitness."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from sanad.camps.models import Allocation, Site
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.registry.derive import age_on
from sanad.transport.models import (
    VIEW,
    Convoy,
    Fitness,
    MovementHousehold,
    MovementRequest,
    Passenger,
)

ROW = MovementHousehold.Status
COUNTED = ~Q(status=ROW.WITHDRAWN)
NOT_READY_FITNESS = (Fitness.NOT_ASSESSED, Fitness.NOT_FIT)


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def movements_visible(user: Any, permission: str | None = None) -> QuerySet[MovementRequest]:
    """The requests `user` reaches, with `households_count` and `people_count` (households
    not withdrawn and their passengers)."""
    households = MovementHousehold.objects.filter(COUNTED, request=OuterRef("pk"))
    people = Passenger.objects.filter(
        movement_household__request=OuterRef("pk"),
        movement_household__status__in=[s for s in ROW.values if s != ROW.WITHDRAWN],
    )
    return (
        scoped(MovementRequest.objects.all(), user, permission or VIEW)
        .select_related(
            "origin", "destination", "destination_admin_unit", "project", "submitted_by"
        )
        .annotate(
            households_count=_count(households, "request"),
            people_count=_count(people, "movement_household__request"),
        )
    )


def movement_get(*, user: Any, public_id: Any, permission: str | None = None) -> MovementRequest:
    request = movements_visible(user, permission).filter(public_id=public_id).first()
    if request is None:
        raise NotFound()
    return request


def movement_household_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> MovementHousehold:
    row = (
        scoped(MovementHousehold.objects.all(), user, permission or VIEW)
        .select_related("request__origin", "request__destination", "household")
        .filter(public_id=public_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


def passengers_of(row: MovementHousehold) -> list[Passenger]:
    cached = getattr(row, "_prefetched_objects_cache", {}).get("passengers")
    if cached is not None:
        return list(cached)
    return list(row.passengers.select_related("individual").order_by("id"))


def movement_households(request: MovementRequest) -> list[MovementHousehold]:
    """The request's households with their passengers (and persons), each with
    `head` (its head's Individual or the first passenger's), `people`, `needs` (labels),
    `fitness_summary`, `problems` (household_readiness) and `ready`."""
    rows = list(
        MovementHousehold.objects.filter(request=request)
        .select_related("household")
        .prefetch_related(
            _passenger_prefetch(),
        )
        .order_by("id")
    )
    for row in rows:
        decorate(row)
    return rows


def _passenger_prefetch() -> Any:
    from django.db.models import Prefetch

    return Prefetch(
        "passengers", queryset=Passenger.objects.select_related("individual").order_by("id")
    )


def decorate(row: MovementHousehold) -> MovementHousehold:
    passengers = passengers_of(row)
    head = next(
        (p.individual for p in passengers if p.individual.relationship == "head"),
        passengers[0].individual if passengers else None,
    )
    row.head = head  # type: ignore[attr-defined]
    row.people = len(passengers)  # type: ignore[attr-defined]
    row.needs = passenger_needs(passengers)  # type: ignore[attr-defined]
    row.fitness_summary = fitness_summary(passengers)  # type: ignore[attr-defined]
    row.problems = household_readiness(row)  # type: ignore[attr-defined]
    row.ready = row.status == ROW.WAITING and not row.problems  # type: ignore[attr-defined]
    return row


def person_name(individual: Any) -> str:
    """The person's name in both scripts when both are known."""
    ar = " ".join(x for x in (individual.given_name_ar, individual.family_name_ar) if x)
    en = " ".join(x for x in (individual.given_name_en, individual.family_name_en) if x)
    if ar and en:
        return f"{ar} / {en}"
    return ar or en or "—"


def passenger_needs(passengers: list[Passenger]) -> list[tuple[str, str]]:
    """(code, label) of the needs found among the passengers, each once."""
    found: list[tuple[str, str]] = []

    def add(code: str, label: str) -> None:
        if code not in {c for c, _label in found}:
            found.append((code, label))

    for p in passengers:
        if p.is_older:
            add("older", _("Older person"))
        if p.has_disability:
            add("disability", _("Disability"))
        if p.late_pregnancy:
            add("pregnancy", _("Late pregnancy"))
        elif p.individual.is_pregnant:
            add("pregnant", _("Pregnant"))
        if p.unaccompanied_child:
            add("unaccompanied", _("Unaccompanied child"))
        if p.fitness == Fitness.WHEELCHAIR:
            add("wheelchair", _("Wheelchair"))
        if p.fitness == Fitness.STRETCHER:
            add("stretcher", _("Stretcher"))
        if p.needs_escort:
            add("escort", _("Escort"))
    return found


def fitness_summary(passengers: list[Passenger]) -> str:
    counts = Counter(p.fitness for p in passengers)
    labels = dict(Fitness.choices)
    return ", ".join(f"{counts[f]} × {labels[f]}" for f in Fitness.values if counts.get(f))


def household_readiness(row: MovementHousehold) -> list[str]:
    """What keeps the household from being planned into a convoy (translated; empty when
    it is ready): its status, the declaration, the consent, passengers not assessed or
    not fit to travel."""
    problems: list[str] = []
    if row.status != ROW.WAITING:
        problems.append(
            _("The household is %(status)s.") % {"status": row.get_status_display().lower()}
        )
    if not row.declared:
        problems.append(_("No voluntary movement declaration yet."))
    if not row.consent_given:
        problems.append(_("No consent to share the manifest yet."))
    passengers = passengers_of(row)
    if not passengers:
        problems.append(_("No passenger: the household has no member left."))
    pending = sum(1 for p in passengers if p.fitness == Fitness.NOT_ASSESSED)
    if pending:
        problems.append(
            ngettext(
                "%(n)d passenger not assessed for fitness to travel.",
                "%(n)d passengers not assessed for fitness to travel.",
                pending,
            )
            % {"n": pending}
        )
    unfit = sum(1 for p in passengers if p.fitness == Fitness.NOT_FIT)
    if unfit:
        problems.append(
            ngettext(
                "%(n)d passenger is not fit to travel: postpone the household (families "
                "travel together).",
                "%(n)d passengers are not fit to travel: postpone the household (families "
                "travel together).",
                unfit,
            )
            % {"n": unfit}
        )
    return problems


def movement_ready_households(request: MovementRequest) -> QuerySet[MovementHousehold]:
    """The households ready to be planned: waiting, declared, consenting, and every
    passenger assessed and none not fit to travel."""
    blocking = Passenger.objects.filter(
        movement_household=OuterRef("pk"), fitness__in=NOT_READY_FITNESS
    )
    any_passenger = Passenger.objects.filter(movement_household=OuterRef("pk"))
    return (
        MovementHousehold.objects.filter(
            request=request,
            status=ROW.WAITING,
            declaration_on__isnull=False,
            consent_given=True,
        )
        .exclude(declaration_method="")
        .filter(Exists(any_passenger), ~Exists(blocking))
        .select_related("household")
        .order_by("id")
    )


def movement_history(request: MovementRequest) -> QuerySet[Any]:
    return MovementRequest.STATUS_MACHINE.history(request).order_by("-at")


def household_history(row: MovementHousehold) -> QuerySet[Any]:
    return MovementHousehold.STATUS_MACHINE.history(row).order_by("-at")


def movement_convoys(request: MovementRequest) -> QuerySet[Convoy]:
    return (
        Convoy.objects.filter(request=request)
        .annotate(loads_count=Count("loads", distinct=True))
        .order_by("departs_on", "id")
    )


def origin_site_of(request: MovementRequest) -> Site | None:
    return Site.objects.filter(place_id=request.origin_id).first()


def origin_residents_not_on_request(request: MovementRequest, site: Site | None) -> int:
    """How many households live on the origin site and are not on the request."""
    if site is None:
        return 0
    present = MovementHousehold.objects.filter(request=request).values("household_id")
    return (
        Allocation.objects.filter(site=site, ended_on__isnull=True)
        .exclude(household_id__in=present)
        .count()
    )


# --- export ----------------------------------------------------------------------------------


def movement_households_xlsx(request: MovementRequest) -> tuple[bytes, int]:
    """An XLSX of the request's households, one row per passenger (name, sex, age,
    fitness, needs), with the household's declaration, consent and luggage; returns the
    file and how many people it lists. Right-to-left in Arabic and Kurdish."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = movement_households(request)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(request.reference)[:31]
    sheet.sheet_view.rightToLeft = bool(get_language_bidi())
    headers = [
        _("Registration id"),
        _("Household status"),
        _("Declaration"),
        _("Consent"),
        _("Luggage (m³)"),
        _("Name (Arabic)"),
        _("Name (Latin)"),
        _("Sex"),
        _("Age"),
        _("Relationship"),
        _("Fitness to travel"),
        _("Needs"),
        _("Note"),
        _("Ready"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    on = request.requested_date
    people = 0
    fitness = dict(Fitness.choices)
    for row in rows:
        declaration = (
            f"{row.declaration_on.isoformat()} {row.get_declaration_method_display()}"
            if row.declared and row.declaration_on
            else ""
        )
        for p in passengers_of(row):
            person = p.individual
            people += 1
            sheet.append(
                [
                    row.household.registration_id,
                    str(row.get_status_display()),
                    declaration,
                    _("yes") if row.consent_given else _("no"),
                    float(row.luggage_m3),
                    " ".join(x for x in (person.given_name_ar, person.family_name_ar) if x),
                    " ".join(x for x in (person.given_name_en, person.family_name_en) if x),
                    str(person.get_sex_display()),
                    age_on(person.date_of_birth, on) if person.date_of_birth else "",
                    str(person.get_relationship_display()),
                    str(fitness.get(p.fitness, p.fitness)),
                    ", ".join(str(label) for _code, label in passenger_needs([p])),
                    p.note,
                    _("yes") if row.ready else _("no"),  # type: ignore[attr-defined]
                ]
            )
    for column, width in zip(
        "ABCDEFGHIJKLMN", (16, 14, 22, 8, 10, 24, 24, 8, 6, 16, 24, 30, 24, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), people
