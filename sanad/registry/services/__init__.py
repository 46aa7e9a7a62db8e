"""Writes for the registry: the one path used by the web pages, the API and imports.

`validation` holds the rules as pure functions (no database query per member, so that
imports can run them on 200,000 households); `households` holds the writes, each in a
transaction and each ending with `household_refresh`; `merge` merges a household
registered twice into one (deduplication) and undoes it.
"""

from sanad.registry.services.households import (
    clash_message,
    consent_set,
    document_clashes,
    household_move,
    household_refresh,
    household_register,
    household_set_status,
    household_update,
    manage_reach,
    member_add,
    member_as_data,
    member_remove,
    member_update,
)
from sanad.registry.services.merge import household_merge, household_unmerge
from sanad.registry.services.validation import (
    Lookups,
    PreparedHousehold,
    Problem,
    clean_consents,
    clean_document,
    clean_household,
    clean_member,
    clean_phones,
    prepare_household,
    raise_problems,
    validate_member,
    validate_members,
)

__all__ = [
    "Lookups",
    "PreparedHousehold",
    "Problem",
    "clash_message",
    "clean_consents",
    "clean_document",
    "clean_household",
    "clean_member",
    "clean_phones",
    "consent_set",
    "document_clashes",
    "household_merge",
    "household_move",
    "household_refresh",
    "household_register",
    "household_set_status",
    "household_unmerge",
    "household_update",
    "manage_reach",
    "member_add",
    "member_as_data",
    "member_remove",
    "member_update",
    "prepare_household",
    "raise_problems",
    "validate_member",
    "validate_members",
]
