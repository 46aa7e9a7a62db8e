"""Forms of the cash pages (plans, vouchers, vendors, signals). They parse what people
type; the rules are checked by `cash.services`, whose refusals the views put back on
the form (`apply_errors`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.cash.models import MANAGE_VENDOR, CashPlan, Currency, Vendor
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.programmes.models import Project
from sanad.stock.models import Item
from sanad.targeting.models import BeneficiaryList

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0.01")}
DAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _choice(form: forms.Form, name: str) -> Any:
    return cast(forms.ModelChoiceField, form.fields[name])


def _money(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "dir": "ltr"}),
        **MONEY,  # type: ignore[arg-type]
    )


class PlanForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    beneficiary_list: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Beneficiary list"),
        queryset=BeneficiaryList.objects.none(),
        to_field_name="public_id",
        help_text=_("An approved list (or one already in use): one entitlement per household."),
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        help_text=_("The donor project the assistance is charged to, in the list's programme."),
    )
    modality = forms.ChoiceField(
        label=_("Modality"), choices=CashPlan.Modality.choices, widget=forms.RadioSelect
    )
    # Amounts set per household are made by another module (grant agreements), not here.
    amount_kind = forms.ChoiceField(
        label=_("Amount"),
        choices=[
            c for c in CashPlan.AmountKind.choices if c[0] != CashPlan.AmountKind.PER_HOUSEHOLD
        ],
        widget=forms.RadioSelect,
    )
    amount = _money(_("Amount per household"))
    per_member = _money(_("Amount per member"))
    cap = _money(_("Cap per household"), help_text=_("Empty: no cap."))
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate (IQD per USD)"),
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
        help_text=_("Recorded on every entitlement and redemption, such as 1310."),
    )
    tranches = forms.IntegerField(
        label=_("Tranches"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("Cash only: paid in this many parts. An e-voucher is one tranche."),
    )
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE)
    allowed_categories = forms.MultipleChoiceField(
        label=_("Item categories the voucher buys"),
        required=False,
        choices=Item.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any item of the vendors' price lists."),
    )
    allowed_vendors: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Vendors where it can be used"),
        required=False,
        queryset=Vendor.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any active vendor."),
    )
    condition = forms.ChoiceField(
        label=_("Condition"), required=False, choices=CashPlan.Condition.choices
    )
    condition_note = forms.CharField(label=_("Condition, in words"), max_length=200, required=False)
    require_pin = forms.BooleanField(label=_("Vouchers need a PIN"), required=False)
    item_code = forms.CharField(
        label=_("Ledger item"),
        max_length=80,
        required=False,
        help_text=_("Empty: nfi_evoucher or nfi_cash."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "modality": CashPlan.Modality.EVOUCHER,
            "amount_kind": CashPlan.AmountKind.FIXED,
            "currency": Currency.IQD,
            "tranches": 1,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        lists = BeneficiaryList.objects.filter(
            status__in=[BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE]
        ).select_related("programme")
        _choice(self, "beneficiary_list").queryset = scoped(
            lists, user, "targeting.view_list"
        ).order_by("-created_at")
        _choice(self, "project").queryset = scoped(
            Project.objects.select_related("programme"), user, "programmes.view_programme"
        ).order_by("code")
        _choice(self, "allowed_vendors").queryset = (
            scoped(Vendor.objects.exclude(status=Vendor.Status.CLOSED), user, "cash.view_cash")
            .select_related("admin_unit")
            .order_by("name")
        )
        for name in ("modality", "amount_kind", "allowed_categories", "allowed_vendors"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["require_pin"].widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "beneficiary_list": data["beneficiary_list"],
            "project": data["project"],
            "modality": data["modality"],
            "currency": data["currency"],
            "exchange_rate": data["exchange_rate"],
            "expires_on": data["expires_on"],
            "amount_kind": data["amount_kind"],
            "amount": data.get("amount"),
            "per_member": data.get("per_member"),
            "cap": data.get("cap"),
            "tranches": data.get("tranches") or 1,
            "allowed_categories": data.get("allowed_categories") or (),
            "allowed_vendors": list(data.get("allowed_vendors") or ()),
            "condition": data.get("condition") or "",
            "condition_note": data.get("condition_note") or "",
            "require_pin": bool(data.get("require_pin")),
            "item_code": data.get("item_code") or None,
        }


class PlanTransitionForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (CashPlan.Status.APPROVED, CashPlan.Status.APPROVED.label),
            (CashPlan.Status.CANCELLED, CashPlan.Status.CANCELLED.label),
            (CashPlan.Status.CLOSED, CashPlan.Status.CLOSED.label),
        ]
    )
    reason = forms.CharField(required=False, max_length=2000)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(BootstrapMixin, forms.Form):
    evidence = forms.CharField(
        label=_("What shows the condition is met"),
        max_length=300,
        help_text=_("An attendance sheet, an inspection report…"),
    )


class VendorForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Short, such as duhok-market-1.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    admin_unit = forms.ChoiceField(label=_("District or sub-district"))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
    )
    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=60,
        required=False,
        help_text=_("Needed before the vendor can be activated."),
    )
    contract_start = forms.DateField(label=_("Contract start"), required=False, widget=DATE)
    contract_end = forms.DateField(label=_("Contract end"), required=False, widget=DATE)
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("Closes at"), required=False, widget=TIME)
    open_days = forms.MultipleChoiceField(
        label=_("Open on"),
        choices=DAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Sales outside these hours and days are flagged for review."),
    )
    payee_name = forms.CharField(label=_("Payee (account name)"), max_length=200, required=False)
    payee_account = forms.CharField(
        label=_("Bank or wallet account"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    def __init__(self, *args: Any, user: Any, vendor: Vendor | None = None, **kwargs: Any) -> None:
        from sanad.geo.forms import admin_unit_choices
        from sanad.geo.selectors import admin_units_for_places

        if vendor is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(vendor, f) for f in self.base_fields if hasattr(vendor, f)},
                "admin_unit": vendor.admin_unit.pcode,
                "open_days": [str(d) for d in vendor.open_days or []],
            }
        super().__init__(*args, **kwargs)
        units = list(admin_units_for_places(user=user, permission=MANAGE_VENDOR))
        if vendor is not None and vendor.admin_unit not in units:
            units.append(vendor.admin_unit)
        cast(forms.ChoiceField, self.fields["admin_unit"]).choices = admin_unit_choices(units)
        self.fields["open_days"].widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict[str, Any]:
        from sanad.geo.models import AdminUnit

        data = dict(self.cleaned_data)
        data["admin_unit"] = AdminUnit.objects.get(pcode=data["admin_unit"])
        data["open_days"] = [int(d) for d in data.get("open_days") or []]
        for key in ("address", "phone", "contract_number", "payee_name", "payee_account"):
            data[key] = data.get(key) or ""
        return data


class VendorTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Vendor.Status.choices)
    reason = forms.CharField(required=False, max_length=300)


class PriceForm(BootstrapMixin, forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.none(), to_field_name="code"
    )
    unit_price = _money(_("Unit price"), required=True)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "item").queryset = Item.objects.filter(active=True).order_by("code")


class StaffForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Empty: the account gets a password to set by the administrator."),
    )


class ReviewForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("What you found"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PrintForm(forms.Form):
    which = forms.ChoiceField(
        choices=[("all", "all"), ("undelivered", "undelivered")], required=False
    )
