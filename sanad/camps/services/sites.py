"""Sites, their plots and shelters, which household lives where (allocations), and the
population month by month.

A site sits on a `geo.Place` of kind formal camp, informal site or collective centre;
its governorate (the scope of everything on the site) is the place's. Population is
computed from the registry (`population_compute`) or counted on site
(`population_record_manual`); a counted month is never overwritten by a computation
unless asked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sanad.camps.models import MANAGE_SITE, Allocation, Plot, PopulationCount, Site
from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import Place
from sanad.registry.models import DisplacementMove, Household

SITE_KINDS = (
    Place.Kind.FORMAL_CAMP,
    Place.Kind.INFORMAL_SITE,
    Place.Kind.COLLECTIVE_CENTRE,
)
REGISTRY_VIEW = "registry.view_household"
AGE_GROUPS = ("0-5", "6-17", "18-59", "60+")
SEXES = ("female", "male")
MAX_BULK_PLOTS = 1000
SITE_FIELDS = (
    "managing_agency",
    "authority",
    "capacity_plots",
    "capacity_shelters",
    "opened_on",
    "closed_on",
    "tenure",
    "eviction_risk",
    "shelter_types",
    "services_notes",
    "notes",
)


# --- helpers -------------------------------------------------------------------------------
def require(user: Any, obj: Any, permission: str) -> None:
    if not has_permission(user, permission) or not can_reach(user, obj, permission):
        raise PermissionDenied()


def actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    first = month_start(day)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return following - datetime.timedelta(days=1)


def parse_month(value: Any) -> datetime.date:
    """ "2026-03", "2026-03-01" or a date → the first day of that month."""
    if isinstance(value, datetime.date):
        return month_start(value)
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    message = _("Give the month as YYYY-MM, such as 2026-03.")
    raise ValidationFailed(message, code="month_invalid", fields={"month": [message]})


def _clean_site(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = sorted(set(data) - set(SITE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="site_fields_unknown",
        )
    for field in ("capacity_plots", "capacity_shelters"):
        if field in data:
            try:
                number = int(data[field] or 0)
            except (TypeError, ValueError):
                number = -1
            if number < 0 or number > 1_000_000:
                errors[field] = [_("Give a whole number of zero or more.")]
            out[field] = number
    if "tenure" in data:
        tenure = data["tenure"] or Site.Tenure.UNKNOWN
        if tenure not in Site.Tenure.values:
            errors["tenure"] = [_("Choose the land tenure from the list.")]
        out["tenure"] = tenure
    if "eviction_risk" in data:
        risk = data["eviction_risk"] or ""
        if risk and risk not in Site.Risk.values:
            errors["eviction_risk"] = [_("Choose low, medium or high.")]
        out["eviction_risk"] = risk
    if "shelter_types" in data:
        types = data["shelter_types"] or {}
        if not isinstance(types, dict) or any(
            not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in types.values()
        ):
            errors["shelter_types"] = [
                _("Give the shelters by type as counts, such as tent: 120, caravan: 30.")
            ]
        out["shelter_types"] = types
    for field in ("opened_on", "closed_on"):
        if field in data:
            day = data[field]
            if day is not None and not isinstance(day, datetime.date):
                errors[field] = [_("Give a date.")]
            out[field] = day
    for field in ("managing_agency", "authority", "services_notes", "notes"):
        if field in data:
            value = data[field]
            out[field] = value if field in ("managing_agency", "authority") else str(value or "")
    opened, closed = out.get("opened_on"), out.get("closed_on")
    if isinstance(opened, datetime.date) and isinstance(closed, datetime.date) and closed < opened:
        errors["closed_on"] = [_("A site cannot close before it opened.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return out


# --- sites ---------------------------------------------------------------------------------
def site_create(*, user: Any, place: Place, data: dict[str, Any] | None = None) -> Site:
    """Register a site on a place (formal camp, informal site or collective centre). Its
    governorate is the place's; the user's role must reach it."""
    if not has_permission(user, MANAGE_SITE):
        raise PermissionDenied()
    if place.kind not in SITE_KINDS:
        message = _(
            "A site must be a formal camp, an informal site or a collective centre; "
            "this place is a “%(kind)s”."
        ) % {"kind": place.get_kind_display()}
        raise ValidationFailed(message, code="site_place_kind", fields={"place": [message]})
    governorate = place.admin_unit.governorate or place.admin_unit
    values = _clean_site(dict(data or {}))
    if Site.objects.filter(place=place).exists():
        message = _("This place is already registered as a site.")
        raise Conflict(message, code="site_exists", fields={"place": [message]})
    try:
        with transaction.atomic():
            site = Site.objects.create(
                place=place,
                governorate=governorate,
                created_by=actor(user),
                updated_by=actor(user),
                **values,
            )
            if not can_reach(user, site, MANAGE_SITE):
                raise PermissionDenied(_("Your role does not reach the governorate of this place."))
    except IntegrityError as exc:
        message = _("This place is already registered as a site.")
        raise Conflict(message, code="site_exists", fields={"place": [message]}) from exc
    return site


def site_update(*, user: Any, site: Site, data: dict[str, Any]) -> Site:
    """Change a site's details (capacity, agencies, dates, the informal-site profile)."""
    require(user, site, MANAGE_SITE)
    values = _clean_site(dict(data))
    merged_open = values.get("opened_on", site.opened_on)
    merged_close = values.get("closed_on", site.closed_on)
    if merged_open and merged_close and merged_close < merged_open:
        message = _("A site cannot close before it opened.")
        raise ValidationFailed(fields={"closed_on": [message]})
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        for field, value in values.items():
            setattr(site, field, value)
        site.updated_by = actor(user)
        site.save()
    return site


