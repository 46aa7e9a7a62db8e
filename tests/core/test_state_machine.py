import pytest

from sanad.core.errors import InvalidTransition, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.geo.models import Place
from tests.factories import PlaceFactory, make_user

pytestmark = pytest.mark.django_db


def test_a_transition_changes_the_status_and_records_who_when_and_why():
    place = PlaceFactory()
    user = make_user("administrator")
    Place.STATUS_MACHINE.transition(place, to="closed", by=user, reason="Camp consolidated")
    place.refresh_from_db()
    assert place.status == "closed"
    record = StatusTransition.objects.get()
    assert (record.from_state, record.to_state, record.by, record.reason) == (
        "open",
        "closed",
        user,
        "Camp consolidated",
    )


def test_a_transition_that_is_not_allowed_is_refused_with_the_allowed_next_states():
    place = PlaceFactory()
    with pytest.raises(InvalidTransition) as exc:
        Place.STATUS_MACHINE.transition(place, to="open")
    assert "closed" in str(exc.value)
    assert not StatusTransition.objects.exists()


def test_closing_without_a_reason_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        Place.STATUS_MACHINE.transition(PlaceFactory(), to="closed", reason="  ")
    assert exc.value.code == "reason_required" and "reason" in exc.value.fields


def test_a_stale_copy_cannot_repeat_a_transition_someone_else_made():
    place = PlaceFactory()
    stale = Place.objects.get(pk=place.pk)
    Place.STATUS_MACHINE.transition(place, to="closed", reason="done")
    Place.STATUS_MACHINE.transition(place, to="open")
    Place.STATUS_MACHINE.transition(place, to="closed", reason="again")
    stale.status = "open"
    Place.objects.filter(pk=place.pk).update(status="closed")
    with pytest.raises(InvalidTransition) as exc:
        Place.STATUS_MACHINE.transition(stale, to="closed", reason="twice")
    assert exc.value.code == "stale_status"
    assert StatusTransition.objects.count() == 3
