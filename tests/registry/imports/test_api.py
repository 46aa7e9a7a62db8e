"""The imports API at /api/v1/imports/."""

from __future__ import annotations

import pytest

from sanad.registry.models import Household, ImportBatch
from tests.conftest import api_client_for
from tests.factories import DUHOK, make_user
from tests.registry.imports.conftest import HEAD, household, template_csv, validated

pytestmark = pytest.mark.django_db


def test_a_file_uploaded_through_the_api_is_checked_and_can_be_committed(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    api = api_client_for(importer)
    path = template_csv(tmp_files / "api.csv", [household(), household()])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        response = api.post(
            "/api/v1/imports/", {"file": fh, "file_format": "template"}, format="multipart"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    batch_id = body["batch"]["id"]
    detail = api.get(f"/api/v1/imports/{batch_id}/").json()
    assert (
        detail["status"] == "ready" and detail["households_total"] == 2 and detail["errors"] == []
    )
    assert detail["job"] == body["job"] and detail["report"].endswith("/report/")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/imports/{batch_id}/commit/")
    assert response.status_code == 202 and response.json()["job"]
    assert api.get(f"/api/v1/imports/{batch_id}/").json()["status"] == "committed"
    assert Household.objects.count() == 2
    listing = api.get("/api/v1/imports/").json()
    assert listing["count"] == 1 and listing["results"][0]["errors"] == []


def test_the_api_lists_a_files_errors_with_their_messages_and_refuses_the_commit(
    importer, tmp_files
):
    batch = validated(
        importer, template_csv(tmp_files / "bad.csv", [household(members=[{**HEAD, "sex": "?"}])])
    )
    api = api_client_for(importer)
    [error] = api.get(f"/api/v1/imports/{batch.public_id}/").json()["errors"]
    assert (
        error["column"] == "sex"
        and error["row"] == 2
        and "not one of the answers" in error["message"]
    )
    response = api.post(f"/api/v1/imports/{batch.public_id}/commit/")
    assert response.status_code == 400 and response.json()["error"]["code"] == "import_has_errors"


def test_an_import_is_rejected_through_the_api(importer, tmp_files):
    batch = validated(importer, template_csv(tmp_files / "ok.csv", [household()]))
    response = api_client_for(importer).post(
        f"/api/v1/imports/{batch.public_id}/reject/", {"reason": "duplicate file"}
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_the_api_refuses_a_bad_upload_in_the_error_shape(importer, tmp_files):
    api = api_client_for(importer)
    path = tmp_files / "x.pdf"
    path.write_bytes(b"%PDF")
    with path.open("rb") as fh:
        response = api.post(
            "/api/v1/imports/", {"file": fh, "file_format": "kobo"}, format="multipart"
        )
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    with path.open("rb") as fh:
        response = api.post(
            "/api/v1/imports/",
            {"file": fh, "file_format": "kobo", "mapping": "nope"},
            format="multipart",
        )
    assert response.json()["error"]["fields"]["mapping"]


def test_a_colleagues_batch_is_not_found_and_roles_without_the_permission_are_refused(
    importer, tmp_files
):
    batch = validated(importer, template_csv(tmp_files / "ok.csv", [household()]))
    scoped = api_client_for(make_user("im_officer", governorates=(DUHOK,)))
    assert scoped.get(f"/api/v1/imports/{batch.public_id}/").status_code == 404
    assert scoped.post(f"/api/v1/imports/{batch.public_id}/commit/").status_code == 404
    enumerator = api_client_for(make_user("field_enumerator"))
    assert enumerator.get("/api/v1/imports/").status_code == 403
    assert ImportBatch.objects.get().status == ImportBatch.Status.READY
