"""Forms adapt web input for the services; the rules live in services.py."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.core.errors import ValidationFailed
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import admin_unit_get, admin_units_for_places
from sanad.geo.services import coordinates_check


class _Bootstrap:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def admin_unit_choices(units: Any) -> list[tuple[str, Any]]:
    """Districts and their sub-districts, grouped by governorate, for a <select>."""
    groups: dict[AdminUnit, list[tuple[str, str]]] = defaultdict(list)
    for unit in units:
        indent = "\u2003" if unit.level == AdminUnit.Level.SUBDISTRICT else ""
        groups[unit.governorate].append((unit.pcode, f"{indent}{unit.name} · {unit.pcode}"))
    ordered = sorted(groups.items(), key=lambda item: item[0].name_en)
    return [("", "—"), *[(f"{gov.name} ({gov.pcode})", options) for gov, options in ordered]]


class PlaceForm(_Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Place.Kind.choices)
    name_en = forms.CharField(label=_("Name (English)"), max_length=160)
    name_ar = forms.CharField(
        label=_("Name (Arabic)"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    code = forms.CharField(
        label=_("Site code"),
        max_length=40,
        required=False,
        help_text=_("The code partners use for this place, such as the CCCM site ID."),
    )
    admin_unit = forms.ChoiceField(
        label=_("District or sub-district"),
        required=False,
        help_text=_("Pick from the list, or type a P-code below."),
    )
    admin_unit_pcode = forms.CharField(
        label=_("…or type its P-code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={
                "dir": "ltr",
                "placeholder": "IQG09Q02N02",
                "autocomplete": "off",
                "class": "form-control pcode",
            }
        ),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"}),
        help_text=_("Decimal degrees, for example 36.8671."),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"}),
        help_text=_("Decimal degrees, for example 42.9886."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, instance: Place | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "name_en": instance.name_en,
                "name_ar": instance.name_ar,
                "code": instance.code,
                "admin_unit": instance.admin_unit.pcode,
                "lat": instance.lat,
                "lon": instance.lon,
                "notes": instance.notes,
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        units = list(admin_units_for_places(user=user))
        if instance is not None and instance.admin_unit not in units:
            units.append(instance.admin_unit)  # keep the current unit selectable
        cast(forms.ChoiceField, self.fields["admin_unit"]).choices = admin_unit_choices(units)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        typed = (data.get("admin_unit_pcode") or "").strip()
        chosen = data.get("admin_unit") or ""
        try:
            if typed:
                data["admin_unit_obj"] = admin_unit_get(pcode=typed)
            elif chosen:
                data["admin_unit_obj"] = admin_unit_get(pcode=chosen)
            else:
                self.add_error(
                    "admin_unit", _("Choose the district or sub-district the place is in.")
                )
        except ValidationFailed as exc:
            self.add_error("admin_unit_pcode" if typed else "admin_unit", str(exc.message))
        if "lat" in data and "lon" in data:
            # The service checks again; checking here too shows every mistake at once.
            try:
                coordinates_check(lat=data["lat"], lon=data["lon"])
            except ValidationFailed as exc:
                for field, messages in exc.fields.items():
                    self.add_error(field, messages[0])
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "name_en": data["name_en"],
            "name_ar": data["name_ar"],
            "code": data["code"],
            "admin_unit": data["admin_unit_obj"],
            "lat": data["lat"],
            "lon": data["lon"],
            "notes": data["notes"],
        }


class StatusChangeForm(_Bootstrap, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PcodeLookupForm(forms.Form):
    q = forms.CharField(label=_("P-code or name"), max_length=120)
