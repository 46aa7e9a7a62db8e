"""Training documents: certificates of completion (PDF, one A4 landscape page per
trainee, Arabic and English whatever the reader's language, names shaped with the
vendored Noto Sans Arabic through targeting's font loader so nothing is fetched from
outside) and the attendance sheet of a course (XLSX, trainees × sessions, right to left
in Arabic and Kurdish)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.registry.derive import age_on
from sanad.revitalization.models import Course, Enrolment, TrainingSession
from sanad.revitalization.selectors.training import attendance_grid, percent_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A certificate is bilingual whatever the language of the person printing it: the
# Arabic and English wording is fixed here, not translated.
CERTIFICATE_AR = {
    "title": "شهادة إتمام تدريب مهني",
    "certify": "تشهد هذه الوثيقة بأن",
    "completed": "قد أتمّ/أتمّت بنجاح الدورة التدريبية",
    "trade": "المهنة",
    "provider": "الجهة المدرِّبة",
    "dates": "مدة الدورة",
    "hours": "عدد الساعات",
    "attendance": "نسبة الحضور",
    "place": "المكان",
    "number": "رقم الشهادة",
    "issued": "تاريخ الإصدار",
    "sign_provider": "توقيع الجهة المدرِّبة",
    "sign_programme": "توقيع برنامج إنعاش المجتمعات",
}
CERTIFICATE_EN = {
    "title": "Certificate of Completion — Vocational Training",
    "certify": "This is to certify that",
    "completed": "has successfully completed the training course",
    "trade": "Trade",
    "provider": "Training provider",
    "dates": "Course dates",
    "hours": "Hours",
    "attendance": "Attendance",
    "place": "Place",
    "number": "Certificate no.",
    "issued": "Issued on",
    "sign_provider": "Training provider's signature",
    "sign_programme": "Community Revitalization Programme",
}


def _label(choices_owner: Any, field: str, language: str) -> str:
    with translation.override(language):
        return str(getattr(choices_owner, f"get_{field}_display")())


def certificate_data(course: Course, enrolment: Enrolment, hours: Decimal) -> dict[str, Any]:
    person = enrolment.individual
    where = course.community.name if course.community is not None else ""
    governorate = course.governorate
    return {
        "number": enrolment.certificate_number,
        "name_ar": person.full_name_ar,
        "name_en": person.full_name_en,
        "course": course.title,
        "reference": course.reference,
        "trade_ar": _label(course, "trade", "ar"),
        "trade_en": _label(course, "trade", "en"),
        "provider": course.provider.name,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "hours": hours,
        "attendance": percent_text(enrolment.attendance_rate),
        "place_en": ", ".join(p for p in (where, governorate.name_en) if p),
        "place_ar": "، ".join(p for p in (where, governorate.name_ar or governorate.name_en) if p),
        "issued": (enrolment.completed_on or timezone.localdate()).isoformat(),
    }


def certificates_pdf(*, course: Course, enrolments: Sequence[Enrolment]) -> bytes:
    """The certificates of `enrolments` (completed trainees of `course`), a page each."""
    from weasyprint import HTML

    from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

    course = Course.objects.select_related("provider", "governorate", "community").get(pk=course.pk)
    hours = TrainingSession.objects.filter(course=course).aggregate(h=Sum("hours"))["h"] or Decimal(
        0
    )
    html = render_to_string(
        "revitalization/training/certificate_pdf.html",
        {
            "certificates": [certificate_data(course, e, hours) for e in enrolments],
            "ar": CERTIFICATE_AR,
            "en": CERTIFICATE_EN,
            "fonts": font_faces(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())


def attendance_xlsx(*, course: Course) -> tuple[bytes, int]:
    """The attendance sheet: the course's facts, then a row per trainee (registration
    id, names, sex, age, status), a column per session (1 present, 0 absent, empty:
    not on the roll that day), sessions attended, rate, assessment and certificate.
    Returns the workbook and the number of trainees."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    grid = attendance_grid(course)
    sessions = grid["sessions"]
    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Attendance")[:31]
    if translation.get_language_bidi():
        ws.sheet_view.rightToLeft = True
    facts = [
        (_("Course"), f"{course.reference} {course.title}"),
        (_("Training provider"), course.provider.name),
        (_("Governorate"), course.governorate.name),
        (_("Dates"), f"{course.starts_on.isoformat()} – {course.ends_on.isoformat()}"),
        (
            _("Sessions held / planned"),
            f"{len(sessions)} / {course.planned_sessions}",
        ),
        (_("Attendance needed to complete (%)"), float(course.min_attendance)),
        (_("Printed"), f"{timezone.localtime():%Y-%m-%d %H:%M}"),
    ]
    for label, value in facts:
        ws.append([label, value])
    ws.append([])
    header = [
        "#",
        _("Registration id"),
        _("Name (Arabic)"),
        _("Name (Latin)"),
        _("Sex"),
        _("Age"),
        _("Status"),
        *[f"{s.number} ({s.held_on.isoformat()})" for s in sessions],
        _("Sessions attended"),
        _("Attendance (%)"),
        _("Final assessment"),
        _("Certificate"),
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    results = {True: _("Passed"), False: _("Failed"), None: ""}
    for n, (e, cells, present, rate) in enumerate(grid["rows"], start=1):
        person = e.individual
        ws.append(
            [
                n,
                e.household.registration_id,
                person.full_name_ar,
                person.full_name_en,
                person.get_sex_display(),
                age_on(person.date_of_birth, course.starts_on),
                e.get_status_display(),
                *[None if c is None else int(c) for c in cells],
                present,
                float(rate) if rate is not None else None,
                results[e.assessment_passed],
                e.certificate_number or "",
            ]
        )
    ws.freeze_panes = ws.cell(row=len(facts) + 3, column=5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(grid["rows"])


def filename(name: str, fmt: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    return f"{safe}.{fmt}"
