"""Forms of the movement pages. They parse what people type; the rules are in
`transport.services.movements`, whose refusals the views put back on the form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ApplicationError
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Project
from sanad.registry.models import Individual
from sanad.transport.models import MANAGE, DeclarationMethod, Fitness, MovementKind, Passenger
from sanad.transport.services._common import PROGRAMME

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}
BORDER_ROWS = 10
SEX_CHOICES = [("", "—"), *Individual.Sex.choices]
OTHER_RELATIONSHIPS = [
    (value, label)
    for value, label in Individual.Relationship.choices
    if value != Individual.Relationship.HEAD
]


def apply_errors(
    form: forms.Form, exc: ApplicationError, mapping: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: beside the field it names (through
    `mapping` for service names that differ), or on top."""
    mapping = mapping or {}
    for name, msgs in exc.fields.items():
        target = mapping.get(name, name)
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(target if target in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        code = f" ({obj.code})" if obj.code else ""
        return f"{obj.name}{code} — {obj.get_kind_display()}"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        governorate = obj.governorate.name if obj.governorate else ""
        return f"{obj.name} ({obj.pcode}){' — ' + governorate if governorate else ''}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on fields added after the form's constructor."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def open_places() -> Any:
    return (
        Place.objects.filter(status=Place.Status.OPEN)
        .exclude(kind__in=(Place.Kind.WAREHOUSE_SITE, Place.Kind.OFFICE))
        .select_related("admin_unit")
        .order_by("name_en")
    )


class MovementForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of movement"), choices=MovementKind.choices)
    origin = PlaceChoiceField(
        label=_("From (origin)"), queryset=Place.objects.none(), to_field_name="public_id"
    )
    destination = PlaceChoiceField(
        label=_("To (destination place)"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("A camp or site. Or give the destination area below."),
    )
    destination_admin_unit = AreaChoiceField(
        label=_("Destination area"),
        queryset=AdminUnit.objects.none(),
        to_field_name="pcode",
        required=False,
        help_text=_("The district or sub-district, for families going to a village or town."),
    )
    requested_date = forms.DateField(label=_("Requested date"), widget=DATE)
    project = ProjectChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "origin").queryset = open_places()
        _model_field(self, "destination").queryset = open_places()
        _model_field(self, "destination_admin_unit").queryset = (
            AdminUnit.objects.filter(
                level__in=(AdminUnit.Level.DISTRICT, AdminUnit.Level.SUBDISTRICT)
            )
            .select_related("governorate")
            .order_by("governorate__name_en", "level", "name_en")
        )
        _model_field(self, "project").queryset = (
            scoped(Project.objects.select_related("programme"), user, MANAGE)
            .filter(programme__code=PROGRAMME)
            .exclude(status=Project.Status.CLOSED)
            .order_by("code")
        )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "origin": d["origin"],
            "destination": d.get("destination"),
            "destination_admin_unit": d.get("destination_admin_unit"),
            "requested_date": d["requested_date"],
            "project": d.get("project"),
            "notes": d.get("notes") or "",
        }


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddHouseholdForm(BootstrapMixin, forms.Form):
    registration_id = forms.CharField(
        label=_("Registration id"),
        max_length=20,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters"}),
    )


class DeclarationForm(BootstrapMixin, forms.Form):
    declaration_on = forms.DateField(label=_("Declaration made on"), widget=DATE)
    method = forms.ChoiceField(label=_("How"), choices=DeclarationMethod.choices)
    witness = forms.CharField(
        label=_("Witness"),
        max_length=120,
        required=False,
        help_text=_("Needed for a verbal declaration."),
    )
    consent_given = forms.BooleanField(
        label=_("Consents to share the manifest with the driver and the destination"),
        required=False,
    )


