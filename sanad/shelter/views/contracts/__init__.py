"""Contractors, tenders and works contracts: the lists (with filters), registering a
contractor, putting a lot of houses to tender, recording and scoring bids, the award,
direct awards, payment milestones, signing, certifying, payments, practical completion,
retention release and termination. Every write goes through
`shelter.services.contracts`; a record out of the user's reach is a 404."""

from __future__ import annotations

from sanad.shelter.views.contracts._base import (
    tabs,
)
from sanad.shelter.views.contracts.contractors import (
    CONTRACTOR_ACTIONS,
    ContractorListView,
    contractor_action,
    contractor_create,
    contractor_detail,
    contractor_edit,
)
from sanad.shelter.views.contracts.execution import (
    CONTRACT_ACTIONS,
    ContractListView,
    contract_action,
    contract_create,
    contract_detail,
    contract_edit,
    contract_milestones,
    milestone_action,
)
from sanad.shelter.views.contracts.tenders import (
    TENDER_ACTIONS,
    TenderListView,
    tender_action,
    tender_create,
    tender_detail,
    tender_edit,
)

__all__ = [
    "CONTRACTOR_ACTIONS",
    "CONTRACT_ACTIONS",
    "TENDER_ACTIONS",
    "ContractListView",
    "ContractorListView",
    "TenderListView",
    "contract_action",
    "contract_create",
    "contract_detail",
    "contract_edit",
    "contract_milestones",
    "contractor_action",
    "contractor_create",
    "contractor_detail",
    "contractor_edit",
    "milestone_action",
    "tabs",
    "tender_action",
    "tender_create",
    "tender_detail",
    "tender_edit",
]
