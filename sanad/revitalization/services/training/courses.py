"""Training providers (register, edit) and courses (create, edit, start, cancel).
Finishing a course is in `completion`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.revitalization.models import (
    TRAINING,
    Community,
    Course,
    Enrolment,
    Trade,
    TrainingProvider,
    TrainingSession,
)
from sanad.revitalization.selectors.training import HOLDING
from sanad.revitalization.services._common import (
    PROGRAMME,
    next_reference,
    programme,
    require,
)
from sanad.revitalization.services.training._base import (
    COURSE,
    clean_text,
    decimal,
    lock_course,
    parse_date,
    reaches_governorate,
    require_open,
    stamp,
    whole,
)

MAX_SESSIONS = 400
MAX_PLACES = 500

# --- providers ----------------------------------------------------------------------------

PROVIDER_FIELDS = frozenset({"name", "kind", "accredited", "contact_name", "phone", "active"})


def _phone(value: Any) -> str:
    from sanad.registry.services.validation import clean_phone

    if value in (None, ""):
        return ""
    try:
        return clean_phone(value)
    except ValueError as exc:
        raise field_error("phone", str(exc), "invalid_phone") from exc


def _provider_values(provider: TrainingProvider, fields: dict[str, Any]) -> None:
    provider.name = clean_text(fields.get("name"), "name", max_length=200, required=True)
    kind = fields.get("kind")
    if kind not in TrainingProvider.Kind.values:
        raise field_error("kind", _("Choose the kind of provider."), "invalid_kind")
    provider.kind = kind
    provider.accredited = bool(fields.get("accredited"))
    provider.contact_name = clean_text(fields.get("contact_name"), "contact_name", max_length=200)
    provider.phone = _phone(fields.get("phone"))
    provider.active = bool(fields.get("active", True))
    if TrainingProvider.objects.exclude(pk=provider.pk).filter(name__iexact=provider.name).exists():
        raise field_error(
            "name",
            _("A training provider with this name is already registered. Open it instead."),
            "provider_exists",
        )


def provider_create(
    *,
    user: Any,
    name: str,
    kind: str,
    accredited: bool = False,
    contact_name: str = "",
    phone: str = "",
    active: bool = True,
) -> TrainingProvider:
    """Register a training provider (a vocational centre, an institute, an NGO or an
    employer training on the job); the name is unique whatever the case."""
    require(user, TRAINING)
    provider = TrainingProvider()
    _provider_values(
        provider,
        {
            "name": name,
            "kind": kind,
            "accredited": accredited,
            "contact_name": contact_name,
            "phone": phone,
            "active": active,
        },
    )
    stamp(provider, user, created=True)
    provider.save()
    return provider


def provider_update(*, user: Any, provider: TrainingProvider, **fields: Any) -> TrainingProvider:
    """Change a provider (fields left out keep their value). An inactive provider keeps
    its courses but cannot be chosen for a new one."""
    require(user, TRAINING, provider)
    unknown = set(fields) - PROVIDER_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        provider = TrainingProvider.objects.select_for_update().get(pk=provider.pk)
        current = {name: getattr(provider, name) for name in PROVIDER_FIELDS}
        current.update(fields)
        _provider_values(provider, current)
        stamp(provider, user)
        provider.save()
    return provider


# --- courses ------------------------------------------------------------------------------

COURSE_FIELDS = frozenset(
    {
        "title",
        "trade",
        "provider",
        "project",
        "governorate",
        "community",
        "venue",
        "starts_on",
        "ends_on",
        "planned_sessions",
        "capacity",
        "min_attendance",
        "final_assessment",
    }
)


def _course_values(
    user: Any, values: dict[str, Any], current: Course | None = None
) -> dict[str, Any]:
    """The course's field values, every refusal collected so the form marks them all."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def check(field: str, call: Any) -> Any:
        try:
            return call()
        except ValidationFailed as exc:
            for name, messages in (exc.fields or {field: [exc.message]}).items():
                errors.setdefault(name, []).extend(str(m) for m in messages)
            return None

    out["title"] = check(
        "title", lambda: clean_text(values.get("title"), "title", max_length=200, required=True)
    )
    if values.get("trade") not in Trade.values:
        errors["trade"] = [_("Choose the trade taught.")]
    out["trade"] = values.get("trade")

    provider = values.get("provider")
    if not isinstance(provider, TrainingProvider):
        errors["provider"] = [_("Choose the training provider.")]
    elif not provider.active and (current is None or current.provider_id != provider.pk):
        errors["provider"] = [
            _("%(name)s is inactive: choose an active provider or reactivate it.")
            % {"name": provider.name}
        ]
    out["provider"] = provider

    governorate = values.get("governorate")
    if not isinstance(governorate, AdminUnit) or governorate.level != AdminUnit.Level.GOVERNORATE:
        errors["governorate"] = [_("Choose the governorate where the course is given.")]
        governorate = None
    elif not reaches_governorate(user, governorate):
        errors["governorate"] = [
            _("You do not manage training in %(name)s. Choose a governorate of your scope.")
            % {"name": governorate.name}
        ]
    elif (
        current is not None
        and current.governorate_id != governorate.pk
        and Enrolment.objects.filter(course=current).exists()
    ):
        errors["governorate"] = [
            _(
                "Trainees are enrolled from the households of %(name)s: the governorate "
                "cannot change any more."
            )
            % {"name": current.governorate.name}
        ]
    out["governorate"] = governorate

    community = values.get("community") or None
    if community is not None:
        if not isinstance(community, Community) or community.programme.code != PROGRAMME:
            errors["community"] = [_("Choose a community of the programme.")]
        elif governorate is not None and community.governorate_id != governorate.pk:
            errors["community"] = [
                _("%(name)s is in another governorate: choose a community of %(gov)s.")
                % {"name": community.name, "gov": governorate.name}
            ]
    out["community"] = community
    out["venue"] = check("venue", lambda: clean_text(values.get("venue"), "venue", max_length=200))
    starts_on = check("starts_on", lambda: parse_date(values.get("starts_on"), "starts_on"))
    ends_on = check("ends_on", lambda: parse_date(values.get("ends_on"), "ends_on"))
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The course cannot end before it starts."))
    if current is not None and starts_on:
        first = (
            TrainingSession.objects.filter(course=current)
            .order_by("held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        if first is not None and starts_on > first:
            errors.setdefault("starts_on", []).append(
                _("The first session was held on %(date)s: the course cannot start later.")
                % {"date": first.isoformat()}
            )
    out["starts_on"], out["ends_on"] = starts_on, ends_on

    project = values.get("project") or None
    if project is not None:
        if not isinstance(project, Project) or project.programme.code != PROGRAMME:
            errors["project"] = [_("Choose a project of the community revitalization programme.")]
        elif project.status == Project.Status.CLOSED and (
            current is None or current.project_id != project.pk
        ):
            errors["project"] = [_("This project is closed. Choose an open project.")]
        elif (
            starts_on and ends_on and (starts_on < project.start_date or ends_on > project.end_date)
        ):
            errors["project"] = [
                _(
                    "Project %(code)s runs from %(start)s to %(end)s: the course must fall "
                    "within it (its completions are recorded in the project)."
                )
                % {
                    "code": project.code,
                    "start": project.start_date.isoformat(),
                    "end": project.end_date.isoformat(),
                }
            ]
    out["project"] = project

    out["planned_sessions"] = check(
        "planned_sessions",
        lambda: whole(values.get("planned_sessions"), "planned_sessions", low=1, high=MAX_SESSIONS),
    )
    capacity = check(
        "capacity", lambda: whole(values.get("capacity"), "capacity", low=1, high=MAX_PLACES)
    )
    if current is not None and capacity is not None:
        taken = Enrolment.objects.filter(course=current, status__in=HOLDING).count()
        if capacity < taken:
            errors.setdefault("capacity", []).append(
                _("%(n)d trainees are enrolled: the course needs at least as many places.")
                % {"n": taken}
            )
    out["capacity"] = capacity
    minimum = values.get("min_attendance")
    out["min_attendance"] = check(
        "min_attendance",
        lambda: decimal(
            80 if minimum in (None, "") else minimum,
            "min_attendance",
            low=Decimal(0),
            high=Decimal(100),
            step="0.01",
        ),
    )
    out["final_assessment"] = bool(values.get("final_assessment"))
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def course_create(
    *,
    user: Any,
    title: str,
    trade: str,
    provider: TrainingProvider,
    governorate: AdminUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    planned_sessions: int,
    capacity: int,
    project: Project | None = None,
    community: Community | None = None,
    venue: str = "",
    min_attendance: Decimal | int | str = 80,
    final_assessment: bool = True,
) -> Course:
    """A planned course (reference CRS-YYYY-NNNNN) in a governorate of the user's
    scope."""
    require(user, TRAINING)
    values = _course_values(
        user,
        {
            "title": title,
            "trade": trade,
            "provider": provider,
            "project": project,
            "governorate": governorate,
            "community": community,
            "venue": venue,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "planned_sessions": planned_sessions,
            "capacity": capacity,
            "min_attendance": min_attendance,
            "final_assessment": final_assessment,
        },
    )
    for attempt in range(3):
        try:
            with transaction.atomic():
                course = Course(
                    reference=next_reference(Course, "CRS"), programme=programme(), **values
                )
                stamp(course, user, created=True)
                course.save()
            return course
        except IntegrityError:
            # Someone took the same reference at the same moment: take the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def course_update(*, user: Any, course: Course, **fields: Any) -> Course:
    """Change a planned or running course (fields left out keep their value). Places
    never below the trainees enrolled; the governorate fixed once someone is enrolled;
    the start never after the first session."""
    require(user, TRAINING, course)
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    given = course
    with transaction.atomic():
        course = lock_course(course)
        require_open(course, _("it can be changed"))
        current = {name: getattr(course, name) for name in COURSE_FIELDS}
        current.update(fields)
        values = _course_values(user, current, current=course)
        for name, value in values.items():
            setattr(course, name, value)
        stamp(course, user)
        course.save()
    given.refresh_from_db()
    return given


def course_start(*, user: Any, course: Course, reason: str = "") -> Course:
    """Planned → running, by hand (recording the first session also starts it). At
    least one trainee must be enrolled."""
    require(user, TRAINING, course)
    with transaction.atomic():
        locked = lock_course(course)
        if (
            locked.status == COURSE.PLANNED
            and not Enrolment.objects.filter(
                course=locked, status=Enrolment.Status.ENROLLED
            ).exists()
        ):
            raise Conflict(
                _("Enrol the trainees before starting the course."), code="course_no_trainees"
            )
        Course.STATUS_MACHINE.transition(locked, to=COURSE.RUNNING, by=user, reason=reason)
    course.status = locked.status
    return course


def course_cancel(*, user: Any, course: Course, reason: str) -> Course:
    """Planned or running → cancelled, with the reason. Enrolments stay as they are (the
    course's status says it did not take place to the end); nothing is written to the
    assistance ledger."""
    require(user, TRAINING, course)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    with transaction.atomic():
        locked = lock_course(course)
        Course.STATUS_MACHINE.transition(locked, to=COURSE.CANCELLED, by=user, reason=reason)
    course.status = locked.status
    return course
