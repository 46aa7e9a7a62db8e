"""The gaps report as XLSX, written by a background job with progress.

One row per site and month (the long shape analysts pivot), with HXL hashtags under the
headers: the site, the month, whether it was monitored, the population divided by, the
number of gaps and the failing indicators, then each indicator's value, threshold and
met/gap. The rows are those `gaps_matrix` gives the person who started the job.
Registered by `CampsConfig.ready()` (importing this module)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.camps.models import VIEW, MonitoringRound
from sanad.camps.selectors.monitoring import gaps_matrix, parse_month, standards_all
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job

GAPS_EXPORT = "camps.gaps_export"


def _state_label(state: str) -> str:
    return {
        "submitted": str(MonitoringRound.Status.SUBMITTED.label),
        "draft": str(MonitoringRound.Status.DRAFT.label),
        "missing": _("Not monitored"),
    }[state]


def gaps_xlsx(
    matrix: dict[str, Any],
    path: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the matrix to `path`; returns the number of rows (site × month)."""
    from openpyxl import Workbook

    standards = list(standards_all())
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Gaps"))
    headers: list[tuple[str, str]] = [
        (_("Governorate P-code"), "#adm1+code"),
        (_("Governorate"), "#adm1+name"),
        (_("Site code"), "#loc+code"),
        (_("Site"), "#loc+name"),
        (_("Month"), "#date+month"),
        (_("Monitoring"), "#status"),
        (_("People"), "#population+ind"),
        (_("Households"), "#population+hh"),
        (_("Gaps"), "#indicator+gaps+num"),
        (_("Failing indicators"), "#indicator+gaps+list"),
    ]
    for standard in standards:
        tag = standard.code.replace("_", "")
        headers += [
            (f"{standard.name}", f"#indicator+{tag}+value"),
            (_("%(name)s: threshold") % {"name": standard.name}, f"#indicator+{tag}+threshold"),
            (_("%(name)s: met") % {"name": standard.name}, f"#indicator+{tag}+met"),
        ]
    ws.append([h for h, _t in headers])
    ws.append([t for _h, t in headers])
    total = len(matrix["rows"]) * len(matrix["months"])
    written = 0
    for row in matrix["rows"]:
        site = row["site"]
        for cell in row["cells"]:
            r = cell["round"]
            submitted = cell["state"] == "submitted"
            results = {res["code"]: res for res in (r.results if submitted and r else [])}
            line: list[Any] = [
                site.governorate.pcode,
                site.governorate.name,
                site.place.code,
                site.place.name,
                cell["month"].strftime("%Y-%m"),
                _state_label(cell["state"]),
                r.individuals if r else None,
                r.households if r else None,
                cell["gaps"] if submitted else None,
                "; ".join(str(f["name"]) for f in cell["failing"]),
            ]
            for standard in standards:
                res = results.get(standard.code)
                if res is None:
                    line += [None, None, None]
                else:
                    met = _("yes") if res["met"] else _("no")
                    line += [res["value"], res["threshold"], met]
            ws.append(line)
            written += 1
            if progress and written % 200 == 0:
                progress(written, total)
    wb.save(path)
    return written


def filename(until: datetime.date) -> str:
    return f"camp-gaps-{until:%Y-%m}-{timezone.localdate().isoformat()}.xlsx"


@job_kind(GAPS_EXPORT, title=gettext_lazy("Export the camp standards gaps"), permission=VIEW)
def gaps_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"months": ["YYYY-MM", …], "governorate": P-code or "", "language": code}."""
    params = dict(job.params or {})
    months = [m for m in (parse_month(v) for v in params.get("months") or []) if m]
    with translation.override(str(params.get("language") or "en")):
        progress(0, 1, _("Finding the rounds"), force=True)
        matrix = gaps_matrix(
            user=job.created_by, months=months, governorate=params.get("governorate") or None
        )
        name = filename(max(months) if months else timezone.localdate())
        message = _("Writing the gaps")
        rows = gaps_xlsx(
            matrix, progress.file_path(name), progress=lambda n, t: progress(n, t, message)
        )
        progress(rows, rows, _("Finished"), force=True)
    return {"file": name, "rows": rows}
