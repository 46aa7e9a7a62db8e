"""Fraud and error signals for review: bursts of sales, sales outside opening hours,
one household at many shops, prices above the contract. A reviewer closes each with
what they found."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.cash import selectors, services
from sanad.cash.forms import ReviewForm
from sanad.cash.models import VIEW, Signal
from sanad.cash.services.signals import REVIEW_PERMISSIONS
from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission


def _can_review(user: Any, signal: Signal | None = None) -> bool:
    return any(
        has_permission(user, p) and (signal is None or can_reach(user, signal, p))
        for p in REVIEW_PERMISSIONS
    )


def describe(signal: Signal) -> str:
    """The signal's details in a sentence."""
    d = signal.details or {}
    kind = signal.kind
    if kind == Signal.Kind.BURST:
        return _("%(count)s sales within %(minutes)s minutes.") % {
            "count": d.get("count", "?"),
            "minutes": d.get("minutes", "?"),
        }
    if kind == Signal.Kind.OUT_OF_HOURS:
        return _("Sold at %(at)s; open %(opens)s–%(closes)s.") % {
            "at": str(d.get("at", "")).replace("T", " ")[:16],
            "opens": d.get("opens_at") or "—",
            "closes": d.get("closes_at") or "—",
        }
    if kind == Signal.Kind.MANY_VENDORS:
        return _("Redeemed at %(n)s shops within %(days)s days: %(vendors)s.") % {
            "n": len(d.get("vendors") or []),
            "days": d.get("days", "?"),
            "vendors": ", ".join(str(v) for v in d.get("vendors") or []),
        }
    if kind == Signal.Kind.PRICE_ABOVE_CONTRACT:
        return "; ".join(
            _("%(item)s at %(price)s, contract %(contract)s")
            % {
                "item": line.get("item"),
                "price": line.get("unit_price"),
                "contract": line.get("contracted_price"),
            }
            for line in d.get("lines") or []
        )
    return ", ".join(f"{k}: {v}" for k, v in d.items())


class SignalListView(ScopedListView):
    model = Signal
    template_name = "cash/signal_list.html"
    search_fields = ("vendor__name", "vendor__code", "household__registration_id")
    sort_fields = {"created": "created_at", "kind": "kind", "vendor": "vendor__name"}
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[Signal]:
        return Signal.objects.select_related(
            "vendor", "redemption__voucher", "household", "reviewed_by"
        )

    def get_queryset(self) -> QuerySet[Signal]:
        qs = super().get_queryset()
        kind = self.request.GET.get("kind", "")
        if kind in Signal.Kind.values:
            qs = qs.filter(kind=kind)
        state = self.request.GET.get("state", "open")
        if state == "open":
            qs = qs.filter(reviewed_at__isnull=True)
        elif state == "reviewed":
            qs = qs.filter(reviewed_at__isnull=False)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        for signal in ctx["object_list"]:
            signal.can_review = signal.reviewed_at is None and _can_review(user, signal)
            signal.summary = describe(signal)
        ctx.update(
            tab="signals",
            kinds=Signal.Kind.choices,
            kind=self.request.GET.get("kind", ""),
            state=self.request.GET.get("state", "open"),
            states=[("open", _("To review")), ("reviewed", _("Reviewed")), ("all", _("All"))],
            search_placeholder=_("Vendor or registration id"),
            review_form=ReviewForm(),
        )
        return ctx


@login_required
@require_POST
def signal_review(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, VIEW)
    try:
        signal = selectors.signal_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what you found (a short note)."))
    else:
        try:
            services.signal_review(user=request.user, signal=signal, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The signal is reviewed."))
    back = str(request.POST.get("next") or "")
    if back.startswith("/cash/signals/") and "//" not in back:
        return redirect(back)
    return redirect("cash:signal_list")