class LuggageForm(BootstrapMixin, forms.Form):
    luggage_m3 = forms.DecimalField(
        label=_("Luggage (m³)"),
        min_value=0,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


NEED_FIELDS = (
    ("is_older", _("Older (60+)")),
    ("has_disability", _("Disability")),
    ("late_pregnancy", _("Late pregnancy")),
    ("unaccompanied_child", _("Unaccompanied child")),
)


class PassengersForm(BootstrapMixin, forms.Form):
    """Fields `fitness_<pk>`, `is_older_<pk>`… `note_<pk>` for each passenger."""

    def __init__(self, *args: Any, passengers: list[Passenger], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.passengers = passengers
        for p in passengers:
            self.fields[f"fitness_{p.pk}"] = forms.ChoiceField(
                label=_("Fitness to travel"), choices=Fitness.choices, initial=p.fitness
            )
            for name, label in NEED_FIELDS:
                self.fields[f"{name}_{p.pk}"] = forms.BooleanField(
                    label=label, required=False, initial=getattr(p, name)
                )
            self.fields[f"note_{p.pk}"] = forms.CharField(
                label=_("Note"), max_length=300, required=False, initial=p.note
            )
        _bootstrap(self)

    def rows(self) -> list[dict[str, Any]]:
        """Per passenger: the passenger and its bound fields, for the template."""
        return [
            {
                "passenger": p,
                "fitness": self[f"fitness_{p.pk}"],
                "needs": [self[f"{name}_{p.pk}"] for name, _label in NEED_FIELDS],
                "note": self[f"note_{p.pk}"],
            }
            for p in self.passengers
        ]

    def service_data(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = []
        for p in self.passengers:
            item: dict[str, Any] = {"passenger": p, "fitness": d[f"fitness_{p.pk}"]}
            for name, _label in NEED_FIELDS:
                item[name] = bool(d.get(f"{name}_{p.pk}"))
            item["note"] = d.get(f"note_{p.pk}") or ""
            out.append(item)
        return out

    def field_for(self, service_field: str) -> str | None:
        """`passengers.<i>.<name>` → this form's field name."""
        parts = service_field.split(".")
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) >= len(self.passengers):
            return None
        pk = self.passengers[int(parts[1])].pk
        name = f"{parts[2]}_{pk}"
        return name if name in self.fields else None


class BorderForm(BootstrapMixin, forms.Form):
    """A family arriving at the border: the head (given and family name, sex, age or
    date of birth), an optional phone, luggage, and up to BORDER_ROWS other members."""

    head_given_name = forms.CharField(label=_("Head's given name"), max_length=80)
    head_family_name = forms.CharField(label=_("Family name"), max_length=80, required=False)
    head_sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES)
    head_age = forms.IntegerField(
        label=_("Age (years)"),
        min_value=0,
        max_value=110,
        required=False,
        widget=forms.NumberInput({"inputmode": "numeric"}),
    )
    head_date_of_birth = forms.DateField(label=_("or date of birth"), required=False, widget=DATE)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput({"inputmode": "tel"}),
    )
    luggage_m3 = forms.DecimalField(
        label=_("Luggage (m³)"),
        min_value=0,
        max_digits=7,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(NUMBER),
        help_text=_("Leave empty to estimate it from the number of people."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, BORDER_ROWS + 1):
            self.fields[f"m{i}_given_name"] = forms.CharField(
                label=_("Given name"), max_length=80, required=False
            )
            self.fields[f"m{i}_family_name"] = forms.CharField(
                label=_("Family name"), max_length=80, required=False
            )
            self.fields[f"m{i}_sex"] = forms.ChoiceField(
                label=_("Sex"), choices=SEX_CHOICES, required=False
            )
            self.fields[f"m{i}_age"] = forms.IntegerField(
                label=_("Age"),
                min_value=0,
                max_value=110,
                required=False,
                widget=forms.NumberInput({"inputmode": "numeric"}),
            )
            self.fields[f"m{i}_relationship"] = forms.ChoiceField(
                label=_("Relationship"),
                choices=[("", "—"), *OTHER_RELATIONSHIPS],
                required=False,
            )
        _bootstrap(self)
        self.member_index: list[str] = []

    def member_rows(self) -> list[list[Any]]:
        return [
            [
                self[f"m{i}_{name}"]
                for name in ("given_name", "family_name", "sex", "age", "relationship")
            ]
            for i in range(1, BORDER_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("head_age") is None and not d.get("head_date_of_birth"):
            self.add_error("head_age", _("Give the age, or the date of birth."))
        for i in range(1, BORDER_ROWS + 1):
            given = d.get(f"m{i}_given_name")
            others = [d.get(f"m{i}_{n}") for n in ("family_name", "sex", "relationship")]
            age = d.get(f"m{i}_age")
            if not given and not any(others) and age is None:
                continue
            if not given:
                self.add_error(f"m{i}_given_name", _("Give the person's given name."))
            if not d.get(f"m{i}_sex"):
                self.add_error(f"m{i}_sex", _("Choose the person's sex."))
            if age is None:
                self.add_error(f"m{i}_age", _("Give the person's age."))
        return d

    def service_members(self) -> list[dict[str, Any]]:
        """The member dicts for `movement_border_register`; `member_index[i]` is the
        form prefix of the i-th member (`head`, `m3`…), to put errors back."""
        d = self.cleaned_data
        head: dict[str, Any] = {
            "given_name": d["head_given_name"],
            "family_name": d.get("head_family_name") or "",
            "sex": d["head_sex"],
            "relationship": Individual.Relationship.HEAD,
        }
        if d.get("head_date_of_birth"):
            head["date_of_birth"] = d["head_date_of_birth"]
        else:
            head["age"] = d["head_age"]
        members = [head]
        self.member_index = ["head"]
        for i in range(1, BORDER_ROWS + 1):
            if not d.get(f"m{i}_given_name"):
                continue
            member: dict[str, Any] = {
                "given_name": d[f"m{i}_given_name"],
                "sex": d[f"m{i}_sex"],
                "age": d[f"m{i}_age"],
            }
            if d.get(f"m{i}_family_name"):
                member["family_name"] = d[f"m{i}_family_name"]
            if d.get(f"m{i}_relationship"):
                member["relationship"] = d[f"m{i}_relationship"]
            members.append(member)
            self.member_index.append(f"m{i}")
        return members

    def field_for(self, service_field: str) -> str | None:
        """`members.<i>.<registry field>` → this form's field name."""
        parts = service_field.split(".")
        if len(parts) < 3 or parts[0] != "members" or not parts[1].isdigit():
            return "phone" if service_field.startswith("phones") else None
        i = int(parts[1])
        if i >= len(self.member_index):
            return None
        prefix = self.member_index[i]
        name = parts[2]
        for key in ("given_name", "family_name"):
            if name.startswith(key):
                name = key
        if name == "date_of_birth":
            name = "date_of_birth" if prefix == "head" else "age"
        field = f"{prefix}_{name}"
        return field if field in self.fields else None