# --- plots ---------------------------------------------------------------------------------
_RANGE = re.compile(r"^\s*(?P<prefix>.*?)(?P<a>\d+)\s*\.\.\s*(?P<prefix2>.*?)(?P<b>\d+)\s*$")


def plot_codes(spec: str) -> list[str]:
    """ "A-1..A-40" (or "A-1..40") → ["A-1", …, "A-40"]; several specs separated by
    commas or new lines; a single code stays itself. Zero padding is kept ("B-01..B-12")."""
    codes: list[str] = []
    for part in re.split(r"[,\n;]+", str(spec or "")):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            codes.append(part)
            continue
        prefix, prefix2 = match.group("prefix"), match.group("prefix2")
        if prefix2 and prefix2 != prefix:
            message = _("A range must keep the same prefix on both ends, such as A-1..A-40.")
            raise ValidationFailed(message, code="plot_range", fields={"codes": [message]})
        a, b = int(match.group("a")), int(match.group("b"))
        if b < a:
            message = _("A range goes from the smaller number to the larger, such as A-1..A-40.")
            raise ValidationFailed(message, code="plot_range", fields={"codes": [message]})
        width = len(match.group("a")) if match.group("a").startswith("0") else 0
        if b - a + 1 + len(codes) > MAX_BULK_PLOTS:
            codes.extend([""] * (MAX_BULK_PLOTS + 1))
            break
        codes.extend(f"{prefix}{n:0{width}d}" for n in range(a, b + 1))
    if len(codes) > MAX_BULK_PLOTS:
        message = _("Add at most %(n)d plots at a time.") % {"n": MAX_BULK_PLOTS}
        raise ValidationFailed(message, code="plot_too_many", fields={"codes": [message]})
    for code in codes:
        if len(code) > 30:
            message = _("A plot code has at most 30 characters: %(code)s.") % {"code": code}
            raise ValidationFailed(message, code="plot_code_long", fields={"codes": [message]})
    return codes


def plot_create(
    *,
    user: Any,
    site: Site,
    code: str,
    kind: str = Plot.Kind.PLOT,
    sector: str = "",
    capacity_people: int = 5,
) -> Plot:
    """One plot or shelter on a site."""
    created = plots_bulk_add(
        user=user,
        site=site,
        codes=str(code or ""),
        kind=kind,
        sector=sector,
        capacity_people=capacity_people,
    )
    if not created:
        message = _("This site already has a plot %(code)s.") % {"code": str(code).strip()}
        raise Conflict(message, code="plot_exists", fields={"code": [message]})
    return created[0]


