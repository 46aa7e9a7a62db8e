"""Writes for households: register, edit (household and members on one page), add,
change and remove members, move, consent, status; every write ends with
`household_refresh`, which keeps the derived flags and the search keys current.

Permissions: every write needs `registry.manage_household` for the household's
governorate. A household out of the user's view answers "not found"; one the user
sees but cannot change answers "permission denied".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import AdminUnit, Place
from sanad.geo.selectors import governorates_within
from sanad.registry.derive import has_disability, member_name_key, search_keys
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    SearchKey,
    ShelterType,
)
from sanad.registry.services.validation import (
    MEMBER_MODEL_FIELDS,
    Lookups,
    Problem,
    apply_derived,
    build_documents,
    build_member,
    clean_consents,
    clean_household,
    clean_member,
    clean_phones,
    parse_date,
    prepare_household,
    raise_problems,
    validate_members,
)

MANAGE = Household.MANAGE_PERMISSION
VIEW = Household.VIEW_PERMISSION
SETTABLE_STATUSES = (
    Household.Status.ACTIVE,
    Household.Status.INACTIVE,
    Household.Status.WITHDRAWN,
)


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _stamp(obj: Any, user: Any) -> None:
    actor = _actor(user)
    if actor is not None:
        if obj._state.adding and obj.created_by_id is None:
            obj.created_by = actor
        obj.updated_by = actor


def manage_reach(user: Any) -> frozenset[str] | None:
    """The governorates where `user` may register households (None: all); refuses a
    user without the permission."""
    if not has_permission(user, MANAGE):
        raise PermissionDenied()
    return governorates_within(user, MANAGE)


def _require_manage(user: Any, household: Household) -> None:
    if not has_permission(user, MANAGE):
        raise PermissionDenied()
    if not can_reach(user, household, MANAGE):
        if can_reach(user, household, VIEW):
            raise PermissionDenied(
                _("Your role does not allow changing households in this governorate."),
                code="outside_scope",
            )
        raise NotFound()


# --- documents across the registry ----------------------------------------------------


def document_clashes(
    pairs: Iterable[tuple[str, str]], *, exclude_household: Household | None = None
) -> dict[tuple[str, str], IndividualDocument]:
    """Documents already in the registry with one of these (kind, number key) pairs,
    held by a current member of a household that was not merged away. One query,
    whatever the number of pairs (imports pass a whole chunk)."""
    wanted = {(kind, key) for kind, key in pairs if key}
    if not wanted:
        return {}
    qs = (
        IndividualDocument.objects.filter(
            number_key__in=sorted({key for _kind, key in wanted}),
            individual__status=Individual.Status.ACTIVE,
        )
        .exclude(individual__household__status=Household.Status.MERGED)
        .select_related("individual__household__governorate")
    )
    if exclude_household is not None and exclude_household.pk:
        qs = qs.exclude(individual__household=exclude_household)
    return {(d.kind, d.number_key): d for d in qs if (d.kind, d.number_key) in wanted}


def clash_message(document: IndividualDocument, view_reach: frozenset[str] | None) -> str:
    """Names the household that holds the number only to someone who may see it."""
    household = document.individual.household
    visible = view_reach is None or (
        household.governorate is not None and household.governorate.pcode in view_reach
    )
    if visible:
        return _("This number is already recorded for a member of household %(id)s.") % {
            "id": household.registration_id
        }
    return _(
        "This number is already recorded for another household, outside your area. "
        "Check the number, or ask a colleague who covers that area."
    )


def _document_problems(
    cleaned_members: Sequence[Mapping[str, Any]],
    *,
    user: Any,
    exclude_household: Household | None = None,
) -> list[Problem]:
    pairs = [
        (d["kind"], d["number_key"])
        for m in cleaned_members
        if m.get("_index") is not None and m.get("status") == Individual.Status.ACTIVE
        for d in m.get("documents", ())
    ]
    clashes = document_clashes(pairs, exclude_household=exclude_household)
    if not clashes:
        return []
    view_reach = governorates_within(user, VIEW) if has_permission(user, VIEW) else frozenset()
    problems = []
    for m in cleaned_members:
        for d in m.get("documents", ()):
            clash = clashes.get((d["kind"], d["number_key"]))
            if clash is not None and m.get("_index") is not None:
                problems.append(
                    (
                        f"members.{m['_index']}.documents.{d.get('_index', 0)}.number",
                        clash_message(clash, view_reach),
                    )
                )
    return problems


# --- register -------------------------------------------------------------------------


def household_register(
    *,
    user: Any,
    data: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    phones: Iterable[Any] = (),
    consents: Iterable[Any] = (),
    source: str = Household.Source.WEB,
    source_ref: str | None = None,
    lookups: Lookups | None = None,
) -> Household:
    """Register a household with its members (each with its documents), phones and
    consents, in one transaction. Raises one ValidationFailed listing every problem
    (`members.2.date_of_birth`, `phones.0`…)."""
    reach = manage_reach(user)
    prepared = prepare_household(
        data=data,
        members=members,
        phones=phones,
        consents=consents,
        reach=reach,
        source=source,
        source_ref=source_ref,
        lookups=lookups,
    )
    problems = list(prepared.problems)
    problems.extend(_document_problems(prepared.cleaned_members, user=user))
    if (
        prepared.household.source_ref
        and Household.objects.filter(source_ref=prepared.household.source_ref).exists()
    ):
        problems.append(
            ("source_ref", _("A household with this source reference is already registered."))
        )
    raise_problems(problems)
    household = prepared.household
    try:
        with transaction.atomic():
            _stamp(household, user)
            household.save()
            for member in prepared.members:
                _stamp(member, user)
                member.save()
            for obj in (*prepared.documents, *prepared.phones, *prepared.consents, *prepared.moves):
                _stamp(obj, user)
                obj.save()
            household_refresh(household)
    except IntegrityError as exc:
        # Two people registering the same document or reference at the same moment.
        raise ValidationFailed(
            _(
                "Another household was registered with the same details at the same moment. Check and try again."
            ),
            code="conflict",
        ) from exc
    return household


# --- edit -----------------------------------------------------------------------------


def member_as_data(member: Individual) -> dict[str, Any]:
    """A saved member as the dict `clean_member` accepts (documents included)."""
    data: dict[str, Any] = {name: getattr(member, name) for name in MEMBER_MODEL_FIELDS}
    data["id"] = str(member.public_id)
    data["documents"] = [
        {"kind": d.kind, "number": d.number, "issuing_governorate": d.issuing_governorate}
        for d in member.documents.all()
    ]
    return data


def _existing_as_cleaned(member: Individual, today: datetime.date) -> dict[str, Any]:
    from sanad.registry.derive import age_on

    cleaned: dict[str, Any] = {name: getattr(member, name) for name in MEMBER_MODEL_FIELDS}
    cleaned["_index"] = None
    cleaned["_age"] = age_on(member.date_of_birth, today)
    cleaned["id"] = str(member.public_id)
    cleaned["documents"] = [
        {"kind": d.kind, "number": d.number, "number_key": d.number_key}
        for d in member.documents.all()
    ]
    return cleaned


def household_update(
    *,
    household: Household,
    user: Any,
    data: Mapping[str, Any] | None = None,
    members: Sequence[Mapping[str, Any]] | None = None,
    phones: Iterable[Any] | None = None,
) -> Household:
    """Change a household's details and, in the same transaction, its members.

    `data`: household fields to change (left-out fields keep their value). Changing
    the location here corrects it; a family that moved is recorded with
    `household_move`, which keeps the history.
    `members`: dicts for members to change (with `id`, only the fields given change;
    `documents`, when given, replaces that member's documents) or to add (without
    `id`). A member leaves or dies with `status` = left/deceased and a `status_reason`.
    Members left out are unchanged.
    `phones`: when given, replaces the household's phone numbers.
    """
    household, _saved = _household_write(
        household=household, user=user, data=data, members=members, phones=phones
    )
    return household


def _household_write(
    *,
    household: Household,
    user: Any,
    data: Mapping[str, Any] | None = None,
    members: Sequence[Mapping[str, Any]] | None = None,
    phones: Iterable[Any] | None = None,
) -> tuple[Household, list[Individual]]:
    _require_manage(user, household)
    today = timezone.localdate()
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    if data:
        reach = governorates_within(user, MANAGE)
        changes, hh_problems = clean_household(data, reach=reach, today=today, current=household)
        problems.extend(hh_problems)

    existing = {
        str(m.public_id): m for m in household.members.prefetch_related("documents").order_by("pk")
    }
    submitted_ids: set[str] = set()
    cleaned_members: list[dict[str, Any]] = []
    status_changes: list[tuple[Individual, str, str]] = []
    if members is not None:
        if not isinstance(members, list | tuple):
            problems.append(("members", _("Give the members as a list.")))
            members = []
        for i, m in enumerate(members):
            if not isinstance(m, Mapping):
                problems.append((f"members.{i}", _("Give each member as a set of fields.")))
                continue
            member_id = str(m.get("id") or "")
            if member_id:
                current = existing.get(member_id)
                if current is None:
                    problems.append(
                        (f"members.{i}.id", _("This person is not a member of the household."))
                    )
                    continue
                if member_id in submitted_ids:
                    problems.append((f"members.{i}.id", _("This member is given twice.")))
                    continue
                submitted_ids.add(member_id)
                merged = member_as_data(current)
                merged.update(m)
                if "status" not in m:
                    merged.pop("status_reason", None)
                cleaned, member_problems = clean_member(merged, i, today=today)
                if cleaned["status"] != current.status:
                    if current.status != Individual.Status.ACTIVE:
                        member_problems.append(
                            (
                                f"members.{i}.status",
                                _(
                                    "This person is no longer a member; register them again if they came back."
                                ),
                            )
                        )
                    elif not cleaned["status_reason"]:
                        member_problems.append(
                            (
                                f"members.{i}.status_reason",
                                _("Say why the person is no longer a member of the household."),
                            )
                        )
                    else:
                        status_changes.append(
                            (current, cleaned["status"], cleaned["status_reason"])
                        )
            else:
                cleaned, member_problems = clean_member(m, i, today=today)
                if cleaned["status"] != Individual.Status.ACTIVE:
                    member_problems.append(
                        (f"members.{i}.status", _("Add members who live in the household now."))
                    )
            problems.extend(member_problems)
            cleaned_members.append(cleaned)
    untouched = [
        _existing_as_cleaned(m, today)
        for key, m in existing.items()
        if key not in submitted_ids and m.status == Individual.Status.ACTIVE
    ]
    problems.extend(validate_members([*untouched, *cleaned_members]))
    if not problems:
        problems.extend(_document_problems(cleaned_members, user=user, exclude_household=household))
    phone_data = None
    if phones is not None:
        phone_data, phone_problems = clean_phones(phones)
        problems.extend(phone_problems)
    raise_problems(problems)

    saved: dict[int, Individual] = {}
    with transaction.atomic():
        if changes:
            for name, value in changes.items():
                setattr(household, name, value)
            _stamp(household, user)
            household.save()
        # Members who leave first, then those who stop being head, so that the
        # one-head-per-household constraint holds after every single save.
        for member, status, reason in status_changes:
            _member_status(member, status=status, reason=reason, user=user)

        def save_order(item: tuple[int, dict[str, Any]]) -> int:
            current = existing.get(item[1].get("id") or "")
            gives_up_head = (
                current is not None
                and current.relationship == Individual.Relationship.HEAD
                and item[1]["relationship"] != Individual.Relationship.HEAD
            )
            return 0 if gives_up_head else 1

        for position, cleaned in sorted(enumerate(cleaned_members), key=save_order):
            if cleaned.get("id"):
                member = existing[str(cleaned["id"])]
                for name in MEMBER_MODEL_FIELDS:
                    if name == "status":
                        continue
                    setattr(member, name, cleaned[name])
                member.has_disability = has_disability(member)
                member.name_key = member_name_key(member)
                _stamp(member, user)
                member.save()
                _sync_documents(member, cleaned, user)
            else:
                member = build_member(cleaned, household)
                _stamp(member, user)
                member.save()
                for doc in build_documents(cleaned, member):
                    _stamp(doc, user)
                    doc.save()
            saved[position] = member
        if phone_data is not None:
            _sync_phones(household, phone_data, user)
        household_refresh(household)
    return household, [saved[i] for i in sorted(saved)]


def _sync_documents(member: Individual, cleaned: Mapping[str, Any], user: Any) -> None:
    current = {d.kind: d for d in member.documents.all()}
    wanted = {d["kind"]: d for d in cleaned.get("documents", ())}
    for kind, doc in current.items():
        if kind not in wanted:
            doc.delete()
    for kind, d in wanted.items():
        found = current.get(kind)
        if found is None:
            doc = IndividualDocument(individual=member, kind=kind)
        elif found.number == d["number"] and found.issuing_governorate_id == getattr(
            d["issuing_governorate"], "pk", None
        ):
            continue
        else:
            doc = found
        doc.number = d["number"]
        doc.number_key = d["number_key"]
        doc.issuing_governorate = d["issuing_governorate"]
        _stamp(doc, user)
        doc.save()


def _sync_phones(household: Household, phone_data: list[dict[str, Any]], user: Any) -> None:
    current = {p.number: p for p in household.phones.all()}
    wanted = {p["number"]: p for p in phone_data}
    for number, phone in current.items():
        if number not in wanted:
            phone.delete()
    for number, p in wanted.items():
        found = current.get(number)
        if found is None:
            phone = HouseholdPhone(household=household, number=number)
        elif found.is_primary == p["is_primary"]:
            continue
        else:
            phone = found
        phone.is_primary = p["is_primary"]
        _stamp(phone, user)
        phone.save()


def _member_status(member: Individual, *, status: str, reason: str, user: Any) -> None:
    """Record who changed a member's status, when and why (as the state machine does
    for households), then change it."""
    from sanad.core.models import StatusTransition

    StatusTransition.objects.create(
        content_type=ContentType.objects.get_for_model(Individual),
        object_pk=str(member.pk),
        field="status",
        from_state=member.status,
        to_state=status,
        by=_actor(user),
        reason=reason,
    )
    member.status = status
    _stamp(member, user)
    member.save()


def _strip_prefix(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    fields = {
        (key[len(prefix) :] if key.startswith(prefix) else key): value
        for key, value in exc.fields.items()
    }
    return ValidationFailed(exc.message, code=exc.code, fields=fields)


def member_add(*, household: Household, user: Any, data: Mapping[str, Any]) -> Individual:
    """Add a member (with their documents) to a household."""
    if data.get("id"):
        raise ValidationFailed(fields={"id": [_("A new member has no id yet.")]})
    try:
        _household, saved = _household_write(household=household, user=user, members=[data])
    except ValidationFailed as exc:
        raise _strip_prefix(exc, "members.0.") from exc
    return saved[0]


def member_update(*, member: Individual, user: Any, data: Mapping[str, Any]) -> Individual:
    """Change some of a member's details (fields left out keep their value)."""
    values = {k: v for k, v in data.items() if k not in ("id", "status", "status_reason")}
    try:
        _household, saved = _household_write(
            household=member.household, user=user, members=[{**values, "id": member.public_id}]
        )
    except ValidationFailed as exc:
        raise _strip_prefix(exc, "members.0.") from exc
    return saved[0]


