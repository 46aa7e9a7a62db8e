"""Forms adapt the registry pages' input for the services; the rules are in services.

A household and its members are edited on one page: `HouseholdForm` for the
household (and its phones), `MemberFormSet` for the members (one card per member,
documents inside), `ConsentsForm` for consent per purpose. Most fields are optional
here so that the service, which also serves the API and imports, says what is
missing in one sentence per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.geo.forms import admin_unit_choices
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import admin_unit_get, admin_units_for_places, governorates
from sanad.registry.models import (
    Consent,
    DisplacementStatus,
    Household,
    Individual,
    IndividualDocument,
    ShelterType,
)

MANAGE = Household.MANAGE_PERMISSION
RESIDENTIAL_PLACES = (
    Place.Kind.FORMAL_CAMP,
    Place.Kind.INFORMAL_SITE,
    Place.Kind.COLLECTIVE_CENTRE,
    Place.Kind.VILLAGE,
)
DOCUMENT_KINDS = tuple(IndividualDocument.Kind.values)
BLANK = [("", "—")]


class _Bootstrap:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d")


def _arabic(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"dir": "rtl", "lang": "ar", "autocomplete": "off", **attrs})


def _latin(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"dir": "ltr", "lang": "en", "autocomplete": "off", **attrs})


def governorate_choices() -> list[tuple[str, str]]:
    return [*BLANK, *[(g.pcode, g.name) for g in governorates()]]


def place_choices(places: QuerySet[Place] | list[Place]) -> list[tuple[str, Any]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for place in places:
        gov = place.admin_unit.governorate
        label = gov.name if gov is not None else ""
        grouped.setdefault(label, []).append(
            (str(place.public_id), f"{place.name} · {place.get_kind_display()}")
        )
    return [("", _("None: lives out of camp")), *sorted(grouped.items())]


def places_for_households(user: Any) -> QuerySet[Place]:
    """Open camps, sites, collective centres and villages where `user` may register."""
    qs = Place.objects.filter(status=Place.Status.OPEN, kind__in=RESIDENTIAL_PLACES)
    return scoped(qs, user, MANAGE).select_related("admin_unit__governorate").order_by("name_en")


def apply_errors(
    form: forms.Form, fields: Mapping[str, Any], mapping: Mapping[str, str] | None = None
) -> list[str]:
    """Put service errors on the form's fields; returns those that fit no field."""
    left: list[str] = []
    for name, messages in fields.items():
        target = (mapping or {}).get(name, name)
        for msg in messages if isinstance(messages, list | tuple) else [messages]:
            if target in form.fields:
                form.add_error(target, str(msg))
            else:
                left.append(str(msg))
    return left


# --- household ------------------------------------------------------------------------


