"""Post-distribution monitoring: the households of a sample to call, with what each
call found (reached or not, satisfied or not, notes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError
from sanad.core.scoping import has_permission
from sanad.distribution import services
from sanad.distribution.forms import SampleRowForm
from sanad.distribution.models import MANAGE, SampledHousehold
from sanad.distribution.views.common import allowed, is_htmx, sample_for

VIEW_HOUSEHOLD = "registry.view_household"


def _rows(request: HttpRequest, sample: Any) -> list[SampledHousehold]:
    rows = list(
        SampledHousehold.objects.filter(sample=sample)
        .select_related("household", "event", "event__place")
        .order_by("event__place__name_en", "household__registration_id")
    )
    if has_permission(request.user, VIEW_HOUSEHOLD):
        from sanad.registry.models import HouseholdPhone
        from sanad.targeting.selectors import heads_for

        ids = [r.household_id for r in rows]
        heads = heads_for(ids)
        phones: dict[int, list[str]] = {}
        for p in HouseholdPhone.objects.filter(household_id__in=ids).order_by("pk"):
            phones.setdefault(p.household_id, []).append(p.number)
        for r in rows:
            head = heads.get(r.household_id)
            r.head = head  # type: ignore[attr-defined]
            r.phones = phones.get(r.household_id) or (  # type: ignore[attr-defined]
                [head.phone] if head is not None and head.phone else []
            )
    return rows


@login_required
def sample_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    sample = sample_for(request, public_id)
    rows = _rows(request, sample)
    can_record = allowed(request, sample.plan, MANAGE)
    answers = {True: "true", False: "false", None: "unknown"}
    for r in rows:
        r.form = (  # type: ignore[attr-defined]
            SampleRowForm(
                initial={
                    "outcome": r.outcome,
                    "satisfied": answers[r.satisfied],
                    "notes": r.notes,
                },
                prefix=f"row{r.pk}",
            )
            if can_record
            else None
        )
    done = sum(1 for r in rows if r.outcome != SampledHousehold.Outcome.PENDING)
    return render(
        request,
        "distribution/sample_detail.html",
        {
            "sample": sample,
            "plan": sample.plan,
            "rows": rows,
            "done": done,
            "can_record": can_record,
            "see_names": has_permission(request.user, VIEW_HOUSEHOLD),
        },
    )


@login_required
@require_POST
def sample_row(request: HttpRequest, public_id: Any, row: int) -> HttpResponse:
    sample = sample_for(request, public_id, MANAGE)
    entry = SampledHousehold.objects.filter(sample=sample, pk=row).first()
    if entry is None:
        raise Http404
    form = SampleRowForm(request.POST, prefix=f"row{entry.pk}")
    message = ""
    if form.is_valid():
        try:
            services.sample_call_record(
                user=request.user,
                row=entry,
                outcome=form.cleaned_data["outcome"],
                satisfied=form.cleaned_data.get("satisfied"),
                notes=form.cleaned_data.get("notes") or "",
            )
        except ApplicationError as exc:
            message = str(exc.message)
    else:
        message = _("Choose the outcome of the call.")
    if is_htmx(request):
        entry.refresh_from_db()
        return render(
            request,
            "distribution/_sample_saved.html",
            {"row": entry, "error": message},
            status=200,
        )
    if message:
        messages.error(request, message)
    else:
        messages.success(request, _("The call was recorded."))
    return redirect("distribution:sample_detail", public_id=sample.public_id)
