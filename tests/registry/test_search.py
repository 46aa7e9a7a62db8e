"""Search by name in either script (normalised), phone, document number and
registration id, through the index of search keys."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanad.registry.selectors import household_search
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household, member_data, registrar

pytestmark = pytest.mark.django_db


def family(*, head_ar="", head_en="", family_ar="", family_en="", documents=(), **kwargs):
    head = member_data(
        relationship="head",
        sex="male",
        date_of_birth=datetime.date(1980, 1, 1),
        given_name_ar=head_ar,
        given_name_en=head_en,
        family_name_ar=family_ar,
        family_name_en=family_en,
        documents=list(documents),
    )
    return make_household(members=[head], **kwargs)


def found(query, user=None):
    return list(household_search(user=user or registrar(), query=query))


@pytest.fixture
def ahmed():
    return family(
        head_ar="أحمد",
        head_en="Ahmed",
        family_ar="الجبوري",
        family_en="Al-Jubouri",
        phones=["0750 123 4567"],
        documents=[{"kind": "national_id", "number": "1990-0012-3456"}],
    )


class TestNames:
    @pytest.mark.parametrize("query", ["أحمد", "احمد", "إحمد", "أَحْمَد"])
    def test_hamza_and_diacritics_do_not_matter(self, ahmed, query):
        assert found(query) == [ahmed]

    def test_taa_marbuta_and_heh_are_the_same_letter(self):
        fatima = family(head_ar="فاطمة")
        assert found("فاطمه") == [fatima]
        assert found("فاطمة") == [fatima]

    def test_abd_names_match_joined_or_apart(self):
        abdulrahman = family(head_ar="عبد الرحمن", head_en="Abdul Rahman")
        for query in ("عبدالرحمن", "عبد الرحمن", "abdulrahman", "Abd al-Rahman"):
            assert found(query) == [abdulrahman], query

    def test_the_article_and_the_case_of_latin_names_do_not_matter(self, ahmed):
        for query in ("Al-Jubouri", "jubouri", "AL JUBOURI", "الجبوري", "جبوري"):
            assert found(query) == [ahmed], query

    def test_a_word_is_a_prefix(self):
        mohammed = family(head_en="Mohammed", head_ar="محمد")
        family(head_en="Mahmoud")
        assert found("moh") == [mohammed]
        assert found("محم") == [mohammed]

    def test_every_word_must_match(self, ahmed):
        family(head_en="Ahmed", family_en="Al-Obeidi")
        assert found("ahmed jubouri") == [ahmed]

    def test_names_of_any_member_are_found(self):
        household = make_household(members=3)
        assert found("zainab") == [household]  # the spouse

    def test_a_search_that_matches_nothing_finds_nothing(self, ahmed):
        assert found("zzz") == []
        assert found("--") == []


class TestOtherKeys:
    @pytest.mark.parametrize(
        "query",
        ["07501234567", "0750 123 4567", "+964 750 123 4567", "009647501234567", "٠٧٥٠١٢٣٤٥٦٧"],
    )
    def test_a_phone_is_found_in_any_format(self, ahmed, query):
        assert found(query) == [ahmed]

    @pytest.mark.parametrize("query", ["1990-0012-3456", "199000123456", "1990 0012 3456"])
    def test_a_document_number_is_found_without_its_separators(self, ahmed, query):
        assert found(query) == [ahmed]

    def test_a_registration_id_is_found_in_any_case_and_without_dashes(self, ahmed):
        rid = ahmed.registration_id
        assert found(rid) == [ahmed]
        assert found(rid.lower()) == [ahmed]
        assert found(rid.replace("-", "")) == [ahmed]

    def test_a_members_own_phone_is_found(self):
        head = member_data(
            relationship="head",
            sex="female",
            date_of_birth=datetime.date(1990, 1, 1),
            phone="0770 999 8877",
        )
        household = make_household(members=[head])
        assert found("07709998877") == [household]


class TestScopeAndIndex:
    def test_search_only_finds_households_in_the_users_governorates(self):
        duhok = family(head_en="Salim", governorate=DUHOK)
        family(head_en="Salim", governorate=ERBIL)
        viewer = make_user("hotline_operator", governorates=(DUHOK,))
        assert found("salim", viewer) == [duhok]
        assert found("salim") and len(found("salim")) == 2

    def test_search_never_scans_the_names(self, ahmed):
        with CaptureQueriesContext(connection) as queries:
            assert found("ahm jub") == [ahmed]
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "registry_searchkey" in sql
        assert "LIKE" not in sql.upper() and "given_name" not in sql and "name_key" not in sql

    def test_search_keys_follow_an_edit(self, ahmed):
        from sanad.registry import services

        head = ahmed.members.get()
        services.member_update(member=head, user=registrar(), data={"given_name_en": "Hamid"})
        assert found("hamid") == [ahmed]
        assert found("ahmed") == []
        assert found("احمد") == [ahmed]  # the Arabic name did not change
        services.member_update(member=head, user=registrar(), data={"given_name_ar": "حامد"})
        assert found("احمد") == []


def test_search_keys_compare_byte_wise_so_prefix_ranges_are_exact(db):
    """On PostgreSQL the key column has the C collation (migration 0002)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'registry_searchkey' AND column_name = 'key'"
        )
        assert cursor.fetchone()[0] == "C"
