"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
import pages and API, for the matrix's owner to add:

    from tests.registry.imports.matrix import import_batch_of_someone_else, import_checks
    # in the world fixture:   extras={"import_batch": import_batch_of_someone_else()}
    # at the end of checks_for:  c += import_checks(role, w.extras["import_batch"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok, so a batch someone else uploaded is hidden from every
role (imports are owner-scoped; only a user whose import permission reaches every
governorate sees colleagues' batches: tests/registry/imports/test_pages.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanad.registry.models import ImportBatch
from tests.factories import UserFactory

IMPORT = "registry.import_households"
OTHERS = "Someone else's import.csv"


def import_batch_of_someone_else() -> ImportBatch:
    return ImportBatch.objects.create(
        original_name=OTHERS,
        stored_file="none/source.csv",
        file_format=ImportBatch.Format.TEMPLATE,
        status=ImportBatch.Status.READY,
        created_by=UserFactory(),
    )


def import_checks(
    role: str, batch: ImportBatch, Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    ok = can(role, IMPORT)
    other = batch.public_id
    gone = {404} if ok else hidden
    return [
        Check(
            "registry:import_list",
            "get",
            reverse("registry:import_list"),
            allowed(ok),
            absent=OTHERS,
        ),
        Check("registry:import_upload", "get", reverse("registry:import_upload"), allowed(ok)),
        Check("registry:mapping_list", "get", reverse("registry:mapping_list"), allowed(ok)),
        Check("registry:mapping_edit", "get", reverse("registry:mapping_edit"), allowed(ok)),
        Check(
            "registry:template_download", "get", reverse("registry:template_download"), allowed(ok)
        ),
        Check(
            "registry:xlsform_download", "get", reverse("registry:xlsform_download"), allowed(ok)
        ),
        Check(
            "registry:import_detail (someone else's)",
            "get",
            reverse("registry:import_detail", args=[other]),
            gone,
        ),
        Check(
            "registry:import_report (someone else's)",
            "get",
            reverse("registry:import_report", args=[other]),
            gone,
        ),
        Check(
            "registry:import_commit (someone else's)",
            "post",
            reverse("registry:import_commit", args=[other]),
            gone,
        ),
        Check(
            "registry:import_reject (someone else's)",
            "post",
            reverse("registry:import_reject", args=[other]),
            gone,
        ),
        Check("import-list", "get", "/api/v1/imports/", allowed(ok), api=True, absent=OTHERS),
        Check("import-detail (someone else's)", "get", f"/api/v1/imports/{other}/", gone, api=True),
        Check(
            "import-commit (someone else's)",
            "post",
            f"/api/v1/imports/{other}/commit/",
            gone,
            api=True,
        ),
        Check(
            "import-reject (someone else's)",
            "post",
            f"/api/v1/imports/{other}/reject/",
            gone,
            api=True,
        ),
    ]
