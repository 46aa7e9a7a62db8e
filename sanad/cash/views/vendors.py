"""Vendors: the list, registering one, its page (contract, opening hours, price list,
cashier accounts, status, recent sales and open signals) and editing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.cash import selectors, services
from sanad.cash.forms import (
    DAYS,
    PriceForm,
    StaffForm,
    VendorForm,
    VendorTransitionForm,
    apply_errors,
)
from sanad.cash.models import MANAGE_VENDOR, Redemption, Vendor, VendorStaff
from sanad.cash.views.common import allowed, history, vendor_for
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.core.views import require_permission

STATUS = Vendor.Status
RECENT = 20


class VendorListView(ScopedListView):
    model = Vendor
    template_name = "cash/vendor_list.html"
    search_fields = ("name", "code", "contract_number", "admin_unit__name_en")
    sort_fields = {"name": "name", "code": "code", "status": "status"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.select_related("admin_unit").annotate(
            open_signals=Count("signals", filter=Q(signals__reviewed_at__isnull=True))
        )

    def get_queryset(self) -> QuerySet[Vendor]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            tab="vendors",
            can_manage=has_permission(self.request.user, MANAGE_VENDOR),
            statuses=STATUS.choices,
            status=self.request.GET.get("status", ""),
            search_placeholder=_("Name, code, contract or place"),
        )
        return ctx


@login_required
def vendor_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE_VENDOR)
    form = VendorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(user=request.user, **form.service_kwargs())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The vendor is registered. Add its prices and cashiers, then activate it."),
            )
            return redirect("cash:vendor_detail", public_id=vendor.public_id)
    return render(
        request,
        "cash/vendor_form.html",
        {"form": form, "tab": "vendors"},
        status=400 if form.errors else 200,
    )


@login_required
def vendor_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    vendor = vendor_for(request, public_id, MANAGE_VENDOR)
    form = VendorForm(request.POST or None, user=request.user, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_update(user=request.user, vendor=vendor, **form.service_kwargs())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The vendor is saved."))
            return redirect("cash:vendor_detail", public_id=vendor.public_id)
    return render(
        request,
        "cash/vendor_form.html",
        {"form": form, "vendor": vendor, "tab": "vendors"},
        status=400 if form.errors else 200,
    )


def _transitions(vendor: Vendor) -> list[tuple[str, str, bool]]:
    """(status, label of the button, whether a reason is asked) the vendor can go to."""
    labels = {
        STATUS.ACTIVE: _("Activate"),
        STATUS.SUSPENDED: _("Suspend"),
        STATUS.CLOSED: _("Close"),
    }
    machine = Vendor.STATUS_MACHINE
    return [
        (to, str(labels[to]), to in machine.reason_required)
        for to in (STATUS.ACTIVE, STATUS.SUSPENDED, STATUS.CLOSED)
        if to in machine.allowed(vendor.status)
    ]


@login_required
def vendor_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    vendor = vendor_for(request, public_id)
    manage = allowed(request, vendor, MANAGE_VENDOR)
    days = dict(DAYS)
    redemptions = list(
        Redemption.objects.filter(vendor=vendor)
        .select_related("voucher")
        .order_by("-redeemed_at")[:RECENT]
    )
    return render(
        request,
        "cash/vendor_detail.html",
        {
            "tab": "vendors",
            "vendor": vendor,
            "open_days": [days[str(d)] for d in vendor.open_days or [] if str(d) in days],
            "prices": list(selectors.price_list(vendor)),
            "staff": list(selectors.vendor_staff(vendor)),
            "redemptions": redemptions,
            "open_signals": vendor.signals.filter(reviewed_at__isnull=True).count(),
            "history": history(vendor, STATUS.choices),
            "can_manage": manage,
            "transitions": _transitions(vendor) if manage else [],
            "price_form": PriceForm() if manage else None,
            "staff_form": StaffForm() if manage else None,
        },
    )


@login_required
@require_POST
def vendor_transition(request: HttpRequest, public_id: Any) -> HttpResponse:
    vendor = vendor_for(request, public_id, MANAGE_VENDOR)
    form = VendorTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the vendor."))
        return redirect("cash:vendor_detail", public_id=vendor.public_id)
    try:
        vendor = services.vendor_transition(
            user=request.user,
            vendor=vendor,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The vendor is now “%(status)s”.") % {"status": vendor.get_status_display()}
        )
    return redirect("cash:vendor_detail", public_id=vendor.public_id)


@login_required
@require_POST
def vendor_price_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    vendor = vendor_for(request, public_id, MANAGE_VENDOR)
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            services.vendor_price_set(user=request.user, vendor=vendor, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Price of %(item)s saved from %(date)s.")
                % {
                    "item": form.cleaned_data["item"].name,
                    "date": form.cleaned_data["valid_from"].isoformat(),
                },
            )
            return redirect("cash:vendor_detail", public_id=vendor.public_id)
    errors = [str(e) for errs in form.errors.values() for e in errs]
    messages.error(request, " ".join(errors) or _("Check the price."))
    return redirect("cash:vendor_detail", public_id=vendor.public_id)


@login_required
@require_POST
def vendor_staff_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    vendor = vendor_for(request, public_id, MANAGE_VENDOR)
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            account = services.vendor_staff_create(
                user=request.user,
                vendor=vendor,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data.get("password") or None,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("%(user)s can now redeem vouchers for %(vendor)s, and nothing else.")
                % {"user": account.username, "vendor": vendor.name},
            )
            return redirect("cash:vendor_detail", public_id=vendor.public_id)
    errors = [str(e) for errs in form.errors.values() for e in errs]
    messages.error(request, " ".join(errors) or _("Check the cashier's account."))
    return redirect("cash:vendor_detail", public_id=vendor.public_id)


@login_required
@require_POST
def vendor_staff_remove(request: HttpRequest, public_id: Any, staff_id: int) -> HttpResponse:
    vendor = vendor_for(request, public_id, MANAGE_VENDOR)
    staff = (
        VendorStaff.objects.select_related("user", "vendor")
        .filter(vendor=vendor, pk=staff_id)
        .first()
    )
    if staff is None:
        raise Http404
    if not allowed(request, vendor, MANAGE_VENDOR):
        raise DjangoPermissionDenied
    try:
        services.vendor_staff_remove(user=request.user, staff=staff)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(user)s can no longer redeem vouchers: the account is deactivated.")
            % {"user": staff.user.username},
        )
    return redirect("cash:vendor_detail", public_id=vendor.public_id)
