"""Downloads of a course: the certificates (one trainee's, or all of the course's) as
PDF, and the attendance sheet (trainees × sessions) as XLSX. They name people, so they
need TRAINING and each download is logged as an export of personal data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from sanad.core.audit import personal_data_exported
from sanad.revitalization import exports_training as exports
from sanad.revitalization.models import TRAINING, Enrolment
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.views.training._base import course_of, lookup


def _send(
    request: HttpRequest, data: bytes, content_type: str, filename: str, what: str, count: int
) -> HttpResponse:
    personal_data_exported(
        user=request.user,
        model=Enrolment,
        purpose=what,
        route=request.get_full_path(),
        record_count=count,
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def course_certificates(request: HttpRequest, public_id: Any) -> HttpResponse:
    course = course_of(request, public_id, TRAINING)
    enrolments = list(
        Enrolment.objects.filter(course=course, status=Enrolment.Status.COMPLETED)
        .select_related("individual")
        .order_by("certificate_number")
    )
    if not enrolments:
        raise Http404
    data = exports.certificates_pdf(course=course, enrolments=enrolments)
    return _send(
        request,
        data,
        "application/pdf",
        exports.filename(f"{course.reference}-certificates", "pdf"),
        "training certificates (course)",
        len(enrolments),
    )


@login_required
def enrolment_certificate(request: HttpRequest, public_id: Any) -> HttpResponse:
    enrolment = lookup(request, selectors.enrolment_get, TRAINING, public_id=public_id)
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise Http404
    data = exports.certificates_pdf(course=enrolment.course, enrolments=[enrolment])
    return _send(
        request,
        data,
        "application/pdf",
        exports.filename(enrolment.certificate_number or "certificate", "pdf"),
        "training certificate",
        1,
    )


@login_required
def course_attendance_sheet(request: HttpRequest, public_id: Any) -> HttpResponse:
    course = course_of(request, public_id, TRAINING)
    data, count = exports.attendance_xlsx(course=course)
    return _send(
        request,
        data,
        exports.XLSX_TYPE,
        exports.filename(f"{course.reference}-attendance", "xlsx"),
        "training attendance sheet",
        count,
    )
