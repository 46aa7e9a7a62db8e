"""The pages, in the order a programme officer uses them: build a rule in the browser,
preview it, make a list, evaluate, lock, get a colleague's approval, look at the
households and export; also in Arabic (right to left)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sanad.registry.models import ShelterType
from sanad.targeting.models import BeneficiaryList, Rule, ScoringModel
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.targeting.conftest import (
    all_of,
    any_of,
    built,
    cond,
    household,
    weighted_model,
    widow_with_children,
)

pytestmark = pytest.mark.django_db

TREE = all_of(
    cond("governorate", "eq", DUHOK),
    any_of(cond("critical_shelter", "is_true"), cond("shelter_type", "eq", "camp")),
)


def in_language(user: Any, lang: str = "ar") -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def test_a_programme_officer_goes_from_a_rule_to_an_approved_exported_list(officer, manager, nfi):
    in_tent = household(DUHOK, shelter_type=ShelterType.INFORMAL_SETTLEMENT)
    household(DUHOK, shelter_type=ShelterType.RENTED)
    web = client_for(officer)

    page = web.get("/targeting/rules/new/")
    assert page.status_code == 200 and 'id="rule-builder"' in page.content.decode()
    assert 'id="targeting-fields"' in page.content.decode()

    preview = web.post("/targeting/rules/preview/", {"tree": json.dumps(TREE)})
    assert (
        '<span class="display-6 fw-bold" data-testid="preview-total">1</span>'
        in preview.content.decode()
    )

    response = web.post(
        "/targeting/rules/new/",
        {
            "name": "Winter kits Duhok",
            "programme": "NFI",
            "description": "",
            "tree": json.dumps(TREE),
        },
    )
    rule = Rule.objects.get(name="Winter kits Duhok")
    assert response.status_code == 302 and rule.tree == TREE

    response = web.post(
        "/targeting/lists/new/",
        {
            "name": "Winter kits Duhok 2026",
            "programme": "NFI",
            "rule": str(rule.public_id),
            "quotas": f"{DUHOK}: 100",
        },
    )
    lst = BeneficiaryList.objects.get(name="Winter kits Duhok 2026")
    assert response.status_code == 302 and lst.quotas.get().max_households == 100

    assert web.post(f"/targeting/lists/{lst.public_id}/build/").status_code == 302
    lst.refresh_from_db()
    assert lst.summary["included"] == 1

    web.post(f"/targeting/lists/{lst.public_id}/status/", {"to": "locked", "reason": ""})
    lst.refresh_from_db()
    assert lst.status == "locked"
    page = web.get(f"/targeting/lists/{lst.public_id}/")
    assert 'data-testid="two-person"' in page.content.decode()
    assert 'data-testid="list-approve"' not in page.content.decode()
    assert (
        web.post(f"/targeting/lists/{lst.public_id}/status/", {"to": "approved"}).status_code == 403
    )

    colleague = client_for(manager)
    assert (
        'data-testid="list-approve"'
        in colleague.get(f"/targeting/lists/{lst.public_id}/").content.decode()
    )
    colleague.post(f"/targeting/lists/{lst.public_id}/status/", {"to": "approved", "reason": "OK"})
    lst.refresh_from_db()
    assert lst.status == "approved" and lst.approved_by == manager

    entries = web.get(f"/targeting/lists/{lst.public_id}/households/")
    assert in_tent.registration_id in entries.content.decode()
    export = web.post(
        f"/targeting/lists/{lst.public_id}/export/", {"format": "xlsx", "which": "included"}
    )
    assert export.status_code == 200


def test_a_rule_with_mistakes_comes_back_with_each_mistake_by_its_row(officer, nfi):
    bad = all_of(cond("size", "gte", "many"), cond("nope", "eq", 1))
    page = client_for(officer).post(
        "/targeting/rules/new/", {"name": "Bad", "programme": "NFI", "tree": json.dumps(bad)}
    )
    body = page.content.decode()
    assert page.status_code == 400
    errors = json.loads(
        body.split('id="targeting-errors" type="application/json">')[1].split("</script>")[0]
    )
    assert set(errors) == {"items.0.value", "items.1.field"}
    assert not Rule.objects.exists()


def test_the_preview_counts_only_the_households_the_user_may_see(officer):
    household(DUHOK, shelter_type=ShelterType.SCHOOL)
    household(ERBIL, shelter_type=ShelterType.SCHOOL)
    body = (
        client_for(officer)
        .post(
            "/targeting/rules/preview/",
            {"tree": json.dumps(all_of(cond("critical_shelter", "is_true")))},
        )
        .content.decode()
    )
    assert 'data-testid="preview-total">1<' in body
    assert "Erbil" not in body


def test_the_preview_explains_a_mistake_instead_of_counting(officer):
    body = (
        client_for(officer)
        .post(
            "/targeting/rules/preview/",
            {"tree": json.dumps(all_of(cond("size", "between", [9, 2])))},
        )
        .content.decode()
    )
    assert 'data-testid="preview-error"' in body


def test_pages_are_right_to_left_in_arabic_and_fit_a_phone(officer, nfi):
    widow_with_children(DUHOK)
    lst = built(
        officer,
        all_of(),
        version=weighted_model(officer, [("W", cond("is_woman_headed", "is_true"), 5)]),
    )
    client = in_language(officer)
    hh = lst.entries.first().household
    for url in (
        "/targeting/",
        "/targeting/rules/",
        "/targeting/rules/new/",
        f"/targeting/rules/{lst.rule.public_id}/",
        "/targeting/models/",
        f"/targeting/models/{lst.model_version.model.public_id}/",
        f"/targeting/models/{lst.model_version.model.public_id}/versions/new/",
        "/targeting/lists/new/",
        f"/targeting/lists/{lst.public_id}/",
        f"/targeting/lists/{lst.public_id}/edit/",
        f"/targeting/lists/{lst.public_id}/households/?show=all",
        f"/targeting/lists/{lst.public_id}/households/{hh.public_id}/",
        f"/targeting/appeals/?registration_id={hh.registration_id}",
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="ar" dir="rtl">' in body, url
        assert 'name="viewport"' in body
        assert "bootstrap.rtl.min.css" in body
    builder = client.get("/targeting/rules/new/").content.decode()
    assert builder.count('data-t-add-condition="') == 1
    kurdish = in_language(officer, "ckb").get(f"/targeting/lists/{lst.public_id}/").content.decode()
    assert '<html lang="ckb" dir="rtl">' in kurdish


def test_the_households_page_filters_included_excluded_and_by_hand(officer):
    tent = household(DUHOK, shelter_type=ShelterType.INFORMAL_SETTLEMENT)
    house = household(DUHOK, shelter_type=ShelterType.OWN_HOUSE)
    lst = built(officer, all_of(cond("critical_shelter", "is_true")))
    web = client_for(officer)
    included = web.get(f"/targeting/lists/{lst.public_id}/households/").content.decode()
    assert tent.registration_id in included and house.registration_id not in included
    excluded = web.get(
        f"/targeting/lists/{lst.public_id}/households/?show=excluded"
    ).content.decode()
    assert house.registration_id in excluded and tent.registration_id not in excluded
    web.post(
        f"/targeting/lists/{lst.public_id}/decisions/",
        {
            "household": house.registration_id,
            "decision": "include",
            "reason": "Evicted; sleeping in a mosque.",
        },
    )
    manual = web.get(f"/targeting/lists/{lst.public_id}/households/?show=manual").content.decode()
    assert house.registration_id in manual and "Evicted; sleeping in a mosque." in manual
    detail = web.get(f"/targeting/lists/{lst.public_id}/").content.decode()
    assert "Evicted; sleeping in a mosque." in detail
    found = web.get(
        f"/targeting/lists/{lst.public_id}/households/?show=all&q={house.registration_id[:8]}"
    ).content.decode()
    assert house.registration_id in found and tent.registration_id not in found


def test_list_pages_take_a_fixed_number_of_queries(officer, django_assert_max_num_queries):
    for _i in range(12):
        widow_with_children(DUHOK)
    lst = built(officer, all_of())
    web = client_for(officer)
    web.get(f"/targeting/lists/{lst.public_id}/households/")
    with django_assert_max_num_queries(20):
        assert web.get(f"/targeting/lists/{lst.public_id}/households/?show=all").status_code == 200
    with django_assert_max_num_queries(25):
        assert web.get(f"/targeting/lists/{lst.public_id}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert web.get("/targeting/").status_code == 200


def test_a_weighted_model_is_made_in_the_browser(officer, nfi):
    web = client_for(officer)
    response = web.post(
        "/targeting/models/new/",
        {"name": "Vulnerability 2026", "programme": "NFI", "kind": "weighted"},
    )
    model = ScoringModel.objects.get(name="Vulnerability 2026")
    assert response.status_code == 302
    criteria = [
        {"label": "Woman-headed", "condition": cond("is_woman_headed", "is_true"), "points": "10"}
    ]
    response = web.post(
        f"/targeting/models/{model.public_id}/versions/new/",
        {"criteria": json.dumps(criteria), "threshold": "", "note": "first"},
    )
    assert response.status_code == 302
    assert model.versions.get().criteria[0]["points"] == "10.00"
    assert "Woman-headed" in web.get(f"/targeting/models/{model.public_id}/").content.decode()


def test_a_pmt_version_is_uploaded_in_the_browser(officer, nfi):
    from django.core.files.uploadedfile import SimpleUploadedFile

    web = client_for(officer)
    web.post("/targeting/models/new/", {"name": "PMT 2026", "programme": "NFI", "kind": "pmt"})
    model = ScoringModel.objects.get(name="PMT 2026")
    template = web.get("/targeting/models/coefficients-template.csv").content
    response = web.post(
        f"/targeting/models/{model.public_id}/versions/new/",
        {
            "file": SimpleUploadedFile("pmt.csv", template, content_type="text/csv"),
            "threshold": "10.5",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert model.versions.get().coefficients.count() == 7
    bad = web.post(
        f"/targeting/models/{model.public_id}/versions/new/",
        {
            "file": SimpleUploadedFile("pmt.csv", b"region,variable,coefficient\nIQG99,size,1\n"),
            "note": "",
        },
    )
    assert bad.status_code == 400 and "not a governorate P-code" in bad.content.decode()


def test_the_navigation_offers_targeting_to_those_who_see_lists(officer):
    assert "/targeting/" in client_for(officer).get("/").content.decode()
    donor = make_user("donor_viewer")
    assert 'href="/targeting/"' not in client_for(donor).get("/").content.decode()


def test_a_large_build_runs_in_the_background(
    officer, settings, django_capture_on_commit_callbacks
):
    from sanad.core.models import Job

    household(DUHOK), household(DUHOK)
    settings.SANAD_TARGETING_INLINE_MAX = 1
    lst = built(officer, all_of())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(
            f"/targeting/lists/{lst.public_id}/status/", {"to": "locked"}
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(kind="targeting.list_build")
    assert job.status == Job.Status.SUCCEEDED, job.error
    lst.refresh_from_db()
    assert lst.status == "locked"
