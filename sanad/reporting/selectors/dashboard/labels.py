"""Presenting the dashboards' numbers: figures as someone outside the mission sees them,
counts and amounts as text, and the labels of groups (`group_labels`), shared with the
figures API (`api_figures`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats
from django.utils.translation import gettext as _

from sanad.reporting.selectors.figures import Figures
from sanad.reporting.suppression import is_small, suppress_figures, threshold

COUNTS = ("people", "households", "female", "male", "with_disability", "children")


def shown_figures(figures: Figures, *, outside: bool) -> dict[str, Any]:
    """`figures.as_dict()`, with small counts suppressed for someone outside the mission."""
    raw = figures.as_dict()
    return suppress_figures(raw) if outside else raw


def count_text(shown: Any, raw: Any) -> str:
    """A count as the page shows it: "1,234"; "<5" for a suppressed small count; "–" for
    one suppressed because its pair was small (secondary suppression)."""
    if shown is None:
        return f"<{threshold()}" if is_small(raw) else "–"
    return intcomma(shown)


def usd_text(value: Any) -> str:
    return "$" + intcomma(int(Decimal(value or 0).quantize(Decimal("1"))))


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "M Y")


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


_ACRONYMS = {"nfi", "crp", "cccm", "cwc", "mpca", "wash", "usd", "iqd", "sms"}


def _humanise(code: str) -> str:
    """ "winter_kit" → "Winter kit", "nfi_voucher" → "NFI voucher"."""
    words = (code or "").replace("_", " ").replace("-", " ").split()
    if not words:
        return "—"
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in words]
    if words[0] == words[0].lower():
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def group_labels(dimension: str, keys: Iterable[Any]) -> dict[Any, tuple[str, str]]:
    """{group key of `Summary.by(dimension)`: (public key, label)} — programme codes,
    P-codes, public ids of places, projects and activities, "YYYY-MM" months."""
    keys = list(keys)
    ids = [k for k in keys if k is not None]
    out: dict[Any, tuple[str, str]] = {}
    if dimension == "programme":
        from sanad.programmes.models import Programme

        for p in Programme.objects.filter(pk__in=ids):
            out[p.pk] = (p.code, p.name)
    elif dimension in ("governorate", "district", "admin_unit"):
        from sanad.geo.models import AdminUnit

        for u in AdminUnit.objects.filter(pk__in=ids):
            out[u.pk] = (u.pcode, u.name)
    elif dimension == "place":
        from sanad.geo.models import Place

        for pl in Place.objects.filter(pk__in=ids):
            out[pl.pk] = (str(pl.public_id), pl.name)
    elif dimension == "project":
        from sanad.programmes.models import Project

        for pr in Project.objects.filter(pk__in=ids):
            out[pr.pk] = (str(pr.public_id), f"{pr.code} — {pr.title}")
    elif dimension == "activity":
        from sanad.programmes.models import Activity

        for a in Activity.objects.filter(pk__in=ids):
            out[a.pk] = (str(a.public_id), f"{a.code} {a.name}")
    elif dimension == "month":
        for m in ids:
            out[m] = (f"{m:%Y-%m}", month_label(m))
    elif dimension == "item":
        names = item_names(ids)
        for item in ids:
            out[item] = (item, names.get(item) or _humanise(item))
    elif dimension == "kind":
        from sanad.assistance.models import AssistanceKind

        labels = dict(AssistanceKind.choices)
        for k in ids:
            out[k] = (k, str(labels.get(k, _humanise(k))))
    else:
        for k in ids:
            out[k] = (str(k), str(k))
    missing = {
        "activity": _("No activity recorded"),
        "project": _("No project recorded"),
        "district": _("No district recorded (governorate-wide)"),
        "place": _("No site recorded"),
    }
    for k in keys:
        if k not in out:
            out[k] = ("", str(missing.get(dimension, _("Not recorded"))))
    return out


def item_names(codes: list[str]) -> dict[str, str]:
    """Names of kits and stock items by the code the ledger records."""
    from sanad.stock.models import Item, Kit

    if not codes:
        return {}
    names = {k.code: k.name for k in Kit.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in names]
    if missing:
        for item in Item.objects.filter(code__in=missing):
            name = getattr(item, "name", "") or ""
            if name:
                names[item.code] = name
    return names
