"""The targeting API: the field registry, rules and their preview, scoring models and
versions, lists (build, status, decisions, explanation) and entries, with the one error
shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanad.registry.models import ShelterType
from sanad.targeting.models import BeneficiaryList
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.targeting.conftest import all_of, built, cond, household, widow_with_children
from tests.targeting.test_scoring import COEFFICIENTS

pytestmark = pytest.mark.django_db

TREE = all_of(cond("critical_shelter", "is_true"))


def test_the_field_registry_is_published_for_api_clients(officer):
    fields = api_client_for(officer).get("/api/v1/targeting/rules/fields/").json()
    by_code = {f["code"]: f for f in fields}
    assert {"displacement_status", "admin_unit", "received", "received_value", "head_age"} <= set(
        by_code
    )
    assert [o["code"] for o in by_code["size"]["operators"]] == [
        "eq",
        "ne",
        "lt",
        "lte",
        "gt",
        "gte",
        "between",
    ]
    assert by_code["shelter_type"]["choices"][0] == {"value": "camp", "label": "Camp"}


def test_a_rule_is_created_previewed_and_refused_with_its_problems_by_path(officer, nfi):
    household(DUHOK, shelter_type=ShelterType.SCHOOL)
    api = api_client_for(officer)
    created = api.post(
        "/api/v1/targeting/rules/",
        {"programme": "NFI", "name": "Schools", "tree": TREE},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["conditions"] == ["Lives in critical shelter: yes"]
    preview = api.post("/api/v1/targeting/rules/preview/", {"tree": TREE}, format="json").json()
    assert preview["total"] == 1 and preview["by_governorate"][0]["pcode"] == DUHOK
    bad = api.post(
        "/api/v1/targeting/rules/",
        {"programme": "NFI", "name": "Bad", "tree": all_of(cond("size; DROP TABLE x", "eq", 1))},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_failed"
    assert "tree.items.0.field" in bad.json()["error"]["fields"]
    rule_id = created.json()["id"]
    changed = api.patch(
        f"/api/v1/targeting/rules/{rule_id}/",
        {"tree": all_of(cond("size", "gte", 2))},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["tree"]["items"][0]["field"] == "size"


def test_a_list_is_made_built_locked_and_approved_through_the_api(officer, manager, nfi):
    in_school = household(DUHOK, shelter_type=ShelterType.SCHOOL)
    household(DUHOK)
    api = api_client_for(officer)
    rule = api.post(
        "/api/v1/targeting/rules/",
        {"programme": "NFI", "name": "Schools", "tree": TREE},
        format="json",
    ).json()
    created = api.post(
        "/api/v1/targeting/lists/",
        {
            "name": "Schools",
            "programme": "NFI",
            "rule": rule["id"],
            "quotas": [{"admin_unit": DUHOK, "max": 10}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    list_id = created.json()["id"]
    assert created.json()["quota_list"] == [{"admin_unit": DUHOK, "place": None, "max": 10}]
    built_list = api.post(f"/api/v1/targeting/lists/{list_id}/build/").json()
    assert built_list["summary"]["included"] == 1
    entries = api.get(f"/api/v1/targeting/entries/?list={list_id}&included=true").json()["results"]
    assert [e["registration_id"] for e in entries] == [in_school.registration_id]
    assert entries[0]["outcome"] == "included" and entries[0]["rank"] == 1
    explained = api.get(
        f"/api/v1/targeting/lists/{list_id}/explain/?household={in_school.public_id}"
    ).json()
    assert explained["included"] and explained["conditions"][0]["met"] is True
    assert (
        api.post(
            f"/api/v1/targeting/lists/{list_id}/transition/", {"to": "locked"}, format="json"
        ).status_code
        == 200
    )
    refused = api.post(
        f"/api/v1/targeting/lists/{list_id}/transition/", {"to": "approved"}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "same_person"
    approved = api_client_for(manager).post(
        f"/api/v1/targeting/lists/{list_id}/transition/",
        {"to": "approved", "reason": "ok"},
        format="json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == str(manager)


def test_manual_decisions_through_the_api_need_a_reason(officer):
    hh = household(DUHOK)
    lst = built(officer, TREE)
    api = api_client_for(officer)
    url = f"/api/v1/targeting/lists/{lst.public_id}/decide/"
    missing = api.post(url, {"household": hh.registration_id, "decision": "include"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    ok = api.post(
        url,
        {"household": hh.registration_id, "decision": "include", "reason": "Assessed"},
        format="json",
    )
    assert ok.status_code == 201
    api.post(f"/api/v1/targeting/lists/{lst.public_id}/build/")
    entry = api.get(f"/api/v1/targeting/entries/?list={lst.public_id}&outcome=manual_in").json()[
        "results"
    ]
    assert [e["registration_id"] for e in entry] == [hh.registration_id]
    assert (
        api.post(
            url, {"household": hh.registration_id, "decision": "clear"}, format="json"
        ).status_code
        == 204
    )


def test_scoring_model_versions_through_the_api(officer, nfi):
    api = api_client_for(officer)
    weighted = api.post(
        "/api/v1/targeting/models/",
        {"programme": "NFI", "name": "W", "kind": "weighted"},
        format="json",
    ).json()
    version = api.post(
        f"/api/v1/targeting/models/{weighted['id']}/versions/",
        {
            "criteria": [
                {
                    "label": "Woman-headed",
                    "condition": cond("is_woman_headed", "is_true"),
                    "points": 10,
                }
            ]
        },
        format="json",
    )
    assert version.status_code == 201 and version.json()["number"] == 1
    pmt = api.post(
        "/api/v1/targeting/models/", {"programme": "NFI", "name": "P", "kind": "pmt"}, format="json"
    ).json()
    upload = api.post(
        f"/api/v1/targeting/models/{pmt['id']}/versions/",
        {"file": SimpleUploadedFile("c.csv", COEFFICIENTS.encode()), "threshold": "9"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert {"region": "IQG09", "variable": "size", "coefficient": "-0.25000000"} in upload.json()[
        "coefficients"
    ]
    detail = api.get(f"/api/v1/targeting/models/{pmt['id']}/").json()
    assert [v["number"] for v in detail["versions"]] == [1]


def test_entries_are_limited_to_the_users_governorates(nfi):
    officer_all = make_user("programme_officer", programmes=("NFI",))
    widow_with_children(DUHOK)
    erbil = household(ERBIL)
    lst = built(officer_all, all_of())
    duhok_staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    rows = (
        api_client_for(duhok_staff)
        .get(f"/api/v1/targeting/entries/?list={lst.public_id}")
        .json()["results"]
    )
    assert len(rows) == 1 and erbil.registration_id not in {r["registration_id"] for r in rows}
    missing = api_client_for(duhok_staff).get("/api/v1/targeting/entries/")
    assert missing.status_code == 404 and "error" in missing.json()


def test_the_schema_documents_the_targeting_endpoints(admin_client):
    schema = admin_client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/targeting/rules/preview/",
        "/api/v1/targeting/lists/{public_id}/explain/",
        "/api/v1/targeting/entries/",
    ):
        assert path in schema
    assert BeneficiaryList.objects.count() == 0


def test_the_schema_of_the_targeting_endpoints_generates_without_warnings() -> None:
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from sanad.targeting import api as targeting_api

    router = DefaultRouter()
    targeting_api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    assert "/api/v1/targeting/lists/{public_id}/transition/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
