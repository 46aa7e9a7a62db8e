"""Who reaches which household: every role, scoped to Duhok, against every registry
page and endpoint. Out of scope is a 404 that reveals nothing; without the
permission, 403 (or 404 for a record)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanad.accounts.roles import Role, permissions_of
from sanad.registry.selectors import household_search, households_visible_to
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db
ROLES = [r.value for r in Role]
HIDDEN = {403, 404}


@pytest.fixture
def households():
    return make_household(governorate=DUHOK), make_household(governorate=ERBIL)


def test_households_are_scoped_by_the_governorate_they_live_in(households):
    inside, outside = households
    user = make_user("hotline_operator", governorates=(DUHOK,))
    assert list(households_visible_to(user)) == [inside]
    assert list(household_search(user=user, query="ahmed")) == [inside]
    everywhere = make_user("hotline_operator")
    assert set(households_visible_to(everywhere)) == {inside, outside}


def test_a_programme_scope_does_not_hide_the_shared_registry(households):
    inside, _outside = households
    user = make_user("programme_officer", governorates=(DUHOK,), programmes=("SHELTER",))
    assert list(households_visible_to(user)) == [inside]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_its_permissions_and_scope_allow(role, households):
    inside, outside = households
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    view = "registry.view_household" in permissions_of(role)
    manage = "registry.manage_household" in permissions_of(role)
    web, api = client_for(user), api_client_for(user)
    ok = lambda allowed, code=200: {code} if allowed else HIDDEN  # noqa: E731
    out = lambda allowed: {404} if allowed else HIDDEN  # noqa: E731
    i, o = inside.public_id, outside.public_id
    checks = [
        (web, "get", reverse("registry:household_list"), ok(view) if view else {403}, None),
        (web, "get", reverse("registry:household_detail", args=[i]), ok(view), None),
        (web, "get", reverse("registry:household_detail", args=[o]), out(view), None),
        (web, "get", reverse("registry:household_create"), ok(manage) if manage else {403}, None),
        (web, "get", reverse("registry:household_edit", args=[i]), ok(manage), None),
        (web, "get", reverse("registry:household_edit", args=[o]), out(manage), None),
        (web, "get", reverse("registry:household_move", args=[i]), ok(manage), None),
        (web, "get", reverse("registry:household_move", args=[o]), out(manage), None),
        (
            web,
            "post",
            reverse("registry:household_status", args=[o]),
            out(manage),
            {"status": "inactive", "reason": "x"},
        ),
        (
            web,
            "post",
            reverse("registry:household_consent", args=[o]),
            out(manage),
            {"purpose": "assistance", "given": "yes", "legal_basis": "consent"},
        ),
        (api, "get", "/api/v1/households/", ok(view) if view else {403}, None),
        (api, "get", f"/api/v1/households/{i}/", ok(view), None),
        (api, "get", f"/api/v1/households/{o}/", out(view), None),
        (api, "get", "/api/v1/individuals/", ok(view) if view else {403}, None),
        (
            api,
            "post",
            f"/api/v1/households/{o}/status/",
            out(manage),
            {"status": "inactive", "reason": "x"},
        ),
        (api, "patch", f"/api/v1/households/{o}/", out(manage), {"notes": "x"}),
        (
            web,
            "post",
            reverse("registry:household_status", args=[i]),
            ok(manage, 302),
            {"status": "inactive", "reason": "Not found"},
        ),
        (api, "post", f"/api/v1/households/{i}/status/", ok(manage), {"status": "active"}),
        (
            api,
            "post",
            f"/api/v1/households/{i}/consents/",
            ok(manage),
            {"purpose": "assistance", "legal_basis": "consent"},
        ),
    ]
    failures = []
    for client, method, url, expect, data in checks:
        kwargs = {"format": "json"} if client is api and method != "get" else {}
        response = getattr(client, method)(url, data or {}, **kwargs)
        if response.status_code not in expect:
            failures.append(f"{method} {url}: {response.status_code}, expected {sorted(expect)}")
        elif response.status_code == 200 and outside.registration_id in response.content.decode():
            failures.append(f"{method} {url}: shows a household outside the scope")
    assert not failures, f"{role}:\n  " + "\n  ".join(failures)


def test_the_list_of_individuals_is_scoped_too(households):
    inside, _outside = households
    user = make_user("hotline_operator", governorates=(DUHOK,))
    body = api_client_for(user).get("/api/v1/individuals/").json()
    assert {r["household"] for r in body["results"]} == {str(inside.public_id)}


def test_an_expired_assignment_reaches_no_household(households):
    import datetime

    user = make_user("camp_manager", governorates=(DUHOK,), expires_on=datetime.date.today())
    user.role_assignments.update(expires_on=datetime.date.today() - datetime.timedelta(days=1))
    assert client_for(user).get(reverse("registry:household_list")).status_code == 403
    assert api_client_for(user).get("/api/v1/households/").status_code == 403