class HouseholdForm(_Bootstrap, forms.Form):
    place = forms.ChoiceField(
        label=_("Camp or site"),
        required=False,
        help_text=_("Leave empty for a family living out of camp, and choose the area below."),
    )
    admin_unit = forms.ChoiceField(
        label=_("District or sub-district"),
        required=False,
        help_text=_("Where the family lives; filled in from the camp when one is chosen."),
    )
    admin_unit_pcode = forms.CharField(
        label=_("…or type its P-code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "placeholder": "IQG09Q02N02", "class": "form-control pcode"}
        ),
    )
    displacement_status = forms.ChoiceField(
        label=_("Displacement status"),
        choices=[*BLANK, *DisplacementStatus.choices],
        required=False,
    )
    shelter_type = forms.ChoiceField(
        label=_("Shelter type"),
        choices=ShelterType.choices,
        required=False,
        initial=ShelterType.UNKNOWN,
    )
    origin_admin_unit = forms.ChoiceField(label=_("Area of origin"), required=False)
    origin_place_name = forms.CharField(
        label=_("Place of origin (village, neighbourhood)"), max_length=200, required=False
    )
    displaced_on = forms.DateField(
        label=_("Date of first displacement"), required=False, widget=_date_input()
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: Household | None = None,
        phones: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        phones = list(
            phones
            if phones is not None
            else (instance.phones.values_list("number", flat=True) if instance else [])
        )
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "place": str(instance.place.public_id) if instance.place else "",
                "admin_unit": instance.admin_unit.pcode,
                "displacement_status": instance.displacement_status,
                "shelter_type": instance.shelter_type,
                "origin_admin_unit": (
                    instance.origin_admin_unit.pcode if instance.origin_admin_unit else ""
                ),
                "origin_place_name": instance.origin_place_name,
                "displaced_on": instance.displaced_on,
                "notes": instance.notes,
            }
        initial: dict[str, Any] = dict(kwargs.get("initial") or {})
        for i, number in enumerate(phones):
            initial[f"phone_{i}"] = number
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.phone_count = max(2, len(phones) + 1)
        for i in range(self.phone_count):
            self.fields[f"phone_{i}"] = forms.CharField(
                label=_("Phone %(n)s") % {"n": i + 1},
                max_length=30,
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control",
                        "type": "tel",
                        "inputmode": "tel",
                        "dir": "ltr",
                        "placeholder": "0750 123 4567",
                    }
                ),
            )
        places = list(places_for_households(user))
        if instance is not None and instance.place is not None and instance.place not in places:
            places.append(instance.place)
        cast(forms.ChoiceField, self.fields["place"]).choices = place_choices(places)
        units = list(admin_units_for_places(user=user, permission=MANAGE))
        if instance is not None and instance.admin_unit not in units:
            units.append(instance.admin_unit)
        cast(forms.ChoiceField, self.fields["admin_unit"]).choices = admin_unit_choices(units)
        cast(forms.ChoiceField, self.fields["origin_admin_unit"]).choices = admin_unit_choices(
            AdminUnit.objects.filter(level__in=[2, 3])
            .select_related("governorate")
            .order_by("pcode")
        )
        self._places = {str(p.public_id): p for p in places}

    def phone_fields(self) -> list[Any]:
        return [self[f"phone_{i}"] for i in range(self.phone_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = (data.get("admin_unit_pcode") or "").strip()
        if typed:
            try:
                data["admin_unit"] = admin_unit_get(pcode=typed).pcode
            except ValidationFailed as exc:
                self.add_error("admin_unit_pcode", str(exc.message))
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        place = self._places.get(d.get("place") or "")
        return {
            "place": place,
            # With a camp chosen, the camp says where the family is.
            "admin_unit": None
            if place is not None and not (d.get("admin_unit_pcode") or "").strip()
            else (d.get("admin_unit") or None),
            "displacement_status": d.get("displacement_status") or "",
            "shelter_type": d.get("shelter_type") or ShelterType.UNKNOWN,
            "origin_admin_unit": d.get("origin_admin_unit") or None,
            "origin_place_name": d.get("origin_place_name") or "",
            "displaced_on": d.get("displaced_on"),
            "notes": d.get("notes") or "",
        }

    def service_phones(self) -> list[str]:
        return [self.cleaned_data.get(f"phone_{i}") or "" for i in range(self.phone_count)]

    def error_mapping(self) -> dict[str, str]:
        return {f"phones.{i}": f"phone_{i}" for i in range(self.phone_count)}


# --- members --------------------------------------------------------------------------

_DIFFICULTY = [("", "—"), *[(str(v), label) for v, label in Individual.Difficulty.choices]]


class MemberForm(_Bootstrap, forms.Form):
    id = forms.CharField(required=False, widget=forms.HiddenInput())
    relationship = forms.ChoiceField(
        label=_("Relationship to head"),
        choices=[*BLANK, *Individual.Relationship.choices],
        required=False,
    )
    given_name_ar = forms.CharField(
        label=_("Given name (Arabic script)"), max_length=80, required=False, widget=_arabic()
    )
    fathers_name_ar = forms.CharField(
        label=_("Father's name (Arabic script)"), max_length=80, required=False, widget=_arabic()
    )
    grandfathers_name_ar = forms.CharField(
        label=_("Grandfather's name (Arabic script)"),
        max_length=80,
        required=False,
        widget=_arabic(),
    )
    family_name_ar = forms.CharField(
        label=_("Family or tribal name (Arabic script)"),
        max_length=80,
        required=False,
        widget=_arabic(),
    )
    given_name_en = forms.CharField(
        label=_("Given name (Latin)"), max_length=80, required=False, widget=_latin()
    )
    fathers_name_en = forms.CharField(
        label=_("Father's name (Latin)"), max_length=80, required=False, widget=_latin()
    )
    grandfathers_name_en = forms.CharField(
        label=_("Grandfather's name (Latin)"), max_length=80, required=False, widget=_latin()
    )
    family_name_en = forms.CharField(
        label=_("Family or tribal name (Latin)"), max_length=80, required=False, widget=_latin()
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[*BLANK, *Individual.Sex.choices], required=False
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_date_input())
    age = forms.IntegerField(
        label=_("…or age in years"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
        help_text=_("When the date is unknown: the date of birth is then estimated."),
    )
    dob_estimated = forms.BooleanField(label=_("Date of birth estimated"), required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"),
        choices=[*BLANK, *Individual.MaritalStatus.choices],
        required=False,
    )
    is_pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    has_chronic_illness = forms.BooleanField(label=_("Chronic illness"), required=False)
    is_unaccompanied_or_separated = forms.BooleanField(
        label=_("Unaccompanied or separated child"), required=False
    )
    is_alternate_collector = forms.BooleanField(
        label=_("May collect on the household's behalf"), required=False
    )
    wg_seeing = forms.ChoiceField(
        label=_("Seeing, even with glasses"), choices=_DIFFICULTY, required=False
    )
    wg_hearing = forms.ChoiceField(
        label=_("Hearing, even with a hearing aid"), choices=_DIFFICULTY, required=False
    )
    wg_walking = forms.ChoiceField(
        label=_("Walking or climbing steps"), choices=_DIFFICULTY, required=False
    )
    wg_cognition = forms.ChoiceField(
        label=_("Remembering or concentrating"), choices=_DIFFICULTY, required=False
    )
    wg_selfcare = forms.ChoiceField(
        label=_("Self-care, such as washing or dressing"), choices=_DIFFICULTY, required=False
    )
    wg_communication = forms.ChoiceField(
        label=_("Communicating"), choices=_DIFFICULTY, required=False
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "dir": "ltr", "placeholder": "0750 123 4567"}
        ),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[*BLANK, *(Individual._meta.get_field("preferred_language").choices or ())],
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=Individual.Status.choices, required=False)
    status_reason = forms.CharField(
        label=_("Why is the person no longer a member?"), max_length=300, required=False
    )

    NAME_FIELDS = (
        "given_name_ar",
        "fathers_name_ar",
        "grandfathers_name_ar",
        "family_name_ar",
        "given_name_en",
        "fathers_name_en",
        "grandfathers_name_en",
        "family_name_en",
    )
    WG_FIELDS = Individual.WG_DOMAINS
    FLAG_FIELDS = (
        "is_pregnant",
        "has_chronic_illness",
        "is_unaccompanied_or_separated",
        "is_alternate_collector",
    )
    VALUE_FIELDS = (
        *NAME_FIELDS,
        "relationship",
        "sex",
        "date_of_birth",
        "dob_estimated",
        "marital_status",
        *FLAG_FIELDS,
        *WG_FIELDS,
        "phone",
        "preferred_language",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gov_choices = governorate_choices()
        for kind, label in IndividualDocument.Kind.choices:
            self.fields[f"doc_{kind}"] = forms.CharField(
                label=label,
                max_length=40,
                required=False,
                widget=forms.TextInput(
                    attrs={"class": "form-control", "dir": "ltr", "autocomplete": "off"}
                ),
            )
            self.fields[f"doc_{kind}_gov"] = forms.ChoiceField(
                label=_("Issued in"),
                choices=gov_choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    @property
    def is_existing(self) -> bool:
        return bool(self.initial.get("id") or (self.data and self.data.get(self.add_prefix("id"))))

    def name_fields(self, script: str) -> list[Any]:
        return [self[n] for n in self.NAME_FIELDS if n.endswith(f"_{script}")]

    def wg_fields(self) -> list[Any]:
        return [self[n] for n in self.WG_FIELDS]

    def flag_fields(self) -> list[Any]:
        return [self[n] for n in self.FLAG_FIELDS]

    def document_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"doc_{kind}"], self[f"doc_{kind}_gov"]) for kind in DOCUMENT_KINDS]

    def documents_count(self) -> int:
        return sum(1 for kind in DOCUMENT_KINDS if self[f"doc_{kind}"].value())

    def is_blank(self) -> bool:
        """A new card left empty is ignored."""
        if self.cleaned_data.get("id"):
            return False
        return not self.has_changed()

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {name: d.get(name) for name in self.VALUE_FIELDS}
        for name in self.WG_FIELDS:
            data[name] = d.get(name) or None
        if d.get("date_of_birth") is None and d.get("age") is not None:
            data.pop("date_of_birth")
            data["age"] = d["age"]
        self.document_kinds: list[str] = []
        documents = []
        for kind in DOCUMENT_KINDS:
            number = (d.get(f"doc_{kind}") or "").strip()
            if number:
                documents.append(
                    {
                        "kind": kind,
                        "number": number,
                        "issuing_governorate": d.get(f"doc_{kind}_gov") or None,
                    }
                )
                self.document_kinds.append(kind)
        data["documents"] = documents
        if d.get("id"):
            data["id"] = d["id"]
            data["status"] = d.get("status") or Individual.Status.ACTIVE
            data["status_reason"] = d.get("status_reason") or ""
        return data

    def error_mapping(self) -> dict[str, str]:
        mapping = {"age": "age", "status_reason": "status_reason"}
        for j, kind in enumerate(getattr(self, "document_kinds", [])):
            mapping[f"documents.{j}.number"] = f"doc_{kind}"
            mapping[f"documents.{j}.kind"] = f"doc_{kind}"
            mapping[f"documents.{j}.issuing_governorate"] = f"doc_{kind}_gov"
        return mapping


