from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from sanad.core.jobs import job_cancel, job_result_file
from sanad.core.listing import ScopedListView
from sanad.core.models import AuditEvent, Job, PersonalDataAccess
from sanad.core.scoping import has_permission
from sanad.core.selectors import jobs_visible_to


def require_permission(request: HttpRequest, permission: str) -> None:
    """A page refuses (403) a user whose roles do not grant the permission anywhere; a
    record out of the user's scope is a 404, which the page's look-up answers."""
    if not has_permission(request.user, permission):
        raise DjangoPermissionDenied


class JobListView(LoginRequiredMixin, ListView):
    template_name = "core/job_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_visible_to(self.request.user).order_by("-created_at")


def _job(request: HttpRequest, public_id: Any) -> Job:
    return get_object_or_404(jobs_visible_to(request.user), public_id=public_id)


@login_required
def job_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return render(request, "core/job_detail.html", {"job": _job(request, public_id)})


@login_required
def job_progress(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The HTMX fragment the job page polls; it stops polling once the job finishes."""
    job = _job(request, public_id)
    response = render(request, "core/_job_progress.html", {"job": job})
    if job.is_finished and request.headers.get("HX-Request"):
        response["HX-Trigger"] = "job-finished"
    return response


@login_required
def job_download(request: HttpRequest, public_id: Any) -> FileResponse:
    job = _job(request, public_id)
    path = job_result_file(job)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    job = _job(request, public_id)
    if job.created_by_id != request.user.pk and not has_permission(
        request.user, "core.view_all_jobs"
    ):
        raise Http404
    job_cancel(job=job, user=request.user)
    messages.info(request, _("The job was cancelled."))
    return redirect("core:job_detail", public_id=job.public_id)


class AuditListView(ScopedListView):
    model = AuditEvent
    permission = "core.view_audit"
    template_name = "core/audit_list.html"
    search_fields = ("object_public_id", "actor__username", "request_id")
    sort_fields = {"at": "at", "action": "action", "model": "content_type__model"}
    default_sort = "-at"

    def get_base_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.select_related("actor", "content_type")

    def get_queryset(self) -> QuerySet[AuditEvent]:
        # Audit records are not scoped by place: the permission alone decides.
        qs = super().get_queryset()
        action = self.request.GET.get("action")
        return qs.filter(action=action) if action in AuditEvent.Action.values else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = AuditEvent.Action.choices
        return ctx


class AccessListView(ScopedListView):
    model = PersonalDataAccess
    permission = "core.view_audit"
    template_name = "core/access_list.html"
    search_fields = ("object_public_id", "user__username", "purpose", "route")
    sort_fields = {"at": "at", "user": "user__username", "action": "action"}
    default_sort = "-at"

    def get_base_queryset(self) -> QuerySet[PersonalDataAccess]:
        return PersonalDataAccess.objects.select_related("user", "content_type")