def member_remove(
    *,
    member: Individual,
    user: Any,
    status: str,
    reason: str,
    new_head: Individual | None = None,
) -> Individual:
    """A member left the household or died. Removing the head needs `new_head`, another
    member who becomes head (the others' relationships are kept as they were)."""
    if status not in (Individual.Status.LEFT, Individual.Status.DECEASED):
        message = _("Choose whether the person left the household or died.")
        raise ValidationFailed(message, fields={"status": [message]})
    if not (reason or "").strip():
        message = _("Say why the person is no longer a member of the household.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    changes: list[dict[str, Any]] = [
        {"id": member.public_id, "status": status, "status_reason": reason.strip()}
    ]
    if new_head is not None:
        if new_head.household_id != member.household_id or new_head.pk == member.pk:
            message = _("Choose another member of the same household as the new head.")
            raise ValidationFailed(message, fields={"new_head": [message]})
        changes.append({"id": new_head.public_id, "relationship": Individual.Relationship.HEAD})
    try:
        _household_write(household=member.household, user=user, members=changes)
    except ValidationFailed as exc:
        is_head = member.relationship == Individual.Relationship.HEAD
        fields: dict[str, list[Any]] = {}
        for key, messages in exc.fields.items():
            if key == "members" and is_head and new_head is None:
                name, messages = "new_head", [_("Choose the member who becomes head of household.")]
            elif key.startswith("members.0."):
                name = key.removeprefix("members.0.")
                name = "reason" if name == "status_reason" else name
            elif key == "members" and not is_head:
                name = "status"
            else:
                # A problem with the other members once the new head is in place.
                name = "new_head"
            fields.setdefault(name, []).extend(messages)
        raise ValidationFailed(exc.message, code=exc.code, fields=fields) from exc
    member.refresh_from_db()
    return member


