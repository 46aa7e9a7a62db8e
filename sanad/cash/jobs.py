"""Background jobs of cash: the voucher sheet of a plan (PDF, eight to a page), with
progress. Registered by `CashConfig.ready()`.

Why a job: a plan has thousands of vouchers and laying out a page with QR codes takes
a moment; the page hands the work to the worker and polls the job.

The PINs of vouchers just issued come in the job's parameters (they exist in clear
nowhere else) and are removed from them as soon as the sheet is written, or the job
fails: only the PDF, downloadable by whoever started the job, holds them."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.cash import exports, selectors
from sanad.cash.models import MANAGE, Voucher
from sanad.core.errors import ValidationFailed
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job

VOUCHER_SHEET = "cash.voucher_sheet"


@job_kind(VOUCHER_SHEET, title=gettext_lazy("Print a sheet of e-vouchers"), permission=MANAGE)
def voucher_sheet(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"plan": public id, "vouchers": [public ids] (absent: the plan's active
    vouchers), "pins": {voucher public id: PIN}, "language": code}."""
    params = dict(job.params or {})
    pins = {str(k): str(v) for k, v in (params.pop("pins", None) or {}).items()}
    try:
        return _write(job, progress, params, pins)
    finally:
        if pins:
            Job.objects.filter(pk=job.pk).update(params=params)


def _write(
    job: Job, progress: Progress, params: dict[str, Any], pins: dict[str, str]
) -> dict[str, Any]:
    from sanad.cash.services.vouchers import voucher_mark_delivered

    user = job.created_by
    with translation.override(str(params.get("language") or "en")):
        progress(0, 1, _("Finding the vouchers"), force=True)
        plan = selectors.plan_get(user=user, public_id=params.get("plan"), permission=MANAGE)
        qs = selectors.vouchers_visible_to(user, MANAGE).filter(entitlement__plan=plan)
        wanted = params.get("vouchers")
        if wanted is not None:
            qs = qs.filter(public_id__in=[str(v) for v in wanted])
        else:
            qs = qs.filter(status=Voucher.Status.ACTIVE)
        vouchers = list(exports.printable(qs))
        if not vouchers:
            raise ValidationFailed(_("There is no active voucher to print."))
        name = exports.filename(plan)
        path = progress.file_path(name)
        message = _("Laying out the vouchers")
        path.write_bytes(
            exports.sheet_pdf(
                plan, vouchers, pins, progress=lambda n, total: progress(n, total, message)
            )
        )
        voucher_mark_delivered(user=user, vouchers=vouchers, by="print")
        progress(len(vouchers), len(vouchers), _("Finished"), force=True)
    return {"file": name, "vouchers": len(vouchers), "with_pins": bool(pins)}
