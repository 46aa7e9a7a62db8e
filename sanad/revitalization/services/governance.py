"""Local governance and social cohesion: community centres (visits per day, complaints
and feedback logged there as feedback cases) and social-cohesion activities (civic
engagement events, reconciliation activities, dialogues, forums).

Every write needs MANAGE (`revitalization.manage_community`) within the record's scope
(a 404 otherwise), except logging a complaint at a centre: that needs the centre in the
user's VIEW scope and `feedback.log_case` (which the feedback service checks).

Centres
    A centre's complaints are logged under its feedback channel: an active help desk,
    suggestion box, in-person or community-meeting channel. A new centre without one gets
    a help-desk channel named after it, created through the feedback services when the
    user may manage channels; otherwise the user must choose one.
    Visits are counted per day (one row a day, recorded again to correct it).
    A complaint logged at a centre becomes a feedback case (`feedback.services.cases.
    case_log`, channel of the centre, place of the centre's community, programme CRP)
    and a `CentreCase` link, in one transaction.

Activities
    planned → held (outcomes, participation counted by group × sex × age band, each
    registered participant written to the assistance ledger) ; planned → cancelled
    (reason) ; held → planned (reason) only while no registered participant is in the
    ledger: the ledger is append-only and has no way to void a record.
    A reconciliation activity must count participants of at least two groups.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.core.scoping import can_reach, has_permission
from sanad.feedback.models import MANAGE_CHANNEL, Channel
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    MANAGE,
    VIEW,
    ActivityParticipation,
    AgeBand,
    CentreCase,
    CentreVisitDay,
    CohesionActivity,
    Community,
    CommunityCentre,
    ParticipantGroup,
    Sex,
)
from sanad.revitalization.services._common import (
    PROGRAMME,
    actor,
    next_reference,
    programme,
    require,
    today,
)

ACTIVITY = CohesionActivity.Status
# Feedback channels a centre's cases may be logged under (staff record them by hand).
CENTRE_CHANNEL_KINDS = (
    Channel.Kind.HELP_DESK,
    Channel.Kind.SUGGESTION_BOX,
    Channel.Kind.IN_PERSON,
    Channel.Kind.COMMUNITY_MEETING,
)
LEDGER_SOURCE = "revitalization.activity_participant"
LEDGER_ITEM = "crp_social_cohesion"
MAX_COUNT = 100_000
_PHONE = re.compile(r"^[0-9+()\- ]{3,30}$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

CENTRE_FIELDS = frozenset(
    {
        "name",
        "community",
        "place",
        "opening_hours",
        "services",
        "phone",
        "opened_on",
        "active",
        "channel",
    }
)
ACTIVITY_FIELDS = frozenset(
    {"kind", "title", "community", "centre", "project", "held_on", "facilitators", "description"}
)
# What may still change once an activity is held (the rest is in the ledger).
HELD_EDITABLE = frozenset({"title", "facilitators", "description", "outcomes"})


# --- small helpers ---------------------------------------------------------------------------


def _text(
    value: Any, field: str, *, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    text = str(value or "").strip() if multiline else " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("Fill in this field."), f"{field}_required")
    if len(text) > max_length:
        raise field_error(
            field,
            _("Shorten this to %(n)d characters.") % {"n": max_length},
            f"{field}_too_long",
        )
    return text


def _count(value: Any, field: str) -> int:
    try:
        n = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("Enter a whole number."), f"invalid_{field}") from exc
    if n < 0:
        raise field_error(field, _("Enter zero or more."), f"{field}_negative")
    if n > MAX_COUNT:
        raise field_error(
            field, _("Enter %(n)d or fewer.") % {"n": MAX_COUNT}, f"{field}_too_large"
        )
    return n


def _date(value: Any, field: str, *, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc


def _phone(value: Any) -> str:
    text = " ".join(str(value or "").translate(_DIGITS).split())
    if not text:
        return ""
    if not _PHONE.match(text):
        raise field_error(
            "phone",
            _("Write the phone number with digits only, such as 0750 123 4567."),
            "invalid_phone",
        )
    return text


def _errors_of(exc: ValidationFailed) -> dict[str, list[str]]:
    if exc.fields:
        return {
            k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for k, v in exc.fields.items()
        }
    return {"__all__": [str(exc.message)]}


def _community(user: Any, value: Any, *, current: Any = None) -> Community:
    if not isinstance(value, Community) or not can_reach(user, value, MANAGE):
        raise field_error(
            "community",
            _("Choose a community of your governorates and programmes."),
            "community_out_of_scope",
        )
    if not value.active and value.pk != getattr(current, "pk", None):
        raise field_error(
            "community",
            _("%(name)s is no longer active: choose an active community.") % {"name": value.name},
            "community_inactive",
        )
    return value


def _project(value: Any, *, current: Any = None) -> Project | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Project) or value.programme.code != PROGRAMME:
        raise field_error(
            "project",
            _("Choose a donor project of the community revitalization programme."),
            "project_not_crp",
        )
    if value.status == Project.Status.CLOSED and value.pk != getattr(current, "pk", None):
        raise field_error(
            "project", _("This project is closed. Choose an open project."), "project_closed"
        )
    return value


def _stamp(obj: Any, user: Any, *, created: bool = False) -> None:
    who = actor(user)
    if created:
        obj.created_by = who
    obj.updated_by = who


def _create_with_reference(model: type[Any], prefix: str, build: Any) -> Any:
    for attempt in range(3):
        try:
            with transaction.atomic():
                obj = build(next_reference(model, prefix))
                obj.save()
                return obj
        except IntegrityError:
            # Someone took the same reference at the same moment: take the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- centres ----------------------------------------------------------------------------------


def _channel(user: Any, value: Any, *, current: Any = None) -> Channel | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Channel) or value.kind not in CENTRE_CHANNEL_KINDS:
        raise field_error(
            "channel",
            _(
                "Choose a help desk, suggestion box, in-person or community-meeting channel: "
                "complaints at a centre are logged by staff."
            ),
            "channel_kind",
        )
    if not value.active and value.pk != getattr(current, "pk", None):
        raise field_error(
            "channel",
            _("This channel is no longer in use: choose an active channel."),
            "channel_inactive",
        )
    return value


def _help_desk_for(user: Any, name: str) -> Channel:
    """A help-desk channel named after the centre, through the feedback services (which
    need `feedback.manage_channel`: without it the user must choose a channel)."""
    if not has_permission(user, MANAGE_CHANNEL):
        raise field_error(
            "channel",
            _(
                "Choose the feedback channel the centre's complaints are logged under. Only "
                "someone who manages feedback channels can have a new help desk created for it."
            ),
            "channel_required",
        )
    from sanad.feedback.services.channels import channel_create

    base = "centre-" + (slugify(name)[:26].strip("-") or "help-desk")
    code, n = base, 1
    while Channel.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    label = _("Help desk: %(centre)s") % {"centre": name}
    return channel_create(
        user=user,
        data={"code": code, "name": label[:120], "kind": Channel.Kind.HELP_DESK, "active": True},
    )


def _centre_values(user: Any, data: Mapping[str, Any], current: Any = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def run(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except ValidationFailed as exc:
            for key, messages in _errors_of(exc).items():
                errors.setdefault(key, []).extend(messages)

    run("name", lambda: _text(data.get("name"), "name", max_length=200, required=True))
    run(
        "community",
        lambda: _community(
            user, data.get("community"), current=getattr(current, "community", None)
        ),
    )
    run("opening_hours", lambda: _text(data.get("opening_hours"), "opening_hours", max_length=200))
    run(
        "services", lambda: _text(data.get("services"), "services", max_length=4000, multiline=True)
    )
    run("phone", lambda: _phone(data.get("phone")))
    run("opened_on", lambda: _date(data.get("opened_on"), "opened_on"))
    run(
        "channel",
        lambda: _channel(user, data.get("channel"), current=getattr(current, "channel", None)),
    )
    out["active"] = bool(data.get("active", True))
    place = data.get("place") or None
    if place is not None and not isinstance(place, Place):
        errors.setdefault("place", []).append(_("Choose the place from the list."))
    elif place is not None and isinstance(out.get("community"), Community):
        community = out["community"]
        if place.admin_unit.governorate_id != community.governorate_id:
            errors.setdefault("place", []).append(
                _("This place is in another governorate than the community.")
            )
    out["place"] = place
    opened = out.get("opened_on")
    if opened and opened > today() + datetime.timedelta(days=366):
        errors.setdefault("opened_on", []).append(_("This date is more than a year ahead."))
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def centre_create(
    *,
    user: Any,
    name: str,
    community: Community,
    place: Place | None = None,
    opening_hours: str = "",
    services: str = "",
    phone: str = "",
    opened_on: datetime.date | None = None,
    active: bool = True,
    channel: Channel | None = None,
) -> CommunityCentre:
    """A community centre. Without a channel, a help desk named after it is created
    (when the user may manage feedback channels; otherwise `channel_required`)."""
    require(user, MANAGE)
    values = _centre_values(
        user,
        {
            "name": name,
            "community": community,
            "place": place,
            "opening_hours": opening_hours,
            "services": services,
            "phone": phone,
            "opened_on": opened_on,
            "active": active,
            "channel": channel,
        },
    )
    with transaction.atomic():
        if values["channel"] is None:
            values["channel"] = _help_desk_for(user, values["name"])
        centre = CommunityCentre(
            programme=programme(),
            governorate=values["community"].governorate,
            **values,
        )
        if centre.place is None:
            centre.place = values["community"].place
        _stamp(centre, user, created=True)
        centre.save()
    return centre


def centre_update(*, user: Any, centre: CommunityCentre, **fields: Any) -> CommunityCentre:
    """Change a centre (fields left out keep their value). Its channel can be changed to
    another allowed one, not removed."""
    require(user, MANAGE, centre)
    unknown = set(fields) - CENTRE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        centre = (
            CommunityCentre.objects.select_for_update(of=("self",))
            .select_related("community", "channel")
            .get(pk=centre.pk)
        )
        data = {name: getattr(centre, name) for name in CENTRE_FIELDS}
        data.update(fields)
        if data.get("channel") in (None, ""):
            data["channel"] = centre.channel
        values = _centre_values(user, data, current=centre)
        if values["channel"] is None:
            values["channel"] = _help_desk_for(user, values["name"])
        for name, value in values.items():
            setattr(centre, name, value)
        centre.governorate = values["community"].governorate
        _stamp(centre, user)
        centre.save()
    return centre


def centre_visits_record(
    *,
    user: Any,
    centre: CommunityCentre,
    day: datetime.date,
    visitors_female: int = 0,
    visitors_male: int = 0,
    information_requests: int = 0,
    referrals: int = 0,
) -> CentreVisitDay:
    """The visits of one day (recording the same day again corrects it: one row a day)."""
    require(user, MANAGE, centre)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value in (
        ("visitors_female", visitors_female),
        ("visitors_male", visitors_male),
        ("information_requests", information_requests),
        ("referrals", referrals),
    ):
        try:
            values[field] = _count(value, field)
        except ValidationFailed as exc:
            errors.update(_errors_of(exc))
    try:
        when = _date(day, "day", required=True)
    except ValidationFailed as exc:
        errors.update(_errors_of(exc))
        when = None
    if when is not None:
        if when > today():
            errors.setdefault("day", []).append(_("This day is in the future."))
        elif centre.opened_on and when < centre.opened_on:
            errors.setdefault("day", []).append(
                _("The centre opened on %(date)s: this day is before it.")
                % {"date": centre.opened_on.isoformat()}
            )
    if not errors and values["referrals"] > values["visitors_female"] + values["visitors_male"]:
        errors["referrals"] = [_("There cannot be more referrals than visitors.")]
    if errors or when is None:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        CommunityCentre.objects.select_for_update().filter(pk=centre.pk).first()
        row, _created = CentreVisitDay.objects.update_or_create(
            centre=centre,
            day=when,
            defaults={**values, "recorded_by": actor(user)},
        )
    return row


def centre_case_log(
    *,
    user: Any,
    centre: CommunityCentre,
    category: str,
    description: str,
    anonymous: bool = False,
    caller_name: str = "",
    caller_phone: str = "",
    household: Household | str | None = None,
    caller_sex: str = "",
    caller_age_group: str = "",
    preferred_response: str = "",
    received_at: datetime.datetime | None = None,
) -> CentreCase:
    """A complaint or feedback given at the centre: a feedback case (channel of the
    centre, place of its community, programme CRP) and its link to the centre, both or
    neither. `household`: the household or its registration id (ignored when anonymous).
    Needs the centre in the user's VIEW scope and `feedback.log_case`."""
    require(user, VIEW, centre)
    from sanad.feedback.services.cases import case_log

    centre = CommunityCentre.objects.select_related(
        "community__admin_unit", "community__place", "place__admin_unit", "channel"
    ).get(pk=centre.pk)
    if not centre.active:
        raise Conflict(
            _("This centre is closed: log the case through another channel."),
            code="centre_closed",
        )
    if centre.channel is None:
        raise Conflict(
            _("This centre has no feedback channel yet: edit the centre and choose one."),
            code="centre_without_channel",
        )
    if isinstance(household, str):
        registration_id = household.strip().upper()
        household = None
        if registration_id and not anonymous:
            from sanad.registry.selectors import households_visible_to

            household = households_visible_to(user).filter(registration_id=registration_id).first()
            if household is None:
                raise field_error(
                    "household",
                    _("No registered household with this id in your scope."),
                    "household_not_found",
                )
    community = centre.community
    place = centre.place or community.place
    data = {
        "channel": centre.channel,
        "category": category,
        "description": description,
        "anonymous": anonymous,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "household": None if anonymous else household,
        "caller_sex": caller_sex,
        "caller_age_group": caller_age_group,
        "preferred_response": preferred_response,
        "programme": programme(),
        "place": place,
        "admin_unit": place.admin_unit if place is not None else community.admin_unit,
        "received_at": received_at,
    }
    with transaction.atomic():
        case = case_log(user=user, data=data)
        link = CentreCase.objects.create(centre=centre, case=case)
    return link


