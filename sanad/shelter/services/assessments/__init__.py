"""Damage assessments of houses: the property (address, coordinates, admin unit, the
occupant's tenure and documents) and, on the same form, the engineer's assessment —
damage category, component checklist, occupants, covered living space after the works,
photos and the bill of quantities priced from the catalogue.

draft → submitted → validated (by the programme, `shelter.manage_case`) or returned
with a reason → submitted again; cancelled with a reason. A re-assessment of the same
property is a new assessment.

The bill of quantities: each line's unit price is the catalogue's price of the item on
the assessment's date in the property's governorate (`catalogue.price_for`), its total
the quantity × unit price rounded to 0.01, and the assessment's total the sum of the
line totals (`boq_compute`), in the currency of the prices."""

from __future__ import annotations

from sanad.shelter.services.assessments._base import (
    EDITABLE,
    MAX_BOQ_LINES,
    MAX_PHOTOS,
    QUANTITY_MAX,
    Status,
)
from sanad.shelter.services.assessments._input import (
    household_by_registration,
)
from sanad.shelter.services.assessments.boq import (
    BoqTotals,
    PricedLine,
    boq_compute,
    boq_price,
)
from sanad.shelter.services.assessments.records import (
    assessment_cancel,
    assessment_create,
    assessment_return,
    assessment_submit,
    assessment_update,
    assessment_validate,
    may_cancel,
    space_of,
)

__all__ = [
    "EDITABLE",
    "MAX_BOQ_LINES",
    "MAX_PHOTOS",
    "QUANTITY_MAX",
    "BoqTotals",
    "PricedLine",
    "Status",
    "assessment_cancel",
    "assessment_create",
    "assessment_return",
    "assessment_submit",
    "assessment_update",
    "assessment_validate",
    "boq_compute",
    "boq_price",
    "household_by_registration",
    "may_cancel",
    "space_of",
]