# --- move, consent, status ------------------------------------------------------------


def household_move(
    *,
    household: Household,
    user: Any,
    to_admin_unit: AdminUnit | str | None = None,
    to_place: Place | str | None = None,
    moved_on: datetime.date | str | None,
    displacement_status: str,
    shelter_type: str = ShelterType.UNKNOWN,
    notes: str = "",
    check_permission: bool = True,
) -> DisplacementMove:
    """Record that the household moved (within displacement, or home as returnees) and
    make the destination its current location. The user must manage the household
    where it is now; the destination may lie outside their governorates, since families
    return home, and the record then belongs to whoever covers the destination.

    `check_permission=False` is for a module that checked its own permission (the
    transportation module records the move of a household its convoy brought)."""
    if check_permission:
        _require_manage(user, household)
    today = timezone.localdate()
    location, problems = clean_household(
        {
            "place": to_place,
            "admin_unit": to_admin_unit,
            "displacement_status": displacement_status,
            "shelter_type": shelter_type,
        },
        reach=None,
        today=today,
    )
    renames = {"place": "to_place", "admin_unit": "to_admin_unit"}
    problems = [(renames.get(p[0], p[0]), p[1]) for p in problems]
    when = None
    try:
        when = parse_date(moved_on)
    except ValueError as exc:
        problems.append(("moved_on", str(exc)))
    if when is None and not any(p[0] == "moved_on" for p in problems):
        problems.append(("moved_on", _("Give the date of the move.")))
    elif when is not None:
        if when > today:
            problems.append(("moved_on", _("The date of the move is in the future.")))
        last = household.moves.exclude(moved_on=None).order_by("-moved_on").first()
        if last is not None and last.moved_on and when < last.moved_on:
            problems.append(
                (
                    "moved_on",
                    _(
                        "The last recorded move was on %(date)s. Record moves in the order they happened."
                    )
                    % {"date": last.moved_on.isoformat()},
                )
            )
    raise_problems(problems)
    with transaction.atomic():
        move = DisplacementMove(
            household=household,
            moved_on=when,
            from_admin_unit=household.admin_unit,
            to_admin_unit=location["admin_unit"],
            to_place=location["place"],
            displacement_status=location["displacement_status"],
            shelter_type=location["shelter_type"],
            notes=(notes or "").strip()[:300],
        )
        _stamp(move, user)
        move.save()
        household.place = location["place"]
        household.admin_unit = location["admin_unit"]
        household.governorate = location["governorate"]
        household.displacement_status = location["displacement_status"]
        household.shelter_type = location["shelter_type"]
        _stamp(household, user)
        household.save()
        household_refresh(household)
    return move


