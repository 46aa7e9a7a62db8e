"""Reconciliation pages: the payment requests (list, a new request with its figures
before saving, the request with its arithmetic and discrepancies, and its actions:
submit, approve by another person, reject, paid). They adapt requests to
`cash.services.payments`."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sanad.accounts.forms import BootstrapMixin
from sanad.cash.models import (
    APPROVE_PAYMENT,
    RECONCILE,
    VIEW,
    Currency,
    PaymentRequest,
    Redemption,
    Vendor,
)
from sanad.cash.services import payments as services
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission

STATUS = PaymentRequest.Status
# Bootstrap badge of each status (used with the `choice_label` filter).
BADGES = [
    ("draft", "text-bg-secondary"),
    ("submitted", "text-bg-info"),
    ("approved", "text-bg-primary"),
    ("paid", "text-bg-success"),
    ("rejected", "text-bg-danger"),
    ("exported", "text-bg-info"),
    ("results", "text-bg-primary"),
    ("closed", "text-bg-dark"),
    ("pending", "text-bg-secondary"),
    ("sent", "text-bg-info"),
    ("failed", "text-bg-danger"),
]
DATE = forms.DateInput(attrs={"type": "date"})


# --- shared with the transfer pages --------------------------------------------------------


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def get_scoped(
    queryset: QuerySet[Any], request: HttpRequest, permission: str, public_id: Any
) -> Any:
    """The record inside the user's scope, else 404 (which reveals nothing)."""
    require_permission(request, permission)
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    obj = scoped(queryset, request.user, permission).filter(public_id=public_id).first()
    if obj is None:
        raise Http404
    return obj


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    for name, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def history(obj: Any, choices: Any) -> list[Any]:
    labels = dict(choices)
    rows = list(type(obj).STATUS_MACHINE.history(obj).select_related("by").order_by("at"))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


# --- list ----------------------------------------------------------------------------------
class PaymentRequestListView(ScopedListView):
    model = PaymentRequest
    template_name = "cash/payment_list.html"
    search_fields = ("number", "vendor__name", "vendor__code", "payment_reference")
    sort_fields = {
        "number": "number",
        "vendor": "vendor__name",
        "period": "period_start",
        "total": "total",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[PaymentRequest]:
        return PaymentRequest.objects.select_related("vendor")

    def get_queryset(self) -> QuerySet[PaymentRequest]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_request=has_permission(self.request.user, RECONCILE),
            statuses=STATUS.choices,
            status=self.request.GET.get("status", ""),
            badges=BADGES,
            search_placeholder=_("Number, vendor or reference"),
        )
        return ctx


# --- create --------------------------------------------------------------------------------
class PaymentRequestForm(BootstrapMixin, forms.Form):
    vendor: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Vendor"), queryset=Vendor.objects.none(), to_field_name="public_id"
    )
    period_start = forms.DateField(label=gettext_lazy("From"), widget=DATE)
    period_end = forms.DateField(label=gettext_lazy("To (included)"), widget=DATE)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=Currency.choices)
    vendor_claimed = forms.DecimalField(
        label=gettext_lazy("The vendor's claim"),
        required=False,
        min_value=Decimal(0),
        decimal_places=2,
        max_digits=16,
        help_text=gettext_lazy(
            "The amount on the vendor's invoice, to compare with its redemptions."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["vendor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scoped(Vendor.objects.order_by("name"), user, RECONCILE)


@login_required
def payment_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, RECONCILE)
    initial = {"currency": Currency.IQD, "vendor": request.GET.get("vendor", "")}
    form = PaymentRequestForm(request.POST or None, user=request.user, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = services.reconciliation_preview(
                vendor=data["vendor"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                currency=data["currency"],
                vendor_claimed=data.get("vendor_claimed"),
            )
        else:
            try:
                payment = services.payment_request_create(
                    user=request.user,
                    vendor=data["vendor"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    currency=data["currency"],
                    vendor_claimed=data.get("vendor_claimed"),
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Payment request %(number)s saved as a draft: check it, then submit it.")
                    % {"number": payment.number},
                )
                return redirect("cash:payment_detail", public_id=payment.public_id)
    return render(
        request,
        "cash/payment_form.html",
        {"form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


# --- detail and actions --------------------------------------------------------------------
def _request(request: HttpRequest, public_id: Any, permission: str = VIEW) -> PaymentRequest:
    qs = PaymentRequest.objects.select_related(
        "vendor", "created_by", "submitted_by", "approved_by"
    )
    return get_scoped(qs, request, permission, public_id)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class PaidForm(BootstrapMixin, forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=DATE)
    reference = forms.CharField(label=gettext_lazy("Bank or wallet reference"), max_length=80)


@login_required
def payment_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment = _request(request, public_id)
    redemptions = list(
        Redemption.objects.filter(payment_request=payment)
        .select_related("voucher")
        .prefetch_related("lines__item")
        .order_by("redeemed_at", "pk")
    )
    uid = getattr(request.user, "pk", None)
    same = uid is not None and uid in (payment.created_by_id, payment.submitted_by_id)
    reconcile = allowed(request, payment, RECONCILE)
    approve = allowed(request, payment, APPROVE_PAYMENT)
    status = payment.status
    difference = (
        payment.vendor_claimed - payment.total if payment.vendor_claimed is not None else None
    )
    return render(
        request,
        "cash/payment_detail.html",
        {
            "payment": payment,
            "redemptions": redemptions,
            "difference": difference,
            "discrepancies": [
                {**d, "message": services.discrepancy_message(d)} for d in payment.discrepancies
            ],
            "history": history(payment, STATUS.choices),
            "badges": BADGES,
            "same_person": same,
            "can_submit": reconcile and status == STATUS.DRAFT,
            "can_approve": approve and status == STATUS.SUBMITTED and not same,
            "can_reject": (
                (approve and status == STATUS.SUBMITTED)
                or ((reconcile or approve) and status == STATUS.DRAFT)
            ),
            "can_pay": approve and status == STATUS.APPROVED,
            "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}),
        },
    )


def _act(request: HttpRequest, payment: PaymentRequest, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("cash:payment_detail", public_id=payment.public_id)


@login_required
@require_POST
def payment_submit(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment = _request(request, public_id, RECONCILE)
    return _act(
        request,
        payment,
        lambda: services.payment_request_submit(user=request.user, request=payment),
        _("Submitted: another finance officer must approve it."),
    )


@login_required
@require_POST
def payment_approve(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment = _request(request, public_id, APPROVE_PAYMENT)
    return _act(
        request,
        payment,
        lambda: services.payment_request_approve(user=request.user, request=payment),
        _("Approved: record the payment once the vendor is paid."),
    )


@login_required
@require_POST
def payment_reject(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment = _request(request, public_id)
    if not (allowed(request, payment, RECONCILE) or allowed(request, payment, APPROVE_PAYMENT)):
        raise DjangoPermissionDenied
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        payment,
        lambda: services.payment_request_reject(user=request.user, request=payment, reason=reason),
        _("Rejected: its redemptions are free for a new request."),
    )


@login_required
@require_POST
def payment_paid(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment = _request(request, public_id, APPROVE_PAYMENT)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day of the payment and its reference."))
        return redirect("cash:payment_detail", public_id=payment.public_id)
    return _act(
        request,
        payment,
        lambda: services.payment_request_paid(
            user=request.user,
            request=payment,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
        ),
        _("Recorded as paid."),
    )
