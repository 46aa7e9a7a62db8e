"""Convoy manifests: per vehicle, or the whole convoy (a page or sheet per vehicle and
a summary), as PDF (WeasyPrint, Arabic and Kurdish shaped with the vendored Noto Sans
Arabic through targeting's font loader, so a manifest fetches nothing from outside) and
XLSX (openpyxl, right-to-left sheets in Arabic and Kurdish).

A manifest names passengers: it is an export of personal data, and the view that
serves it logs it. Only households that consented to share the manifest with the driver
and the destination are printed with names."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.transport.models import Convoy, ConvoyVehicle, MovementRequest
from sanad.transport.services.checks import check_loads, load_needs

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _age(born: datetime.date | None, on: datetime.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _destination(request: MovementRequest) -> str:
    if request.destination is not None:
        return str(request.destination.name)
    return str(request.destination_admin_unit or "")


def manifest_data(*, convoy: Convoy, convoy_vehicle: ConvoyVehicle | None = None) -> dict[str, Any]:
    """What a manifest prints: the convoy, and per vehicle its driver, escort and the
    households riding in it with each passenger, luggage and where it rides, totals."""
    request = MovementRequest.objects.select_related(
        "origin", "destination", "destination_admin_unit"
    ).get(pk=convoy.request_id)
    vehicles = list(
        ConvoyVehicle.objects.filter(convoy=convoy)
        .select_related("vehicle", "driver")
        .order_by("position", "id")
    )
    if convoy_vehicle is not None:
        vehicles = [v for v in vehicles if v.pk == convoy_vehicle.pk]
    by_vehicle: dict[int, dict[str, Any]] = {
        v.pk: {
            "vehicle": v,
            "households": [],
            "passengers": 0,
            "luggage_m3": Decimal("0"),
            "luggage_carried_m3": Decimal("0"),
        }
        for v in vehicles
    }
    on = convoy.departs_on
    for load in check_loads(convoy):
        row = load.movement_household
        passengers = list(row.passengers.all())
        carried = by_vehicle.get(load.luggage_vehicle_id or 0)
        if carried is not None:
            carried["luggage_carried_m3"] += row.luggage_m3
        group = by_vehicle.get(load.convoy_vehicle_id or 0)
        if group is None:
            continue
        people = []
        for p in passengers:
            person = p.individual
            people.append(
                {
                    "name_ar": person.full_name_ar if row.consent_given else "",
                    "name_en": person.full_name_en if row.consent_given else "",
                    "sex": person.get_sex_display(),
                    "age": _age(person.date_of_birth, on),
                    "fitness": p.get_fitness_display(),
                    "needs": ", ".join(load_needs([p])),
                }
            )
        luggage_in = load.luggage_vehicle or load.convoy_vehicle
        group["households"].append(
            {
                "registration_id": row.household.registration_id,
                "status": load.get_status_display(),
                "consent": row.consent_given,
                "passengers": people,
                "luggage_m3": row.luggage_m3,
                "luggage_in": luggage_in.vehicle.plate_number if luggage_in else "",
                "luggage_elsewhere": bool(
                    load.luggage_vehicle_id and load.luggage_vehicle_id != load.convoy_vehicle_id
                ),
            }
        )
        group["passengers"] += len(people)
        group["luggage_m3"] += row.luggage_m3
    groups = list(by_vehicle.values())
    return {
        "convoy": convoy,
        "request": request,
        "origin": str(request.origin.name),
        "destination": _destination(request),
        "whole": convoy_vehicle is None,
        "vehicles": groups,
        "households": sum(len(g["households"]) for g in groups),
        "passengers": sum(g["passengers"] for g in groups),
        "luggage_m3": sum((g["luggage_m3"] for g in groups), Decimal("0")),
        "printed_at": timezone.localtime(),
    }


def _route(origin: str, destination: str) -> str:
    """ "origin → destination", the arrow pointing the way the line reads (← in Arabic
    and Kurdish) and each name isolated (FSI … PDI) so digits do not reorder it."""
    arrow = "←" if translation.get_language_bidi() else "→"
    return f"\u2068{origin}\u2069 {arrow} \u2068{destination}\u2069"


def _header_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    convoy, request = data["convoy"], data["request"]
    when = convoy.departs_on.isoformat()
    if convoy.departure_time:
        when += f" {convoy.departure_time:%H:%M}"
    return [
        (_("Convoy"), convoy.reference),
        (_("Movement"), f"{request.reference} · {request.get_kind_display()}"),
        (_("From → to"), _route(str(data["origin"]), str(data["destination"]))),
        (_("Departure"), when),
    ]


def _vehicle_lines(group: dict[str, Any]) -> list[tuple[str, str]]:
    cv = group["vehicle"]
    driver = cv.driver
    return [
        (_("Vehicle"), f"{cv.vehicle.get_kind_display()} {cv.vehicle.plate_number}"),
        (
            _("Driver"),
            f"{driver.name} {driver.phone}".strip() if driver else "—",
        ),
        (_("Medical escort"), cv.escort_name or "—"),
    ]


def signatures() -> list[str]:
    return [
        _("Driver"),
        _("Medical escort"),
        _("Officer at departure"),
        _("Officer at arrival"),
    ]


def _num(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def manifest_xlsx(*, convoy: Convoy, convoy_vehicle: ConvoyVehicle | None = None) -> bytes:
    """The manifest as a workbook: a summary sheet for the whole convoy, then a sheet per
    vehicle (right to left in Arabic and Kurdish)."""
    from openpyxl import Workbook

    data = manifest_data(convoy=convoy, convoy_vehicle=convoy_vehicle)
    workbook = Workbook(write_only=True)
    rtl = translation.get_language_bidi()
    used: set[str] = set()

    def sheet(title: str) -> Any:
        title = title.replace("/", "-")[:31]
        while title in used:
            title = title[:28] + f"~{len(used)}"
        used.add(title)
        ws = workbook.create_sheet(title)
        if rtl:
            ws.sheet_view.rightToLeft = True
        return ws

    if data["whole"]:
        ws = sheet(_("Summary"))
        for label, value in _header_lines(data):
            ws.append([label, value])
        ws.append([_("Printed"), f"{data['printed_at']:%Y-%m-%d %H:%M}"])
        ws.append([])
        ws.append([_("Vehicle"), _("Driver"), _("Households"), _("Passengers"), _("Luggage (m³)")])
        for g in data["vehicles"]:
            cv = g["vehicle"]
            ws.append(
                [
                    f"{cv.vehicle.get_kind_display()} {cv.vehicle.plate_number}",
                    cv.driver.name if cv.driver else "",
                    len(g["households"]),
                    g["passengers"],
                    _num(g["luggage_m3"]),
                ]
            )
        ws.append(
            [_("Total"), "", data["households"], data["passengers"], _num(data["luggage_m3"])]
        )
    for g in data["vehicles"]:
        cv = g["vehicle"]
        ws = sheet(cv.vehicle.plate_number)
        for label, value in [*_header_lines(data), *_vehicle_lines(g)]:
            ws.append([label, value])
        ws.append([])
        ws.append(
            [
                _("Household"),
                _("Name (Arabic)"),
                _("Name (Latin)"),
                _("Sex"),
                _("Age"),
                _("Fitness to travel"),
                _("Needs"),
                _("Luggage (m³)"),
                _("Luggage rides in"),
                _("Status"),
            ]
        )
        for h in g["households"]:
            for i, p in enumerate(h["passengers"]):
                first = i == 0
                ws.append(
                    [
                        h["registration_id"],
                        p["name_ar"] if h["consent"] else _("(no consent: not printed)"),
                        p["name_en"],
                        p["sex"],
                        p["age"],
                        p["fitness"],
                        p["needs"],
                        _num(h["luggage_m3"]) if first else None,
                        h["luggage_in"] if first else "",
                        h["status"] if first else "",
                    ]
                )
        ws.append([])
        ws.append([_("Households"), len(g["households"])])
        ws.append([_("Passengers"), g["passengers"]])
        ws.append([_("Luggage (m³)"), _num(g["luggage_m3"])])
        ws.append([_("Luggage carried (m³)"), _num(g["luggage_carried_m3"])])
        ws.append([])
        for label in signatures():
            ws.append([label, _("Name and signature:"), "", _("Time:")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def manifest_pdf(*, convoy: Convoy, convoy_vehicle: ConvoyVehicle | None = None) -> bytes:
    """The manifest as an A4 PDF: a summary page for the whole convoy, then a page per
    vehicle with its passengers and the signature lines."""
    from weasyprint import HTML

    from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

    data = manifest_data(convoy=convoy, convoy_vehicle=convoy_vehicle)
    html = render_to_string(
        "transport/manifests/manifest_pdf.html",
        {
            "data": data,
            "header": _header_lines(data),
            "vehicles": [{**g, "lines": _vehicle_lines(g)} for g in data["vehicles"]],
            "signatures": signatures(),
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())


def filename(convoy: Convoy, convoy_vehicle: ConvoyVehicle | None, fmt: str) -> str:
    part = f"-{convoy_vehicle.vehicle.plate_number}" if convoy_vehicle is not None else ""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{convoy.reference}{part}")
    return f"manifest-{safe}.{fmt}"
