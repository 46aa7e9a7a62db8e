"""Forms of contacts, the inbox, campaigns and community sessions. They only shape the
input; the services check it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped
from sanad.feedback.models import (
    MANAGE_CAMPAIGN,
    MANAGE_CONTACT,
    MANAGE_SESSION,
    Campaign,
    Channel,
    CommunitySession,
    Language,
    Topic,
)
from sanad.feedback.services.sessions import AGE_GROUPS, SEXES
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Programme
from sanad.targeting.models import BeneficiaryList

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
# The direction of each language's text box, so Arabic and Kurdish are typed right to left
# even on an English page (and English left to right on an Arabic one).
TEXT_DIR = {"ar": "rtl", "ckb": "rtl", "kmr": "ltr", "en": "ltr"}


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _governorates(user: Any, permission: str) -> Any:
    from sanad.geo.selectors import governorates, governorates_within

    qs = governorates()
    reach = governorates_within(user, permission)
    return qs if reach is None else qs.filter(pcode__in=sorted(reach))


def _places(user: Any, permission: str) -> Any:
    return scoped(
        Place.objects.select_related("admin_unit").order_by("name_en"), user, permission
    ).exclude(status="closed")


def _programmes(user: Any, permission: str) -> Any:
    return scoped(Programme.objects.order_by("code"), user, permission)


# --- contacts and the inbox -------------------------------------------------------------------
class ContactForm(BootstrapMixin, forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    governorate = forms.ModelChoiceField(label=_("Governorate"), queryset=AdminUnit.objects.none())
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    consent_given = forms.BooleanField(
        label=_("The person agreed to receive messages"), required=False
    )
    consent_recorded_on = forms.DateField(label=_("Agreed on"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["governorate"].queryset = _governorates(user, MANAGE_CONTACT)  # type: ignore[attr-defined]
        self.fields["place"].queryset = _places(user, MANAGE_CONTACT)  # type: ignore[attr-defined]


class OptInForm(BootstrapMixin, forms.Form):
    consent_recorded_on = forms.DateField(label=_("Agreed again on"), widget=DATE)


class ReplyForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto", "maxlength": 1600}),
    )


# --- campaigns -------------------------------------------------------------------------------
class AudienceForm(BootstrapMixin, forms.Form):
    """The audience fields (also the campaign preview's GET parameters)."""

    beneficiary_list = forms.ModelChoiceField(
        label=_("Beneficiary list"),
        queryset=BeneficiaryList.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("Leave empty to choose the households by place and status below."),
    )
    governorates = forms.ModelMultipleChoiceField(
        label=_("Governorates"),
        queryset=AdminUnit.objects.none(),
        required=False,
        to_field_name="pcode",
    )
    places = forms.ModelMultipleChoiceField(
        label=_("Camps and places"),
        queryset=Place.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=CHECKS,
        help_text=_("Only people speaking these languages (none ticked: everyone)."),
    )
    displacement_statuses = forms.MultipleChoiceField(
        label=_("Displacement status"), choices=(), required=False, widget=CHECKS
    )
    shelter_types = forms.MultipleChoiceField(
        label=_("Shelter type"), choices=(), required=False, widget=CHECKS
    )
    include_contacts_outside_registry = forms.BooleanField(
        label=_("Also people who are not in the registry (who wrote to us, or added by staff)"),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from sanad.registry.models import DisplacementStatus, ShelterType
        from sanad.targeting.selectors import lists_all

        super().__init__(*args, **kwargs)
        lists = lists_all().filter(
            status__in=[BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE]
        )
        self.fields["beneficiary_list"].queryset = scoped(lists, user, MANAGE_CAMPAIGN)  # type: ignore[attr-defined]
        self.fields["governorates"].queryset = _governorates(user, MANAGE_CAMPAIGN)  # type: ignore[attr-defined]
        self.fields["places"].queryset = _places(user, MANAGE_CAMPAIGN)  # type: ignore[attr-defined]
        self.fields["places"].widget.attrs["size"] = 6
        self.fields["governorates"].widget.attrs["size"] = 4
        self.fields["displacement_statuses"].choices = DisplacementStatus.choices  # type: ignore[attr-defined]
        self.fields["shelter_types"].choices = ShelterType.choices  # type: ignore[attr-defined]

    def audience(self) -> dict[str, Any]:
        data = self.cleaned_data
        lst = data.get("beneficiary_list")
        return {
            "beneficiary_list": str(lst.public_id) if lst is not None else None,
            "governorates": [g.pcode for g in data.get("governorates") or []],
            "places": [str(p.public_id) for p in data.get("places") or []],
            "languages": list(data.get("languages") or []),
            "displacement_statuses": list(data.get("displacement_statuses") or []),
            "shelter_types": list(data.get("shelter_types") or []),
            "include_contacts_outside_registry": bool(
                data.get("include_contacts_outside_registry")
            ),
        }

    @staticmethod
    def initial_from(audience: dict[str, Any]) -> dict[str, Any]:
        return {
            "beneficiary_list": audience.get("beneficiary_list"),
            "governorates": audience.get("governorates") or [],
            "places": audience.get("places") or [],
            "languages": audience.get("languages") or [],
            "displacement_statuses": audience.get("displacement_statuses") or [],
            "shelter_types": audience.get("shelter_types") or [],
            "include_contacts_outside_registry": bool(
                audience.get("include_contacts_outside_registry")
            ),
        }


class CampaignForm(AudienceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    channel = forms.ModelChoiceField(label=_("Send through"), queryset=Channel.objects.none())
    text_ar = forms.CharField(
        label=_("Text in Arabic"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
    )
    text_ckb = forms.CharField(
        label=_("Text in Kurdish (Sorani)"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ckb"}),
    )
    text_kmr = forms.CharField(
        label=_("Text in Kurdish (Badini)"),
        required=False,
        max_length=1600,
        help_text=_("Left empty, Badini speakers get the Sorani text."),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "lang": "kmr"}),
    )
    text_en = forms.CharField(
        label=_("Text in English"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "lang": "en"}),
    )

    field_order = [
        "name",
        "topic",
        "programme",
        "channel",
        "text_ar",
        "text_ckb",
        "text_kmr",
        "text_en",
    ]

    def __init__(
        self, *args: Any, user: Any, campaign: Campaign | None = None, **kwargs: Any
    ) -> None:
        if campaign is not None and not args and "initial" not in kwargs:
            initial = {
                "name": campaign.name,
                "topic": campaign.topic,
                "programme": campaign.programme_id,
                "channel": campaign.channel_id,
                **{f: getattr(campaign, f) for f in ("text_ar", "text_ckb", "text_kmr", "text_en")},
                **self.initial_from(campaign.audience or {}),
            }
            kwargs["initial"] = initial
        super().__init__(*args, user=user, **kwargs)
        self.fields["programme"].queryset = _programmes(user, MANAGE_CAMPAIGN)  # type: ignore[attr-defined]
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            active=True, kind__in=sorted(Channel.MESSAGING_KINDS)
        ).order_by("name")

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "topic": data["topic"],
            "programme": data.get("programme"),
            "channel": data["channel"],
            "text_ar": data.get("text_ar") or "",
            "text_ckb": data.get("text_ckb") or "",
            "text_kmr": data.get("text_kmr") or "",
            "text_en": data.get("text_en") or "",
            "audience": self.audience(),
        }

    def texts(self) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"text_{lang}") or "" for lang in TEXT_DIR}


