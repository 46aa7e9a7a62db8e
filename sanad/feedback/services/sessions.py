"""Community sessions: focus group discussions, awareness sessions, participatory
theatre and community meetings, with who took part (counted by sex and age group, and
registered people by name) and what was heard. A session's findings can raise a
campaign to the same place on the same topic."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, grants_for, has_permission
from sanad.feedback.models import (
    MANAGE_CAMPAIGN,
    MANAGE_SESSION,
    Campaign,
    CommunitySession,
    Topic,
)

SEXES = ("female", "male")
AGE_GROUPS = ("0-5", "6-17", "18-59", "60+")
FIELDS = (
    "kind",
    "title",
    "topic",
    "programme",
    "place",
    "admin_unit",
    "held_on",
    "facilitators",
    "participants",
    "key_findings",
    "follow_up",
)


def participants_clean(value: Any) -> dict[str, dict[str, int]]:
    """{"female": {"0-5": n, …}, "male": {…}} with every cell a whole number ≥ 0."""
    raw = value if isinstance(value, dict) else {}
    out: dict[str, dict[str, int]] = {}
    for sex in SEXES:
        cells = raw.get(sex)
        row: dict[str, Any] = cells if isinstance(cells, dict) else {}
        out[sex] = {}
        for age in AGE_GROUPS:
            try:
                n = int(row.get(age) or 0)
            except (TypeError, ValueError):
                n = -1
            if n < 0 or n > 100000:
                message = _("Count the participants with whole numbers from 0.")
                raise ValidationFailed(message, fields={"participants": [message]})
            out[sex][age] = n
    return out


def participants_total(participants: dict[str, Any]) -> int:
    return sum(
        int(n or 0)
        for row in (participants or {}).values()
        if isinstance(row, dict)
        for n in row.values()
    )


def _governorate_of(unit: Any) -> Any:
    return unit.governorate or unit


def _clean(user: Any, data: dict[str, Any], session: CommunitySession | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    creating = session is None

    def has(field: str) -> bool:
        return creating or field in data

    if has("kind"):
        if data.get("kind") not in CommunitySession.Kind.values:
            errors["kind"] = [_("Choose the kind of session.")]
        out["kind"] = data.get("kind")
    if has("title"):
        title = str(data.get("title") or "").strip()
        if not title:
            errors["title"] = [_("Give the session a title.")]
        out["title"] = title[:200]
    if has("topic"):
        if data.get("topic") not in Topic.values:
            errors["topic"] = [_("Choose the topic of the session.")]
        out["topic"] = data.get("topic")
    if has("held_on"):
        held_on = data.get("held_on")
        if not isinstance(held_on, datetime.date):
            errors["held_on"] = [_("Give the day the session was held.")]
        out["held_on"] = held_on
    if has("facilitators"):
        facilitators = str(data.get("facilitators") or "").strip()
        if not facilitators:
            errors["facilitators"] = [_("Name who facilitated the session.")]
        out["facilitators"] = facilitators[:300]
    if has("place") or has("admin_unit"):
        place = data.get("place", session.place if session else None)
        unit = data.get("admin_unit") or (place.admin_unit if place is not None else None)
        if unit is None:
            errors["admin_unit"] = [_("Say where the session was held (a place or an area).")]
        else:
            out["governorate"] = _governorate_of(unit)
            pcode = out["governorate"].pcode
            grants = grants_for(user, MANAGE_SESSION)
            if not any(g.all_governorates or pcode in g.governorates for g in grants):
                errors["admin_unit"] = [_("Choose a place in a governorate you work in.")]
        out["place"] = place
        out["admin_unit"] = unit
    if "programme" in data:
        programme = data.get("programme")
        grants = grants_for(user, MANAGE_SESSION)
        if programme is not None and not any(
            g.all_programmes or programme.code in g.programmes for g in grants
        ):
            errors["programme"] = [_("Choose a programme you work in.")]
        out["programme"] = programme
    if has("participants"):
        try:
            out["participants"] = participants_clean(data.get("participants"))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    for field in ("key_findings", "follow_up"):
        if field in data:
            out[field] = str(data.get(field) or "").strip()
    if errors:
        raise ValidationFailed(fields=errors, code="session_invalid")
    return out


def _attendees(session: CommunitySession, values: list[Any]) -> list[Any]:
    """Registered participants: individuals, or registration ids (the household's head),
    only from households in the session's governorate."""
    from sanad.registry.models import Individual

    wanted = [v for v in values if v not in (None, "")]
    people: list[Any] = []
    unknown: list[str] = []
    for value in wanted:
        person: Individual | None
        if isinstance(value, Individual):
            person = value
        else:
            key = str(value).strip()
            person = (
                Individual.objects.filter(
                    household__registration_id__iexact=key,
                    relationship=Individual.Relationship.HEAD,
                    status=Individual.Status.ACTIVE,
                )
                .select_related("household")
                .first()
            )
            if person is None:
                try:
                    person = Individual.objects.select_related("household").get(public_id=key)
                except (Individual.DoesNotExist, ValueError, DjangoValidationError):
                    person = None
        if person is None or person.household.governorate_id != session.governorate_id:
            unknown.append(str(value))
            continue
        people.append(person)
    if unknown:
        message = _(
            "These registration ids were not found in the session's governorate: %(ids)s."
        ) % {"ids": ", ".join(unknown)}
        raise ValidationFailed(message, fields={"attendees": [message]}, code="unknown_attendee")
    return people


@transaction.atomic
def session_create(*, user: Any, data: dict[str, Any]) -> CommunitySession:
    """Record a session. data: kind, title, topic, programme, place, admin_unit, held_on,
    facilitators, participants, attendees (individuals or registration ids),
    key_findings, follow_up."""
    if not has_permission(user, MANAGE_SESSION):
        raise PermissionDenied()
    values = _clean(user, data, None)
    session = CommunitySession(**values)
    session.save()
    if data.get("attendees"):
        session.attendees.set(_attendees(session, list(data["attendees"])))
    return session


@transaction.atomic
def session_update(
    *, user: Any, session: CommunitySession, data: dict[str, Any]
) -> CommunitySession:
    if not has_permission(user, MANAGE_SESSION) or not can_reach(user, session, MANAGE_SESSION):
        raise PermissionDenied()
    values = _clean(user, data, session)
    for field, value in values.items():
        setattr(session, field, value)
    session.save()
    if "attendees" in data:
        session.attendees.set(_attendees(session, list(data["attendees"] or [])))
    return session


def session_raise_campaign(*, user: Any, session: CommunitySession) -> Campaign:
    """A draft campaign to the session's place (or its governorate) on its topic,
    linked to the session, for the user to write and send."""
    from sanad.feedback.services.campaigns import campaign_create
    from sanad.feedback.services.outbox import default_channel

    if not has_permission(user, MANAGE_CAMPAIGN):
        raise PermissionDenied()
    if not can_reach(user, session):
        raise PermissionDenied()
    channel = default_channel()
    if channel is None:
        raise ValidationFailed(
            _("There is no active SMS channel yet: ask a manager to add one."),
            code="no_channel",
        )
    audience: dict[str, Any] = {}
    if session.place is not None:
        audience["places"] = [str(session.place.public_id)]
    else:
        audience["governorates"] = [session.governorate.pcode]
    data: dict[str, Any] = {
        "name": _("Follow-up: %(title)s") % {"title": session.title},
        "topic": session.topic,
        "channel": channel,
        "audience": audience,
        "session": session,
    }
    grants = grants_for(user, MANAGE_CAMPAIGN)
    if session.programme is not None and any(
        g.all_programmes or session.programme.code in g.programmes for g in grants
    ):
        data["programme"] = session.programme
    elif not any(g.all_programmes for g in grants):
        programmes = sorted({p for g in grants for p in g.programmes})
        from sanad.programmes.models import Programme

        data["programme"] = Programme.objects.filter(code__in=programmes).order_by("code").first()
    return campaign_create(user=user, data=data)
