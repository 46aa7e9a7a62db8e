"""The sentences the page, the workbook and the PDF of the donor report show beside the
figures."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _


def _as_of(data: dict[str, Any]) -> str:
    at = data["freshness"]["refreshed_at"]
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else _("not yet summarised")


def _months_note() -> str:
    return _(
        "The months do not add up to the period's total: a person reached in two months "
        "counts in each of them but once in the total."
    )


def _scope_note() -> str:
    return _("These figures cover only the governorates your role reaches.")


def _indicators_missing_note() -> str:
    return _("Indicators against targets are not available in this installation yet.")