# --- social-cohesion activities ---------------------------------------------------------------


def _centre_choice(user: Any, value: Any, community: Any, *, current: Any = None) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, CommunityCentre) or not can_reach(user, value, VIEW):
        raise field_error("centre", _("Choose a centre you can see."), "centre_not_found")
    if isinstance(community, Community) and value.governorate_id != community.governorate_id:
        raise field_error(
            "centre",
            _("This centre is in another governorate than the community."),
            "centre_other_governorate",
        )
    if not value.active and value.pk != getattr(current, "pk", None):
        raise field_error(
            "centre", _("This centre is closed: choose an open one."), "centre_closed"
        )
    return value


def _activity_values(
    user: Any, data: Mapping[str, Any], current: CohesionActivity | None = None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def run(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except ValidationFailed as exc:
            for key, messages in _errors_of(exc).items():
                errors.setdefault(key, []).extend(messages)

    if data.get("kind") not in CohesionActivity.Kind.values:
        errors["kind"] = [_("Choose the kind of activity.")]
    else:
        out["kind"] = data["kind"]
    run("title", lambda: _text(data.get("title"), "title", max_length=200, required=True))
    run(
        "community",
        lambda: _community(
            user, data.get("community"), current=getattr(current, "community", None)
        ),
    )
    run(
        "centre",
        lambda: _centre_choice(
            user, data.get("centre"), out.get("community"), current=getattr(current, "centre", None)
        ),
    )
    run("project", lambda: _project(data.get("project"), current=getattr(current, "project", None)))
    run("held_on", lambda: _date(data.get("held_on"), "held_on", required=True))
    run("facilitators", lambda: _text(data.get("facilitators"), "facilitators", max_length=300))
    run(
        "description",
        lambda: _text(data.get("description"), "description", max_length=4000, multiline=True),
    )
    project: Project | None = out.get("project")
    day = out.get("held_on")
    if (
        project is not None
        and day is not None
        and (
            (project.start_date and day < project.start_date)
            or (project.end_date and day > project.end_date)
        )
    ):
        errors.setdefault("held_on", []).append(
            _("This date is outside the project %(code)s (%(start)s to %(end)s).")
            % {
                "code": project.code,
                "start": project.start_date.isoformat() if project.start_date else "…",
                "end": project.end_date.isoformat() if project.end_date else "…",
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def activity_create(
    *,
    user: Any,
    kind: str,
    title: str,
    community: Community,
    held_on: datetime.date,
    centre: CommunityCentre | None = None,
    project: Project | None = None,
    facilitators: str = "",
    description: str = "",
) -> CohesionActivity:
    """A planned social-cohesion activity (reference SCA-YYYY-NNNNN)."""
    require(user, MANAGE)
    values = _activity_values(
        user,
        {
            "kind": kind,
            "title": title,
            "community": community,
            "centre": centre,
            "project": project,
            "held_on": held_on,
            "facilitators": facilitators,
            "description": description,
        },
    )
    who = actor(user)
    crp = programme()
    return _create_with_reference(
        CohesionActivity,
        "SCA",
        lambda reference: CohesionActivity(
            reference=reference,
            programme=crp,
            governorate=values["community"].governorate,
            created_by=who,
            updated_by=who,
            **values,
        ),
    )


def activity_update(*, user: Any, activity: CohesionActivity, **fields: Any) -> CohesionActivity:
    """Change an activity (fields left out keep their value). Once held, only its title,
    facilitators, description and outcomes change: the rest is in the ledger."""
    require(user, MANAGE, activity)
    unknown = set(fields) - ACTIVITY_FIELDS - {"outcomes"}
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        activity = (
            CohesionActivity.objects.select_for_update(of=("self",))
            .select_related("community", "centre", "project")
            .get(pk=activity.pk)
        )
        if activity.status == ACTIVITY.CANCELLED:
            raise Conflict(
                _("This activity is cancelled: it can no longer be changed."),
                code="activity_cancelled",
            )
        if activity.status == ACTIVITY.HELD:
            changed = [
                name
                for name, value in fields.items()
                if name not in HELD_EDITABLE and value != getattr(activity, name)
            ]
            if changed:
                raise Conflict(
                    _(
                        "This activity is held and its participants are in the ledger: only "
                        "its title, facilitators, description and outcomes can change."
                    ),
                    code="activity_held",
                )
        data = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        data.update({k: v for k, v in fields.items() if k in ACTIVITY_FIELDS})
        values = _activity_values(user, data, current=activity)
        for name, value in values.items():
            setattr(activity, name, value)
        if "outcomes" in fields:
            activity.outcomes = _text(
                fields["outcomes"], "outcomes", max_length=4000, multiline=True
            )
        activity.governorate = values["community"].governorate
        _stamp(activity, user)
        activity.save()
    return activity


def _grid(
    counts: Mapping[Any, Any] | Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str, str], int]:
    """Participation counts as {(group, sex, age band): n}, from that mapping or from
    rows {"group", "sex", "age_band", "count"}; zeros left out."""
    rows: Iterable[tuple[Any, Any]]
    if isinstance(counts, Mapping):
        rows = counts.items()
    else:
        rows = (((r.get("group"), r.get("sex"), r.get("age_band")), r.get("count")) for r in counts)
    out: dict[tuple[str, str, str], int] = {}
    for key, value in rows:
        group, sex, band = key
        if (
            group not in ParticipantGroup.values
            or sex not in Sex.values
            or band not in AgeBand.values
        ):
            raise field_error(
                "participation",
                _("Count participants by one of the groups, sexes and age bands listed."),
                "participation_invalid",
            )
        n = _count(value, "participation")
        if n:
            out[(group, sex, band)] = out.get((group, sex, band), 0) + n
    return out


def _set_participation(
    activity: CohesionActivity, grid: Mapping[tuple[str, str, str], int]
) -> None:
    ActivityParticipation.objects.filter(activity=activity).delete()
    ActivityParticipation.objects.bulk_create(
        [
            ActivityParticipation(activity=activity, group=g, sex=s, age_band=a, count=n)
            for (g, s, a), n in sorted(grid.items())
        ]
    )


def activity_participation_set(
    *,
    user: Any,
    activity: CohesionActivity,
    counts: Mapping[Any, Any] | Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str, str], int]:
    """Replace the participation grid (people by group × sex × age band). Once the
    activity is held, the reconciliation rule still holds."""
    require(user, MANAGE, activity)
    grid = _grid(counts)
    with transaction.atomic():
        activity = CohesionActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.status == ACTIVITY.CANCELLED:
            raise Conflict(
                _("This activity is cancelled: it can no longer be changed."),
                code="activity_cancelled",
            )
        if activity.status == ACTIVITY.HELD:
            _check_held_grid(activity, grid)
        _set_participation(activity, grid)
    return grid


def _check_held_grid(activity: CohesionActivity, grid: Mapping[tuple[str, str, str], int]) -> None:
    total = sum(grid.values())
    if total == 0:
        raise field_error(
            "participation",
            _("Count the people who took part, by group, sex and age, in the grid."),
            "participation_required",
        )
    registered = activity.participants.count()
    if registered > total:
        raise field_error(
            "participation",
            _(
                "The grid counts %(total)d people but %(registered)d registered participants "
                "took part: count everyone in the grid, registered or not."
            )
            % {"total": total, "registered": registered},
            "participation_below_registered",
        )
    if activity.kind == CohesionActivity.Kind.RECONCILIATION:
        groups = {g for (g, _s, _a), n in grid.items() if n}
        if len(groups) < 2:
            only = ParticipantGroup(next(iter(groups))).label if groups else ""
            raise field_error(
                "participation",
                _(
                    "A reconciliation activity brings together people of at least two groups "
                    "(such as displaced people, returnees and the host community): the grid "
                    "counts people of only one group (%(group)s)."
                )
                % {"group": only},
                "reconciliation_one_group",
            )


def _ledger(user: Any, activity: CohesionActivity, individuals: Iterable[Individual]) -> int:
    """Write each participant's ledger record (retry-safe: the source identifies it)."""
    from sanad.assistance.services import assistance_record

    community = activity.community
    written = 0
    for individual in individuals:
        try:
            record = assistance_record(
                user=user,
                individual=individual,
                programme=PROGRAMME,
                project=activity.project,
                kind="service",
                item=LEDGER_ITEM,
                delivered_on=activity.held_on,
                place=community.place,
                admin_unit=None if community.place_id else community.admin_unit,
                source_type=LEDGER_SOURCE,
                source_id=f"{activity.pk}:{individual.pk}",
                description=f"{activity.reference} ({activity.kind})",
                permission=None,
            )
        except ValidationFailed as exc:
            raise Conflict(
                _(
                    "%(name)s (household %(household)s) cannot be recorded as a participant: "
                    "%(problem)s Remove them from the participants or correct the registry first."
                )
                % {
                    "name": individual.full_name_en or individual.full_name_ar or individual.pk,
                    "household": individual.household.registration_id,
                    "problem": " ".join(m for ms in _errors_of(exc).values() for m in ms),
                },
                code="participant_not_recordable",
            ) from exc
        written += 0 if getattr(record, "replayed", False) else 1
    return written


def activity_hold(
    *,
    user: Any,
    activity: CohesionActivity,
    outcomes: str,
    participation: Mapping[Any, Any] | Iterable[Mapping[str, Any]] | None = None,
) -> CohesionActivity:
    """Record a planned activity as held: its outcomes, the participation grid (when
    given; else the grid already saved), and a ledger record for each registered
    participant. A reconciliation activity needs people of two groups or more."""
    require(user, MANAGE, activity)
    text = _text(outcomes, "outcomes", max_length=4000, required=True, multiline=True)
    grid = _grid(participation) if participation is not None else None
    with transaction.atomic():
        activity = (
            CohesionActivity.objects.select_for_update(of=("self",))
            .select_related("community__place", "community__admin_unit", "project")
            .get(pk=activity.pk)
        )
        if activity.status != ACTIVITY.PLANNED:
            raise Conflict(
                _("This activity is %(status)s: only a planned activity can be recorded as held.")
                % {"status": activity.get_status_display()},
                code="activity_not_planned",
            )
        if activity.held_on > today():
            raise field_error(
                "held_on",
                _(
                    "This activity is dated %(date)s: record it as held on that day or later, "
                    "or change its date."
                )
                % {"date": activity.held_on.isoformat()},
                "activity_in_future",
            )
        if grid is None:
            grid = {
                (r.group, r.sex, r.age_band): r.count
                for r in ActivityParticipation.objects.filter(activity=activity)
            }
        _check_held_grid(activity, grid)
        _set_participation(activity, grid)
        activity.outcomes = text
        _stamp(activity, user)
        CohesionActivity.STATUS_MACHINE.transition(
            activity,
            to=ACTIVITY.HELD,
            by=user,
            extra_updates=("outcomes", "updated_by"),
        )
        _ledger(user, activity, activity.participants.select_related("household").order_by("pk"))
    return activity


def activity_ledger_write(*, user: Any, activity: CohesionActivity) -> int:
    """Write (again) the ledger records of a held activity's registered participants;
    the ones already written are left as they are. Returns how many were new."""
    require(user, MANAGE, activity)
    with transaction.atomic():
        activity = CohesionActivity.objects.select_related(
            "community__place", "community__admin_unit", "project"
        ).get(pk=activity.pk)
        if activity.status != ACTIVITY.HELD:
            return 0
        return _ledger(
            user, activity, activity.participants.select_related("household").order_by("pk")
        )


def activity_participant_add(
    *, user: Any, activity: CohesionActivity, individual: Individual
) -> CohesionActivity:
    """Add a registered person (a current member of an active household the user sees
    in the registry). On a held activity, their ledger record is written at once."""
    require(user, MANAGE, activity)
    from sanad.registry.selectors import individuals_visible_to

    if (
        not isinstance(individual, Individual)
        or not individuals_visible_to(user).filter(pk=individual.pk).exists()
    ):
        raise field_error(
            "individual",
            _("Choose a registered person of a household you can see."),
            "individual_not_found",
        )
    with transaction.atomic():
        activity = (
            CohesionActivity.objects.select_for_update(of=("self",))
            .select_related("community__place", "community__admin_unit", "project")
            .get(pk=activity.pk)
        )
        if activity.status == ACTIVITY.CANCELLED:
            raise Conflict(
                _("This activity is cancelled: it can no longer be changed."),
                code="activity_cancelled",
            )
        person = Individual.objects.select_related("household").get(pk=individual.pk)
        if (
            person.household.status != Household.Status.ACTIVE
            or person.status != Individual.Status.ACTIVE
        ):
            raise field_error(
                "individual",
                _("Only a current member of an active household can be added."),
                "individual_not_active",
            )
        if activity.participants.filter(pk=person.pk).exists():
            raise Conflict(_("This person is already a participant."), code="already_participant")
        activity.participants.add(person)
        if activity.status == ACTIVITY.HELD:
            grid_total = sum(
                ActivityParticipation.objects.filter(activity=activity).values_list(
                    "count", flat=True
                )
            )
            if activity.participants.count() > grid_total:
                raise field_error(
                    "participation",
                    _(
                        "The grid counts %(total)d people: correct the participation grid "
                        "first so that it counts this person too."
                    )
                    % {"total": grid_total},
                    "participation_below_registered",
                )
            _ledger(user, activity, [person])
    return activity


def activity_participant_remove(
    *, user: Any, activity: CohesionActivity, individual: Individual
) -> CohesionActivity:
    """Take a registered person off a planned activity (not a held one: they are in the
    ledger, which keeps every record)."""
    require(user, MANAGE, activity)
    with transaction.atomic():
        activity = CohesionActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != ACTIVITY.PLANNED:
            raise Conflict(
                _(
                    "Participants of a held activity are in the assistance ledger, which keeps "
                    "every record: they can no longer be removed."
                )
                if activity.status == ACTIVITY.HELD
                else _("This activity is cancelled: it can no longer be changed."),
                code="activity_not_planned",
            )
        activity.participants.remove(individual)
    return activity


def activity_transition(
    *, user: Any, activity: CohesionActivity, to: str, reason: str = ""
) -> CohesionActivity:
    """Cancel a planned activity, or take a held one back to planned — both with a
    reason. Back to planned is refused once registered participants are in the ledger
    (append-only: there is no way to void their records). Holding goes through
    `activity_hold`."""
    require(user, MANAGE, activity)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("Keep the reason under 300 characters."), "reason_too_long")
    if to == ACTIVITY.HELD:
        raise ValidationFailed(
            _("Record the activity as held with its outcomes and participants."),
            code="use_activity_hold",
        )
    given = activity
    with transaction.atomic():
        activity = CohesionActivity.objects.select_for_update().get(pk=activity.pk)
        if (
            to == ACTIVITY.PLANNED
            and activity.status == ACTIVITY.HELD
            and activity.participants.exists()
        ):
            raise Conflict(
                _(
                    "Its registered participants are already in the assistance ledger, which "
                    "keeps every record: a held activity with registered participants cannot go "
                    "back to planned. Correct its title, description or outcomes instead."
                ),
                code="participants_in_ledger",
            )
        activity.updated_by = actor(user)
        CohesionActivity.STATUS_MACHINE.transition(
            activity, to=to, by=user, reason=reason, extra_updates=("updated_by",)
        )
    given.status = activity.status
    return given


__all__ = [
    "CENTRE_CHANNEL_KINDS",
    "LEDGER_ITEM",
    "LEDGER_SOURCE",
    "activity_create",
    "activity_hold",
    "activity_ledger_write",
    "activity_participant_add",
    "activity_participant_remove",
    "activity_participation_set",
    "activity_transition",
    "activity_update",
    "centre_case_log",
    "centre_create",
    "centre_update",
    "centre_visits_record",
]
