import datetime

import pytest

from sanad.accounts.services import role_assign
from sanad.core.scoping import ScopeGrant, ScopePaths, grant_filter, has_permission, scoped
from sanad.geo.models import Place
from tests.factories import (
    DUHOK,
    ERBIL,
    NINEWA,
    PlaceFactory,
    UserFactory,
    make_user,
    subdistrict_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        DUHOK: PlaceFactory(admin_unit=subdistrict_in(DUHOK)),
        ERBIL: PlaceFactory(admin_unit=subdistrict_in(ERBIL)),
        NINEWA: PlaceFactory(admin_unit=subdistrict_in(NINEWA)),
    }


def test_a_user_sees_only_places_in_the_governorates_of_their_assignment(places):
    user = make_user("field_enumerator", governorates=(DUHOK,))
    assert list(scoped(Place.objects.all(), user)) == [places[DUHOK]]


def test_two_assignments_add_up_their_governorates(places):
    user = make_user("field_enumerator", governorates=(DUHOK,))
    role_assign(user=user, role="camp_manager", governorates=[ERBIL], programmes=["CCCM"])
    user.forget_scope()
    assert set(scoped(Place.objects.all(), user)) == {places[DUHOK], places[ERBIL]}


def test_an_expired_assignment_grants_nothing(places):
    user = make_user("field_enumerator", governorates=(DUHOK,))
    user.role_assignments.update(expires_on=datetime.date.today() - datetime.timedelta(days=1))
    user.forget_scope()
    assert not scoped(Place.objects.all(), user).exists()
    assert not has_permission(user, "geo.view_place")


def test_a_deactivated_user_sees_nothing(places):
    user = make_user("administrator")
    user.is_active = False
    user.save()
    assert not scoped(Place.objects.all(), user).exists()


def test_a_user_without_roles_sees_nothing(places):
    assert not scoped(Place.objects.all(), UserFactory()).exists()


def test_an_anonymous_user_sees_nothing(places):
    from django.contrib.auth.models import AnonymousUser

    assert not scoped(Place.objects.all(), AnonymousUser()).exists()


def test_a_role_without_the_permission_sees_nothing_even_with_all_governorates(places):
    donor = make_user("donor_viewer")
    assert not scoped(Place.objects.all(), donor).exists()


def test_grants_reaching_everything_do_not_filter():
    grants = [ScopeGrant(all_governorates=True, all_programmes=True)]
    assert grant_filter(grants, ScopePaths(governorate="g", programme="p")) is None


def test_a_programme_limited_grant_filters_on_programme_only_where_the_model_has_one():
    grant = ScopeGrant(all_governorates=True, programmes=frozenset({"NFI"}))
    assert grant_filter([grant], ScopePaths(governorate="g")) is None
    assert "p__in" in str(grant_filter([grant], ScopePaths(programme="p")))
