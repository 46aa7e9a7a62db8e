"""Adding, changing, closing and reopening places through the services."""

from __future__ import annotations

import pytest

from sanad.core.errors import NotFound, PermissionDenied, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.geo import services
from sanad.geo.models import AdminUnit, Place
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def duhok_manager():
    return make_user("camp_manager", governorates=(DUHOK,))


def _create(user, **overrides):
    values = {
        "kind": Place.Kind.FORMAL_CAMP,
        "name_en": "Kabarto 1",
        "name_ar": "كبرتو ١",
        "admin_unit": subdistrict_in(DUHOK),
        "lat": 36.95,
        "lon": 42.95,
        "code": "CCCM-001",
        "notes": "",
    }
    values.update(overrides)
    return services.place_create(user=user, **values)


class TestCreate:
    def test_a_camp_manager_adds_a_camp_in_their_governorate(self, duhok_manager):
        place = _create(duhok_manager)
        assert place.pk and place.status == Place.Status.OPEN
        assert place.created_by == duhok_manager
        assert place.governorate.pcode == DUHOK

    def test_a_place_outside_ones_governorates_is_refused_with_a_clear_message(self, duhok_manager):
        with pytest.raises(PermissionDenied) as info:
            _create(duhok_manager, admin_unit=subdistrict_in(ERBIL))
        assert info.value.code == "outside_scope"
        assert "your role covers other governorates" in info.value.message
        assert "admin_unit" in info.value.fields
        assert not Place.objects.exists()

    def test_coordinates_outside_iraq_are_refused_with_the_bounds_in_the_message(
        self, duhok_manager
    ):
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, lat=51.5, lon=-0.12)  # London
        assert info.value.code == "outside_iraq"
        assert "outside Iraq" in info.value.message
        assert set(info.value.fields) == {"lat", "lon"}

    def test_swapped_coordinates_are_pointed_out(self, duhok_manager):
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, lat=42.95, lon=36.95)
        assert "swapped" in info.value.message

    def test_one_coordinate_without_the_other_is_refused(self, duhok_manager):
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, lat=36.9, lon=None)
        assert info.value.code == "coordinates_incomplete"
        assert "lon" in info.value.fields

    def test_a_place_without_coordinates_is_allowed(self, duhok_manager):
        assert _create(duhok_manager, lat=None, lon=None).lat is None

    def test_a_governorate_is_too_large_to_hold_a_place(self, duhok_manager):
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, admin_unit=unit(DUHOK))
        assert info.value.code == "admin_unit_too_large"

    def test_a_site_code_is_unique_within_a_kind(self, duhok_manager):
        _create(duhok_manager)
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, name_en="Other camp")
        assert "code" in info.value.fields
        assert _create(duhok_manager, kind=Place.Kind.OFFICE, name_en="Office").code == "CCCM-001"

    def test_an_english_name_and_a_known_kind_are_required(self, duhok_manager):
        with pytest.raises(ValidationFailed) as info:
            _create(duhok_manager, name_en="  ", kind="palace")
        assert set(info.value.fields) == {"name_en", "kind"}

    def test_a_viewer_cannot_add_places(self):
        viewer = make_user("field_enumerator", governorates=(DUHOK,))
        with pytest.raises(PermissionDenied):
            _create(viewer)


class TestUpdate:
    def test_changes_are_saved_and_the_rest_is_kept(self, duhok_manager):
        place = PlaceFactory(name_en="Old name")
        services.place_update(
            place=place, user=duhok_manager, name_en="New name", lat=37.0, lon=43.0
        )
        place.refresh_from_db()
        assert (place.name_en, place.lat, place.lon) == ("New name", 37.0, 43.0)
        assert place.name_ar.startswith("مخيم")
        assert place.updated_by == duhok_manager

    def test_moving_a_place_out_of_ones_governorates_is_refused(self, duhok_manager):
        place = PlaceFactory()
        with pytest.raises(PermissionDenied):
            services.place_update(place=place, user=duhok_manager, admin_unit=subdistrict_in(ERBIL))
        place.refresh_from_db()
        assert place.admin_unit.governorate.pcode == DUHOK

    def test_a_place_outside_ones_reach_is_not_found(self, duhok_manager):
        erbil_place = PlaceFactory(admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0)
        with pytest.raises(NotFound):
            services.place_update(place=erbil_place, user=duhok_manager, name_en="Mine now")

    def test_a_manager_who_can_see_but_not_change_a_place_is_refused(self):
        user = make_user("camp_manager", governorates=(DUHOK,))
        from sanad.accounts.services import role_assign

        role_assign(user=user, role="field_enumerator", governorates=(ERBIL,), all_programmes=True)
        user.forget_scope()
        erbil_place = PlaceFactory(admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0)
        with pytest.raises(PermissionDenied):
            services.place_update(place=erbil_place, user=user, name_en="Mine now")

    def test_new_coordinates_outside_iraq_are_refused(self, duhok_manager):
        place = PlaceFactory()
        with pytest.raises(ValidationFailed):
            services.place_update(place=place, user=duhok_manager, lat=10.0)


class TestCloseAndReopen:
    def test_closing_records_who_when_and_why(self, duhok_manager):
        place = PlaceFactory()
        services.place_close(place=place, user=duhok_manager, reason="Consolidated into Kabarto 2")
        place.refresh_from_db()
        assert place.status == Place.Status.CLOSED
        transition = Place.STATUS_MACHINE.history(place).get()
        assert (transition.from_state, transition.to_state) == ("open", "closed")
        assert transition.by == duhok_manager
        assert transition.reason == "Consolidated into Kabarto 2"
        assert place.updated_by == duhok_manager

    def test_closing_without_a_reason_is_refused(self, duhok_manager):
        place = PlaceFactory()
        with pytest.raises(ValidationFailed) as info:
            services.place_close(place=place, user=duhok_manager, reason="   ")
        assert info.value.code == "reason_required"
        assert "reason" in info.value.fields
        assert not StatusTransition.objects.exists()

    def test_reopening_a_closed_place_is_recorded_too(self, duhok_manager):
        place = PlaceFactory()
        services.place_close(place=place, user=duhok_manager, reason="Emptied")
        services.place_reopen(place=place, user=duhok_manager, reason="New arrivals")
        assert [t.to_state for t in Place.STATUS_MACHINE.history(place)] == ["closed", "open"]

    def test_closing_a_closed_place_is_refused(self, duhok_manager):
        place = PlaceFactory(status=Place.Status.CLOSED)
        with pytest.raises(ValidationFailed):
            services.place_close(place=place, user=duhok_manager, reason="again")

    def test_closing_a_place_out_of_reach_is_not_found(self, duhok_manager):
        place = PlaceFactory(admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0)
        with pytest.raises(NotFound):
            services.place_close(place=place, user=duhok_manager, reason="not mine")


def test_the_bounding_box_is_the_one_the_model_states():
    lat_min, lat_max, lon_min, lon_max = services.iraq_bounds()
    field = Place._meta.get_field("lat")
    assert lat_min == min(v.limit_value for v in field.validators if hasattr(v, "limit_value"))
    assert (lat_min, lat_max, lon_min, lon_max) == (28.5, 37.5, 38.5, 49.0)
    # Every admin unit's centre point lies inside it.
    for lat, lon in AdminUnit.objects.values_list("lat", "lon"):
        assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
