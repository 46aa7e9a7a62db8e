"""Contacts: who the programme may message, in which language, with which consent.

A contact from the registry follows its household's consent for the purpose
`communication`; a contact outside the registry (who wrote to us, or whom staff added)
carries its own consent. Opting out is a timestamp: nothing is sent after it, whatever
the consent says, until the person opts back in."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.text import normalise_phone
from sanad.feedback.models import MANAGE_CONTACT, Contact, Language

BATCH = 2000
LANGUAGES = frozenset(Language.values)


# --- may we send? --------------------------------------------------------------------------
def contact_may_receive(contact: Contact) -> tuple[bool, str]:
    """Whether anything may be sent to `contact`, and if not why (`opted_out`,
    `no_consent`). Registry contacts follow the household's consent for communication;
    others their own `consent_given`."""
    if contact.opted_out_at is not None:
        return False, "opted_out"
    if contact.household_id is not None:
        if not households_with_consent([contact.household_id]):
            return False, "no_consent"
        return True, ""
    if not contact.consent_given:
        return False, "no_consent"
    return True, ""


def households_with_consent(household_ids: Iterable[int]) -> set[int]:
    """The households among `household_ids` with a valid consent for communication."""
    from sanad.registry.models import Consent

    ids = list(household_ids)
    found: set[int] = set()
    for start in range(0, len(ids), BATCH):
        found.update(
            Consent.objects.filter(
                household_id__in=ids[start : start + BATCH],
                purpose=Consent.Purpose.COMMUNICATION,
                given=True,
                withdrawn_on__isnull=True,
            ).values_list("household_id", flat=True)
        )
    return found


# --- writes --------------------------------------------------------------------------------
def _require(user: Any, obj: Any | None = None) -> None:
    if not has_permission(user, MANAGE_CONTACT):
        raise PermissionDenied()
    if obj is not None and not can_reach(user, obj, MANAGE_CONTACT):
        raise PermissionDenied()


def _phone(value: Any) -> str:
    try:
        return normalise_phone(str(value or ""))
    except ValueError:
        message = _("Give an Iraqi mobile number, such as 0750 123 4567.")
        raise ValidationFailed(message, fields={"phone": [message]}, code="bad_phone") from None


def _reachable_governorate(user: Any, governorate: Any) -> None:
    """A contact is scoped by governorate: staff add contacts only where they work."""
    from sanad.core.scoping import grants_for

    grants = grants_for(user, MANAGE_CONTACT)
    if any(g.all_governorates for g in grants):
        return
    pcode = getattr(governorate, "pcode", None)
    if pcode is None or not any(pcode in g.governorates for g in grants):
        message = _("Choose a governorate you work in.")
        raise ValidationFailed(message, fields={"governorate": [message]}, code="out_of_scope")


@transaction.atomic
def contact_create(*, user: Any, data: dict[str, Any]) -> Contact:
    """A contact added by staff. data: phone, name, language, governorate (AdminUnit),
    place, consent_given, consent_recorded_on, household (optional)."""
    _require(user)
    phone = _phone(data.get("phone"))
    errors: dict[str, list[str]] = {}
    language = str(data.get("language") or Language.AR)
    if language not in LANGUAGES:
        errors["language"] = [_("Choose a language from the list.")]
    governorate = data.get("governorate")
    place = data.get("place")
    if governorate is None and place is not None:
        governorate = place.admin_unit.governorate
    household = data.get("household")
    if household is not None:
        governorate = household.governorate
        place = place or household.place
    consent = bool(data.get("consent_given"))
    recorded_on = data.get("consent_recorded_on")
    if consent and household is None and not recorded_on:
        recorded_on = timezone.localdate()
    if Contact.objects.filter(phone=phone).exists():
        errors["phone"] = [_("This number is already a contact; open it from the list.")]
    if errors:
        raise ValidationFailed(fields=errors, code="contact_invalid")
    _reachable_governorate(user, governorate)
    return Contact.objects.create(
        phone=phone,
        name=str(data.get("name") or "").strip()[:200],
        language=language,
        governorate=governorate,
        place=place,
        household=household,
        source=Contact.Source.REGISTRY if household is not None else Contact.Source.STAFF,
        consent_given=consent,
        consent_recorded_on=recorded_on if consent else None,
    )


def contact_opt_out(*, contact: Contact, via: str, user: Any = None) -> Contact:
    """Stop every message to the contact, now (a keyword by SMS, or staff on request).
    Messages still waiting in the outbox are cancelled."""
    from sanad.feedback.models import Message

    if user is not None:
        _require(user, contact)
    with transaction.atomic():
        if contact.opted_out_at is None:
            contact.opted_out_at = timezone.now()
            contact.opted_out_via = str(via or "")[:40]
            contact.save(update_fields=["opted_out_at", "opted_out_via", "updated_at"])
        Message.objects.filter(
            contact=contact, direction=Message.Direction.OUT, status=Message.Status.QUEUED
        ).exclude(campaign__isnull=True).update(
            status=Message.Status.CANCELLED, last_error="opted_out"
        )
    return contact


def contact_opt_in(
    *, contact: Contact, user: Any, consent_recorded_on: datetime.date | None = None
) -> Contact:
    """The person asked to receive messages again. Staff record when they consented (by
    SMS, `user` is None and the day is today)."""
    if user is not None:
        _require(user, contact)
    contact.opted_out_at = None
    contact.opted_out_via = ""
    fields = ["opted_out_at", "opted_out_via", "updated_at"]
    if contact.household_id is None:
        contact.consent_given = True
        contact.consent_recorded_on = consent_recorded_on or timezone.localdate()
        fields += ["consent_given", "consent_recorded_on"]
    elif consent_recorded_on is None and user is not None:
        message = _("Give the day the person agreed to receive messages again.")
        raise ValidationFailed(message, fields={"consent_recorded_on": [message]})
    contact.save(update_fields=fields)
    return contact


# --- contacts of registry households --------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """The contact a registry household would have."""

    household_id: int
    phone: str
    individual_id: int | None
    language: str
    name: str
    place_id: int | None
    governorate_id: int | None


def household_candidates(households: QuerySet[Any]) -> list[Candidate]:
    """One candidate per household of `households` with a phone (its main number first,
    then the others in the order recorded), in its head's language. Two queries, whatever
    the number of households."""
    from sanad.registry.models import HouseholdPhone, Individual

    ids = households.order_by().values("pk")
    heads = {
        row[0]: row
        for row in Individual.objects.filter(
            household_id__in=ids,
            relationship=Individual.Relationship.HEAD,
            status=Individual.Status.ACTIVE,
        )
        .order_by()
        .values_list(
            "household_id",
            "pk",
            "preferred_language",
            "given_name_ar",
            "family_name_ar",
            "given_name_en",
            "family_name_en",
        )
    }
    phones = (
        HouseholdPhone.objects.filter(household_id__in=ids)
        .order_by("household_id", "-is_primary", "pk")
        .values_list(
            "household_id", "number", "owner_id", "household__place_id", "household__governorate_id"
        )
    )
    out: list[Candidate] = []
    last = None
    for hh, number, phone_owner, place, gov in phones:
        if hh == last:
            continue
        last = hh
        head = heads.get(hh)
        language = head[2] if head and head[2] in LANGUAGES else Language.AR
        name = ""
        if head:
            name = " ".join(p for p in (head[3], head[4]) if p) or " ".join(
                p for p in (head[5], head[6]) if p
            )
        out.append(
            Candidate(
                household_id=hh,
                phone=number,
                individual_id=phone_owner or (head[1] if head else None),
                language=str(language),
                name=name[:200],
                place_id=place,
                governorate_id=gov,
            )
        )
    return out


@dataclass
class Known:
    """What a campaign needs of a contact that already exists."""

    pk: int
    household_id: int | None
    individual_id: int | None
    place_id: int | None
    governorate_id: int | None
    name: str
    language: str
    opted_out_at: datetime.datetime | None


def known_contacts(households: QuerySet[Any]) -> dict[str, Known]:
    """The existing contacts of the households' phone numbers, by number (one query)."""
    from sanad.registry.models import HouseholdPhone

    numbers = HouseholdPhone.objects.filter(
        household_id__in=households.order_by().values("pk")
    ).values("number")
    return {
        row[0]: Known(*row[1:])
        for row in Contact.objects.filter(phone__in=numbers)
        .order_by()
        .values_list(
            "phone",
            "pk",
            "household_id",
            "individual_id",
            "place_id",
            "governorate_id",
            "name",
            "language",
            "opted_out_at",
        )
    }


