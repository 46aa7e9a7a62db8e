"""Convoy manifests as PDF or XLSX: the whole convoy, or one vehicle with
`?vehicle=<ConvoyVehicle public id>`. Each download is logged as an export of personal
data (passengers' names)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from sanad.core.audit import personal_data_exported
from sanad.core.scoping import scoped
from sanad.core.views import require_permission
from sanad.transport import exports
from sanad.transport.models import VIEW, Convoy, ConvoyVehicle, Passenger


def _target(request: HttpRequest, public_id: Any) -> tuple[Convoy, ConvoyVehicle | None]:
    require_permission(request, VIEW)
    convoy = scoped(Convoy.objects.all(), request.user, VIEW).filter(public_id=public_id).first()
    if convoy is None:
        raise Http404
    value = request.GET.get("vehicle") or ""
    if not value:
        return convoy, None
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise Http404 from exc
    vehicle = (
        ConvoyVehicle.objects.filter(convoy=convoy, public_id=value)
        .select_related("vehicle", "driver")
        .first()
    )
    if vehicle is None:
        raise Http404
    return convoy, vehicle


def _send(
    request: HttpRequest,
    convoy: Convoy,
    vehicle: ConvoyVehicle | None,
    fmt: str,
    data: bytes,
    content_type: str,
) -> HttpResponse:
    loads = convoy.loads.all()
    if vehicle is not None:
        loads = loads.filter(convoy_vehicle=vehicle)
    count = Passenger.objects.filter(
        movement_household__in=loads.values("movement_household")
    ).count()
    personal_data_exported(
        user=request.user,
        model=Passenger,
        purpose=f"convoy manifest {fmt} ({'vehicle' if vehicle else 'convoy'})",
        route=request.get_full_path(),
        record_count=count,
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(convoy, vehicle, fmt)}"'
    )
    return response


@login_required
def manifest_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy, vehicle = _target(request, public_id)
    data = exports.manifest_pdf(convoy=convoy, convoy_vehicle=vehicle)
    return _send(request, convoy, vehicle, "pdf", data, "application/pdf")


@login_required
def manifest_xlsx(request: HttpRequest, public_id: Any) -> HttpResponse:
    convoy, vehicle = _target(request, public_id)
    data = exports.manifest_xlsx(convoy=convoy, convoy_vehicle=vehicle)
    return _send(request, convoy, vehicle, "xlsx", data, exports.XLSX_TYPE)
