from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sanad.accounts.models import Organisation, User
from sanad.accounts.roles import Role
from sanad.core.areas import ProgrammeArea


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is not right. Check both and try again; after several "
            "failed attempts the account is locked for a while."
        ),
        "inactive": _("This account is deactivated. Ask an administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username"}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )


class BootstrapMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class UserCreateForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to let the person set one through the password-reset e-mail."),
    )


class RoleAssignForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    all_governorates = forms.BooleanField(label=_("All governorates"), required=False)
    governorates = forms.MultipleChoiceField(
        label=_("Governorates"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    all_programmes = forms.BooleanField(label=_("All programmes"), required=False)
    programmes = forms.MultipleChoiceField(
        label=_("Programmes"),
        required=False,
        choices=ProgrammeArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sanad.geo.models import AdminUnit

        governorates = cast(forms.MultipleChoiceField, self.fields["governorates"])
        governorates.choices = [
            (u.pcode, f"{u.name} ({u.pcode})")
            for u in AdminUnit.objects.filter(level=1).order_by("name_en")
        ]


class ApiTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("What will use this token?"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=365)


class ProfileForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "preferred_language"]