def plots_bulk_add(
    *,
    user: Any,
    site: Site,
    codes: str,
    kind: str = Plot.Kind.PLOT,
    sector: str = "",
    capacity_people: int = 5,
) -> list[Plot]:
    """Add plots by code or range ("A-1..A-40"); codes the site already has are skipped.
    Returns the plots created."""
    require(user, site, MANAGE_SITE)
    wanted = plot_codes(codes)
    if not wanted:
        message = _("Give a plot code or a range, such as A-1..A-40.")
        raise ValidationFailed(message, code="plot_code_missing", fields={"codes": [message]})
    if kind not in Plot.Kind.values:
        message = _("Choose plot or shelter.")
        raise ValidationFailed(message, fields={"kind": [message]})
    try:
        people = int(capacity_people)
    except (TypeError, ValueError):
        people = -1
    if not 1 <= people <= 100:
        message = _("Give how many people it can hold, between 1 and 100.")
        raise ValidationFailed(message, fields={"capacity_people": [message]})
    sector = str(sector or "").strip()[:40]
    with transaction.atomic():
        existing = set(
            Plot.objects.filter(site=site, code__in=wanted).values_list("code", flat=True)
        )
        new = [
            Plot(site=site, code=c, kind=kind, sector=sector, capacity_people=people)
            for c in dict.fromkeys(wanted)
            if c not in existing
        ]
        Plot.objects.bulk_create(new)
    return list(Plot.objects.filter(site=site, code__in=[p.code for p in new]).order_by("id"))


# --- allocations ---------------------------------------------------------------------------
def allocation_start(
    *,
    user: Any,
    site: Site,
    household: Household,
    plot: Plot | None = None,
    started_on: datetime.date,
    permission: str | None = MANAGE_SITE,
) -> Allocation:
    """The household lives on the site (on `plot` if given) from `started_on`. Its
    previous allocation, here or elsewhere, ends that day. An occupied plot is refused.

    `permission=None` is for a module that checked its own permission first (a convoy's
    arrival hands its households to the destination site): neither the site's nor the
    household's reach is checked then."""
    if permission is not None:
        require(user, site, permission)
    if permission is not None and not (
        has_permission(user, REGISTRY_VIEW) and can_reach(user, household, REGISTRY_VIEW)
    ):
        raise NotFound(
            _("No household with this registration id is within your reach."),
            code="household_not_found",
        )
    if household.status != Household.Status.ACTIVE:
        message = _("Household %(id)s is not active (%(status)s): it cannot be allocated.") % {
            "id": household.registration_id,
            "status": household.get_status_display(),
        }
        raise Conflict(message, code="household_not_active")
    if not isinstance(started_on, datetime.date):
        message = _("Give the date the household moved in.")
        raise ValidationFailed(message, fields={"started_on": [message]})
    if plot is not None and plot.site_id != site.pk:
        message = _("This plot is on another site.")
        raise ValidationFailed(message, code="plot_other_site", fields={"plot": [message]})
    try:
        with transaction.atomic():
            if plot is not None:
                plot = Plot.objects.select_for_update().get(pk=plot.pk)
                occupant = (
                    Allocation.objects.filter(plot=plot, ended_on__isnull=True)
                    .exclude(household=household)
                    .select_related("household")
                    .first()
                )
                if occupant is not None:
                    message = _(
                        "Plot %(plot)s is occupied by household %(id)s: end that allocation first."
                    ) % {"plot": plot.code, "id": occupant.household.registration_id}
                    raise Conflict(message, code="plot_occupied", fields={"plot": [message]})
            previous = (
                Allocation.objects.select_for_update()
                .filter(household=household, ended_on__isnull=True)
                .first()
            )
            if previous is not None:
                if previous.started_on > started_on:
                    message = _(
                        "The household lives on its current plot since %(date)s: "
                        "the new allocation cannot start before."
                    ) % {"date": previous.started_on.isoformat()}
                    raise ValidationFailed(
                        message, code="allocation_before_previous", fields={"started_on": [message]}
                    )
                previous.ended_on = started_on
                previous.end_reason = _("Moved to %(where)s") % {
                    "where": f"{site.place.name_en} {plot.code if plot else ''}".strip()
                }
                previous.updated_by = actor(user)
                previous.save(update_fields=["ended_on", "end_reason", "updated_by", "updated_at"])
            allocation = Allocation.objects.create(
                site=site,
                plot=plot,
                household=household,
                started_on=started_on,
                created_by=actor(user),
                updated_by=actor(user),
            )
    except IntegrityError as exc:
        message = _("The plot or the household was allocated by someone else meanwhile. Reload.")
        raise Conflict(message, code="allocation_conflict") from exc
    return allocation


