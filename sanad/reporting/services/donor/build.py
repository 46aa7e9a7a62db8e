"""The donor report as a file (`donor_report_build`), which the job
"reporting.donor_report" and scheduled exports call."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.programmes.models import Project
from sanad.reporting.services.donor.data import donor_report_data
from sanad.reporting.services.donor.pdf import write_pdf
from sanad.reporting.services.donor.xlsx import write_xlsx

FORMATS = ("xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Progress = Callable[..., None]


# --- files -----------------------------------------------------------------------------
def filename(data: dict[str, Any], fmt: str) -> str:
    code = slugify(data["project"]["code"]) or "project"
    start, end = data["period"]["start"], data["period"]["end"]
    return f"donor-report-{code}-{start:%Y-%m}-{end:%Y-%m}.{fmt}"


def donor_report_build(
    *,
    project: Project,
    start: datetime.date,
    end: datetime.date,
    format: str,  # the job's parameter name
    user: Any = None,
    shared: bool = True,
    progress: Progress | None = None,
) -> tuple[str, bytes]:
    """The report as a file: (file name, content)."""
    if format not in FORMATS:
        raise ValidationFailed(
            _("Choose XLSX or PDF."), fields={"format": [_("Choose XLSX or PDF.")]}
        )

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    step(0, _("Counting people and deliveries"))
    data = donor_report_data(project=project, start=start, end=end, user=user, shared=shared)
    step(2, _("Writing the report"))
    content = write_xlsx(data) if format == "xlsx" else write_pdf(data)
    step(4, _("Finished"))
    return filename(data, format), content
