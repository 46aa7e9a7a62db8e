"""Forms of the stock pages. They parse what people type; the rules (enough stock,
another person approves, a reason for a loss) are checked by `stock.services`, whose
errors the views put back on the form."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

import django_filters
from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.accounts.models import Organisation, User
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.stock.models import (
    MANAGE_WAREHOUSE,
    RECORD,
    VIEW,
    Item,
    Kit,
    Movement,
    Warehouse,
)

PROJECT_VIEW = Project.VIEW_PERMISSION
ZERO = Decimal(0)


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Show a service's refusal on the form: each message beside its field; messages
    about lines ("lines.2.quantity", "lines") go above the lines."""
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def new_request_key() -> str:
    return str(uuid.uuid4())


def _mc(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _qty(**kwargs: Any) -> forms.DecimalField:
    kwargs.setdefault("label", _("Quantity"))
    kwargs.setdefault(
        "widget", forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"})
    )
    return forms.DecimalField(max_digits=14, decimal_places=2, min_value=ZERO, **kwargs)


def projects_for(user: Any) -> Any:
    """Funding projects a person may charge stock to: those their scope reaches, not
    closed."""
    return scoped(
        Project.objects.exclude(status=Project.Status.CLOSED)
        .select_related("programme")
        .order_by("code"),
        user,
        PROJECT_VIEW,
    )


def warehouses_for(user: Any, permission: str = RECORD) -> Any:
    return scoped(
        Warehouse.objects.filter(active=True).select_related("place").order_by("name"),
        user,
        permission,
    )


def stock_items() -> Any:
    return Item.objects.filter(active=True).order_by("category", "code")


def _project_label(p: Project) -> str:
    return f"{p.code} · {p.title}"


def _item_label(i: Item) -> str:
    return f"{i.name} ({i.code}, {i.unit})"


class RequestKeyMixin(forms.Form):
    # Generated when the form is shown: submitting the same form twice posts once.
    request_key = forms.CharField(widget=forms.HiddenInput(), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("request_key", new_request_key())
        super().__init__(*args, **kwargs)

    def clean_request_key(self) -> str:
        key = (self.cleaned_data.get("request_key") or "").strip()
        try:
            return str(uuid.UUID(key))
        except ValueError:
            return new_request_key()


# --- catalogue ---------------------------------------------------------------------------


class ItemForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Short, lower case, no spaces: blanket_ht, kerosene_heater."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=160)
    name_ar = forms.CharField(label=_("Name (Arabic)"), max_length=160, required=False)
    name_ckb = forms.CharField(label=_("Name (Kurdish)"), max_length=160, required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[c for c in Item.Category.choices if c[0] != Item.Category.KIT],
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("piece, set, litre…"))
    specification = forms.CharField(
        label=_("Specification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, item: Item | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if item is None:
            del self.fields["active"]
        else:
            self.fields["code"].disabled = True
            if item.is_kit:
                self.fields["category"].choices = Item.Category.choices  # type: ignore[attr-defined]
                self.fields["category"].disabled = True


class ItemCostForm(BootstrapMixin, forms.Form):
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        max_digits=16,
        decimal_places=2,
        min_value=ZERO,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[("USD", "USD"), ("IQD", "IQD")])
    exchange_rate = forms.DecimalField(
        label=_("IQD per USD"),
        max_digits=12,
        decimal_places=4,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=_date())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        _mc(self, "project").queryset = projects_for(user)
        _mc(self, "project").label_from_instance = _project_label  # type: ignore[method-assign,assignment]


class ComponentForm(BootstrapMixin, forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Item"),
        queryset=Item.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    quantity = _qty(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mc(self, "item").queryset = stock_items().exclude(category=Item.Category.KIT)
        _mc(self, "item").label_from_instance = _item_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") is not None and not data.get("quantity"):
            self.add_error("quantity", _("Give how many of this item go in one kit."))
        return data


class _LinesFormSet(forms.BaseFormSet):
    """Rows left empty are ignored; at least one filled row is required."""

    empty_message = _("Add at least one line.")

    def lines(self) -> list[dict[str, Any]]:
        return [
            f.cleaned_data
            for f in self.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("item") is not None
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise forms.ValidationError(self.empty_message)


ComponentFormSet = formset_factory(ComponentForm, formset=_LinesFormSet, extra=3)


class KitForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_(
            "What the assistance ledger records, such as winter_kit_2026. "
            "The kit's stock item gets the same code."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=160)
    name_ar = forms.CharField(label=_("Name (Arabic)"), max_length=160, required=False)
    name_ckb = forms.CharField(label=_("Name (Kurdish)"), max_length=160, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kit.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    replaces: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Replaces items of"),
        queryset=Kit.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Replacement kits only: the kits a household must have received before."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    valid_from = forms.DateField(label=_("Contents valid from"), widget=_date())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        _mc(self, "replaces").queryset = Kit.objects.order_by("kind", "code")


class KitVersionForm(BootstrapMixin, forms.Form):
    valid_from = forms.DateField(label=_("Contents valid from"), widget=_date())
    notes = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)


class SeasonForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(Kit.Kind.WINTER, _("Winter")), (Kit.Kind.SUMMER, _("Summer"))]
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    starts_on = forms.DateField(label=_("Starts on"), widget=_date())
    ends_on = forms.DateField(label=_("Ends on"), widget=_date())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The season must end on or after the day it starts."))
        return data


# --- warehouses --------------------------------------------------------------------------


class WarehouseForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=160)
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        help_text=_("Where the warehouse is; its governorate decides who sees it."),
    )
    manager: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Manager"),
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, warehouse: Warehouse | None = None, **kw: Any):
        super().__init__(*args, **kw)
        places = scoped(
            Place.objects.select_related("admin_unit").order_by("kind", "name_en"),
            user,
            MANAGE_WAREHOUSE,
        )
        _mc(self, "place").queryset = places
        _mc(self, "place").label_from_instance = lambda p: (  # type: ignore[method-assign,assignment]
            f"{p.name} · {p.get_kind_display()} ({p.admin_unit.pcode})"
        )
        _mc(self, "manager").queryset = User.objects.filter(is_active=True).order_by("full_name")
        if warehouse is None:
            del self.fields["active"]
        else:
            self.fields["code"].disabled = True


class ThresholdForm(BootstrapMixin, forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.none(), to_field_name="public_id"
    )
    minimum = _qty(label=_("Alert below"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mc(self, "item").queryset = stock_items()
        _mc(self, "item").label_from_instance = _item_label  # type: ignore[method-assign,assignment]


# --- movements ---------------------------------------------------------------------------


class _MovementForm(BootstrapMixin, RequestKeyMixin, forms.Form):
    warehouse: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), to_field_name="public_id"
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Funding project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    date = forms.DateField(label=_("Date"), widget=_date())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        _mc(self, "warehouse").queryset = warehouses_for(user)
        if "project" in self.fields:
            _mc(self, "project").queryset = projects_for(user)
            _mc(self, "project").label_from_instance = _project_label  # type: ignore[method-assign,assignment]


class LineForm(BootstrapMixin, forms.Form):
    item: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.none(), to_field_name="public_id", required=False
    )
    quantity = _qty(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mc(self, "item").queryset = stock_items()
        _mc(self, "item").label_from_instance = _item_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") is not None and not data.get("quantity"):
            self.add_error("quantity", _("Give a quantity above zero."))
        return data


class ReceiptLineForm(LineForm):
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        max_digits=16,
        decimal_places=2,
        min_value=ZERO,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )


class AdjustmentLineForm(LineForm):
    direction = forms.TypedChoiceField(
        label=_("Direction"),
        choices=[(-1, _("Lost or damaged (−)")), (1, _("Found (+)"))],
        coerce=int,
        initial=-1,
    )


ReceiptLineFormSet = formset_factory(ReceiptLineForm, formset=_LinesFormSet, extra=3)
TransferLineFormSet = formset_factory(LineForm, formset=_LinesFormSet, extra=3)
AdjustmentLineFormSet = formset_factory(AdjustmentLineForm, formset=_LinesFormSet, extra=2)


class ReceiptForm(_MovementForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    donor: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("In-kind donor"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For a donation in kind, instead of a supplier."),
    )
    delivery_note = forms.CharField(label=_("Delivery note"), max_length=80, required=False)
    batch = forms.CharField(label=_("Batch"), max_length=80, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _mc(self, "donor").queryset = Organisation.objects.filter(is_active=True).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("supplier") and data.get("donor") is None:
            self.add_error("supplier", _("Give the supplier, or the donor of a donation in kind."))
        return data


class TransferForm(_MovementForm):
    to_warehouse: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("To warehouse"), queryset=Warehouse.objects.none(), to_field_name="public_id"
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["warehouse"].label = _("From warehouse")
        # The destination may lie in a governorate where the sender only sees stock.
        _mc(self, "to_warehouse").queryset = warehouses_for(user, VIEW)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("warehouse") is not None and data.get("warehouse") == data.get("to_warehouse"):
            self.add_error("to_warehouse", _("Choose another warehouse than the one sending."))
        return data


class KittingForm(_MovementForm):
    kit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Kit"), queryset=Kit.objects.none(), to_field_name="public_id"
    )
    quantity = forms.IntegerField(
        label=_("Kits to assemble"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )

    field_order = ["warehouse", "kit", "quantity", "project", "date"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _mc(self, "kit").queryset = Kit.objects.filter(active=True).order_by("kind", "code")


class AdjustmentForm(_MovementForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[c for c in Movement.Reason.choices if c[0] != Movement.Reason.COUNT],
    )
    notes = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What happened, for the person who approves."),
    )


class CountStartForm(BootstrapMixin, forms.Form):
    warehouse: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), to_field_name="public_id"
    )
    show_book = forms.BooleanField(
        label=_("Show the book balances on the sheet"),
        required=False,
        help_text=_("A blind count (balances hidden) finds more mistakes."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mc(self, "warehouse").queryset = warehouses_for(user)


class CountForm(BootstrapMixin, RequestKeyMixin, forms.Form):
    date = forms.DateField(label=_("Date of the count"), widget=_date())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i, row in enumerate(rows):
            self.fields[f"counted_{i}"] = _qty(
                label=row["label"],
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "dir": "ltr",
                        "class": "form-control",
                    }
                ),
            )

    def bound_rows(self) -> list[dict[str, Any]]:
        return [{**row, "field": self[f"counted_{i}"]} for i, row in enumerate(self.rows)]

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for i, row in enumerate(self.rows):
            counted = self.cleaned_data.get(f"counted_{i}")
            if counted is not None:
                out.append({"item": row["item"], "project": row["project"], "counted": counted})
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("Enter the counted quantity of at least one item."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, required=False)


# --- filters -----------------------------------------------------------------------------


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class MovementFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Movement.Kind.choices, empty_label=_("All kinds"), widget=_select()
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Movement.Status.choices,
        empty_label=_("All statuses"),
        widget=_select(),
    )
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        to_field_name="public_id",
        empty_label=_("All warehouses"),
        method="filter_warehouse",
        widget=_select(),
    )
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    date_to = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    class Meta:
        model = Movement
        fields = ["kind", "status", "warehouse", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        warehouse = self.filters["warehouse"]
        warehouse.queryset = warehouses_for(user, VIEW)
        warehouse.__dict__.pop("_field", None)

    def filter_warehouse(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        from django.db.models import Q

        return queryset.filter(Q(warehouse=value) | Q(to_warehouse=value))


class OverviewFilterForm(forms.Form):
    warehouse: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All warehouses"),
        widget=_select(),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *Item.Category.choices],
        required=False,
        widget=_select(),
    )
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All projects"),
        widget=_select(),
    )
    low = forms.BooleanField(
        label=_("Only low stock"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mc(self, "warehouse").queryset = warehouses_for(user, VIEW)
        _mc(self, "project").queryset = scoped(Project.objects.order_by("code"), user, PROJECT_VIEW)
