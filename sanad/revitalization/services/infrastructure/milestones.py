"""The milestones of a project's works: an edit table (order, name, weight, due date)
whose weights sum to 100 when there are any, and the progress of each (0 to 100 %,
verified by the person recording it; done on the day it reaches 100). The project's
progress is Σ weight × progress / 100 (`selectors.infrastructure.project_progress`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.revitalization.models import MANAGE, InfrastructureProject, ProjectMilestone
from sanad.revitalization.services._common import require, today
from sanad.revitalization.services.communities._parse import Problems, date, decimal, text

STATUS = InfrastructureProject.Status
PLANNING = (STATUS.PROPOSED, STATUS.ENDORSED, STATUS.IN_PROGRESS)
HUNDRED = Decimal("100")
MAX_MILESTONES = 50


def milestones_set(
    *, user: Any, project: InfrastructureProject, rows: Sequence[Mapping[str, Any]]
) -> list[ProjectMilestone]:
    """Replace the project's milestones with `rows` ({"id" (of an existing milestone, to
    keep its progress), "order", "name", "weight", "due_on"}), numbered by their order.
    The weights must sum to 100; a milestone with progress recorded cannot be removed."""
    require(user, MANAGE, project)
    problems = Problems()
    cleaned: list[dict[str, Any]] = []
    for index, row in enumerate(rows, start=1):

        def field(name: str, index: int = index) -> str:
            return f"rows.{index}.{name}"

        name = problems.run(text, row.get("name"), field("name"), limit=200, required=True)
        weight = problems.run(
            decimal, row.get("weight"), field("weight"), positive=True, maximum=HUNDRED
        )
        due = problems.run(date, row.get("due_on"), field("due_on"), required=False)
        try:
            order = int(row.get("order") or index)
        except (TypeError, ValueError):
            order = index
        cleaned.append(
            {
                "id": row.get("id") or None,
                "order": order,
                "name": name,
                "weight": weight,
                "due_on": due,
            }
        )
    if len(cleaned) > MAX_MILESTONES:
        problems.add("milestones", _("Keep to %(n)d milestones or fewer.") % {"n": MAX_MILESTONES})
    if cleaned and not problems.fields:
        total = sum((r["weight"] for r in cleaned), Decimal(0))
        if total != HUNDRED:
            problems.add(
                "milestones",
                _("The weights add up to %(total)s %%: make them add up to 100 %%.")
                % {"total": format(total.normalize(), "f")},
            )
    problems.raise_if_any()
    cleaned.sort(key=lambda r: r["order"])
    with transaction.atomic():
        locked = InfrastructureProject.objects.select_for_update().get(pk=project.pk)
        if locked.status not in PLANNING:
            raise Conflict(
                _("The project is %(status)s: its milestones can no longer change.")
                % {"status": locked.get_status_display().lower()},
                code="milestones_closed",
            )
        existing = {m.pk: m for m in locked.milestones.all()}
        kept_ids = {int(r["id"]) for r in cleaned if r["id"] and int(r["id"]) in existing}
        if {int(r["id"]) for r in cleaned if r["id"]} - set(existing):
            raise ValidationFailed(
                _("A milestone of the table belongs to another project. Reload the page."),
                code="milestone_not_found",
            )
        removed = [m for pk, m in existing.items() if pk not in kept_ids]
        started = [m.name for m in removed if m.progress > 0]
        if started:
            raise field_error(
                "milestones",
                _("These milestones have progress recorded and cannot be removed: %(names)s.")
                % {"names": ", ".join(started)},
                "milestone_started",
            )
        ProjectMilestone.objects.filter(pk__in=[m.pk for m in removed]).delete()
        # Free the orders first: (project, order) is unique.
        for offset, milestone in enumerate(existing[pk] for pk in sorted(kept_ids)):
            ProjectMilestone.objects.filter(pk=milestone.pk).update(order=10000 + offset)
        out = []
        for position, row in enumerate(cleaned, start=1):
            values = {
                "order": position,
                "name": row["name"],
                "weight": row["weight"],
                "due_on": row["due_on"],
            }
            if row["id"]:
                ProjectMilestone.objects.filter(pk=int(row["id"])).update(**values)
                milestone = ProjectMilestone.objects.get(pk=int(row["id"]))
            else:
                milestone = ProjectMilestone.objects.create(project=locked, **values)
            out.append(milestone)
    return out


def milestone_progress(
    *, user: Any, milestone: ProjectMilestone, progress: Decimal | int | str, note: str = ""
) -> ProjectMilestone:
    """The progress of a milestone of a project in progress (0 to 100 %); at 100 it is
    done on the day, verified by `user`."""
    require(user, MANAGE, milestone.project)
    problems = Problems()
    value = problems.run(decimal, progress, "progress", maximum=HUNDRED)
    remark = problems.run(text, note, "note", limit=300)
    problems.raise_if_any()
    assert value is not None
    with transaction.atomic():
        project = InfrastructureProject.objects.select_for_update().get(pk=milestone.project_id)
        if project.status != STATUS.IN_PROGRESS:
            raise Conflict(
                _("Progress is recorded while the works are in progress."),
                code="project_not_in_progress",
            )
        locked = ProjectMilestone.objects.select_for_update().get(pk=milestone.pk)
        locked.progress = value
        locked.note = remark or ""
        locked.verified_by = user if getattr(user, "pk", None) else None
        if value >= HUNDRED:
            locked.done_on = locked.done_on or today()
        else:
            locked.done_on = None
        locked.save()
        InfrastructureProject.objects.filter(pk=project.pk).update(updated_by=locked.verified_by)
    return locked
