"""The figures of the donor report: which projects a user may report on, the period, and
the report's dict (`donor_report_data`), with small counts of people suppressed and
protected (`protect`) where the report is shared outside the mission."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.core.scoping import grants_for, scoped
from sanad.programmes.models import Project
from sanad.reporting.common import age_groups, month_end, month_start, months_between
from sanad.reporting.models import AGGREGATES
from sanad.reporting.selectors.figures import Figures, Filters, freshness, reach
from sanad.reporting.suppression import is_small, outside_mission, threshold


# --- which projects ---------------------------------------------------------------------
def projects_for(user: Any) -> QuerySet[Project]:
    """The projects `user` may report on: those of the programmes their aggregate-figures
    roles reach; a donor viewer (outside the mission) only those their organisation
    funds."""
    qs = scoped(Project.objects.select_related("programme", "donor"), user, AGGREGATES)
    if outside_mission(user):
        organisation = getattr(user, "organisation_id", None)
        qs = qs.filter(donor_id=organisation) if organisation else qs.none()
    return qs.order_by("-start_date", "code")


def default_period_for(project: Project) -> tuple[datetime.date, datetime.date]:
    """From the project's first month to its last, or to the current month if it runs on."""
    start = month_start(project.start_date)
    end = month_end(min(project.end_date, timezone.localdate()))
    return start, max(end, month_end(start))


def must_suppress(user: Any, shared: bool) -> bool:
    return bool(shared) or (user is not None and outside_mission(user))


# --- suppression -------------------------------------------------------------------------
def protect(values: dict[Any, int], lines: Iterable[tuple[list[Any], Any]]) -> set[Any]:
    """The positions of `values` to hide: small counts, then, in each line (parts that add
    up to a total), one more count wherever exactly one of the line's counts above zero is
    hidden, since it could be worked out from the others: the smallest shown part, or the
    total if no part is left. Repeated until nothing changes (a count hidden for one line
    may open another)."""
    lines = list(lines)
    hidden = {p for p, v in values.items() if is_small(v)}
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            members = [*parts, total]
            alone = [p for p in members if p in hidden and values.get(p, 0) > 0]
            if len(alone) != 1:
                continue
            others = [p for p in parts if p not in hidden and values.get(p, 0) > 0]
            if others:
                hidden.add(min(others, key=lambda p: values[p]))
            elif total not in hidden:
                hidden.add(total)
            else:
                continue  # the total alone is hidden and every part is zero: nothing to give
            changed = True
    return hidden


def _apply(values: dict[Any, int], hidden: set[Any], on: bool) -> dict[Any, int | None]:
    return {p: (None if on and p in hidden else v) for p, v in values.items()}


def _sex_age_table(fig: Figures, *, disability: bool, suppress: bool) -> dict[str, Any]:
    """Rows female, male (and sex not recorded), columns the age groups (and age not
    recorded), with the totals of rows and columns; small counts hidden if `suppress`."""
    labels = [g[0] for g in age_groups()]
    by = fig.disability_by_sex_and_age if disability else fig.by_sex_and_age
    by_sex = fig.with_disability_by_sex if disability else {"female": fig.female, "male": fig.male}
    grand = fig.with_disability if disability else fig.people
    rows = ["female", "male"]
    if not disability and grand - fig.female - fig.male > 0:
        rows.append("unknown")
    values: dict[Any, int] = {}
    for sex in rows:
        total = grand - fig.female - fig.male if sex == "unknown" else int(by_sex.get(sex, 0))
        cells = {} if sex == "unknown" else by.get(sex, {})
        for label in labels:
            values[(sex, label)] = int(cells.get(label, 0))
        values[(sex, "unknown")] = total - sum(values[(sex, label)] for label in labels)
        values[(sex, "total")] = total
    columns = [*labels, "unknown"]
    for column in columns:
        values[("total", column)] = sum(values[(sex, column)] for sex in rows)
    values[("total", "total")] = grand
    lines = [([(sex, c) for c in columns], (sex, "total")) for sex in [*rows, "total"]]
    lines += [([(sex, c) for sex in rows], ("total", c)) for c in [*columns, "total"]]
    shown = _apply(values, protect(values, lines), suppress)
    if not values[("total", "unknown")]:
        columns = labels
    names = {"female": _("Female"), "male": _("Male"), "unknown": _("Sex not recorded")}
    out_rows = [
        {
            "key": sex,
            "label": names[sex] if sex != "total" else _("Total"),
            "cells": [shown[(sex, c)] for c in columns],
            "total": shown[(sex, "total")],
        }
        for sex in [*rows, "total"]
    ]
    headers = [g if g != "unknown" else _("Age not recorded") for g in columns]
    return {"columns": headers, "rows": out_rows, "values": values}