def consent_set(
    *,
    household: Household,
    user: Any,
    purpose: str,
    legal_basis: str,
    given: bool = True,
    recorded_on: datetime.date | str | None = None,
    withdrawn_on: datetime.date | str | None = None,
    notes: str = "",
) -> Consent:
    """Record (or replace) the consent and legal basis for one purpose."""
    _require_manage(user, household)
    cleaned, problems = clean_consents(
        [
            {
                "purpose": purpose,
                "legal_basis": legal_basis,
                "given": given,
                "recorded_on": recorded_on,
                "withdrawn_on": withdrawn_on,
                "notes": notes,
            }
        ],
        prefix="",
    )
    raise_problems(problems)
    values = cleaned[0]
    with transaction.atomic():
        consent = Consent.objects.filter(household=household, purpose=values["purpose"]).first()
        if consent is None:
            consent = Consent(household=household, purpose=values["purpose"])
        for name, value in values.items():
            setattr(consent, name, value)
        _stamp(consent, user)
        consent.save()
    return consent


def household_set_status(
    *, household: Household, user: Any, status: str, reason: str = ""
) -> Household:
    """Make a household inactive, withdrawn or active again (recorded with the reason).
    Merging belongs to deduplication."""
    _require_manage(user, household)
    if status == Household.Status.MERGED:
        message = _("Households are merged from the deduplication review, not here.")
        raise ValidationFailed(message, code="merge_elsewhere", fields={"status": [message]})
    if status not in SETTABLE_STATUSES:
        message = _("Choose active, inactive or withdrawn.")
        raise ValidationFailed(message, fields={"status": [message]})
    if status == household.status:
        message = _("The household already has this status.")
        raise ValidationFailed(message, code="same_status", fields={"status": [message]})
    Household.STATUS_MACHINE.transition(
        household, to=status, by=_actor(user), reason=(reason or "").strip()
    )
    return household


