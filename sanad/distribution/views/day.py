"""Distribution day, on a phone: find the household (its card's QR code, or a search by
registration id, name or phone, among the households expected at the event first), see
who may collect and whether it is eligible, and record the receipt. The browser sends a
`client_key` it generated when the household was shown, so a retried or doubled
submission returns the first receipt instead of recording twice."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError
from sanad.core.scoping import has_permission
from sanad.distribution import services
from sanad.distribution.forms import ReceiptForm
from sanad.distribution.models import RECORD, Event, Expected, Receipt
from sanad.distribution.views.common import event_for
from sanad.registry.cards.pdf import QR_PREFIX, token_from_scan
from sanad.registry.models import Household, Individual

VIEW_HOUSEHOLD = "registry.view_household"
SEARCH_LIMIT = 12


def counter(event: Event) -> dict[str, int]:
    received = Receipt.objects.filter(event=event, status=Receipt.Status.RECEIVED).count()
    return {"received": received, "expected": event.expected_households}


def _expected(event: Event) -> QuerySet[Household]:
    return Household.objects.filter(
        pk__in=Expected.objects.filter(event=event).values("household_id")
    )


def _reachable(request: HttpRequest, event: Event) -> QuerySet[Household]:
    """The households a team member may look up at this event: those expected there,
    and (to be told why they are refused) those their role lets them see."""
    expected = _expected(event)
    if has_permission(request.user, VIEW_HOUSEHOLD):
        from sanad.registry.selectors import households_visible_to

        visible = households_visible_to(request.user).order_by().values("pk")
        return Household.objects.filter(Q(pk__in=expected.values("pk")) | Q(pk__in=visible))
    return expected


@login_required
def day(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id, RECORD)
    return render(
        request,
        "distribution/day.html",
        {"event": event, "plan": event.plan, "counter": counter(event)},
    )


@login_required
@require_GET
def day_counter(request: HttpRequest, public_id: Any) -> HttpResponse:
    event = event_for(request, public_id, RECORD)
    return render(
        request, "distribution/_day_counter.html", {"event": event, "counter": counter(event)}
    )


@login_required
@require_GET
def day_search(request: HttpRequest, public_id: Any) -> HttpResponse:
    from sanad.registry.selectors import heads_prefetch, households_matching

    event = event_for(request, public_id, RECORD)
    query = request.GET.get("q", "").strip()
    if query.upper().startswith(QR_PREFIX):
        # A card read by a hand-held scanner, which types into the search box.
        household, _found_by = _find(request, event, query)
        response = _panel(request, event, household, "qr")
        response["HX-Retarget"] = "#panel"
        return response
    expected_rows: list[Household] = []
    other_rows: list[Household] = []
    if query:
        expected_rows = list(
            households_matching(_expected(event), query)
            .select_related("place", "admin_unit")
            .prefetch_related(heads_prefetch())
            .order_by("registration_id")[:SEARCH_LIMIT]
        )
        if not expected_rows and has_permission(request.user, VIEW_HOUSEHOLD):
            from sanad.registry.selectors import households_visible_to

            other_rows = list(
                households_matching(households_visible_to(request.user), query)
                .prefetch_related(heads_prefetch())
                .order_by("registration_id")[:SEARCH_LIMIT]
            )
    return render(
        request,
        "distribution/_day_results.html",
        {
            "event": event,
            "query": query,
            "expected_rows": expected_rows,
            "other_rows": other_rows,
        },
    )


def _find(request: HttpRequest, event: Event, scanned: str) -> tuple[Household | None, str]:
    reach = _reachable(request, event)
    token = token_from_scan(scanned)
    if token:
        return reach.filter(card_token=token).first(), "qr"
    household = _uuid(request.GET.get("household", ""))
    if household is not None:
        return reach.filter(public_id=household).first(), "search"
    return None, "search"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


@login_required
@require_GET
def day_household(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The panel the team sees after a scan or a search: household, head, who may
    collect, the verdict (green or red, with the reason) and the receipt form."""
    event = event_for(request, public_id, RECORD)
    household, found_by = _find(request, event, request.GET.get("token", ""))
    return _panel(request, event, household, found_by)


def _panel(
    request: HttpRequest, event: Event, household: Household | None, found_by: str
) -> HttpResponse:
    if household is None:
        return render(
            request,
            "distribution/_day_panel.html",
            {"event": event, "unknown": True, "found_by": found_by},
        )
    check = services.household_check(user=request.user, event=event, household=household)
    shown = check.get("household") or household
    personal_record_viewed(
        user=request.user, obj=shown, purpose="distribution day check", route=request.path
    )
    return render(
        request,
        "distribution/_day_panel.html",
        {
            "event": event,
            "check": check,
            "household": shown,
            "found_by": found_by,
            "proofs": Receipt.Proof.choices,
        },
    )


def _error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "message": message}, status=status)


@login_required
@require_POST
def day_receipt(request: HttpRequest, public_id: Any) -> JsonResponse:
    """Record a receipt; answers JSON for the phone's script (which retries on a network
    failure and keeps the receipt on the phone while offline). A refusal answers 4xx
    with the sentence to show; a replay of the same client_key answers the first
    receipt."""
    event = event_for(request, public_id, RECORD)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _error(
            _("The receipt is incomplete: choose who collected and the proof. (%(detail)s)")
            % {"detail": first},
            "invalid",
            400,
        )
    data = form.cleaned_data
    key = _uuid(request.POST.get("household"))
    household = _reachable(request, event).filter(public_id=key).first() if key else None
    if household is None:
        return _error(_("This household was not found."), "not_found", 404)
    # The service checks that this person may collect for the household (or for the
    # household it was merged into).
    collector = Individual.objects.filter(public_id=data["collected_by"]).first()
    if collector is None:
        return _error(_("Choose who collected the kit."), "invalid", 400)
    try:
        receipt = services.receipt_record(
            user=request.user,
            event=event,
            household=household,
            collected_by=collector,
            proof=data["proof"],
            signature=data.get("signature") or "",
            client_key=data.get("client_key") or None,
            found_by=data.get("found_by") or "search",
            device=data.get("device") or "",
        )
    except ApplicationError as exc:
        return _error(str(exc.message), exc.code, 409 if exc.status_code == 409 else 400)
    at = timezone.localtime(receipt.received_at)
    return JsonResponse(
        {
            "ok": True,
            "receipt": str(receipt.public_id),
            "household": household.registration_id,
            "collected_by": str(receipt.collected_by),
            "at": at.strftime("%H:%M"),
            "message": _("Recorded: %(id)s received the kit at %(at)s.")
            % {"id": household.registration_id, "at": at.strftime("%H:%M")},
            "counter": counter(event),
        }
    )