def _protected_counts(
    figures: dict[Any, Figures], lines: list[tuple[list[Any], Any]], *, suppress: bool
) -> dict[Any, dict[str, int | None]]:
    """People and households of each group in `figures`, hidden where small and where
    the `lines` (groups that read as parts of another group) would give a hidden one
    away. Groups may overlap (a person reached in two districts), so treating them as
    adding up errs on the safe side."""
    out: dict[Any, dict[str, int | None]] = {k: {} for k in figures}
    for measure in ("people", "households"):
        values = {k: int(getattr(f, measure)) for k, f in figures.items()}
        shown = _apply(values, protect(values, lines), suppress)
        for k in figures:
            out[k][measure] = shown[k]
    return out


# --- the data --------------------------------------------------------------------------
def _name(obj: Any) -> str:
    if obj is None:
        return ""
    lang = (translation.get_language() or "en").split("-")[0]
    for attr in (f"name_{lang}", "name"):
        value = getattr(obj, attr, "")
        if value:
            return str(value)
    return str(obj)


def _item_names(codes: Iterable[str]) -> dict[str, str]:
    """Names of the kits and stock items the ledger's item codes refer to, where known."""
    from sanad.stock.models import Item, Kit

    codes = sorted(set(codes))
    names = {i.code: i.name for i in Item.objects.filter(code__in=codes)}
    names.update({k.code: k.name for k in Kit.objects.filter(code__in=codes)})
    return names


def _indicators(user: Any, project: Project, start: Any, end: Any, suppress: bool) -> Any:
    try:
        from sanad.reporting.selectors.indicators import target_progress
    except ImportError:
        return {"available": False, "rows": []}
    rows = []
    for r in target_progress(user=user, project=project, start=start, end=end):
        measure = getattr(getattr(r, "indicator", None), "measure", "")
        achieved, percentage = r.achieved, r.percentage
        if suppress and measure in ("people", "households") and is_small(achieved):
            achieved = percentage = None
        rows.append(
            {
                "label": str(r.label or "") or _name(getattr(r, "indicator", None)),
                "activity": str(r.activity) if getattr(r, "activity", None) else "",
                "period_start": r.period_start,
                "period_end": r.period_end,
                "target": r.target_value,
                "achieved": achieved,
                "percentage": percentage,
                "unit": str(r.unit or ""),
                "definition": str(r.definition or ""),
                "note": str(getattr(r, "note", "") or ""),
            }
        )
    return {"available": True, "rows": rows}


def _methodology(suppress: bool, ages_on: datetime.date) -> list[str]:
    notes = [
        _(
            "People reached: different people who received at least one delivery of the "
            "project in the period, from the assistance ledger. A person reached several times, "
            "by several activities or in several places counts once; records confirmed to be "
            "the same person (merged duplicates) count once."
        ),
        _(
            "Households reached: different households that received a delivery, or one of "
            "whose members did."
        ),
        _(
            "Sex, age and disability are those recorded in the registry; ages are taken on "
            "%(day)s (the last day of the period). Disability follows the Washington Group "
            "questions as recorded."
        )
        % {"day": ages_on.isoformat()},
        _(
            "By month: the people reached in each month. A person reached in two months "
            "counts in both months but once in the period's total, so the months do not add "
            "up to the total. The same holds for governorates and districts."
        ),
        _(
            "Deliveries: the number of ledger records, their quantity in the unit recorded, "
            "and their value in US dollars and Iraqi dinars, each record converted at the "
            "exchange rate it recorded."
        ),
        _(
            "Indicators: achieved against each target of the project, counted as the "
            "indicator's definition says."
        ),
    ]
    if suppress:
        notes.append(
            _(
                "Small counts suppressed: this report is shared outside the mission, so "
                "counts of people or households from 1 to %(limit)s are not shown (an empty "
                "cell or “–”), and so is one more count wherever a hidden one could be worked "
                "out from a total. Zero is shown. Deliveries, quantities and values are not "
                "counts of people and are always shown."
            )
            % {"limit": threshold() - 1}
        )
    return notes


