"""Shelter: damage assessments, rehabilitation of war-damaged homes (directly, by
contractor, or by the family with cash in tranches), critical-shelter upgrades in sites
and camp-road rehabilitation.

- `catalogue`: the price catalogue a bill of quantities is estimated from (items, units,
  unit prices by governorate and date).
- `assessments`: a `Property` (address, coordinates, admin unit, tenure and documents),
  its damage `Assessment`s with a component checklist, photos and the bill of quantities
  (`BoqLine`); `PriorityRound`s rank assessed houses by damage and vulnerability.
- `cases`: a `RehabCase` per house to repair, in one of three modalities, with its
  `CaseMilestone`s, `Inspection`s (checklist, photos, progress, sign-off), handover and
  `Defect`s during the defects-liability period.
- `contracts`: `Contractor`s, `Tender`s with their `Bid`s, `Contract`s covering several
  houses with payment `ContractMilestone`s, retention and penalties for delay.
- `works`: `SiteUpgrade`s in camps and informal sites (sealing-off kits, windows and
  doors, partitions, latrines, electrical rewiring) and `RoadProject`s with progress.
"""

from sanad.shelter.models.assessments import (
    Assessment,
    AssessmentPhoto,
    BoqLine,
    PriorityEntry,
    PriorityRound,
    Property,
)
from sanad.shelter.models.cases import (
    CaseMilestone,
    Defect,
    Inspection,
    InspectionPhoto,
    RehabCase,
)
from sanad.shelter.models.catalogue import PriceItem, UnitPrice
from sanad.shelter.models.common import (
    ASSESS,
    COMPONENTS,
    INSPECT,
    MANAGE_CASE,
    MANAGE_CATALOGUE,
    MANAGE_CONTRACT,
    MANAGE_WORKS,
    VIEW,
    Component,
    DamageCategory,
)
from sanad.shelter.models.contracts import Bid, Contract, ContractMilestone, Contractor, Tender
from sanad.shelter.models.works import RoadProgress, RoadProject, SiteUpgrade, UpgradeHousehold

__all__ = [
    "ASSESS",
    "COMPONENTS",
    "INSPECT",
    "MANAGE_CASE",
    "MANAGE_CATALOGUE",
    "MANAGE_CONTRACT",
    "MANAGE_WORKS",
    "VIEW",
    "Assessment",
    "AssessmentPhoto",
    "Bid",
    "BoqLine",
    "CaseMilestone",
    "Component",
    "Contract",
    "ContractMilestone",
    "Contractor",
    "DamageCategory",
    "Defect",
    "Inspection",
    "InspectionPhoto",
    "PriceItem",
    "PriorityEntry",
    "PriorityRound",
    "Property",
    "RehabCase",
    "RoadProgress",
    "RoadProject",
    "SiteUpgrade",
    "Tender",
    "UnitPrice",
    "UpgradeHousehold",
]