# --- derived fields and search keys ---------------------------------------------------


def household_refresh(household: Household) -> Household:
    """Recompute the household's derived flags and demographics, its members'
    disability and name keys, and its search keys, from what is saved. Every write
    calls it; it writes only what changed."""
    members = list(
        Individual.objects.filter(household=household).prefetch_related(
            Prefetch(
                "documents", queryset=IndividualDocument.objects.only("individual_id", "number")
            )
        )
    )
    for member in members:
        disabled, key = has_disability(member), member_name_key(member)
        if member.has_disability != disabled or member.name_key != key:
            member.has_disability, member.name_key = disabled, key
            member.save(update_fields=["has_disability", "name_key"])
    derived_fields = (
        "size",
        "is_woman_headed",
        "is_child_headed",
        "is_older_person_alone",
        "has_disability",
        "has_unaccompanied_child",
        "is_large",
        "demographics",
    )
    if apply_derived(household, members):
        # Derived facts, not personal data: a conditional update, outside the audit trail,
        # which records the member changes they follow from.
        Household.objects.filter(pk=household.pk).update(
            **{name: getattr(household, name) for name in derived_fields},
        )
    active = [m for m in members if m.status == Individual.Status.ACTIVE]
    wanted = search_keys(
        registration_id=household.registration_id,
        members=active,
        phones=list(household.phones.values_list("number", flat=True)),
        documents=[d.number for m in active for d in m.documents.all()],
    )
    current = set(SearchKey.objects.filter(household=household).values_list("key", flat=True))
    if current - wanted:
        SearchKey.objects.filter(household=household, key__in=sorted(current - wanted)).delete()
    if wanted - current:
        SearchKey.objects.bulk_create(
            [SearchKey(household=household, key=key) for key in sorted(wanted - current)],
            ignore_conflicts=True,
        )
    return household