class ScheduleForm(BootstrapMixin, forms.Form):
    send_at = forms.DateTimeField(label=_("Send at"), widget=DATETIME)


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why cancel?"), max_length=500)


# --- sessions ---------------------------------------------------------------------------------
def _count_name(sex: str, age: str) -> str:
    return f"p_{sex}_{age.replace('-', '_').replace('+', 'plus')}"


PARTICIPANT_FIELDS = [(sex, age, _count_name(sex, age)) for sex in SEXES for age in AGE_GROUPS]


class SessionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunitySession.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    place = forms.ModelChoiceField(
        label=_("Camp or place"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("Or choose the area below when it was not held in a registered place."),
    )
    admin_unit = forms.ChoiceField(label=_("District or sub-district"), required=False)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    facilitators = forms.CharField(label=_("Facilitators"), max_length=300)
    attendees = forms.CharField(
        label=_("Registered participants"),
        required=False,
        help_text=_("Registration ids of the households (their head is counted), one per line."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
    )
    key_findings = forms.CharField(
        label=_("Key findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, user: Any, session: CommunitySession | None = None, **kwargs: Any
    ) -> None:
        from sanad.geo.forms import admin_unit_choices
        from sanad.geo.selectors import admin_units_for_places

        if session is not None and not args and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "kind": session.kind,
                "title": session.title,
                "topic": session.topic,
                "programme": session.programme_id,
                "place": session.place_id,
                "admin_unit": session.admin_unit.pcode,
                "held_on": session.held_on,
                "facilitators": session.facilitators,
                "key_findings": session.key_findings,
                "follow_up": session.follow_up,
                "attendees": "\n".join(
                    sorted({p.household.registration_id for p in session.attendees.all()})
                ),
            }
            counts = session.participants or {}
            for sex, age, name in PARTICIPANT_FIELDS:
                initial[name] = (counts.get(sex) or {}).get(age, 0)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for sex, age, name in PARTICIPANT_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=f"{sex} {age}",
                min_value=0,
                max_value=100000,
                required=False,
                widget=forms.NumberInput(
                    attrs={"class": "form-control", "inputmode": "numeric", "min": 0}
                ),
            )
        self.fields["programme"].queryset = _programmes(user, MANAGE_SESSION)  # type: ignore[attr-defined]
        self.fields["place"].queryset = _places(user, MANAGE_SESSION)  # type: ignore[attr-defined]
        self.fields["admin_unit"].choices = admin_unit_choices(  # type: ignore[attr-defined]
            admin_units_for_places(user=user, permission=MANAGE_SESSION)
        )

    def participant_rows(self) -> list[tuple[str, list[Any]]]:
        """The count boxes as a table: one row per sex, one column per age group."""
        labels = {"female": _("Women and girls"), "male": _("Men and boys")}
        return [
            (str(labels[sex]), [self[_count_name(sex, age)] for age in AGE_GROUPS]) for sex in SEXES
        ]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        unit = None
        if data.get("admin_unit"):
            unit = AdminUnit.objects.filter(pcode=data["admin_unit"]).first()
        participants = {
            sex: {age: int(data.get(_count_name(sex, age)) or 0) for age in AGE_GROUPS}
            for sex in SEXES
        }
        ids = [v for v in re.split(r"[\s,;]+", data.get("attendees") or "") if v]
        return {
            "kind": data["kind"],
            "title": data["title"],
            "topic": data["topic"],
            "programme": data.get("programme"),
            "place": data.get("place"),
            "admin_unit": unit,
            "held_on": data["held_on"],
            "facilitators": data["facilitators"],
            "participants": participants,
            "attendees": ids,
            "key_findings": data.get("key_findings") or "",
            "follow_up": data.get("follow_up") or "",
        }
