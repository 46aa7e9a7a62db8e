from tests.targeting.conftest import *  # noqa
from sanad.registry.models import ShelterType
import pytest

pytestmark = pytest.mark.django_db

def test_smoke(officer):
    a = household(shelter_type=ShelterType.INFORMAL_SETTLEMENT, members=5)
    b = household(shelter_type=ShelterType.RENTED)
    c = widow_with_children(shelter_type=ShelterType.SCHOOL)
    v = weighted_model(officer, [("Woman-headed", cond("is_woman_headed", "is_true"), 10), ("Large", cond("size", "gte", 5), 3)])
    lst = built(officer, all_of(cond("critical_shelter", "is_true"), cond("received", "is_false", {"what": "item", "code": "winter_kit", "since": "2026-10-01"})), version=v)
    for e in lst.entries.all():
        print(e.registration_id, e.met, e.criteria_met, e.score, e.eligible, e.included, e.outcome, e.rank)
    print(lst.summary)
    assert included_ids(lst) == {a.registration_id, c.registration_id}
