"""Forms of the assessments part: the engineer's phone-sized assessment form (property,
checklist, photos and the bill of quantities as a formset), the price catalogue, and
prioritisation rounds. They parse input; the rules are in the services, whose refusals
the views put back on the form (`apply_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for
from sanad.geo.forms import admin_unit_choices
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import admin_units_for_places
from sanad.programmes.models import Project
from sanad.shelter.models import ASSESS, COMPONENTS, MANAGE_CASE, PriceItem, Property
from sanad.shelter.models.common import Component, ComponentState, Currency, DamageCategory, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.BaseForm, exc: ValidationFailed, *, boq: Any = None) -> None:
    """Put a service's refusal beside the field it names, or on top of the form."""
    placed = False
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            if field == "boq" and boq is not None:
                boq._non_form_errors = boq.error_class([*boq.non_form_errors(), str(message)])
            else:
                form.add_error(field if field in form.fields else None, str(message))
            placed = True
    if not placed or exc.code == "boq_no_price":
        form.add_error(None, str(exc.message))


def projects_for(user: Any, permission: str) -> Any:
    """Active or planned projects of the programmes `user` reaches with `permission`."""
    codes: set[str] = set()
    every = False
    for grant in grants_for(user, permission):
        every = every or grant.all_programmes
        codes |= set(grant.programmes)
    qs = Project.objects.select_related("programme").exclude(status=Project.Status.CLOSED)
    if not every:
        qs = qs.filter(programme__code__in=sorted(codes))
    return qs.order_by("programme__code", "code")


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.title}"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; on a phone `capture` opens the back camera."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(
                attrs={
                    "accept": "image/*",
                    "capture": "environment",
                    "data-photo-input": "1",
                    "data-too-big": _("Larger than 8 MB, take it again:"),
                }
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [data] if data else []


class AssessmentForm(BootstrapMixin, forms.Form):
    registration_id = forms.CharField(
        label=_("Household registration id"),
        max_length=20,
        required=False,
        help_text=_("From the family's card. Leave empty for an unregistered occupant."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "dir": "ltr"}),
    )
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    assessed_on = forms.DateField(label=_("Date of the visit"), widget=DATE)
    address = forms.CharField(label=_("Address"), max_length=300)
    admin_unit = forms.ChoiceField(label=_("Sub-district"))
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    tenure = forms.ChoiceField(
        label=_("Occupant's tenure"), choices=Property.Tenure.choices, widget=forms.RadioSelect
    )
    documents = forms.MultipleChoiceField(
        label=_("Tenure documents seen"),
        choices=Property.Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner_name = forms.CharField(label=_("Owner's name (when not the occupant)"), required=False)
    damage = forms.ChoiceField(
        label=_("Damage category"), choices=DamageCategory.choices, widget=forms.RadioSelect
    )
    occupants = forms.IntegerField(
        label=_("People living there"),
        required=False,
        min_value=0,
        max_value=200,
        help_text=_("Empty: the household's size."),
    )
    covered_area_after_m2 = forms.DecimalField(
        label=_("Covered living space after the works (m²)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    habitable = forms.BooleanField(label=_("Habitable now"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos of the damage"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = projects_for(user, ASSESS)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        if projects.count() == 1 and not self.initial.get("project"):
            self.fields["project"].initial = projects.first()
        units = list(admin_units_for_places(user=user, permission=ASSESS))
        cast(forms.ChoiceField, self.fields["admin_unit"]).choices = admin_unit_choices(units)
        for component in COMPONENTS:
            self.fields[f"c_{component}"] = forms.ChoiceField(
                label=Component(component).label,
                choices=ComponentState.choices,
                required=False,
                widget=forms.RadioSelect,
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"

    def component_fields(self) -> list[Any]:
        return [self[f"c_{c}"] for c in COMPONENTS]

    def clean_admin_unit(self) -> AdminUnit:
        code = self.cleaned_data.get("admin_unit") or ""
        unit = AdminUnit.objects.select_related("governorate").filter(pcode=code).first()
        if unit is None:
            raise forms.ValidationError(_("Choose the district or sub-district of the house."))
        return unit

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "registration_id": d.get("registration_id") or "",
            "project": d["project"],
            "assessed_on": d["assessed_on"],
            "address": d["address"],
            "admin_unit": d["admin_unit"],
            "latitude": d.get("latitude"),
            "longitude": d.get("longitude"),
            "tenure": d["tenure"],
            "documents": d.get("documents") or [],
            "owner_name": d.get("owner_name") or "",
            "damage": d["damage"],
            "components": {c: d.get(f"c_{c}") or "" for c in COMPONENTS},
            "occupants": d.get("occupants"),
            "covered_area_after_m2": d.get("covered_area_after_m2"),
            "habitable": d.get("habitable"),
            "notes": d.get("notes") or "",
        }

    @staticmethod
    def initial_from(assessment: Any) -> dict[str, Any]:
        prop = assessment.property
        out = {
            "registration_id": assessment.household.registration_id
            if assessment.household_id
            else "",
            "project": assessment.project_id,
            "assessed_on": assessment.assessed_on,
            "address": prop.address,
            "admin_unit": prop.admin_unit.pcode,
            "latitude": prop.latitude,
            "longitude": prop.longitude,
            "tenure": prop.tenure,
            "documents": prop.documents,
            "owner_name": prop.owner_name,
            "damage": assessment.damage,
            "occupants": assessment.occupants,
            "covered_area_after_m2": assessment.covered_area_after_m2,
            "habitable": assessment.habitable,
            "notes": assessment.notes,
        }
        for c in COMPONENTS:
            out[f"c_{c}"] = (assessment.components or {}).get(c, "")
        return out


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name_en} ({obj.get_unit_display()})"


class BoqLineForm(BootstrapMixin, forms.Form):
    item = ItemChoiceField(
        label=_("Item"), queryset=PriceItem.objects.none(), required=False, to_field_name="code"
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = PriceItem.objects.filter(
            active=True
        ).order_by("component", "code")

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("item") and not d.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        if d.get("quantity") and not d.get("item"):
            self.add_error("item", _("Choose the item."))
        return d


class BaseBoqFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        return [
            {
                "item": f.cleaned_data["item"],
                "quantity": f.cleaned_data["quantity"],
                "note": f.cleaned_data.get("note") or "",
            }
            for f in self.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("item")
        ]


BoqFormSet = forms.formset_factory(
    BoqLineForm, formset=BaseBoqFormSet, extra=3, max_num=200, validate_max=True
)


def boq_formset(data: Any = None, lines: Any = None) -> Any:
    initial = [
        {"item": line.item.code, "quantity": line.quantity, "note": line.note}
        for line in (lines or [])
    ]
    return BoqFormSet(data, prefix="boq", initial=initial or None)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- catalogue ----------------------------------------------------------------------------


class PriceItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    name_ku = forms.CharField(
        label=_("Name in Kurdish"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ckb"}),
    )
    component = forms.ChoiceField(label=_("Component"), choices=Component.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class GovernorateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.pcode})"


class UnitPriceForm(BootstrapMixin, forms.Form):
    governorate = GovernorateChoiceField(
        label=_("Governorate"),
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.GOVERNORATE).order_by("name_en"),
        required=False,
        empty_label=_("All governorates (national price)"),
        to_field_name="pcode",
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    price = forms.DecimalField(
        label=_("Unit price"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class PriceImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Price sheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


# --- prioritisation -----------------------------------------------------------------------


class ListChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_status_display()}"


class PriorityRoundForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    beneficiary_list = ListChoiceField(
        label=_("Vulnerability scores from the list"),
        queryset=PriceItem.objects.none(),
        required=False,
        help_text=_(
            "An approved targeting list (or one in use). Optional when vulnerability weighs 0."
        ),
    )
    weight_damage = forms.IntegerField(label=_("Weight of damage (%)"), min_value=0, max_value=100)
    weight_vulnerability = forms.IntegerField(
        label=_("Weight of vulnerability (%)"), min_value=0, max_value=100
    )

    def __init__(self, *args: Any, user: Any, edit: bool = False, **kwargs: Any) -> None:
        from sanad.shelter.selectors.assessments import lists_for_priority

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects_for(
            user, MANAGE_CASE
        )
        cast(forms.ModelChoiceField, self.fields["beneficiary_list"]).queryset = lists_for_priority(
            user
        )
        if edit:
            del self.fields["project"]
