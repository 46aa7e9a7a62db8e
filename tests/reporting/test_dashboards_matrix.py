"""A self-test of the dashboards part's rows of the permission matrix
(tests/reporting/matrix_dashboards.py), run for a few roles the way
tests/accounts/test_permission_matrix.py runs them for every role."""

from __future__ import annotations

import pytest

from tests.accounts.test_permission_matrix import HIDDEN, Check, _body, allowed, can
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, make_user

from .matrix_dashboards import SITE_IN, dashboards_checks, dashboards_world


@pytest.mark.parametrize(
    "role", ["im_officer", "donor_viewer", "field_enumerator", "warehouse_officer"]
)
def test_the_dashboards_rows_of_the_permission_matrix_hold(db, role):
    world = dashboards_world()
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    web, api = client_for(user), api_client_for(user)
    failures = []
    checks = dashboards_checks(role, world, Check, can, allowed, HIDDEN)
    for check in checks:
        client = api if check.api else web
        response = getattr(client, check.method)(check.url, check.data or {})
        if response.status_code not in check.expect:
            failures.append(
                f"{check.label}: {response.status_code}, expected {sorted(check.expect)}"
            )
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent!r}")
        elif response.status_code in (403, 404) and check.api and "error" not in response.json():
            failures.append(f"{check.label}: error without the error shape")
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)
    names = {c.label.split(" ")[0] for c in checks}
    assert names == {
        "reporting:dashboard",
        "reporting:programme_dashboard",
        "reporting:refresh",
        "reporting-figures-list",
    }
    if role != "field_enumerator":  # what is in scope is shown (the rows check what is not)
        assert SITE_IN in web.get("/reporting/").content.decode()
