"""Infrastructure projects: create (from scratch or from a need the community chose),
edit, and their status: proposed → endorsed (by the provincial authority: name, date,
letter) → in progress → completed (every milestone at 100 %) → handed over (to the
authority that runs it: name, date, document; needs the population served with the
method of its estimate); cancelled with a reason before completion.

A project made from a need chosen in an endorsed assessment is endorsed at once with
that endorsement (the authority endorsed the chosen projects)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.core.scoping import can_reach
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.revitalization.models import (
    MANAGE,
    Community,
    CommunityAssessment,
    Contractor,
    EstimationMethod,
    InfrastructureProject,
    Need,
    ProjectKind,
    Sector,
)
from sanad.revitalization.services._common import (
    PROGRAMME,
    actor,
    next_reference,
    require,
    today,
)
from sanad.revitalization.services.communities._parse import (
    Problems,
    date,
    money,
    text,
    whole,
)

STATUS = InfrastructureProject.Status
EDITABLE = (STATUS.PROPOSED, STATUS.ENDORSED, STATUS.IN_PROGRESS)
FIELDS = frozenset(
    {
        "title",
        "kind",
        "community",
        "need",
        "project",
        "place",
        "budget",
        "currency",
        "exchange_rate",
        "contractor",
        "contract_number",
        "starts_on",
        "planned_end_on",
        "description",
    }
)
MAX_POPULATION = 10_000_000

# The kind of project a need's sector usually calls for.
SECTOR_KIND: dict[str, str] = {
    Sector.WATER: ProjectKind.WATER_NETWORK,
    Sector.SANITATION: ProjectKind.SANITATION,
    Sector.EDUCATION: ProjectKind.SCHOOL,
    Sector.HEALTH: ProjectKind.HEALTH_CENTRE,
    Sector.ROADS: ProjectKind.ROAD,
    Sector.ELECTRICITY: ProjectKind.ELECTRICITY,
    Sector.MARKETS: ProjectKind.MARKET,
    Sector.SOCIAL: ProjectKind.COMMUNITY_SPACE,
    Sector.AGRICULTURE: ProjectKind.OTHER,
    Sector.OTHER: ProjectKind.OTHER,
}


def kind_for_sector(sector: str) -> str:
    return SECTOR_KIND.get(sector, ProjectKind.OTHER)


def need_endorsed(need: Need | None) -> bool:
    """Whether the need was chosen in an assessment the authority endorsed."""
    return bool(
        need is not None
        and need.selected
        and need.assessment.status == CommunityAssessment.Status.ENDORSED
    )


def _lock(project: InfrastructureProject) -> InfrastructureProject:
    return (
        InfrastructureProject.objects.select_for_update(of=("self",))
        .select_related("community", "need__assessment")
        .get(pk=project.pk)
    )


def _values(
    user: Any, values: Mapping[str, Any], current: InfrastructureProject | None
) -> dict[str, Any]:
    problems = Problems()
    out: dict[str, Any] = {
        "title": problems.run(text, values.get("title"), "title", limit=200, required=True),
        "kind": values.get("kind"),
        "contract_number": problems.run(
            text, values.get("contract_number"), "contract_number", limit=60
        ),
        "description": problems.run(
            text, values.get("description"), "description", limit=10000, multiline=True
        ),
        "starts_on": problems.run(date, values.get("starts_on"), "starts_on", required=False),
        "planned_end_on": problems.run(
            date, values.get("planned_end_on"), "planned_end_on", required=False
        ),
    }
    if out["kind"] not in ProjectKind.values:
        problems.add("kind", _("Choose the kind of infrastructure."))
    if out["starts_on"] and out["planned_end_on"] and out["planned_end_on"] < out["starts_on"]:
        problems.add("planned_end_on", _("The planned end cannot be before the start."))
    out["budget"], out["currency"], out["exchange_rate"] = money(
        values.get("budget"), values.get("currency"), values.get("exchange_rate"), problems
    )

    community = values.get("community")
    if not isinstance(community, Community) or not can_reach(user, community, MANAGE):
        problems.add("community", _("Choose a community of your governorates."))
        community = None
    elif not community.active and getattr(current, "community_id", None) != community.pk:
        problems.add(
            "community",
            _("%(name)s is inactive: choose an active community.") % {"name": community.name},
        )
    out["community"] = community

    need = values.get("need") or None
    if need is not None:
        if not isinstance(need, Need):
            problems.add("need", _("Choose the need from the list."))
        elif community is not None and need.assessment.community_id != community.pk:
            problems.add("need", _("Choose a need raised in this community's assessments."))
        elif (
            need.projects.exclude(status=STATUS.CANCELLED)
            .exclude(pk=current.pk if current is not None else 0)
            .exists()
        ):
            problems.add("need", _("Another project already answers this need. Open it instead."))
    out["need"] = need

    donor = values.get("project") or None
    if donor is not None:
        if not isinstance(donor, Project) or donor.programme.code != PROGRAMME:
            problems.add("project", _("Choose a donor project of the revitalization programme."))
        elif donor.status == Project.Status.CLOSED and getattr(current, "project_id", None) != (
            donor.pk
        ):
            problems.add("project", _("This donor project is closed. Choose an open one."))
    out["project"] = donor

    place = values.get("place") or None
    if place is not None:
        if not isinstance(place, Place):
            problems.add("place", _("Choose the place from the list."))
        elif community is not None and (
            place.admin_unit.governorate_id != community.governorate_id
        ):
            problems.add("place", _("Choose a place in the community's governorate."))
    out["place"] = place

    contractor = values.get("contractor") or None
    if contractor is not None:
        if not isinstance(contractor, Contractor):
            problems.add("contractor", _("Choose the contractor from the list."))
        elif not contractor.active and getattr(current, "contractor_id", None) != contractor.pk:
            problems.add(
                "contractor",
                _("%(name)s is inactive: choose an active contractor.") % {"name": contractor.name},
            )
    out["contractor"] = contractor
    problems.raise_if_any()
    return out


def project_create(
    *,
    user: Any,
    title: str,
    kind: str,
    community: Community,
    budget: Decimal,
    currency: str,
    exchange_rate: Decimal,
    need: Need | None = None,
    project: Project | None = None,
    place: Place | None = None,
    contractor: Contractor | None = None,
    contract_number: str = "",
    starts_on: datetime.date | None = None,
    planned_end_on: datetime.date | None = None,
    description: str = "",
) -> InfrastructureProject:
    """A proposed project (reference INF-YYYY-NNNNN); endorsed at once when it answers a
    need chosen in an endorsed assessment (the endorsement is copied)."""
    require(user, MANAGE)
    values = _values(
        user,
        {
            "title": title,
            "kind": kind,
            "community": community,
            "need": need,
            "project": project,
            "place": place,
            "budget": budget,
            "currency": currency,
            "exchange_rate": exchange_rate,
            "contractor": contractor,
            "contract_number": contract_number,
            "starts_on": starts_on,
            "planned_end_on": planned_end_on,
            "description": description,
        },
        None,
    )
    chosen: Community = values["community"]
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                created = InfrastructureProject.objects.create(
                    reference=next_reference(InfrastructureProject, "INF"),
                    programme_id=chosen.programme_id,
                    governorate_id=chosen.governorate_id,
                    created_by=who,
                    updated_by=who,
                    **values,
                )
                # Read the need again: the one given may predate its choice.
                need_now = (
                    Need.objects.select_related("assessment").get(pk=values["need"].pk)
                    if values["need"] is not None
                    else None
                )
                if need_endorsed(need_now):
                    assert need_now is not None
                    assessment = need_now.assessment
                    created.endorsed_by = assessment.endorsed_by
                    created.endorsed_on = assessment.endorsed_on
                    created.endorsement_reference = assessment.endorsement_reference
                    InfrastructureProject.STATUS_MACHINE.transition(
                        created,
                        to=STATUS.ENDORSED,
                        by=user,
                        reason=_("Chosen in the endorsed community assessment %(ref)s.")
                        % {"ref": assessment.reference},
                        extra_updates=("endorsed_by", "endorsed_on", "endorsement_reference"),
                    )
                return created
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def project_defaults_from_need(need: Need) -> dict[str, Any]:
    """What a project made from a need starts with: title, kind (from the sector),
    community, need, and the estimated cost as the budget in USD."""
    return {
        "title": need.description[:200],
        "kind": kind_for_sector(need.sector),
        "community": need.assessment.community,
        "need": need,
        "budget": need.estimated_cost,
        "currency": "USD" if need.estimated_cost is not None else "",
    }


def project_update(
    *, user: Any, project: InfrastructureProject, **fields: Any
) -> InfrastructureProject:
    """Change a project not completed yet (fields left out keep their value); its
    community changes only while it is proposed."""
    require(user, MANAGE, project)
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        locked = _lock(project)
        if locked.status not in EDITABLE:
            raise Conflict(
                _("The project is %(status)s: it can no longer be changed.")
                % {"status": locked.get_status_display().lower()},
                code="project_closed",
            )
        current = {name: getattr(locked, name) for name in FIELDS}
        current.update(fields)
        values = _values(user, current, locked)
        if values["community"].pk != locked.community_id and locked.status != STATUS.PROPOSED:
            raise field_error(
                "community",
                _("The project is endorsed for %(name)s: its community cannot change.")
                % {"name": locked.community.name},
                "community_fixed",
            )
        for name, value in values.items():
            setattr(locked, name, value)
        locked.governorate_id = values["community"].governorate_id
        locked.updated_by = actor(user)
        locked.save()
    return locked


# --- status ----------------------------------------------------------------------------


def _transition(
    user: Any,
    project: InfrastructureProject,
    to: str,
    *,
    reason: str = "",
    extra: tuple[str, ...] = (),
) -> InfrastructureProject:
    project.updated_by = actor(user)
    InfrastructureProject.STATUS_MACHINE.transition(
        project, to=to, by=user, reason=reason, extra_updates=(*extra, "updated_by")
    )
    return project


def project_endorse(
    *,
    user: Any,
    project: InfrastructureProject,
    endorsed_by: str,
    endorsed_on: datetime.date,
    endorsement_reference: str,
) -> InfrastructureProject:
    """Proposed → endorsed by the provincial authority (name, date, letter)."""
    require(user, MANAGE, project)
    problems = Problems()
    authority = problems.run(text, endorsed_by, "endorsed_by", limit=200, required=True)
    day = problems.run(date, endorsed_on, "endorsed_on", past=True)
    letter = problems.run(
        text, endorsement_reference, "endorsement_reference", limit=100, required=True
    )
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(project)
        locked.endorsed_by, locked.endorsed_on = authority, day
        locked.endorsement_reference = letter
        return _transition(
            user,
            locked,
            STATUS.ENDORSED,
            extra=("endorsed_by", "endorsed_on", "endorsement_reference"),
        )


def project_start(
    *, user: Any, project: InfrastructureProject, starts_on: datetime.date | None = None
) -> InfrastructureProject:
    """Endorsed → in progress (the works started; a project is never started before the
    authority endorsed it)."""
    require(user, MANAGE, project)
    with transaction.atomic():
        locked = _lock(project)
        if locked.status == STATUS.PROPOSED:
            raise Conflict(
                _("Record the provincial endorsement before starting the works."),
                code="not_endorsed",
            )
        day = date(starts_on, "starts_on", required=False, past=True) or locked.starts_on
        if day is None or day > today():
            day = today()
        if locked.endorsed_on and day < locked.endorsed_on:
            raise field_error(
                "starts_on",
                _("The works cannot start before the endorsement (%(date)s).")
                % {"date": locked.endorsed_on.isoformat()},
                "start_before_endorsement",
            )
        locked.starts_on = day
        return _transition(user, locked, STATUS.IN_PROGRESS, extra=("starts_on",))


def project_complete(
    *, user: Any, project: InfrastructureProject, completed_on: datetime.date
) -> InfrastructureProject:
    """In progress → completed, once every milestone is at 100 %."""
    require(user, MANAGE, project)
    day = date(completed_on, "completed_on", past=True)
    assert day is not None
    with transaction.atomic():
        locked = _lock(project)
        if locked.status == STATUS.IN_PROGRESS:
            milestones = list(locked.milestones.all())
            if not milestones:
                raise Conflict(
                    _(
                        "Record the milestones of the works and their progress before completing the project."
                    ),
                    code="no_milestones",
                )
            open_ones = [m.name for m in milestones if m.progress < 100]
            if open_ones:
                raise Conflict(
                    _("Every milestone must be at 100 %% before completing: %(names)s.")
                    % {"names": ", ".join(open_ones[:5])},
                    code="milestones_open",
                )
            if locked.starts_on and day < locked.starts_on:
                raise field_error(
                    "completed_on",
                    _("The project cannot be completed before it started (%(date)s).")
                    % {"date": locked.starts_on.isoformat()},
                    "completed_before_start",
                )
        locked.completed_on = day
        return _transition(user, locked, STATUS.COMPLETED, extra=("completed_on",))


def project_hand_over(
    *,
    user: Any,
    project: InfrastructureProject,
    handover_authority: str,
    handover_on: datetime.date,
    handover_reference: str,
) -> InfrastructureProject:
    """Completed → handed over to the authority that runs it (name, date, document);
    needs the population served with the method of its estimate."""
    require(user, MANAGE, project)
    problems = Problems()
    authority = problems.run(
        text, handover_authority, "handover_authority", limit=200, required=True
    )
    day = problems.run(date, handover_on, "handover_on", past=True)
    document = problems.run(
        text, handover_reference, "handover_reference", limit=100, required=True
    )
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(project)
        if locked.status == STATUS.COMPLETED:
            if not (
                locked.population_served
                and locked.estimation_method
                and locked.estimation_note.strip()
            ):
                raise Conflict(
                    _(
                        "Write down the people benefiting (the population served, how it was "
                        "estimated and the figures used) before handing the project over."
                    ),
                    code="population_missing",
                )
            if day is not None and locked.completed_on and day < locked.completed_on:
                raise field_error(
                    "handover_on",
                    _("The handover cannot be before the completion (%(date)s).")
                    % {"date": locked.completed_on.isoformat()},
                    "handover_before_completion",
                )
        locked.handover_authority, locked.handover_on = authority, day
        locked.handover_reference = document
        return _transition(
            user,
            locked,
            STATUS.HANDED_OVER,
            extra=("handover_authority", "handover_on", "handover_reference"),
        )


def project_cancel(
    *, user: Any, project: InfrastructureProject, reason: str
) -> InfrastructureProject:
    """Cancel a project not completed (the reason is recorded; payments already made
    stay in the ledger)."""
    require(user, MANAGE, project)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    with transaction.atomic():
        locked = _lock(project)
        return _transition(user, locked, STATUS.CANCELLED, reason=reason)


def project_population_set(
    *,
    user: Any,
    project: InfrastructureProject,
    population_served: int | None,
    estimation_method: str,
    estimation_note: str,
) -> InfrastructureProject:
    """The people benefiting: the population served, the estimation method and the
    figures used, written down together (all three, or none to clear them before the
    handover)."""
    require(user, MANAGE, project)
    problems = Problems()
    population = problems.run(whole, population_served, "population_served", maximum=MAX_POPULATION)
    method = str(estimation_method or "")
    note = problems.run(text, estimation_note, "estimation_note", limit=4000, multiline=True)
    if method and method not in EstimationMethod.values:
        problems.add("estimation_method", _("Choose how the population was estimated."))
    given = [bool(population), bool(method), bool(note)]
    if any(given) and not all(given):
        if not population and "population_served" not in problems.fields:
            problems.add(
                "population_served", _("Give the number of people benefiting, above zero.")
            )
        if not method and "estimation_method" not in problems.fields:
            problems.add("estimation_method", _("Choose how the population was estimated."))
        if not note and "estimation_note" not in problems.fields:
            problems.add(
                "estimation_note",
                _("Write down the figures and sources, such as 412 households connected × 6.1."),
            )
    problems.raise_if_any()
    with transaction.atomic():
        locked = _lock(project)
        if locked.status == STATUS.CANCELLED:
            raise Conflict(_("The project is cancelled."), code="project_cancelled")
        if locked.status == STATUS.HANDED_OVER and not population:
            raise Conflict(
                _("A handed-over project keeps its people benefiting: correct them instead."),
                code="population_required",
            )
        locked.population_served = population or None
        locked.estimation_method = method
        locked.estimation_note = note or ""
        locked.updated_by = actor(user)
        locked.save(
            update_fields=[
                "population_served",
                "estimation_method",
                "estimation_note",
                "updated_by",
                "updated_at",
            ]
        )
    return locked
