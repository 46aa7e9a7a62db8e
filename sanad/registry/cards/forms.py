"""The bulk print form: it only parses what people type (selection.py has the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sanad.accounts.forms import BootstrapMixin

LAYOUT_CHOICES = [
    ("a6", _("A6: four cards per A4 sheet")),
    ("a7", _("A7: eight cards per A4 sheet")),
]


class BulkCardsForm(BootstrapMixin, forms.Form):
    households = forms.CharField(
        label=_("Households"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "placeholder": "SND-7K3M-Q9PX"}),
        help_text=_("Registration ids, one per line (or separated by commas)."),
    )
    q = forms.CharField(
        label=_("Or every household matching a search"),
        required=False,
        max_length=200,
        help_text=_("A name, phone number, document number or registration id."),
    )
    layout = forms.ChoiceField(label=_("Card size"), choices=LAYOUT_CHOICES, initial="a6")
