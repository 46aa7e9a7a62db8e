"""Critical-shelter upgrades in sites and camp-road rehabilitation.

Site upgrade: planned → in progress (started) → completed, or cancelled (reason). While
in progress, the households reached are recorded (residents of the site), each written
once to the assistance ledger in the same transaction (source "shelter_upgrade",
id "<upgrade pk>:<household pk>"). Progress = households reached ÷ planned.

Road project: planned → in progress → completed, or cancelled (reason). Progress reports
(date, length done, percentage, spent to date) move the road's figures; the percentage
defaults to length done ÷ length. Completing sets the whole length done and 100 %.

Both are delayed when their planned end has passed and they are not completed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.assistance import services as ledger
from sanad.camps.models import Allocation, Site
from sanad.core.errors import Conflict, field_error
from sanad.core.scoping import can_reach
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.models import Household
from sanad.shelter.models import MANAGE_WORKS, Contract
from sanad.shelter.models.common import Currency
from sanad.shelter.models.works import (
    RoadProgress,
    RoadProject,
    SiteUpgrade,
    UpgradeHousehold,
    WorkStatus,
)
from sanad.shelter.services._common import actor, money, require, today

HUNDRED = Decimal("100")
ACTIVE = (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS)
# What the ledger records for each kind of upgrade: (kind of assistance, unit).
LEDGER_KIND: dict[str, tuple[str, str]] = {
    SiteUpgrade.Kind.SEALING_OFF: ("in_kind", "kit"),
    SiteUpgrade.Kind.WINDOWS_DOORS: ("in_kind", "set"),
    SiteUpgrade.Kind.PARTITIONS: ("in_kind", "set"),
    SiteUpgrade.Kind.LATRINES: ("service", "shelter"),
    SiteUpgrade.Kind.ELECTRICAL: ("service", "shelter"),
}
UPGRADE_SOURCE = "shelter_upgrade"


def _decimal(
    data: Mapping[str, Any],
    field: str,
    *,
    required: bool = True,
    minimum: Decimal | None = Decimal("0"),
    positive: bool = False,
) -> Decimal | None:
    raw = data.get(field)
    if raw in (None, ""):
        if required:
            raise field_error(field, _("Enter a number."), f"{field}_required")
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise field_error(field, _("Enter a number."), f"invalid_{field}") from exc
    if not value.is_finite():
        raise field_error(field, _("Enter a number."), f"invalid_{field}")
    if positive and value <= 0:
        raise field_error(field, _("Enter a number above zero."), f"{field}_not_positive")
    if minimum is not None and value < minimum:
        raise field_error(field, _("Enter zero or more."), f"{field}_negative")
    return value


def _date(data: Mapping[str, Any], field: str, *, required: bool = False) -> datetime.date | None:
    raw = data.get(field)
    if raw in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc


def _not_future(field: str, value: datetime.date) -> None:
    if value > today():
        raise field_error(field, _("This date is in the future."), f"{field}_in_future")


def _dates(data: Mapping[str, Any]) -> dict[str, Any]:
    start, end = _date(data, "planned_start"), _date(data, "planned_end")
    if start and end and end < start:
        raise field_error(
            "planned_end", _("The planned end is before the planned start."), "dates_reversed"
        )
    return {"planned_start": start, "planned_end": end}


def _project(user: Any, data: Mapping[str, Any], governorate: AdminUnit) -> Project:
    project = data.get("project")
    if not isinstance(project, Project):
        raise field_error(
            "project", _("Choose the project that pays for the works."), "project_required"
        )
    # The works are scoped by the project's programme in the governorate: the user must
    # reach that pair to plan them.
    probe = SiteUpgrade(programme=project.programme, governorate=governorate)
    if not _reaches(user, probe):
        raise field_error(
            "project",
            _("You cannot plan works of this project's programme in this governorate."),
            "project_out_of_scope",
        )
    return project


def _reaches(user: Any, record: Any) -> bool:
    """Whether `user` reaches an unsaved record's governorate and programme with
    MANAGE_WORKS (the scope rules compare P-code and programme code)."""
    from sanad.core.scoping import grants_for

    gov = record.governorate.pcode
    prog = record.programme.code
    for grant in grants_for(user, MANAGE_WORKS):
        if (grant.all_governorates or gov in grant.governorates) and (
            grant.all_programmes or prog in grant.programmes
        ):
            return True
    return False


def _contract(user: Any, data: Mapping[str, Any], project: Project) -> Contract | None:
    contract = data.get("contract")
    if contract in (None, ""):
        return None
    if not isinstance(contract, Contract) or not can_reach(user, contract, None):
        raise field_error("contract", _("Choose a contract you can see."), "contract_not_found")
    if contract.project_id != project.pk:
        raise field_error(
            "contract", _("The contract belongs to another project."), "contract_other_project"
        )
    if contract.status == Contract.Status.TERMINATED:
        raise field_error("contract", _("The contract was terminated."), "contract_terminated")
    return contract


def _currency(data: Mapping[str, Any], project: Project) -> str:
    value = str(data.get("currency") or project.currency or Currency.USD)
    if value not in Currency.values:
        raise field_error("currency", _("Choose IQD or USD."), "invalid_currency")
    return value


def _locked(model: Any, obj: Any) -> Any:
    return model.objects.select_for_update().get(pk=obj.pk)


# --- site upgrades ---------------------------------------------------------------------------


def _upgrade_values(user: Any, site: Site, data: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(data.get("kind") or "")
    if kind not in SiteUpgrade.Kind.values:
        raise field_error("kind", _("Choose the kind of upgrade."), "invalid_kind")
    project = _project(user, data, site.governorate)
    planned = data.get("planned_households")
    try:
        planned_n = int(planned)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise field_error(
            "planned_households", _("Enter the number of households planned."), "invalid_planned"
        ) from exc
    if planned_n < 1:
        raise field_error(
            "planned_households", _("Plan at least one household."), "planned_not_positive"
        )
    return {
        "kind": kind,
        "project": project,
        "programme": project.programme,
        "description": str(data.get("description") or "").strip(),
        "planned_households": planned_n,
        "budget": money(_decimal(data, "budget")),
        "currency": _currency(data, project),
        "contract": _contract(user, data, project),
        **_dates(data),
    }


def upgrade_create(*, user: Any, site: Site, data: Mapping[str, Any]) -> SiteUpgrade:
    """Plan an upgrade of the shelters on a site: `data` has kind, project, planned
    households, budget, currency, optional contract, description and planned dates."""
    require(user, MANAGE_WORKS, site)
    values = _upgrade_values(user, site, data)
    who = actor(user)
    return SiteUpgrade.objects.create(
        site=site, governorate=site.governorate, created_by=who, updated_by=who, **values
    )


def upgrade_update(*, user: Any, upgrade: SiteUpgrade, data: Mapping[str, Any]) -> SiteUpgrade:
    """Change a planned or ongoing upgrade (not its site). The planned households may not
    go below the households already reached."""
    require(user, MANAGE_WORKS, upgrade)
    if upgrade.status not in ACTIVE:
        raise Conflict(
            _("A completed or cancelled upgrade cannot be changed."), code="upgrade_closed"
        )
    values = _upgrade_values(user, upgrade.site, data)
    reached = upgrade.households.count()
    if values["planned_households"] < reached:
        raise field_error(
            "planned_households",
            _("%(n)d households were already reached: plan at least that many.") % {"n": reached},
            "planned_below_reached",
        )
    spent = _decimal(data, "spent", required=False)
    with transaction.atomic():
        upgrade = _locked(SiteUpgrade, upgrade)
        for name, value in values.items():
            setattr(upgrade, name, value)
        if spent is not None:
            upgrade.spent = money(spent)
        upgrade.updated_by = actor(user)
        upgrade.save()
    return upgrade


def upgrade_start(
    *, user: Any, upgrade: SiteUpgrade, started_on: datetime.date | None = None
) -> SiteUpgrade:
    require(user, MANAGE_WORKS, upgrade)
    started_on = started_on or today()
    _not_future("started_on", started_on)
    upgrade.started_on = started_on
    SiteUpgrade.STATUS_MACHINE.transition(
        upgrade, to=WorkStatus.IN_PROGRESS, by=user, extra_updates=["started_on"]
    )
    return upgrade


def residents_of(site: Site) -> dict[int, Allocation]:
    """{household pk: current allocation} of the households living on the site now."""
    rows = Allocation.objects.filter(site=site, ended_on__isnull=True).select_related("plot")
    return {a.household_id: a for a in rows}


def _households_by_registration(ids: Iterable[str]) -> tuple[list[Household], list[str]]:
    wanted = [i.strip() for i in ids if i and i.strip()]
    found = {h.registration_id: h for h in Household.objects.filter(registration_id__in=wanted)}
    missing = [i for i in wanted if i not in found]
    return [found[i] for i in wanted if i in found], missing


def upgrade_households_record(
    *,
    user: Any,
    upgrade: SiteUpgrade,
    households: Iterable[Household] = (),
    registration_ids: Iterable[str] = (),
    delivered_on: datetime.date | None = None,
) -> list[UpgradeHousehold]:
    """Record the households whose shelter the upgrade reached on `delivered_on`
    (today by default): residents of the site, given as households or by registration
    id. Each is written to the assistance ledger once, in the same transaction; a
    household already reached is skipped (returned lists only the new ones). All or
    nothing: one household that cannot be recorded refuses the whole batch."""
    require(user, MANAGE_WORKS, upgrade)
    delivered_on = delivered_on or today()
    _not_future("delivered_on", delivered_on)
    chosen = list(households)
    by_id, missing = _households_by_registration(registration_ids)
    if missing:
        raise field_error(
            "registration_ids",
            _("No household is registered as %(ids)s. Check the registration ids.")
            % {"ids": ", ".join(missing)},
            "household_not_found",
        )
    seen: set[int] = set()
    unique: list[Household] = []
    for household in [*chosen, *by_id]:
        if household.pk not in seen:
            seen.add(household.pk)
            unique.append(household)
    if not unique:
        raise field_error(
            "households", _("Choose at least one household reached."), "households_required"
        )
    with transaction.atomic():
        upgrade = _locked(SiteUpgrade, upgrade)
        if upgrade.status != WorkStatus.IN_PROGRESS:
            raise Conflict(
                _("Start the upgrade before recording the households it reached."),
                code="upgrade_not_in_progress",
            )
        if upgrade.started_on and delivered_on < upgrade.started_on:
            raise field_error(
                "delivered_on",
                _("The date is before the upgrade started (%(d)s).")
                % {"d": upgrade.started_on.isoformat()},
                "delivered_before_start",
            )
        residents = residents_of(upgrade.site)
        outsiders = [
            h.registration_id
            for h in unique
            if h.pk not in residents and h.place_id != upgrade.site.place_id
        ]
        if outsiders:
            raise field_error(
                "households",
                _("%(ids)s do not live on %(site)s. Only the site's residents can be reached.")
                % {"ids": ", ".join(outsiders), "site": upgrade.site},
                "household_not_resident",
            )
        done = set(
            UpgradeHousehold.objects.filter(
                upgrade=upgrade, household_id__in=[h.pk for h in unique]
            ).values_list("household_id", flat=True)
        )
        kind, unit = LEDGER_KIND[upgrade.kind]
        who = actor(user)
        created: list[UpgradeHousehold] = []
        for household in unique:
            if household.pk in done:
                continue
            allocation = residents.get(household.pk)
            row = UpgradeHousehold.objects.create(
                upgrade=upgrade,
                household=household,
                plot=allocation.plot if allocation else None,
                delivered_on=delivered_on,
                delivered_by=who,
            )
            ledger.assistance_record(
                user=user,
                household=household,
                programme=upgrade.programme,
                project=upgrade.project,
                kind=kind,
                item=f"shelter_{upgrade.kind}",
                quantity=1,
                unit=unit,
                delivered_on=delivered_on,
                place=upgrade.site.place,
                source_type=UPGRADE_SOURCE,
                source_id=f"{upgrade.pk}:{household.pk}",
                description=str(upgrade.get_kind_display()),
                delivered_by=who,
                permission=None,
            )
            created.append(row)
    return created


def upgrade_complete(
    *,
    user: Any,
    upgrade: SiteUpgrade,
    completed_on: datetime.date | None = None,
    spent: Any = None,
) -> SiteUpgrade:
    """Close the works: the date they ended and, if given, the final spending."""
    require(user, MANAGE_WORKS, upgrade)
    completed_on = completed_on or today()
    _not_future("completed_on", completed_on)
    if upgrade.started_on and completed_on < upgrade.started_on:
        raise field_error(
            "completed_on", _("The works cannot end before they started."), "completed_before_start"
        )
    if not upgrade.households.exists():
        raise Conflict(
            _("Record the households reached before completing the upgrade."),
            code="upgrade_nobody_reached",
        )
    updates = ["completed_on"]
    final = _decimal({"spent": spent}, "spent", required=False)
    if final is not None:
        upgrade.spent = money(final)
        updates.append("spent")
    upgrade.completed_on = completed_on
    SiteUpgrade.STATUS_MACHINE.transition(
        upgrade, to=WorkStatus.COMPLETED, by=user, extra_updates=updates
    )
    return upgrade


def upgrade_cancel(*, user: Any, upgrade: SiteUpgrade, reason: str) -> SiteUpgrade:
    """Cancel an upgrade nobody was reached by (a delivery in the ledger stays true)."""
    require(user, MANAGE_WORKS, upgrade)
    if upgrade.households.exists():
        raise Conflict(
            _("Households were already reached: complete the upgrade instead of cancelling it."),
            code="upgrade_has_households",
        )
    SiteUpgrade.STATUS_MACHINE.transition(
        upgrade, to=WorkStatus.CANCELLED, by=user, reason=reason or ""
    )
    return upgrade


# --- camp roads ------------------------------------------------------------------------------


def _road_values(user: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    if not name:
        raise field_error("name", _("Name the road."), "name_required")
    if len(name) > 200:
        raise field_error(
            "name", _("Shorten this to %(n)d characters.") % {"n": 200}, "name_too_long"
        )
    site = data.get("site") or None
    if site is not None and (not isinstance(site, Site) or not can_reach(user, site, MANAGE_WORKS)):
        raise field_error("site", _("Choose a site you work on."), "site_not_found")
    governorate = site.governorate if site is not None else data.get("governorate")
    if not isinstance(governorate, AdminUnit) or governorate.level != AdminUnit.Level.GOVERNORATE:
        raise field_error("governorate", _("Choose the governorate."), "governorate_required")
    surface = str(data.get("surface") or "")
    if surface not in RoadProject.Surface.values:
        raise field_error("surface", _("Choose the surface."), "invalid_surface")
    project = _project(user, data, governorate)
    width = _decimal(data, "width_m", required=False, positive=True)
    return {
        "name": name,
        "site": site,
        "governorate": governorate,
        "project": project,
        "programme": project.programme,
        "length_m": _decimal(data, "length_m", positive=True),
        "width_m": width,
        "surface": surface,
        "budget": money(_decimal(data, "budget")),
        "currency": _currency(data, project),
        "contract": _contract(user, data, project),
        **_dates(data),
    }


def road_create(*, user: Any, data: Mapping[str, Any]) -> RoadProject:
    """Plan a road: name, site (optional; its governorate is the road's) or governorate,
    project, length and width (m), surface, budget, currency, contract, planned dates."""
    require(user, MANAGE_WORKS)
    values = _road_values(user, data)
    who = actor(user)
    return RoadProject.objects.create(created_by=who, updated_by=who, **values)


def road_update(*, user: Any, road: RoadProject, data: Mapping[str, Any]) -> RoadProject:
    require(user, MANAGE_WORKS, road)
    if road.status not in ACTIVE:
        raise Conflict(_("A completed or cancelled road cannot be changed."), code="road_closed")
    values = _road_values(user, data)
    if values["length_m"] < road.length_done_m:
        raise field_error(
            "length_m",
            _("%(done)s m are already done: the length cannot be shorter.")
            % {"done": road.length_done_m},
            "length_below_done",
        )
    with transaction.atomic():
        road = _locked(RoadProject, road)
        for name, value in values.items():
            setattr(road, name, value)
        road.progress = _progress_of(road.length_done_m, road.length_m, road.progress, None)
        road.updated_by = actor(user)
        road.save()
    return road


def road_start(
    *, user: Any, road: RoadProject, started_on: datetime.date | None = None
) -> RoadProject:
    require(user, MANAGE_WORKS, road)
    started_on = started_on or today()
    _not_future("started_on", started_on)
    road.started_on = started_on
    RoadProject.STATUS_MACHINE.transition(
        road, to=WorkStatus.IN_PROGRESS, by=user, extra_updates=["started_on"]
    )
    return road


def _progress_of(
    length_done: Decimal, length: Decimal, current: Decimal, given: Decimal | None
) -> Decimal:
    """The percentage given, else length done ÷ length (at most 100)."""
    if given is not None:
        return money(given)
    if not length:
        return money(current)
    return money(min(HUNDRED, Decimal(length_done) / Decimal(length) * HUNDRED))


def road_progress_report(*, user: Any, road: RoadProject, data: Mapping[str, Any]) -> RoadProgress:
    """Report progress on a road being built: `reported_on` (today by default),
    `length_done_m` (to date, not more than the road's length), `progress` (% — by
    default length done ÷ length), `spent_to_date`, `note`. The road shows its latest
    report (by date)."""
    require(user, MANAGE_WORKS, road)
    reported_on = _date(data, "reported_on") or today()
    _not_future("reported_on", reported_on)
    length_done = _decimal(data, "length_done_m")
    assert length_done is not None
    given = _decimal(data, "progress", required=False)
    if given is not None and given > HUNDRED:
        raise field_error("progress", _("Enter a percentage between 0 and 100."), "progress_range")
    spent = _decimal(data, "spent_to_date", required=False)
    with transaction.atomic():
        road = _locked(RoadProject, road)
        if road.status != WorkStatus.IN_PROGRESS:
            raise Conflict(
                _("Start the road works before reporting progress."), code="road_not_in_progress"
            )
        if length_done > road.length_m:
            raise field_error(
                "length_done_m",
                _("The road is %(len)s m long: the length done cannot be more.")
                % {"len": road.length_m},
                "length_done_too_long",
            )
        if road.started_on and reported_on < road.started_on:
            raise field_error(
                "reported_on",
                _("The date is before the works started (%(d)s).")
                % {"d": road.started_on.isoformat()},
                "reported_before_start",
            )
        report = RoadProgress.objects.create(
            road=road,
            reported_on=reported_on,
            length_done_m=length_done,
            progress=_progress_of(length_done, road.length_m, road.progress, given),
            spent_to_date=money(spent if spent is not None else road.spent),
            note=str(data.get("note") or "").strip(),
            reported_by=actor(user),
        )
        latest = RoadProgress.objects.filter(road=road).order_by("-reported_on", "-id").first()
        assert latest is not None
        road.length_done_m = latest.length_done_m
        road.progress = latest.progress
        road.spent = latest.spent_to_date
        road.updated_by = actor(user)
        road.save(update_fields=["length_done_m", "progress", "spent", "updated_by", "updated_at"])
    return report


def road_complete(
    *,
    user: Any,
    road: RoadProject,
    completed_on: datetime.date | None = None,
    spent: Any = None,
) -> RoadProject:
    """The road is finished: the whole length done, 100 %, and the final spending."""
    require(user, MANAGE_WORKS, road)
    completed_on = completed_on or today()
    _not_future("completed_on", completed_on)
    if road.started_on and completed_on < road.started_on:
        raise field_error(
            "completed_on", _("The works cannot end before they started."), "completed_before_start"
        )
    final = _decimal({"spent": spent}, "spent", required=False)
    road.completed_on = completed_on
    road.length_done_m = road.length_m
    road.progress = HUNDRED
    updates = ["completed_on", "length_done_m", "progress"]
    if final is not None:
        road.spent = money(final)
        updates.append("spent")
    RoadProject.STATUS_MACHINE.transition(
        road, to=WorkStatus.COMPLETED, by=user, extra_updates=updates
    )
    return road


def road_cancel(*, user: Any, road: RoadProject, reason: str) -> RoadProject:
    require(user, MANAGE_WORKS, road)
    RoadProject.STATUS_MACHINE.transition(
        road, to=WorkStatus.CANCELLED, by=user, reason=reason or ""
    )
    return road