def donor_report_data(
    *,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    user: Any = None,
    shared: bool = True,
) -> dict[str, Any]:
    """The report of `project` over the whole months from `start` to `end`, within
    `user`'s scope (everything without a user); suppressed if `shared` or if the user is
    outside the mission."""
    from sanad.assistance.models import AssistanceKind
    from sanad.geo.models import AdminUnit
    from sanad.programmes.models import Activity

    start, end = month_start(start), month_end(end)
    if end < start:
        raise ValidationFailed(
            _("The period ends before it starts: put the earlier month first."),
            fields={"to": [_("The period ends before it starts: put the earlier month first.")]},
        )
    suppress = must_suppress(user, shared)
    project = Project.objects.select_related("programme", "donor").get(pk=project.pk)
    summary = reach(user=user, filters=Filters(start=start, end=end, project=project.pk))
    total = summary.total()
    people = _sex_age_table(total, disability=False, suppress=suppress)
    disability = _sex_age_table(total, disability=True, suppress=suppress)
    hidden_people = {
        "people": people["rows"][-1]["total"],
        "female": next(r["total"] for r in people["rows"] if r["key"] == "female"),
        "male": next(r["total"] for r in people["rows"] if r["key"] == "male"),
        "with_disability": disability["rows"][-1]["total"],
    }
    households = total.households
    headline = {
        **hidden_people,
        "households": None if suppress and is_small(households) else households,
        "records": total.records,
        "quantity": total.quantity,
        "value_usd": total.value_usd,
        "value_iqd": total.value_iqd,
    }

    # places and months, protected together with the total they read as parts of
    by_gov = summary.by("governorate")
    by_gov_district = summary.by("governorate", "district")
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(
            pk__in={k for pair in by_gov_district for k in pair if k is not None}
        )
    }

    def pcode(pk: Any) -> str:
        return units[pk].pcode if pk in units else ""

    gov_keys = sorted(by_gov, key=pcode)
    districts_of = {
        g: sorted([d for (gg, d) in by_gov_district if gg == g], key=pcode) for g in gov_keys
    }
    month_keys = months_between(start, end)
    by_month = summary.by("month")
    groups: dict[Any, Figures] = {"total": total}
    groups.update({("gov", g): by_gov[g] for g in gov_keys})
    groups.update({("district", g, d): by_gov_district[(g, d)] for (g, d) in by_gov_district})
    groups.update({("month", m): by_month.get(m, Figures()) for m in month_keys})
    lines: list[tuple[list[Any], Any]] = [([("gov", g) for g in gov_keys], "total")]
    lines += [([("district", g, d) for d in districts_of[g]], ("gov", g)) for g in gov_keys]
    lines.append(([("month", m) for m in month_keys], "total"))
    shown = _protected_counts(groups, lines, suppress=suppress)
    governorates = [
        {
            "pcode": pcode(g),
            "name": _name(units.get(g)),
            **shown[("gov", g)],
            "records": by_gov[g].records,
        }
        for g in gov_keys
    ]
    districts = [
        {
            "governorate": _name(units.get(g)),
            "pcode": pcode(d),
            "name": _name(units[d]) if d in units else _("District not recorded"),
            **shown[("district", g, d)],
            "records": by_gov_district[(g, d)].records,
        }
        for g in gov_keys
        for d in districts_of[g]
    ]
    months = [
        {
            "month": m,
            "label": f"{m:%Y-%m}",
            **shown[("month", m)],
            "records": groups[("month", m)].records,
        }
        for m in month_keys
    ]

    # deliveries by activity and item
    grouped = summary.by("activity", "kind", "item", "unit")
    activities = {a.pk: a for a in Activity.objects.filter(pk__in={k[0] for k in grouped if k[0]})}
    item_names = _item_names(k[2] for k in grouped)
    kinds = dict(AssistanceKind.choices)
    deliveries = []
    for key in sorted(
        grouped,
        key=lambda k: (
            activities[k[0]].code if k[0] in activities else "~",
            k[1],
            k[2],
            k[3],
        ),
    ):
        activity_pk, kind, item, unit = key
        fig = grouped[key]
        activity = activities.get(activity_pk)
        deliveries.append(
            {
                "activity_code": activity.code if activity else "",
                "activity": activity.name if activity else _("No activity recorded"),
                "kind": str(kinds.get(kind, kind)),
                "item": item,
                "item_name": str(item_names.get(item, "")),
                "unit": unit,
                "records": fig.records,
                "quantity": fig.quantity if unit else None,
                "value_usd": fig.value_usd,
                "value_iqd": fig.value_iqd,
            }
        )

    fresh = freshness()
    whole_scope = user is None or any(g.all_governorates for g in grants_for(user, AGGREGATES))
    return {
        "title": _("Donor report"),
        "project": {
            "public_id": str(project.public_id),
            "code": project.code,
            "title": project.title,
            "donor": _name(project.donor),
            "programme": _name(project.programme),
            "programme_code": project.programme.code,
            "organisation": str(getattr(settings, "SANAD_REPORTING_ORGANISATION", "")),
            "start_date": project.start_date,
            "end_date": project.end_date,
            "status": project.get_status_display(),
            "budget": project.budget,
            "currency": project.currency,
            "governorates": [
                _name(u) for u in project.governorates.order_by("pcode")
            ],  # the project's own, not where it reached
        },
        "period": {"start": start, "end": end, "label": f"{start:%Y-%m} – {end:%Y-%m}"},
        "freshness": fresh,
        "shared": bool(shared),
        "suppressed": suppress,
        "min_cell": threshold(),
        "whole_scope": whole_scope,
        "ages_on": total.ages_on or end,
        "headline": headline,
        "people": {k: people[k] for k in ("columns", "rows")},
        "disability": {k: disability[k] for k in ("columns", "rows")},
        "governorates": governorates,
        "districts": districts,
        "months": months,
        "months_total": {
            "people": headline["people"],
            "households": headline["households"],
            "records": total.records,
        },
        "deliveries": deliveries,
        "indicators": _indicators(user, project, start, end, suppress),
        "notes": _methodology(suppress, total.ages_on or end),
        "generated_at": timezone.now(),
        "generated_by": str(user) if user is not None else _("Sanad (scheduled export)"),
    }
