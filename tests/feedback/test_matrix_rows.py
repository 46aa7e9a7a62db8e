"""The feedback rows of the permission matrix, run on their own (the full matrix in
tests/accounts builds every app's world): every role, scoped to Duhok and NFI."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from tests.accounts.test_permission_matrix import (
    HIDDEN,
    ROLES,
    Check,
    _body,
    _route_names,
    allowed,
    can,
)
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, make_user
from tests.feedback.matrix import feedback_checks, feedback_world_for_matrix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_feedback_records_it_may(role):
    world = feedback_world_for_matrix()
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    web, api = client_for(user), api_client_for(user)
    failures = []
    for check in feedback_checks(role, world, Check, can, allowed, HIDDEN):
        client = api if check.api else web
        kwargs = {"format": "json"} if check.api and check.method == "post" else {}
        response = getattr(client, check.method)(check.url, check.data or {}, **kwargs)
        if response.status_code not in check.expect:
            failures.append(
                f"{check.label}: {response.status_code}, expected {sorted(check.expect)}"
            )
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent!r}, which it may not")
        elif response.status_code in (403, 404) and check.api and "error" not in response.json():
            failures.append(f"{check.label}: error without the error shape")
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)


def test_every_feedback_route_has_a_row():
    world = feedback_world_for_matrix()
    covered = {
        c.label.split(" ")[0]
        for c in feedback_checks("administrator", world, Check, can, allowed, HIDDEN)
    }
    routes = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.startswith(("feedback:", "feedback-"))
    }
    assert not sorted(routes - covered), f"Add rows for: {sorted(routes - covered)}"
