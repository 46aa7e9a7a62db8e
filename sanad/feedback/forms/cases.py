"""Forms of the case pages: the intake form of the hotline operator (one column, big
buttons), the list filters, one small form per action on a case, and the response
standards. They parse what people type; `feedback.services.cases` checks the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.accounts.models import Organisation
from sanad.core.errors import ValidationFailed
from sanad.feedback.models import (
    LOG_CASE,
    Case,
    CaseNote,
    Category,
    Channel,
    ResponseStandard,
)
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import governorates_within
from sanad.programmes.models import Programme

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class CaseForm(BootstrapMixin, forms.Form):
    """What the hotline operator (or help-desk staff) records, in the order of a call."""

    channel: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Came through"), queryset=Channel.objects.none(), to_field_name="code"
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=Category.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input mt-0"}),
    )
    description = forms.CharField(
        label=_("What the person said"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    anonymous = forms.BooleanField(
        label=_("The person wants to stay anonymous"),
        required=False,
        help_text=_("Nothing that identifies them is kept: no name, phone or household."),
    )
    caller_name = forms.CharField(label=_("Name of the person"), max_length=200, required=False)
    caller_phone = forms.CharField(
        label=_("Phone to answer on"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr", "autocomplete": "off"}),
    )
    caller_sex = forms.ChoiceField(
        label=_("Sex of the person"), choices=Case.Sex.choices, required=False
    )
    caller_age_group = forms.ChoiceField(
        label=_("Age of the person"), choices=Case.AgeGroup.choices, required=False
    )
    household = forms.CharField(
        label=_("Registration id of the household"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "SND-XXXX-XXXX"}),
        help_text=_("If the family is registered: their card shows it."),
    )
    preferred_response = forms.ChoiceField(
        label=_("How the person wants to be answered"),
        choices=Case.PreferredResponse.choices,
        initial=Case.PreferredResponse.CALL,
        required=False,
    )
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        to_field_name="code",
        required=False,
    )
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place (camp, site, village)"),
        queryset=Place.objects.none(),
        to_field_name="public_id",
        required=False,
    )
    admin_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Or the area"),
        queryset=AdminUnit.objects.none(),
        to_field_name="pcode",
        required=False,
        help_text=_("When the place is not in the list."),
    )
    beneficiary_list = forms.UUIDField(required=False, widget=forms.HiddenInput)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DATETIME,
        help_text=_("Empty: now. Fill it in for a suggestion box opened later."),
    )
    message = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.source_message = message
        _choice(self, "channel").queryset = Channel.objects.filter(active=True).order_by(
            "kind", "name"
        )
        reach = governorates_within(user, LOG_CASE)
        places = Place.objects.select_related("admin_unit").order_by("name_en")
        units = AdminUnit.objects.filter(level__in=[1, 2]).order_by("level", "name_en")
        if reach is not None:
            places = places.filter(admin_unit__governorate__pcode__in=sorted(reach))
            units = units.filter(
                Q(governorate__pcode__in=sorted(reach)) | Q(level=1, pcode__in=sorted(reach))
            )
        _choice(self, "place").queryset = places
        _choice(self, "admin_unit").queryset = units
        if message is not None:
            # From an inbound message: its text, contact and channel are the defaults.
            self.fields["channel"].required = False
            self.fields["message"].initial = message.public_id
            if not self.is_bound:
                self.initial.setdefault("description", message.text)
                if message.channel is not None:
                    self.initial.setdefault("channel", message.channel.code)
                self.initial.setdefault("caller_name", message.contact.name)

    def clean_household(self) -> Any:
        value = (self.cleaned_data.get("household") or "").strip().upper()
        if not value:
            return None
        from sanad.registry.selectors import households_visible_to

        household = households_visible_to(self.user).filter(registration_id=value).first()
        if household is None:
            raise forms.ValidationError(_("No registered household with this id in your scope."))
        return household

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.source_message is None
            and not (data.get("description") or "").strip()
            and "description" not in self.errors
        ):
            self.add_error("description", _("Write down what the person said."))
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            name: d.get(name)
            for name in (
                "channel",
                "category",
                "description",
                "anonymous",
                "caller_name",
                "caller_phone",
                "caller_sex",
                "caller_age_group",
                "household",
                "preferred_response",
                "programme",
                "place",
                "admin_unit",
                "received_at",
            )
        }
        if d.get("beneficiary_list"):
            from sanad.targeting.models import BeneficiaryList

            data["beneficiary_list"] = BeneficiaryList.objects.filter(
                public_id=d["beneficiary_list"]
            ).first()
        if self.source_message is not None:
            data["contact"] = self.source_message.contact
        return data


class CaseFilterForm(forms.Form):
    """The filters of the list (GET); every field optional."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open (not answered)")), *Case.Status.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Category.choices]
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    household = forms.UUIDField(required=False, widget=forms.HiddenInput)
    place = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sanad.geo.selectors import governorates

        reach = governorates_within(user, "feedback.view_case")
        govs = governorates()
        if reach is not None:
            govs = govs.filter(pcode__in=sorted(reach))
        gov_field = cast(forms.ChoiceField, self.fields["governorate"])
        gov_field.choices = [("", _("Any")), *[(g.pcode, g.name) for g in govs]]
        prog_field = cast(forms.ChoiceField, self.fields["programme"])
        prog_field.choices = [
            ("", _("Any")),
            *[(p.code, p.name) for p in Programme.objects.order_by("code")],
        ]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs.setdefault("id", f"case-filter-{name}")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {k: v for k, v in self.data.items() if k in self.fields}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# --- actions on a case -----------------------------------------------------------------------