def member_initial(member: Individual) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(member, name) for name in MemberForm.VALUE_FIELDS}
    for name in MemberForm.WG_FIELDS:
        value = getattr(member, name)
        data[name] = str(value) if value is not None else ""
    data["id"] = str(member.public_id)
    data["status"] = member.status
    for doc in member.documents.all():
        data[f"doc_{doc.kind}"] = doc.number
        data[f"doc_{doc.kind}_gov"] = (
            doc.issuing_governorate.pcode if doc.issuing_governorate else ""
        )
    return data


class _BaseMemberFormSet(forms.BaseFormSet):
    def member_forms(self) -> list[MemberForm]:
        """The forms that carry a member, in order (deleted and blank new cards left out)."""
        out = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if form.cleaned_data.get("DELETE") and not form.cleaned_data.get("id"):
                continue
            if cast(MemberForm, form).is_blank():
                continue
            out.append(cast(MemberForm, form))
        return out


MemberFormSet = formset_factory(MemberForm, formset=_BaseMemberFormSet, extra=0, can_delete=True)


def apply_member_errors(forms_in_order: list[MemberForm], fields: Mapping[str, Any]) -> list[str]:
    """Put `members.N.field` errors on the N-th member card; return the others."""
    left: list[str] = []
    for path, messages in fields.items():
        parts = path.split(".", 2)
        if parts[0] != "members":
            continue
        if len(parts) < 3 or not parts[1].isdigit() or int(parts[1]) >= len(forms_in_order):
            left.extend(
                str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])
            )
            continue
        form = forms_in_order[int(parts[1])]
        left.extend(apply_errors(form, {parts[2]: messages}, form.error_mapping()))
    return left


