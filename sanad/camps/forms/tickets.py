"""Forms of the maintenance pages (tickets, assets, preventive schedules). They parse
what people type; the rules are in `camps.services.tickets/assets/schedules`, whose
refusals the views put back on the form (`apply_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.accounts.models import Organisation
from sanad.camps.models import Asset, Condition, MaintenanceSchedule, Site, Ticket
from sanad.core.errors import ValidationFailed
from sanad.core.scoping import scoped

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def apply_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: beside the field it names, or on top."""
    for field, msgs in exc.fields.items():
        for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input. No `capture` attribute: a phone then offers the
    camera or the photos already taken (in a place without signal, taken earlier)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(
                attrs={
                    "accept": PHOTO_ACCEPT,
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


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _sites(user: Any, permission: str) -> Any:
    return scoped(Site.objects.select_related("place"), user, permission).order_by("place__name_en")


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.place.name} ({obj.place.code})"


class TicketForm(BootstrapMixin, forms.Form):
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id")
    asset = forms.ModelChoiceField(
        label=_("Asset"),
        queryset=Asset.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("The water point, tap, latrine… if the problem is on one."),
    )
    title = forms.CharField(label=_("What is wrong"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Ticket.Category.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL
    )
    source = forms.ChoiceField(
        label=_("Raised by"),
        choices=[
            (Ticket.Source.STAFF, Ticket.Source.STAFF.label),
            (Ticket.Source.INSPECTION, Ticket.Source.INSPECTION.label),
        ],
        initial=Ticket.Source.STAFF,
    )
    asset_condition = forms.ChoiceField(
        label=_("Condition of the asset as found"),
        choices=[("", "—"), *Condition.choices],
        required=False,
    )
    photos = PhotosField(label=_("Photos of the problem"))

    def __init__(
        self, *args: Any, user: Any, permission: str, site: Site | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sites = _sites(user, permission)
        _choices(self, "site").queryset = sites
        if site is not None:
            self.fields["site"].initial = site.public_id
        chosen = site
        if self.is_bound:
            chosen = (
                sites.filter(public_id=self.data.get("site") or None).first()
                if _uuid(self.data.get("site"))
                else None
            )
        _choices(self, "asset").queryset = (
            Asset.objects.filter(site=chosen).order_by("kind", "code")
            if chosen
            else Asset.objects.none()
        )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "description": d.get("description") or "",
            "category": d.get("category") or "",
            "priority": d["priority"],
            "asset_condition": d.get("asset_condition") or "",
            "photos": d.get("photos") or [],
        }


def _uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


class FromCaseForm(TicketForm):
    copy_description = forms.BooleanField(
        label=_("Copy what the person said into the ticket"),
        required=False,
        help_text=_(
            "The case's description is personal data: copy it only if the maintenance team "
            "needs it to do the work."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        del self.fields["source"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["copy_description"] = bool(self.cleaned_data.get("copy_description"))
        data["asset"] = self.cleaned_data.get("asset")
        return data


class TriageForm(BootstrapMixin, forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Ticket.Category.choices)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class AssignForm(BootstrapMixin, forms.Form):
    team = forms.CharField(label=_("Maintenance team"), max_length=120, required=False)
    contractor = forms.ModelChoiceField(
        label=_("Contractor"),
        queryset=Organisation.objects.filter(
            is_active=True, kind=Organisation.Kind.CONTRACTOR
        ).order_by("name"),
        required=False,
    )
    assignee = UserChoiceField(
        label=_("Person"), queryset=None, required=False, to_field_name="username"
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        _choices(self, "assignee").queryset = (
            get_user_model().objects.filter(pk__in=[u.pk for u in users]).order_by("username")
        )


class WorkForm(BootstrapMixin, forms.Form):
    work_done = forms.CharField(
        label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    photos = PhotosField(
        label=_("Photos of the work done"),
        help_text=_("At least one. JPEG, PNG or WebP, up to 8 MB each."),
    )


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssetForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("e.g. TAP-B-04"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    sector = forms.CharField(label=_("Sector or block"), max_length=40, required=False)
    condition = forms.ChoiceField(
        label=_("Condition"), choices=Condition.choices, initial=Condition.GOOD
    )
    installed_on = forms.DateField(label=_("Installed on"), required=False, widget=DATE)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    @classmethod
    def initial_of(cls, asset: Asset) -> dict[str, Any]:
        return {name: getattr(asset, name) for name in cls.base_fields}


class AssetCreateForm(AssetForm):
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id")
    field_order = ["site"]

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        self.order_fields(["site", *AssetForm.base_fields])


class AssetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.site.place.name} · {obj.code} ({obj.get_kind_display()})"


class ScheduleForm(BootstrapMixin, forms.Form):
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="public_id")
    task = forms.CharField(label=_("Task"), max_length=200)
    asset = AssetChoiceField(
        label=_("One asset"),
        queryset=Asset.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    asset_kind = forms.ChoiceField(
        label=_("Or every asset of this kind"),
        choices=[("", "—"), *Asset.Kind.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Ticket.Category.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL
    )
    every_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=3660)
    next_due_on = forms.DateField(label=_("Next due on"), widget=DATE)
    team = forms.CharField(label=_("Maintenance team"), max_length=120, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, sites: Any, schedule: MaintenanceSchedule | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        _choices(self, "asset").queryset = (
            Asset.objects.filter(site__in=sites)
            .select_related("site__place")
            .order_by("site__place__name_en", "kind", "code")
        )
        if schedule is not None:
            del self.fields["site"]
            _choices(self, "asset").queryset = (
                Asset.objects.filter(site=schedule.site)
                .select_related("site__place")
                .order_by("kind", "code")
            )

    @staticmethod
    def initial_of(schedule: MaintenanceSchedule) -> dict[str, Any]:
        return {
            "task": schedule.task,
            "asset": schedule.asset.public_id if schedule.asset else None,
            "asset_kind": schedule.asset_kind,
            "category": schedule.category,
            "priority": schedule.priority,
            "every_days": schedule.every_days,
            "next_due_on": schedule.next_due_on,
            "team": schedule.team,
            "active": schedule.active,
        }

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("site", None)
        return d