class AssignForm(BootstrapMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    team = forms.CharField(label=_("Or a team"), max_length=120, required=False)

    def __init__(self, *args: Any, users: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u in users}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", "—"),
            *[(key, str(u)) for key, u in self.users.items()],
        ]

    def service_data(self) -> dict[str, Any]:
        return {
            "assignee": self.users.get(self.cleaned_data.get("assignee") or ""),
            "team": self.cleaned_data.get("team", ""),
        }


class ReferForm(BootstrapMixin, forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Referred to"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        to_field_name="public_id",
    )
    note = forms.CharField(
        label=_("What was passed on and why"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RespondForm(BootstrapMixin, forms.Form):
    response = forms.CharField(
        label=_("Answer given to the person"), widget=forms.Textarea(attrs={"rows": 3})
    )
    responded_at = forms.DateTimeField(
        label=_("Answered at"), required=False, widget=DATETIME, help_text=_("Empty: now.")
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CloseForm(BootstrapMixin, forms.Form):
    loop_closed = forms.TypedChoiceField(
        label=_("Did the person confirm they got the answer?"),
        choices=[("yes", _("Yes, the loop is closed")), ("no", _("No (say why)"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    closing_note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        required=False,
        choices=[("", "—"), *[(str(i), str(i)) for i in range(1, 6)]],
        coerce=int,
        empty_value=None,
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class NoteForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(CaseNote.Kind.NOTE, _("Note")), (CaseNote.Kind.CALL, _("Call"))],
        initial=CaseNote.Kind.NOTE,
    )
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RecategoriseForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label=_("New category"), choices=Category.choices)
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EmptyForm(forms.Form):
    def service_data(self) -> dict[str, Any]:
        return {}


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "acknowledge": EmptyForm,
    "assign": AssignForm,
    "refer": ReferForm,
    "respond": RespondForm,
    "close": CloseForm,
    "reopen": ReasonForm,
    "note": NoteForm,
    "recategorise": RecategoriseForm,
}


# --- response standards -------------------------------------------------------------------------
class StandardsForm(forms.Form):
    """Two numbers per category: hours to acknowledge, days to answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {s.category: s for s in ResponseStandard.objects.all()}
        self.rows = []
        for value, label in Category.choices:
            standard = current.get(value)
            hours = forms.IntegerField(
                label=_("Acknowledge within (hours)"),
                min_value=1,
                max_value=24 * 90,
                initial=standard.acknowledge_hours if standard else 48,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            days = forms.IntegerField(
                label=_("Respond within (days)"),
                min_value=1,
                max_value=365,
                initial=standard.respond_days if standard else 14,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"{value}_hours"] = hours
            self.fields[f"{value}_days"] = days
            self.rows.append((value, label))

    def bound_rows(self) -> list[tuple[str, Any, Any, Any]]:
        return [(v, label, self[f"{v}_hours"], self[f"{v}_days"]) for v, label in self.rows]

    def values(self) -> dict[str, tuple[int, int]]:
        d = self.cleaned_data
        return {v: (d[f"{v}_hours"], d[f"{v}_days"]) for v, _label in self.rows}
