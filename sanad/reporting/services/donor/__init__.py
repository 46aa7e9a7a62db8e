"""The donor report of a project: what it reached over a period, counted once, as a
dict (`donor_report_data`, which the preview page shows) and as an XLSX or PDF file
(`donor_report_build`, which the job "reporting.donor_report" and scheduled exports
call). The page, the workbook and the PDF render the same dict: they cannot disagree.

People are counted by `selectors.figures.reach` (one person once, whichever months,
places and deliveries reached them). A report shared outside the mission, or made by
or for a donor viewer, has small counts of people suppressed (`suppression.py`), with
complementary suppression so that a hidden count cannot be worked out by subtracting
the shown ones from a shown total.
"""

from __future__ import annotations

from sanad.reporting.services.donor.build import (
    FORMATS,
    XLSX_TYPE,
    Progress,
    donor_report_build,
    filename,
)
from sanad.reporting.services.donor.data import (
    default_period_for,
    donor_report_data,
    must_suppress,
    projects_for,
    protect,
)
from sanad.reporting.services.donor.pdf import render_context, write_pdf
from sanad.reporting.services.donor.xlsx import safe_cell, write_xlsx

__all__ = [
    "FORMATS",
    "XLSX_TYPE",
    "Progress",
    "default_period_for",
    "donor_report_build",
    "donor_report_data",
    "filename",
    "must_suppress",
    "projects_for",
    "protect",
    "render_context",
    "safe_cell",
    "write_pdf",
    "write_xlsx",
]