# --- consent --------------------------------------------------------------------------

_GIVEN = [("", _("Not recorded")), ("yes", _("Given")), ("no", _("Refused"))]


class ConsentsForm(_Bootstrap, forms.Form):
    """Consent and legal basis for each purpose, as asked at registration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose, _label in Consent.Purpose.choices:
            self.fields[f"{purpose}_given"] = forms.ChoiceField(
                label=_("Consent"),
                choices=_GIVEN,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"{purpose}_basis"] = forms.ChoiceField(
                label=_("Legal basis"),
                choices=[*BLANK, *Consent.LegalBasis.choices],
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (label, self[f"{p}_given"], self[f"{p}_basis"]) for p, label in Consent.Purpose.choices
        ]

    def service_consents(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self._index: dict[int, str] = {}
        for purpose, _label in Consent.Purpose.choices:
            given = self.cleaned_data.get(f"{purpose}_given")
            basis = self.cleaned_data.get(f"{purpose}_basis")
            if given or basis:
                self._index[len(out)] = purpose
                out.append({"purpose": purpose, "legal_basis": basis or "", "given": given != "no"})
        return out

    def error_mapping(self) -> dict[str, str]:
        mapping = {}
        for idx, purpose in getattr(self, "_index", {}).items():
            mapping[f"consents.{idx}.legal_basis"] = f"{purpose}_basis"
            mapping[f"consents.{idx}.purpose"] = f"{purpose}_basis"
            mapping[f"consents.{idx}.given"] = f"{purpose}_given"
        return mapping


class ConsentForm(_Bootstrap, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=[*BLANK, *Consent.LegalBasis.choices], required=False
    )
    given = forms.ChoiceField(
        label=_("Consent"), choices=[("yes", _("Given")), ("no", _("Refused"))]
    )
    recorded_on = forms.DateField(label=_("Recorded on"), required=False, widget=_date_input())
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), required=False, widget=_date_input())
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "purpose": d["purpose"],
            "legal_basis": d.get("legal_basis") or "",
            "given": d.get("given") != "no",
            "recorded_on": d.get("recorded_on"),
            "withdrawn_on": d.get("withdrawn_on"),
            "notes": d.get("notes") or "",
        }


# --- move and status ------------------------------------------------------------------


class MoveForm(_Bootstrap, forms.Form):
    to_place = forms.ChoiceField(label=_("Camp or site"), required=False)
    to_admin_unit = forms.ChoiceField(label=_("District or sub-district"), required=False)
    to_admin_unit_pcode = forms.CharField(
        label=_("…or type its P-code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "placeholder": "IQG15Q01", "class": "form-control pcode"}
        ),
    )
    moved_on = forms.DateField(label=_("Date of the move"), required=False, widget=_date_input())
    displacement_status = forms.ChoiceField(
        label=_("Displacement status after the move"),
        choices=[*BLANK, *DisplacementStatus.choices],
        required=False,
    )
    shelter_type = forms.ChoiceField(
        label=_("Shelter type after the move"),
        choices=ShelterType.choices,
        required=False,
        initial=ShelterType.UNKNOWN,
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Families move anywhere, home included: every open residential place and unit.
        places = list(
            Place.objects.filter(status=Place.Status.OPEN, kind__in=RESIDENTIAL_PLACES)
            .select_related("admin_unit__governorate")
            .order_by("name_en")
        )
        self._places = {str(p.public_id): p for p in places}
        cast(forms.ChoiceField, self.fields["to_place"]).choices = place_choices(places)
        cast(forms.ChoiceField, self.fields["to_admin_unit"]).choices = admin_unit_choices(
            AdminUnit.objects.filter(level__in=[2, 3])
            .select_related("governorate")
            .order_by("pcode")
        )

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        place = self._places.get(d.get("to_place") or "")
        typed = (d.get("to_admin_unit_pcode") or "").strip()
        unit = typed or d.get("to_admin_unit") or None
        return {
            "to_place": place,
            "to_admin_unit": None if place is not None and not typed else unit,
            "moved_on": d.get("moved_on"),
            "displacement_status": d.get("displacement_status") or "",
            "shelter_type": d.get("shelter_type") or ShelterType.UNKNOWN,
            "notes": d.get("notes") or "",
        }


class StatusForm(_Bootstrap, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[])
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = Household.STATUS_MACHINE.allowed(household.status) - {Household.Status.MERGED}
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in Household.Status.choices if value in allowed
        ]
