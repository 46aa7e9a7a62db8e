"""The form that starts a project's donor report: the period in whole months, the format,
and whether the report is shared outside the mission (then small counts are suppressed;
always so for a donor viewer)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin
from sanad.core.errors import ValidationFailed
from sanad.programmes.models import Project
from sanad.reporting.periods import parse_period
from sanad.reporting.services.donor import default_period_for
from sanad.reporting.suppression import outside_mission

FORMAT_CHOICES = [("pdf", "PDF"), ("xlsx", "XLSX")]


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class DonorReportForm(BootstrapMixin, forms.Form):
    project = forms.UUIDField(widget=forms.HiddenInput())
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="pdf")
    shared = forms.BooleanField(
        label=_("Shared outside the mission"),
        required=False,
        initial=True,
        help_text=_("Small counts of people are then suppressed."),
    )
    # Generated when the form is shown: sending it twice starts one job.
    idempotency_key = forms.CharField(widget=forms.HiddenInput(), max_length=64, required=False)

    def __init__(self, *args: Any, project: Project, user: Any, **kwargs: Any) -> None:
        start, end = default_period_for(project)
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(
            {
                "project": project.public_id,
                "from": f"{start:%Y-%m}",
                "to": f"{end:%Y-%m}",
                "idempotency_key": new_idempotency_key(),
            }
        )
        kwargs.setdefault("auto_id", f"donor-{project.public_id.hex[:8]}-%s")
        super().__init__(*args, **kwargs)
        self.for_project = project
        self.outside = outside_mission(user)
        month = {"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}", "dir": "ltr"}
        # "from" is a Python keyword: the fields are added by name.
        self.fields = {
            "from": forms.CharField(
                label=_("From (month)"),
                max_length=10,
                widget=forms.TextInput(attrs={**month, "class": "form-control"}),
            ),
            "to": forms.CharField(
                label=_("To (month)"),
                max_length=10,
                widget=forms.TextInput(attrs={**month, "class": "form-control"}),
            ),
            **self.fields,
        }
        if self.outside:
            shared = self.fields["shared"]
            shared.disabled = True
            shared.help_text = _("Reports for donors always have small counts suppressed.")

    def clean_idempotency_key(self) -> str:
        key = (self.cleaned_data.get("idempotency_key") or "").strip()
        try:
            return str(uuid.UUID(key))
        except ValueError:
            return new_idempotency_key()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.outside:
            data["shared"] = True
        if data.get("from") and data.get("to"):
            try:
                data["start"], data["end"] = parse_period(data["from"], data["to"])
            except ValidationFailed as exc:
                for field, messages in (exc.fields or {"to": [exc.message]}).items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, str(message))
        return data
