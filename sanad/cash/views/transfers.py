"""Cash transfer pages: the providers' templates (list, new), the payment lists of
each tranche (list, new, the list with its payments), the export for the provider,
the results upload (all or nothing, with the rows to fix), the follow-up list of the
failures and closing. They adapt requests to `cash.services.transfers`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sanad.accounts.forms import BootstrapMixin
from sanad.cash.models import TRANSFER, VIEW, CashPlan, FspTemplate, Payment, PaymentList
from sanad.cash.services import transfers as services
from sanad.cash.views.payments import BADGES, allowed, apply_errors, get_scoped, history
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission, scoped
from sanad.core.views import require_permission

LIST = PaymentList.Status
PAYMENT = Payment.Status
MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_COLUMNS = (
    "Beneficiary ID = registration_id\n"
    "Full name = head_name\n"
    "Mobile = head_phone\n"
    "Amount = amount\n"
    "Currency = currency\n"
    "Reference = payment_id"
)


# --- FSP templates -------------------------------------------------------------------------
class FspTemplateListView(ScopedListView):
    model = FspTemplate
    template_name = "cash/fsp_list.html"
    search_fields = ("name", "provider")
    sort_fields = {"name": "name", "provider": "provider", "created": "created_at"}
    default_sort = "name"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_manage=has_permission(self.request.user, TRANSFER),
            search_placeholder=_("Template or provider"),
        )
        return ctx


class FspTemplateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    provider = forms.CharField(label=gettext_lazy("Provider"), max_length=120)
    sheet_name = forms.CharField(label=gettext_lazy("Sheet"), max_length=31, initial="Payments")
    columns = forms.CharField(
        label=gettext_lazy("Columns, in order"),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr", "spellcheck": "false"}),
        initial=EXAMPLE_COLUMNS,
        help_text=gettext_lazy(
            "One column a line: “Header = field”. The header is what the provider's file "
            "says; the field is one of the list below. payment_id is required: results "
            "are matched by it."
        ),
    )
    result_status_column = forms.CharField(
        label=gettext_lazy("Column of the result"), max_length=80, initial="Status"
    )
    paid_values = forms.CharField(
        label=gettext_lazy("Values meaning paid"),
        max_length=300,
        initial="paid, success",
        help_text=gettext_lazy("Separated by commas; any other value is a failure."),
    )
    reason_column = forms.CharField(
        label=gettext_lazy("Column of the failure reason"),
        max_length=80,
        initial="Reason",
        required=False,
    )
    reference_column = forms.CharField(
        label=gettext_lazy("Column of the provider's reference"), max_length=80, required=False
    )


@login_required
def fsp_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, TRANSFER)
    form = FspTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.fsp_template_create(
                user=request.user,
                name=data["name"],
                provider=data["provider"],
                columns=data["columns"],
                sheet_name=data["sheet_name"],
                result_status_column=data["result_status_column"],
                paid_values=data["paid_values"],
                reason_column=data.get("reason_column") or "",
                reference_column=data.get("reference_column") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The template is saved."))
            return redirect("cash:fsp_list")
    return render(
        request,
        "cash/fsp_form.html",
        {"form": form, "fields": list(services.FIELDS.items())},
        status=400 if form.errors else 200,
    )


# --- payment lists -------------------------------------------------------------------------
def _counts() -> dict[str, Any]:
    return {
        "payment_count": Count("payments"),
        "paid_count": Count("payments", filter=Q(payments__status=PAYMENT.PAID)),
        "failed_count": Count("payments", filter=Q(payments__status=PAYMENT.FAILED)),
        "total": Sum("payments__amount"),
    }


class TransferListView(ScopedListView):
    model = PaymentList
    template_name = "cash/transfer_list.html"
    search_fields = ("number", "plan__name", "template__name")
    sort_fields = {
        "number": "number",
        "plan": "plan__name",
        "status": "status",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[PaymentList]:
        return PaymentList.objects.select_related("plan", "template", "follow_up_of").annotate(
            **_counts()
        )

    def get_queryset(self) -> QuerySet[PaymentList]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in LIST.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_manage=has_permission(self.request.user, TRANSFER),
            statuses=LIST.choices,
            status=self.request.GET.get("status", ""),
            badges=BADGES,
            search_placeholder=_("Number, plan or template"),
        )
        return ctx


class TransferForm(BootstrapMixin, forms.Form):
    plan: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Cash plan"),
        queryset=CashPlan.objects.none(),
        to_field_name="public_id",
        help_text=gettext_lazy("An approved plan paid in cash through a provider."),
    )
    tranche = forms.IntegerField(label=gettext_lazy("Tranche"), min_value=1, initial=1)
    template: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Provider's template"),
        queryset=FspTemplate.objects.none(),
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        template = self.fields["template"]
        assert isinstance(plan, forms.ModelChoiceField)
        assert isinstance(template, forms.ModelChoiceField)
        plan.queryset = scoped(
            CashPlan.objects.filter(
                modality=CashPlan.Modality.CASH, status=CashPlan.Status.APPROVED
            ).order_by("-created_at"),
            user,
            TRANSFER,
        )
        template.queryset = FspTemplate.objects.order_by("name")


@login_required
def transfer_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, TRANSFER)
    initial = {"plan": request.GET.get("plan", ""), "tranche": 1}
    form = TransferForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment_list = services.payment_list_create(
                user=request.user,
                plan=data["plan"],
                tranche=data["tranche"],
                template=data["template"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Payment list %(number)s is ready: export it for the provider.")
                % {"number": payment_list.number},
            )
            return redirect("cash:transfer_detail", public_id=payment_list.public_id)
    return render(
        request,
        "cash/transfer_form.html",
        {"form": form, "has_templates": FspTemplate.objects.exists()},
        status=400 if form.errors else 200,
    )


def _list(request: HttpRequest, public_id: Any, permission: str = VIEW) -> PaymentList:
    qs = PaymentList.objects.select_related(
        "plan", "plan__programme", "plan__project", "template", "follow_up_of"
    )
    return get_scoped(qs, request, permission, public_id)


class ResultsForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("The provider's results (.xlsx)"))


def _detail(
    request: HttpRequest,
    payment_list: PaymentList,
    *,
    form: ResultsForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    payments = scoped(payment_list.payments.all(), request.user, VIEW)
    by_status: dict[str, dict[str, Any]] = {
        row["status"]: dict(row)
        for row in payments.values("status").annotate(n=Count("pk"), amount=Sum("amount"))
    }
    figures = [
        {
            "status": value,
            "label": label,
            "n": by_status.get(value, {}).get("n", 0),
            "amount": by_status.get(value, {}).get("amount") or 0,
        }
        for value, label in PAYMENT.choices
    ]
    page = Paginator(
        payments.select_related("entitlement__household").order_by("pk"), 100
    ).get_page(request.GET.get("page"))
    manage = allowed(request, payment_list, TRANSFER)
    state = payment_list.status
    live = Payment.objects.filter(tranche=payment_list.tranche).exclude(status=PAYMENT.FAILED)
    failed_waiting = (
        payment_list.payments.filter(status=PAYMENT.FAILED)
        .exclude(entitlement_id__in=live.values("entitlement_id"))
        .exists()
    )
    waiting = sum(by_status.get(s, {}).get("n", 0) for s in (PAYMENT.PENDING, PAYMENT.SENT))
    return render(
        request,
        "cash/transfer_detail.html",
        {
            "payment_list": payment_list,
            "figures": figures,
            "total": sum((f["n"] for f in figures), 0),
            "currency": payment_list.plan.currency,
            "page_obj": page,
            "payments": page.object_list,
            "follow_ups": list(payment_list.follow_ups.order_by("created_at")),
            "history": history(payment_list, LIST.choices),
            "badges": BADGES,
            "can_export": manage,
            "can_import": manage and state in (LIST.EXPORTED, LIST.RESULTS),
            "can_follow_up": manage and state in (LIST.RESULTS, LIST.CLOSED) and failed_waiting,
            "can_close": manage and state == LIST.RESULTS and not waiting,
            "results_form": form or ResultsForm(),
            "import_errors": errors or [],
        },
        status=status,
    )


@login_required
def transfer_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _detail(request, _list(request, public_id))


@login_required
@require_POST
def transfer_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment_list = _list(request, public_id, TRANSFER)
    try:
        content = services.payment_list_export(user=request.user, payment_list=payment_list)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("cash:transfer_detail", public_id=payment_list.public_id)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{payment_list.number}.xlsx"'
    return response


@login_required
@require_POST
def transfer_results(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment_list = _list(request, public_id, TRANSFER)
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, payment_list, form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        form.add_error("file", _("The file is larger than 20 MB."))
        return _detail(request, payment_list, form=form, status=400)
    try:
        summary = services.payment_results_import(
            user=request.user, payment_list=payment_list, content=upload.read()
        )
    except ValidationFailed as exc:
        form.add_error(None, str(exc.message))
        lines = [str(m) for m in exc.fields.get("file", [])]
        return _detail(request, payment_list, form=form, errors=lines, status=400)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("cash:transfer_detail", public_id=payment_list.public_id)
    messages.success(
        request,
        _(
            "Results imported: %(paid)d paid, %(failed)d failed, %(unchanged)d already "
            "recorded; %(waiting)d payment(s) still without a result."
        )
        % summary,
    )
    return redirect("cash:transfer_detail", public_id=payment_list.public_id)


@login_required
@require_POST
def transfer_follow_up(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment_list = _list(request, public_id, TRANSFER)
    try:
        follow_up = services.follow_up_create(user=request.user, payment_list=payment_list)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("cash:transfer_detail", public_id=payment_list.public_id)
    messages.success(
        request,
        _("Follow-up list %(number)s holds the failed payments: export it for the provider.")
        % {"number": follow_up.number},
    )
    return redirect("cash:transfer_detail", public_id=follow_up.public_id)


@login_required
@require_POST
def transfer_close(request: HttpRequest, public_id: Any) -> HttpResponse:
    payment_list = _list(request, public_id, TRANSFER)
    try:
        services.payment_list_close(user=request.user, payment_list=payment_list)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The payment list is closed."))
    return redirect("cash:transfer_detail", public_id=payment_list.public_id)
