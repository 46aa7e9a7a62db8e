"""The grant pages as people use them: the list of calls (query count bound), a call's
page with its figures and committee progress, criteria and committee pages, entering
and importing applications, an application's page with its checks and the override,
the committee member's scoring pages (on a phone) and the refusal of others, the
ranking and the selection, and the API."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from sanad.revitalization.models import CommitteeMember, ConflictDeclaration, GrantApplication
from sanad.revitalization.services.grants import imports
from tests.conftest import api_client_for, client_for
from tests.factories import NINEWA
from tests.revitalization.factories import make_call
from tests.revitalization.grants_helpers import (
    apply,
    close,
    criteria,
    head,
    household,
    officer,
    open_call,
    score,
    scorer,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"revitalization:{name}", args=args)


def test_the_list_shows_the_calls_in_scope_with_their_counts(django_assert_max_num_queries):
    user = officer()
    call, _m = open_call(user, title="Zakho recovery grants")
    apply(user, call)
    apply(user, call)
    make_call(title="Sumel grants")
    make_call(governorate=NINEWA, title="Mosul grants")
    client = client_for(user)
    with django_assert_max_num_queries(12):
        page = client.get(url("call_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Zakho recovery grants" in body and "Sumel grants" in body
    assert "Mosul grants" not in body
    assert "2 / 0" in body and "New call" in body
    filtered = client.get(url("call_list"), {"status": "open"}).content.decode()
    assert "Zakho recovery grants" in filtered and "Sumel grants" not in filtered


def test_creating_a_call_from_the_form():
    from tests.revitalization.factories import crp_project

    user = officer()
    project = crp_project()
    response = client_for(user).post(
        url("call_create"),
        {
            "title": "Recovery grants",
            "project": str(project.public_id),
            "governorate": "IQG09",
            "opens_on": "2026-03-01",
            "closes_on": "2026-04-01",
            "currency": "USD",
            "exchange_rate": "1310",
            "amount_min": "1000",
            "amount_max": "5000",
            "budget": "50000",
            "tranches": "2",
            "min_age": "18",
            "sectors": ["retail", "food"],
            "one_per_household": "on",
            "quorum": "2",
        },
    )
    assert response.status_code == 302
    from sanad.revitalization.models import GrantCall

    call = GrantCall.objects.get(title="Recovery grants")
    assert call.sectors == ["food", "retail"] and not call.exclude_earlier_grantees
    assert response.url == url("call_detail", call.public_id)


def test_the_call_page_shows_figures_criteria_and_each_members_progress():
    user = officer()
    call, members = open_call(user)
    apps = [apply(user, call) for _ in range(2)]
    close(user, call)
    score(members[0], apps[0], 8, 8)
    score(members[1], apps[0], 6, 6)
    body = client_for(user).get(url("call_detail", call.public_id)).content.decode()
    assert "Viability" in body and "60%" in body
    assert 'data-testid="figure-eligible">2<' in body
    assert 'data-testid="figure-scored">1<' in body
    assert "declared 1 · scored 1 · conflicts 0" in body
    assert "Select the grantees" in body


def test_the_criteria_page_saves_rows_and_refuses_weights_not_summing_to_100():
    user = officer()
    call = make_call()
    client = client_for(user)

    def post(weights):
        data = {
            "criteria-TOTAL_FORMS": "3",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "12",
        }
        for i, weight in enumerate(weights):
            data[f"criteria-{i}-name"] = f"Criterion {i}"
            data[f"criteria-{i}-weight"] = weight
            data[f"criteria-{i}-max_score"] = "10"
        return client.post(url("call_criteria", call.public_id), data)

    refused = post(["50", "40"])
    assert refused.status_code == 400 and "90%" in refused.content.decode()
    assert post(["50", "30", "20"]).status_code == 302
    assert [c.name for c in criteria(call)] == ["Criterion 0", "Criterion 1", "Criterion 2"]


def test_the_committee_page_adds_a_member_who_may_score():
    user = officer()
    call = make_call()
    member = scorer(full_name="Karwan Yousif")
    client = client_for(user)
    page = client.get(url("call_committee", call.public_id)).content.decode()
    assert "Karwan Yousif" in page
    response = client.post(
        url("call_committee", call.public_id), {"user": str(member.public_id), "role": "chair"}
    )
    assert response.status_code == 302
    assert CommitteeMember.objects.get(call=call).role == "chair"


def test_opening_and_closing_a_call_from_its_page():
    user = officer()
    call, _m = open_call(user, status="draft")
    client = client_for(user)
    client.post(url("call_action", call.public_id, "open"))
    call.refresh_from_db()
    assert call.status == "open"
    apply(user, call)
    client.post(url("call_action", call.public_id, "close"))
    call.refresh_from_db()
    assert call.status == "scoring"
    refused = client.post(url("call_action", call.public_id, "cancel"), {"cancel-reason": ""})
    assert refused.status_code == 400


def test_entering_an_application_finding_the_applicant_in_the_registry():
    user = officer()
    call, _m = open_call(user)
    h = household()
    applicant = head(h)
    client = client_for(user)
    found = client.get(url("application_create", call.public_id), {"q": h.registration_id})
    body = found.content.decode()
    assert h.registration_id in body and "Apply for this person" in body
    form = client.get(url("application_create", call.public_id), {"applicant": applicant.public_id})
    assert 'data-testid="application-form"' in form.content.decode()
    response = client.post(
        url("application_create", call.public_id),
        {
            "applicant": str(applicant.public_id),
            "business_name": "Tailoring workshop",
            "sector": "services",
            "business_kind": "existing",
            "description": "Two sewing machines",
            "requested_amount": "2500",
            "jobs_planned": "2",
            "submitted_on": "2026-02-20",
        },
    )
    app = GrantApplication.objects.get(business_name="Tailoring workshop")
    assert response.status_code == 302 and response.url == url("application_detail", app.public_id)
    assert app.applicant == applicant


def test_an_application_out_of_range_shows_the_problem_beside_the_field():
    user = officer()
    call, _m = open_call(user)
    applicant = head(household())
    response = client_for(user).post(
        url("application_create", call.public_id),
        {
            "applicant": str(applicant.public_id),
            "business_name": "Shop",
            "sector": "retail",
            "business_kind": "new",
            "description": "x",
            "requested_amount": "9000",
            "jobs_planned": "0",
            "submitted_on": "2026-02-20",
        },
    )
    assert response.status_code == 400 and "1,000" in response.content.decode()


def test_the_import_page_lists_the_problems_and_saves_nothing():
    from openpyxl import Workbook

    user = officer()
    call, _m = open_call(user)
    h = household()
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.COLUMNS))
    sheet.append([h.registration_id, "1", "Shop", "bakery", "new", "x", "2000", "1", "", ""])
    data = io.BytesIO()
    book.save(data)
    data.name = "applications.xlsx"
    data.seek(0)
    client = client_for(user)
    response = client.post(url("application_import", call.public_id), {"file": data})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="import-errors"' in body and "<code>sector</code>" in body
    assert not GrantApplication.objects.exists()
    template = client.get(url("application_import_template", call.public_id))
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_application_page_shows_the_checks_and_an_officer_overrides_them():
    user = officer()
    call, _m = open_call(user, sectors=["food"])
    app = apply(user, call, sector="retail")
    close(user, call)
    client = client_for(user)
    body = client.get(url("application_detail", app.public_id)).content.decode()
    assert 'data-testid="check-sector"' in body and "Food production" in body
    response = client.post(
        url("application_action", app.public_id, "override"),
        {"override-to": "eligible", "override-reason": "Sells bread it bakes"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "eligible"


def test_a_member_declares_then_scores_on_the_scoring_pages():
    user = officer()
    call, members = open_call(user)
    app = apply(user, call)
    close(user, call)
    client = client_for(members[0])
    listing = client.get(url("scoring_list")).content.decode()
    assert call.reference in listing
    worklist = client.get(url("scoring_call", call.public_id)).content.decode()
    assert app.reference in worklist and "to declare" in worklist
    page = client.get(url("scoring_application", app.public_id)).content.decode()
    assert 'data-testid="declaration-form"' in page and 'data-testid="score-form"' not in page
    client.post(url("scoring_application", app.public_id), {"step": "declare", "conflict": "no"})
    page = client.get(url("scoring_application", app.public_id)).content.decode()
    assert 'data-testid="score-form"' in page
    first, second = criteria(call)
    response = client.post(
        url("scoring_application", app.public_id),
        {"step": "score", f"score_{first.pk}": "8.5", f"score_{second.pk}": "6"},
    )
    assert response.status_code == 302
    page = client.get(url("scoring_application", app.public_id)).content.decode()
    assert 'data-testid="my-total">75.00<' in page


def test_a_conflict_declared_on_the_page_hides_the_score_form():
    user = officer()
    call, members = open_call(user)
    app = apply(user, call)
    close(user, call)
    client = client_for(members[1])
    refused = client.post(
        url("scoring_application", app.public_id), {"step": "declare", "conflict": "yes"}
    )
    assert refused.status_code == 400
    client.post(
        url("scoring_application", app.public_id),
        {"step": "declare", "conflict": "yes", "note": "My brother-in-law"},
    )
    assert ConflictDeclaration.objects.get(application=app).has_conflict
    page = client.get(url("scoring_application", app.public_id)).content.decode()
    assert 'data-testid="conflict-declared"' in page and 'data-testid="score-form"' not in page


def test_someone_not_on_the_committee_cannot_open_the_scoring_pages():
    user = officer()
    call, _members = open_call(user)
    app = apply(user, call)
    close(user, call)
    outsider = client_for(scorer())
    assert outsider.get(url("scoring_call", call.public_id)).status_code == 403
    assert outsider.get(url("scoring_application", app.public_id)).status_code == 403
    assert (
        outsider.post(
            url("scoring_application", app.public_id), {"step": "declare", "conflict": "no"}
        ).status_code
        == 403
    )
    elsewhere = client_for(scorer(governorates=(NINEWA,)))
    assert elsewhere.get(url("scoring_application", app.public_id)).status_code == 404
    from tests.factories import make_user

    viewer = client_for(make_user("me_viewer", programmes=("CRP",)))
    assert viewer.get(url("scoring_application", app.public_id)).status_code == 403


def test_the_ranking_page_shows_each_members_total_a_conflict_and_the_tie_note():
    user = officer()
    call, members = open_call(user, members=3, quorum=2)
    a = apply(user, call, jobs_planned=4)
    b = apply(user, call, jobs_planned=2)
    close(user, call)
    for m in members[:2]:
        score(m, a, 7, 8)
        score(m, b, 7, 8)
    from sanad.revitalization.services.grants import scoring

    scoring.application_declare(user=members[2], application=a, has_conflict=True, note="Cousin")
    body = client_for(user).get(url("call_ranking", call.public_id)).content.decode()
    assert "conflict declared" in body and "74.00" in body
    assert "ranked higher: more jobs planned (4 against 2)" in body
    assert client_for(members[0]).get(url("call_ranking", call.public_id)).status_code == 403


def test_the_selection_page_proposes_and_confirms_with_a_move():
    user = officer()
    call, members = open_call(user, members=1, quorum=1, budget=Decimal("8000"))
    apps = [apply(user, call, requested_amount=Decimal("4000")) for _ in range(3)]
    close(user, call)
    for app, v in zip(apps, (9, 8, 7), strict=False):
        score(members[0], app, v, v)
    client = client_for(user)
    page = client.get(url("call_selection", call.public_id), {"reserve": "1"}).content.decode()
    assert page.count('data-testid="selection-row"') == 3
    data = {"reserve": "1"}
    for app, status in zip(apps, ("selected", "selected", "reserve"), strict=False):
        data[f"status_{app.public_id}"] = status
    data[f"status_{apps[1].public_id}"] = "reserve"
    refused = client.post(url("call_selection", call.public_id), data)
    assert refused.status_code == 400 and "moved from the proposed list" in refused.content.decode()
    data[f"reason_{apps[1].public_id}"] = "Business already funded by another NGO"
    data[f"status_{apps[2].public_id}"] = "selected"
    data[f"reason_{apps[2].public_id}"] = "Next in rank"
    assert client.post(url("call_selection", call.public_id), data).status_code == 302
    statuses = [GrantApplication.objects.get(pk=a.pk).status for a in apps]
    assert statuses == ["selected", "reserve", "selected"]


def test_the_api_lists_calls_and_applications_in_scope(django_assert_max_num_queries):
    user = officer()
    call, _m = open_call(user)
    app = apply(user, call)
    make_call(governorate=NINEWA, reference="GRC-OUT-00001")
    client = api_client_for(user)
    calls = client.get("/api/v1/revitalization/grant-calls/").json()
    refs = [c["reference"] for c in calls["results"]]
    assert call.reference in refs and "GRC-OUT-00001" not in refs
    assert calls["results"][0]["criteria"][0]["name"] == "Viability"
    for _ in range(3):
        apply(user, call)
    with django_assert_max_num_queries(12):
        apps = client.get(
            "/api/v1/revitalization/grant-applications/", {"call": call.reference}
        ).json()
    assert apps["count"] == 4
    detail = client.get(f"/api/v1/revitalization/grant-applications/{app.public_id}/").json()
    assert detail["registration_id"] == app.household.registration_id
    assert "phone" not in detail
