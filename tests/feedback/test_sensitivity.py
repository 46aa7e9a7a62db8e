"""Who may know that an abuse report or a conduct complaint exists, through every
route that reads cases: the list, the case page, search, the trends, the export file,
the API, the inbox (a message that became a case) and a household's cases.

An SEA case and a conduct complaint in Duhok/NFI are checked against every role, scoped
to Duhok/NFI and unscoped: only PSEA focal points find the SEA case, only feedback
managers the conduct complaint; the hotline operator who logged them cannot see them
afterwards; administrators and superusers do not see them either."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from sanad.accounts.roles import Role
from sanad.core.models import Job
from sanad.core.scoping import has_permission
from sanad.feedback.models import Case, Message
from sanad.feedback.selectors.cases import case_list, case_trends
from sanad.feedback.selectors.sensitivity import cases_for, messages_visible
from sanad.feedback.services.cases import case_log
from sanad.programmes.models import Programme
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in
from tests.feedback.factories import make_case, make_channel, make_contact, make_inbound
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db

SCOPES = {"duhok_nfi": {"governorates": (DUHOK,), "programmes": ("NFI",)}, "unscoped": {}}


@dataclass
class World:
    logger: Any
    sea: Case
    conduct: Case
    normal: Case
    household: Any
    sea_message: Message
    conduct_message: Message


def _world() -> World:
    logger = make_user("hotline_operator", governorates=(DUHOK,))
    household = make_household(governorate=DUHOK)
    hotline = make_channel("hotline")
    nfi = Programme.objects.get(code="NFI")
    common = {
        "channel": hotline,
        "programme": nfi,
        "admin_unit": subdistrict_in(DUHOK),
        "household": household,
    }
    contact = make_contact()
    sea_message = make_inbound(contact, "The guard asked for favours for a kit.")
    sea = case_log(
        user=logger,
        data={**common, "category": "sea", "description": "Zebrafinch favours for a kit."},
        message=sea_message,
    )
    conduct_message = make_inbound(contact, "The driver shouted at us.")
    conduct = case_log(
        user=logger,
        data={
            **common,
            "category": "complaint_conduct",
            "description": "Quokkaword the driver shouted.",
        },
        message=conduct_message,
    )
    normal = case_log(
        user=logger,
        data={**common, "category": "complaint_assistance", "description": "Torn blankets."},
    )
    # Out of scope, for contrast: an SEA case in Erbil.
    make_case(category="sea", governorate=ERBIL, description="Erbil report.")
    return World(logger, sea, conduct, normal, household, sea_message, conduct_message)


def _export_rows(web: Any, capture: Any) -> list[str]:
    with capture(execute=True):
        response = web.post("/feedback/cases/export/", {})
    assert response.status_code == 302
    job = Job.objects.filter(kind="feedback.cases_export").latest("pk")
    assert job.status == "succeeded", job.error if hasattr(job, "error") else job.status
    path = Path(settings.JOB_FILES_DIR) / str(job.public_id) / job.result_file
    sheet = load_workbook(path).active
    return [str(row[0]) for row in sheet.iter_rows(min_row=3, values_only=True)]


ROLES = [r.value for r in Role]


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("role", ROLES)
def test_restricted_cases_are_found_only_by_the_people_who_handle_them(
    role: str, scope: str, django_capture_on_commit_callbacks: Any
) -> None:
    w = _world()
    user = make_user(role, **SCOPES[scope])
    sees_sea = role == Role.PSEA_FOCAL_POINT
    sees_conduct = role == Role.FEEDBACK_MANAGER
    restricted = {w.sea.reference: sees_sea, w.conduct.reference: sees_conduct}
    web = client_for(user)

    # The selector every route uses.
    visible = set(cases_for(user).values_list("reference", flat=True))
    for reference, expected in restricted.items():
        assert (reference in visible) is expected, (role, scope, reference)

    if has_permission(user, "feedback.view_case"):
        page = web.get("/feedback/cases/").content.decode()
        assert w.normal.reference in page
        for reference, expected in restricted.items():
            assert (reference in page) is expected
        # Search by reference and by a word of the description.
        for case, word, expected in (
            (w.sea, "Zebrafinch", sees_sea),
            (w.conduct, "Quokkaword", sees_conduct),
        ):
            for q in (case.reference, word):
                found = web.get("/feedback/cases/", {"q": q}).content.decode()
                # (the search box repeats the reference typed: look for the link)
                assert (f"/feedback/cases/{case.public_id}/" in found) is expected
        # The case page: 404, the same as an id that does not exist.
        for case, expected in ((w.sea, sees_sea), (w.conduct, sees_conduct)):
            status = web.get(f"/feedback/cases/{case.public_id}/").status_code
            assert status == (200 if expected else 404)
            acted = web.post(f"/feedback/cases/{case.public_id}/note/", {"note-text": "x"})
            assert acted.status_code == (302 if expected else 404)
        # A household's cases.
        mine = web.get("/feedback/cases/", {"household": str(w.household.public_id)})
        listed = mine.content.decode()
        assert w.normal.reference in listed
        for reference, expected in restricted.items():
            assert (reference in listed) is expected
        # The export file.
        rows = _export_rows(web, django_capture_on_commit_callbacks)
        assert w.normal.reference in rows
        for reference, expected in restricted.items():
            assert (reference in rows) is expected
        # The API.
        api = api_client_for(user)
        listed_api = api.get("/api/v1/feedback/cases/", {"page_size": 100})
        assert listed_api.status_code == 200
        body = listed_api.content.decode()
        for reference, expected in restricted.items():
            assert (reference in body) is expected
        for case, expected in ((w.sea, sees_sea), (w.conduct, sees_conduct)):
            detail = api.get(f"/api/v1/feedback/cases/{case.public_id}/")
            assert detail.status_code == (200 if expected else 404)
    else:
        assert web.get("/feedback/cases/").status_code == 403
        assert web.get(f"/feedback/cases/{w.sea.public_id}/").status_code == 403
        assert not case_list(user=user).filter(sensitivity__in=["psea", "managers"]).exists()

    # Trends count restricted cases only for those allowed.
    if has_permission(user, "feedback.view_trends"):
        today = timezone.localdate()
        trends = case_trends(user=user, date_from=today - datetime.timedelta(days=1), date_to=today)
        categories = {r["key"]: r["count"] for r in trends["by_category"]}
        assert categories.get("sea", 0) == (1 if sees_sea else 0) + (
            1 if sees_sea and scope == "unscoped" else 0
        )
        assert categories.get("complaint_conduct", 0) == (1 if sees_conduct else 0)
        csv_body = web.get("/feedback/trends/", {"format": "csv", "table": "category"})
        assert csv_body.status_code == 200
        assert ("sea," in csv_body.content.decode()) is sees_sea
    else:
        assert web.get("/feedback/trends/").status_code == 403

    # The inbox: a message that became a restricted case is hidden from the others.
    shown = set(
        messages_visible(user, Message.objects.filter(direction="in")).values_list("pk", flat=True)
    )
    assert (w.sea_message.pk in shown) is sees_sea
    assert (w.conduct_message.pk in shown) is sees_conduct


def test_the_operator_who_logged_an_abuse_report_cannot_see_it_afterwards() -> None:
    w = _world()
    web = client_for(w.logger)
    assert web.get(f"/feedback/cases/{w.sea.public_id}/").status_code == 404
    assert w.sea.reference not in web.get("/feedback/cases/").content.decode()
    assert w.normal.reference in web.get("/feedback/cases/").content.decode()
    assert not cases_for(w.logger).filter(pk=w.sea.pk).exists()


def test_a_superuser_does_not_see_restricted_cases() -> None:
    w = _world()
    root = make_user("administrator", is_superuser=True, is_staff=True)
    visible = set(cases_for(root).values_list("pk", flat=True))
    assert w.normal.pk in visible and w.sea.pk not in visible and w.conduct.pk not in visible


def test_a_focal_point_of_another_governorate_does_not_see_the_duhok_report() -> None:
    w = _world()
    erbil = make_user("psea_focal_point", governorates=(ERBIL,))
    assert not cases_for(erbil).filter(pk=w.sea.pk).exists()
    assert cases_for(erbil).filter(sensitivity="psea").count() == 1  # the Erbil one
    shown = messages_visible(erbil, Message.objects.filter(pk=w.sea_message.pk))
    assert not shown.exists()