CONTACT_FIELDS = (
    "public_id",
    "created_at",
    "updated_at",
    "phone",
    "name",
    "language",
    "household_id",
    "individual_id",
    "place_id",
    "governorate_id",
    "source",
    "consent_given",
    "opted_out_via",
    "unread",
)


def contacts_from_households(households_queryset: QuerySet[Any]) -> tuple[int, int]:
    """Create or update the contacts of the households' phones, in bulk: (created,
    updated). A contact's opt-out, language and own consent are never touched; a number
    two households share goes to the first."""
    from sanad.feedback.services._bulk import bulk_insert

    candidates = household_candidates(households_queryset)
    known = known_contacts(households_queryset)
    now = timezone.now()
    new: dict[str, tuple[Any, ...]] = {}
    changed: list[Contact] = []
    moved = ("household_id", "individual_id", "place_id", "governorate_id")
    for cand in candidates:
        contact = known.get(cand.phone)
        if contact is None:
            if cand.phone not in new:
                new[cand.phone] = (
                    uuid.uuid4(),
                    now,
                    now,
                    cand.phone,
                    cand.name,
                    cand.language,
                    cand.household_id,
                    cand.individual_id,
                    cand.place_id,
                    cand.governorate_id,
                    Contact.Source.REGISTRY.value,
                    False,
                    "",
                    0,
                )
            continue
        if contact.household_id not in (None, cand.household_id):
            continue  # the number belongs to another household's contact
        values = {f: getattr(cand, f) for f in moved}
        if not contact.name and cand.name:
            values["name"] = cand.name
        if any(getattr(contact, f) != v for f, v in values.items()):
            # Mark it handled: a second household with the same number leaves it alone.
            contact.household_id = cand.household_id
            changed.append(Contact(pk=contact.pk, **{"name": contact.name, **values}))
    rows = list(new.values())
    for start in range(0, len(rows), BATCH * 5):
        bulk_insert(Contact, CONTACT_FIELDS, rows[start : start + BATCH * 5])
    if changed:
        with transaction.atomic():
            Contact.objects.bulk_update(changed, [*moved, "name"], batch_size=500)
    return len(rows), len(changed)


def contact_preview_rows(households: QuerySet[Any]) -> Iterator[tuple[Candidate, Known | None]]:
    """Each household candidate with the contact its phone already has (or None): what
    a campaign's audience preview counts without creating anything."""
    known = known_contacts(households)
    for cand in household_candidates(households):
        yield cand, known.get(cand.phone)


def contact_thread_read(*, contact: Contact, user: Any) -> None:
    """The user opened the thread: its messages received are read."""
    from sanad.feedback.models import Message

    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(
            contact=contact, direction=Message.Direction.IN, read_at__isnull=True
        ).update(read_at=now)
        Contact.objects.filter(pk=contact.pk).update(unread=0)
    contact.unread = 0
