"""The deduplication API: the queue, one pair with its explanation, confirm, reject,
runs and merges with undo; errors in the one error shape."""

from __future__ import annotations

import pytest

from sanad.dedup.models import DedupRun, HouseholdMerge, MatchPair
from tests.conftest import api_client_for
from tests.dedup.review_helpers import family, run_now
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(fake_engine, reviewer):
    family(), family()
    run_now(user=reviewer)
    return MatchPair.objects.order_by("-probability", "pk").first()


def test_the_queue_lists_pairs_without_names_and_a_pair_explains_itself(
    pair, reviewer, django_assert_max_num_queries
):
    client = api_client_for(reviewer)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/dedup/pairs/?status=pending").json()
    assert body["count"] == 3
    row = body["results"][0]
    assert row["id"] == str(pair.public_id) and row["band"] == "flagged"
    assert row["left"]["registration_id"] == pair.left_household.registration_id
    assert "contributions" not in row and "أحمد" not in str(body)
    detail = client.get(f"/api/v1/dedup/pairs/{pair.public_id}/").json()
    assert detail["contributions"][0]["field"] == "given_name"
    assert client.get("/api/v1/dedup/pairs/?band=review").json()["count"] == 0
    assert client.get(f"/api/v1/dedup/pairs/?governorate={ERBIL}").json()["count"] == 0


def test_confirming_through_the_api_merges_once_and_undo_restores(pair, reviewer):
    client = api_client_for(reviewer)
    url = f"/api/v1/dedup/pairs/{pair.public_id}/confirm/"
    first = client.post(url, {"reason": "same ration card"}, format="json")
    again = client.post(url, {}, format="json")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert HouseholdMerge.objects.count() == 1
    merge = first.json()
    assert len(merge["pairs"]) == 3 and merge["reason"] == "same ration card"
    listed = client.get("/api/v1/dedup/merges/").json()
    assert listed["count"] == 1
    missing = client.post(
        f"/api/v1/dedup/merges/{merge['id']}/undo/", {"reason": ""}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "reason_required"
    undone = client.post(
        f"/api/v1/dedup/merges/{merge['id']}/undo/", {"reason": "mistake"}, format="json"
    )
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert MatchPair.objects.filter(status="pending").count() == 3


def test_rejecting_through_the_api_needs_a_reason(pair, reviewer):
    client = api_client_for(reviewer)
    url = f"/api/v1/dedup/pairs/{pair.public_id}/reject/"
    response = client.post(url, {"reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["reason"]
    response = client.post(url, {"reason": "twins"}, format="json")
    assert response.status_code == 200 and len(response.json()["rejected"]) == 3
    confirm = client.post(f"/api/v1/dedup/pairs/{pair.public_id}/confirm/", {}, format="json")
    assert confirm.status_code == 409 and confirm.json()["error"]["code"] == "already_reviewed"


def test_starting_a_run_through_the_api(fake_engine, reviewer, django_capture_on_commit_callbacks):
    family(), family()
    client = api_client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/dedup/runs/", {"programme": ""}, format="json")
    assert response.status_code == 202
    run = DedupRun.objects.get()
    assert response.json()["run"]["id"] == str(run.public_id) and response.json()["job"]
    detail = client.get(f"/api/v1/dedup/runs/{run.public_id}/").json()
    assert detail["status"] == "done" and detail["pairs_new"] == 3
    bad = client.post("/api/v1/dedup/runs/", {"programme": "NOPE"}, format="json")
    assert bad.status_code == 400 and "programme" in bad.json()["error"]["fields"]
    bad = client.post(
        "/api/v1/dedup/runs/",
        {"import_batch": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )
    assert bad.status_code == 400 and "import_batch" in bad.json()["error"]["fields"]


def test_a_scoped_reviewer_sees_only_pairs_within_their_governorates(fake_engine, reviewer):
    family(), family(governorate=ERBIL)
    run_now(user=reviewer)
    local = api_client_for(make_user("im_officer", governorates=(DUHOK,)))
    assert local.get("/api/v1/dedup/pairs/").json()["count"] == 0
    pair = MatchPair.objects.first()
    response = local.post(f"/api/v1/dedup/pairs/{pair.public_id}/confirm/", {}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    viewer = api_client_for(make_user("programme_officer"))
    assert viewer.get("/api/v1/dedup/pairs/").json()["count"] == 3
    response = viewer.post(f"/api/v1/dedup/pairs/{pair.public_id}/confirm/", {}, format="json")
    assert response.status_code == 403


def test_the_schema_documents_the_dedup_endpoints(admin_client):
    schema = admin_client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/dedup/pairs/{public_id}/confirm/",
        "/api/v1/dedup/pairs/{public_id}/reject/",
        "/api/v1/dedup/runs/",
        "/api/v1/dedup/merges/{public_id}/undo/",
    ):
        assert path in schema
