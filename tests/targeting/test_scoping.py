"""Lists, rules and models are scoped by programme; a list's households by the
governorate they lived in when it was built; reading aggregates gives no access."""

from __future__ import annotations

import pytest

from sanad.targeting import selectors, services
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, ProgrammeFactory, make_user
from tests.targeting.conftest import all_of, built, household

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(nfi):
    shelter = ProgrammeFactory(code="SHELTER")
    admin = make_user("administrator")
    household(DUHOK), household(ERBIL)
    nfi_list = built(admin, all_of(), name="NFI list")
    rule = services.rule_create(user=admin, programme=shelter, name="Shelter rule", tree=all_of())
    shelter_list = services.list_create(
        user=admin, name="Shelter list", programme=shelter, rule=rule
    )
    return nfi_list, shelter_list


def test_a_user_sees_the_lists_of_their_programmes_only(lists):
    nfi_list, shelter_list = lists
    staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    assert list(selectors.lists_visible_to(staff)) == [nfi_list]
    web = client_for(staff)
    assert "Shelter list" not in web.get("/targeting/").content.decode()
    assert web.get(f"/targeting/lists/{shelter_list.public_id}/").status_code == 404
    assert "Shelter rule" not in web.get("/targeting/rules/").content.decode()


def test_a_list_shows_only_the_households_of_the_users_governorates(lists):
    nfi_list, _ = lists
    staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    governorates = set(
        selectors.entries_visible_to(staff, nfi_list).values_list("governorate__pcode", flat=True)
    )
    assert governorates == {DUHOK}
    assert nfi_list.summary["considered"] == 2  # the list itself covers both


@pytest.mark.parametrize(
    "role", ["me_viewer", "donor_viewer", "transport_officer", "psea_focal_point"]
)
def test_roles_without_the_list_permission_see_no_list(lists, role):
    user = make_user(role)
    assert not selectors.lists_visible_to(user).exists()
    assert client_for(user).get("/targeting/").status_code == 403
