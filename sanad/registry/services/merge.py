"""Merging a household registered twice into one, and undoing it: the registry's write
path for deduplication (`dedup` records who decided it and why, and calls these).

`household_merge` keeps the survivor and marks the duplicate "merged" into it (through
the state machine, with the reason). Of the duplicate's members:

- a member matched to a member of the survivor (a confirmed pair) is the same person:
  the record stays on the merged household, as it was registered, and points to the
  survivor's member (`duplicate_of`, so reporting counts the person once); the survivor's
  member receives what it lacked — documents of a kind it has no document of, the
  names in a script it has none in, a phone — so that the survivor has both;
- a member matched to nobody (a baby born since, someone absent the first time) moves
  to the survivor; a second head of household joins as another relative.

The duplicate's phones move to the survivor unless it already has the number, and its
consents for purposes the survivor has none for. Displacement history and assistance
stay on the duplicate's records: the assistance ledger's selectors follow
`merged_into`, so the survivor's history includes them.

Everything changed is written to a snapshot, which `household_unmerge` uses to restore
exactly what was there (values edited since the merge are left as they are now).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.state import StateMachine
from sanad.registry.models import (
    Consent,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
)
from sanad.registry.services.households import household_refresh

MANAGE = Household.MANAGE_PERMISSION
VIEW = Household.VIEW_PERMISSION
MERGEABLE = (Household.Status.ACTIVE, Household.Status.INACTIVE)
SNAPSHOT_VERSION = 1

# Household.STATUS_MACHINE makes "merged" final for every other path (the status form,
# the API); only undoing a recorded merge leads out of it, and is recorded the same way.
UNMERGE_MACHINE = StateMachine(
    "status",
    {Household.Status.MERGED: set(MERGEABLE)},
    reason_required=set(MERGEABLE),
)

_SCRIPTS = (
    ("given_name_ar", "fathers_name_ar", "grandfathers_name_ar", "family_name_ar"),
    ("given_name_en", "fathers_name_en", "grandfathers_name_en", "family_name_en"),
)


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


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


def _locked(*households: Household) -> dict[int, Household]:
    """Lock the households' rows (in primary-key order, so two merges never wait for
    each other) and read them again: the checks see the committed state."""
    pks = sorted({h.pk for h in households})
    rows = Household.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {h.pk: h for h in rows}


def _reason_or_raise(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the households are merged or separated again.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": [message]})
    return reason


def _links(
    pairs: Iterable[tuple[Individual | int, Individual | int]],
    survivor_members: Mapping[int, Individual],
    duplicate_members: Mapping[int, Individual],
) -> dict[int, int]:
    """Duplicate member pk → survivor member pk, from pairs given in either order. A
    member matched twice keeps its first (strongest) match; each survivor member is
    matched once."""
    links: dict[int, int] = {}
    taken: set[int] = set()
    for a, b in pairs:
        a_pk = a.pk if isinstance(a, Individual) else int(a)
        b_pk = b.pk if isinstance(b, Individual) else int(b)
        if a_pk in duplicate_members and b_pk in survivor_members:
            dup, kept = a_pk, b_pk
        elif b_pk in duplicate_members and a_pk in survivor_members:
            dup, kept = b_pk, a_pk
        else:
            continue
        if dup in links or kept in taken:
            continue
        links[dup] = kept
        taken.add(kept)
    return links


def household_merge(
    *,
    survivor: Household,
    duplicate: Household,
    user: Any,
    reason: str,
    pairs: Iterable[tuple[Individual | int, Individual | int]] = (),
) -> dict[str, Any]:
    """Merge `duplicate` into `survivor` (see the module's docstring) in one
    transaction, and return the snapshot that `household_unmerge` takes.

    `pairs`: (member, member) pairs (individuals or their primary keys) a reviewer
    confirmed as the same person, one of each household, in either order; members in no pair count as unmatched.
    Refuses merging a household into itself, a household already merged, or into a
    merged one; the user must manage both households.
    """
    reason = _reason_or_raise(reason)
    if survivor.pk == duplicate.pk:
        message = _("A household cannot be merged into itself.")
        raise ValidationFailed(message, code="merge_into_itself")
    _require_manage(user, survivor)
    _require_manage(user, duplicate)
    pairs = list(pairs)
    with transaction.atomic():
        locked = _locked(survivor, duplicate)
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if duplicate.status == Household.Status.MERGED:
            target = duplicate.merged_into.registration_id if duplicate.merged_into else "?"
            raise Conflict(
                _("Household %(id)s is already merged into %(other)s.")
                % {"id": duplicate.registration_id, "other": target},
                code="already_merged",
            )
        if survivor.status not in MERGEABLE:
            raise Conflict(
                _(
                    "Household %(id)s is %(status)s: households can only be merged into an active or inactive household."
                )
                % {"id": survivor.registration_id, "status": survivor.get_status_display()},
                code="survivor_not_mergeable",
            )
        if duplicate.status not in MERGEABLE:
            raise Conflict(
                _("Household %(id)s is %(status)s and cannot be merged.")
                % {"id": duplicate.registration_id, "status": duplicate.get_status_display()},
                code="duplicate_not_mergeable",
            )
        snapshot = _merge(survivor, duplicate, user=user, pairs=pairs)
        duplicate.merged_into = survivor
        Household.STATUS_MACHINE.transition(
            duplicate,
            to=Household.Status.MERGED,
            by=_actor(user),
            reason=reason,
            extra_updates=["merged_into"],
        )
        household_refresh(survivor)
        household_refresh(duplicate)
    return snapshot


def _save(obj: Any, user: Any, fields: Iterable[str]) -> None:
    actor = _actor(user)
    if actor is not None:
        obj.updated_by = actor
    obj.save(update_fields=[*fields, "updated_at", "updated_by"])


def _merge(
    survivor: Household, duplicate: Household, *, user: Any, pairs: list[Any]
) -> dict[str, Any]:
    active = Individual.Status.ACTIVE
    survivor_members = {
        m.pk: m for m in Individual.objects.filter(household=survivor, status=active)
    }
    duplicate_members = {
        m.pk: m for m in Individual.objects.filter(household=duplicate, status=active)
    }
    links = _links(pairs, survivor_members, duplicate_members)
    snapshot: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "survivor": survivor.pk,
        "duplicate": duplicate.pk,
        "duplicate_status": duplicate.status,
        "links": [[dup, kept] for dup, kept in sorted(links.items())],
        "moved_members": [],
        "filled": [],
        "documents": [],
        "phones": [],
        "consents": [],
    }

    # Documents and names the survivor's member lacks, from the same person's record.
    documents: dict[int, list[IndividualDocument]] = {}
    for doc in IndividualDocument.objects.filter(
        individual_id__in=[*links.keys(), *links.values()]
    ).order_by("pk"):
        documents.setdefault(doc.individual_id, []).append(doc)
    for dup_pk, kept_pk in sorted(links.items()):
        dup, kept = duplicate_members[dup_pk], survivor_members[kept_pk]
        # The same person: counted once by reporting, whatever each record received.
        dup.duplicate_of = kept
        _save(dup, user, ["duplicate_of"])
        kinds = {d.kind for d in documents.get(kept_pk, [])}
        for doc in documents.get(dup_pk, []):
            if doc.kind in kinds:
                continue  # the survivor's own document of this kind stays the one in use
            snapshot["documents"].append({"id": doc.pk, "individual": dup_pk, "to": kept_pk})
            doc.individual = kept
            _save(doc, user, ["individual"])
            kinds.add(doc.kind)
        filled: dict[str, list[str]] = {}
        for script in _SCRIPTS:
            if not any(getattr(kept, f) for f in script) and any(getattr(dup, f) for f in script):
                for f in script:
                    filled[f] = [getattr(kept, f), getattr(dup, f)]
        if not kept.phone and dup.phone:
            filled["phone"] = [kept.phone, dup.phone]
        if filled:
            for f, (_old, new) in filled.items():
                setattr(kept, f, new)
            _save(kept, user, filled.keys())
            snapshot["filled"].append({"id": kept_pk, "fields": filled})

    # Members matched to nobody join the survivor.
    has_head = any(
        m.relationship == Individual.Relationship.HEAD for m in survivor_members.values()
    )
    for pk, member in sorted(duplicate_members.items()):
        if pk in links:
            continue
        entry = {"id": pk, "relationship": member.relationship}
        member.household = survivor
        fields = ["household"]
        if member.relationship == Individual.Relationship.HEAD and has_head:
            member.relationship = Individual.Relationship.OTHER_RELATIVE
            fields.append("relationship")
        _save(member, user, fields)
        snapshot["moved_members"].append(entry)

    # Phones and consents the survivor does not have.
    numbers = set(
        HouseholdPhone.objects.filter(household=survivor).values_list("number", flat=True)
    )
    has_primary = HouseholdPhone.objects.filter(household=survivor, is_primary=True).exists()
    for phone in HouseholdPhone.objects.filter(household=duplicate).order_by("pk"):
        if phone.number in numbers:
            continue
        snapshot["phones"].append(
            {"id": phone.pk, "owner": phone.owner_id, "is_primary": phone.is_primary}
        )
        phone.household = survivor
        if phone.owner_id in links:
            phone.owner_id = links[phone.owner_id]
        if has_primary:
            phone.is_primary = False
        _save(phone, user, ["household", "owner", "is_primary"])
        numbers.add(phone.number)
    purposes = set(Consent.objects.filter(household=survivor).values_list("purpose", flat=True))
    for consent in Consent.objects.filter(household=duplicate).order_by("pk"):
        if consent.purpose in purposes:
            continue
        snapshot["consents"].append({"id": consent.pk})
        consent.household = survivor
        _save(consent, user, ["household"])
    return snapshot


def household_unmerge(*, snapshot: Mapping[str, Any], user: Any, reason: str) -> Household:
    """Undo a merge from its snapshot: the duplicate household is active (or inactive)
    again with its own members, documents, phones and consents; the survivor's members
    get back the values they had (unless edited since). Returns the duplicate."""
    reason = _reason_or_raise(reason)
    try:
        survivor = Household.objects.get(pk=snapshot["survivor"])
        duplicate = Household.objects.get(pk=snapshot["duplicate"])
    except (KeyError, Household.DoesNotExist) as exc:
        raise NotFound(_("The merged households are no longer in the registry.")) from exc
    _require_manage(user, survivor)
    _require_manage(user, duplicate)
    with transaction.atomic():
        locked = _locked(survivor, duplicate)
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if duplicate.status != Household.Status.MERGED or duplicate.merged_into_id != survivor.pk:
            raise Conflict(
                _("Household %(id)s is not merged into %(other)s any more.")
                % {"id": duplicate.registration_id, "other": survivor.registration_id},
                code="not_merged",
            )
        _restore(snapshot, survivor=survivor, duplicate=duplicate, user=user)
        duplicate.merged_into = None
        UNMERGE_MACHINE.transition(
            duplicate,
            to=snapshot.get("duplicate_status") or Household.Status.ACTIVE,
            by=_actor(user),
            reason=reason,
            extra_updates=["merged_into"],
        )
        household_refresh(survivor)
        household_refresh(duplicate)
    return duplicate


def _restore(
    snapshot: Mapping[str, Any], *, survivor: Household, duplicate: Household, user: Any
) -> None:
    for entry in snapshot.get("consents", ()):
        consent = Consent.objects.filter(pk=entry["id"], household=survivor).first()
        if (
            consent is not None
            and not Consent.objects.filter(household=duplicate, purpose=consent.purpose).exists()
        ):
            consent.household = duplicate
            _save(consent, user, ["household"])
    for entry in snapshot.get("phones", ()):
        phone = HouseholdPhone.objects.filter(pk=entry["id"], household=survivor).first()
        if (
            phone is None
            or HouseholdPhone.objects.filter(household=duplicate, number=phone.number).exists()
        ):
            continue
        phone.household = duplicate
        phone.owner_id = entry["owner"]
        phone.is_primary = entry["is_primary"]
        _save(phone, user, ["household", "owner", "is_primary"])
    for dup_pk, kept_pk in snapshot.get("links", ()):
        Individual.objects.filter(pk=dup_pk, duplicate_of_id=kept_pk).update(duplicate_of=None)
    for entry in snapshot.get("moved_members", ()):
        member = Individual.objects.filter(pk=entry["id"], household=survivor).first()
        if member is None:
            continue
        member.household = duplicate
        member.relationship = entry["relationship"]
        _save(member, user, ["household", "relationship"])
    for entry in snapshot.get("filled", ()):
        kept = Individual.objects.filter(pk=entry["id"]).first()
        if kept is None:
            continue
        changed = []
        for f, (old, new) in entry["fields"].items():
            if getattr(kept, f) == new:  # not edited since the merge
                setattr(kept, f, old)
                changed.append(f)
        if changed:
            _save(kept, user, changed)
    for entry in snapshot.get("documents", ()):
        doc = IndividualDocument.objects.filter(pk=entry["id"], individual_id=entry["to"]).first()
        if (
            doc is None
            or IndividualDocument.objects.filter(
                individual_id=entry["individual"], kind=doc.kind
            ).exists()
        ):
            continue
        doc.individual_id = entry["individual"]
        _save(doc, user, ["individual"])
