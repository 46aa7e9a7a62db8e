import pytest
from tests.registry.factories import make_household
from sanad.registry.selectors import household_search
from tests.registry.factories import registrar
pytestmark = pytest.mark.django_db

def test_smoke(django_assert_max_num_queries):
    hh = make_household(phones=["0750 123 4567"])
    print(hh.registration_id, hh.size, hh.demographics, list(hh.search_keys.values_list("key", flat=True)))
    assert list(household_search(user=registrar(), query="احمد")) == [hh]
    assert list(household_search(user=registrar(), query="ahm jub")) == [hh]
    assert list(household_search(user=registrar(), query="07501234567")) == [hh]