def allocation_end(
    *, user: Any, allocation: Allocation, ended_on: datetime.date, reason: str = ""
) -> Allocation:
    """The household left the plot (and the site) on `ended_on`."""
    require(user, allocation, MANAGE_SITE)
    if not isinstance(ended_on, datetime.date):
        message = _("Give the date the household left.")
        raise ValidationFailed(message, fields={"ended_on": [message]})
    reason = str(reason or "").strip()
    if len(reason) > 200:
        message = _("Keep the reason under %(n)d characters.") % {"n": 200}
        raise ValidationFailed(message, fields={"reason": [message]})
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.ended_on is not None:
            message = _("This allocation has already ended.")
            raise Conflict(message, code="allocation_ended")
        if ended_on < allocation.started_on:
            message = _("The household cannot leave before it moved in (%(date)s).") % {
                "date": allocation.started_on.isoformat()
            }
            raise ValidationFailed(
                message, code="allocation_end_early", fields={"ended_on": [message]}
            )
        allocation.ended_on = ended_on
        allocation.end_reason = reason
        allocation.updated_by = actor(user)
        allocation.save(update_fields=["ended_on", "end_reason", "updated_by", "updated_at"])
    return allocation


# --- population ----------------------------------------------------------------------------
def _empty_breakdown() -> dict[str, dict[str, int]]:
    return {sex: dict.fromkeys(AGE_GROUPS, 0) for sex in SEXES}


def _present_households(site: Site, first: datetime.date, last: datetime.date) -> set[int]:
    """Households on the site at the end of the month: allocated there then, or whose
    current place is the site's place (registered, or moved there, by that day)."""
    allocated = set(
        Allocation.objects.filter(site=site, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=last))
        .values_list("household_id", flat=True)
    )
    by_place = Household.objects.filter(
        place_id=site.place_id, status=Household.Status.ACTIVE, created_at__date__lte=last
    ).exclude(
        # Came here after the month: a later move into the place, and none before.
        pk__in=DisplacementMove.objects.filter(to_place_id=site.place_id, moved_on__gt=last)
        .exclude(
            household_id__in=DisplacementMove.objects.filter(
                to_place_id=site.place_id, moved_on__lte=last
            ).values("household_id")
        )
        .values("household_id")
    )
    # Allocated elsewhere at the end of the month: not here.
    elsewhere = set(
        Allocation.objects.exclude(site=site)
        .filter(started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=last))
        .values_list("household_id", flat=True)
    )
    return allocated | (set(by_place.values_list("pk", flat=True)) - elsewhere)


def _arrivals_departures(site: Site, first: datetime.date, last: datetime.date) -> tuple[int, int]:
    arrived = set(
        Allocation.objects.filter(site=site, started_on__range=(first, last)).values_list(
            "household_id", flat=True
        )
    )
    left = set(
        Allocation.objects.filter(site=site, ended_on__range=(first, last)).values_list(
            "household_id", flat=True
        )
    )
    arrived |= set(
        DisplacementMove.objects.filter(
            to_place_id=site.place_id, moved_on__range=(first, last)
        ).values_list("household_id", flat=True)
    )
    # A move out of the place: a move in the month whose previous move was into it.
    ever_here = DisplacementMove.objects.filter(to_place_id=site.place_id).values("household_id")
    moves = DisplacementMove.objects.filter(household_id__in=ever_here, moved_on__isnull=False)
    previous: dict[int, int | None] = {}
    for hh, to_place, moved_on in moves.order_by("household_id", "moved_on", "id").values_list(
        "household_id", "to_place_id", "moved_on"
    ):
        if (
            moved_on is not None
            and first <= moved_on <= last
            and previous.get(hh) == site.place_id
            and to_place != site.place_id
        ):
            left.add(hh)
        previous[hh] = to_place
    # Moving between plots of the same site is neither an arrival nor a departure.
    same_site = arrived & left
    moved_within = {
        hh
        for hh in same_site
        if Allocation.objects.filter(site=site, household_id=hh, started_on__lt=first).exists()
        and Allocation.objects.filter(site=site, household_id=hh, ended_on__isnull=True).exists()
    }
    return len(arrived - moved_within), len(left - moved_within)


