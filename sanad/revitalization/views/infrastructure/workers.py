"""Cash-for-work on a project's page: adding a registered person as a worker, marking
a worker as no longer working (or back), and recording payments (which write the
ledger)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound
from sanad.revitalization.forms.infrastructure import PaymentForm, WorkerAddForm
from sanad.revitalization.models import MANAGE
from sanad.revitalization.selectors import infrastructure as selectors
from sanad.revitalization.services import infrastructure as services
from sanad.revitalization.views.communities._base import service_error
from sanad.revitalization.views.infrastructure._base import get_project, to_project
from sanad.revitalization.views.infrastructure.projects import _page


@login_required
@require_POST
def project_worker_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    form = WorkerAddForm(request.POST, prefix="worker")
    if form.is_valid():
        try:
            person = selectors.individual_for_worker(
                user=request.user, public_id=form.cleaned_data["individual"]
            )
        except NotFound:
            form.add_error(None, _("Choose a person you can see in the registry."))
        else:
            try:
                services.worker_add(
                    user=request.user,
                    project=project,
                    individual=person,
                    daily_rate=form.cleaned_data["daily_rate"],
                    role=form.cleaned_data.get("role") or "",
                )
            except ApplicationError as exc:
                service_error(form, exc, {"individual": "__all__"})
            else:
                return to_project(
                    request,
                    project,
                    _("A member of household %(id)s works on the project.")
                    % {"id": person.household.registration_id},
                )
    return _page(request, project, {"worker": form}, status=400)


@login_required
@require_POST
def project_worker_toggle(request: HttpRequest, public_id: Any, worker: Any) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    try:
        row = selectors.worker_get(project=project, public_id=worker)
    except NotFound as exc:
        raise Http404 from exc
    services.worker_update(user=request.user, worker=row, active=not row.active)
    message = (
        _("The worker is back on the works.")
        if not row.active
        else _("The worker no longer works on the project (days worked can still be paid).")
    )
    return to_project(request, project, message)


@login_required
@require_POST
def project_payment_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    project = get_project(request, public_id, MANAGE)
    form = PaymentForm(request.POST, prefix="payment", project=project)
    if form.is_valid():
        data = dict(form.cleaned_data)
        worker = data.pop("worker")
        try:
            payment = services.worker_payment_record(user=request.user, worker=worker, **data)
        except ApplicationError as exc:
            service_error(form, exc)
        else:
            return to_project(
                request,
                project,
                _("Payment of %(amount)s %(currency)s is recorded in the assistance ledger.")
                % {"amount": payment.amount, "currency": payment.currency},
            )
    return _page(request, project, {"payment": form}, status=400)
