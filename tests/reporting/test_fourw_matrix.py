"""A self-test of the exports part's rows of the permission matrix
(tests/reporting/matrix_exports.py), run for three roles the way
tests/accounts/test_permission_matrix.py runs them for every role."""

from __future__ import annotations

import pytest

from tests.accounts.test_permission_matrix import HIDDEN, Check, _body, allowed, can
from tests.conftest import client_for
from tests.factories import DUHOK, make_user

from .matrix_exports import exports_checks, exports_world


@pytest.mark.parametrize(
    "role", ["im_officer", "donor_viewer", "programme_officer", "field_enumerator"]
)
def test_the_exports_rows_of_the_permission_matrix_hold(db, role):
    world = exports_world()
    client = client_for(make_user(role, governorates=(DUHOK,), programmes=("NFI",)))
    failures = []
    checks = exports_checks(role, world, Check, can, allowed, HIDDEN)
    for check in checks:
        response = getattr(client, check.method)(check.url, check.data or {})
        if response.status_code not in check.expect:
            failures.append(
                f"{check.label}: {response.status_code}, expected {sorted(check.expect)}"
            )
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent!r}")
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)
    names = {c.label.split(" ")[0] for c in checks}
    assert names == {
        "reporting:exports",
        "reporting:schedules",
        "reporting:schedule_create",
        "reporting:schedule_edit",
        "reporting:schedule_toggle",
    }