def population_figures(*, site: Site, month: datetime.date) -> dict[str, Any]:
    """The registry's population of the site at the end of `month` (a pure read)."""
    first = month_start(month)
    last = month_end(month)
    ids = _present_households(site, first, last)
    breakdown = _empty_breakdown()
    individuals = 0
    for size, demo in Household.objects.filter(pk__in=ids).values_list("size", "demographics"):
        individuals += size or 0
        for sex in SEXES:
            groups = (demo or {}).get(sex) or {}
            for group in AGE_GROUPS:
                try:
                    breakdown[sex][group] += int(groups.get(group) or 0)
                except (TypeError, ValueError):
                    continue
    arrivals, departures = _arrivals_departures(site, first, last)
    return {
        "households": len(ids),
        "individuals": individuals,
        "by_sex_age": breakdown,
        "arrivals": arrivals,
        "departures": departures,
    }


def population_compute(
    *, site: Site, month: datetime.date, overwrite_manual: bool = False
) -> PopulationCount:
    """Compute and store the site's population for `month` from the registry. A month
    counted on site is kept (and returned) unless `overwrite_manual`."""
    first = month_start(month)
    existing = PopulationCount.objects.filter(site=site, month=first).first()
    if (
        existing is not None
        and existing.source == PopulationCount.Source.MANUAL
        and not overwrite_manual
    ):
        return existing
    figures = population_figures(site=site, month=first)
    row, _created = PopulationCount.objects.update_or_create(
        site=site,
        month=first,
        defaults={"source": PopulationCount.Source.REGISTRY, **figures},
    )
    return row


def population_compute_all(
    *,
    month: datetime.date,
    sites: Iterable[Site] | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> int:
    """Compute every site's population (or the given sites') for a month; returns how
    many sites were computed."""
    chosen = list(sites if sites is not None else Site.objects.select_related("place"))
    for n, site in enumerate(chosen, 1):
        population_compute(site=site, month=month)
        if progress is not None:
            progress(n, len(chosen))
    return len(chosen)


def population_record_manual(
    *,
    user: Any,
    site: Site,
    month: datetime.date,
    households: int,
    individuals: int,
    by_sex_age: dict[str, dict[str, int]] | None = None,
    arrivals: int = 0,
    departures: int = 0,
) -> PopulationCount:
    """A population counted on site for a month (replaces that month's figures)."""
    require(user, site, MANAGE_SITE)
    first = parse_month(month)
    errors: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}
    for field, value in (
        ("households", households),
        ("individuals", individuals),
        ("arrivals", arrivals),
        ("departures", departures),
    ):
        try:
            numbers[field] = int(value or 0)
        except (TypeError, ValueError):
            numbers[field] = -1
        if numbers[field] < 0:
            errors[field] = [_("Give a whole number of zero or more.")]
    breakdown = _empty_breakdown()
    total = 0
    for sex in SEXES:
        for group in AGE_GROUPS:
            try:
                value = int(((by_sex_age or {}).get(sex) or {}).get(group) or 0)
            except (TypeError, ValueError):
                value = -1
            if value < 0:
                errors["by_sex_age"] = [_("Give each count by sex and age as a whole number.")]
                value = 0
            breakdown[sex][group] = value
            total += value
    if not errors and numbers["individuals"] < numbers["households"]:
        errors["individuals"] = [_("There cannot be fewer people than households.")]
    if not errors and total and total != numbers["individuals"]:
        errors["by_sex_age"] = [
            _("The counts by sex and age add up to %(total)d, not %(n)d people.")
            % {"total": total, "n": numbers["individuals"]}
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    row, _created = PopulationCount.objects.update_or_create(
        site=site,
        month=first,
        defaults={
            "source": PopulationCount.Source.MANUAL,
            "by_sex_age": breakdown if total else {},
            **numbers,
        },
    )
    return row
