"""The shipped admin units and the P-code look-up (selectors and `sanad pcode`)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from sanad.core.errors import ValidationFailed
from sanad.geo.models import AdminUnit
from sanad.geo.selectors import (
    ISO_3166_2,
    admin_unit_get,
    admin_unit_lookup,
    iso_governorate,
    normalise_name,
)
from tests.factories import DUHOK

pytestmark = pytest.mark.django_db


def _codes(units):
    return [u.pcode for u in units]


def _error(pcode: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        admin_unit_get(pcode=pcode)
    return info.value


class TestShippedData:
    def test_the_data_migration_loaded_18_governorates_101_districts_and_294_sub_districts(self):
        assert AdminUnit.objects.filter(level=1).count() == 18
        assert AdminUnit.objects.filter(level=2).count() == 101
        assert AdminUnit.objects.filter(level=3).count() == 294

    def test_every_unit_has_its_parent_one_level_up_and_its_governorate(self):
        assert not AdminUnit.objects.filter(level=1, parent__isnull=False).exists()
        for unit in AdminUnit.objects.filter(level__gt=1).select_related("parent", "governorate"):
            assert unit.parent.level == unit.level - 1
            assert unit.pcode.startswith(unit.parent.pcode)
            assert unit.governorate.level == 1
            assert unit.pcode.startswith(unit.governorate.pcode)
        assert not AdminUnit.objects.filter(level=1).exclude(governorate_id=F("pk")).exists()

    def test_every_unit_has_names_in_english_and_arabic(self):
        assert not AdminUnit.objects.filter(name_en="").exists()
        assert not AdminUnit.objects.filter(name_ar="").exists()


class TestLookupByName:
    @pytest.mark.parametrize("query", ["Duhok", "duhok", "  DUHOK ", "دهوك"])
    def test_duhok_is_found_in_either_script_and_any_case(self, query):
        assert _codes(admin_unit_lookup(query=query, level=1)) == [DUHOK]

    def test_a_name_finds_exact_matches_first_then_names_that_contain_it(self):
        assert _codes(admin_unit_lookup(query="Duhok")) == ["IQG09", "IQG09Q02", "IQG09Q02N02"]

    @pytest.mark.parametrize("query", ["Mosul", "Al-Mosul", "al mosul", "الموصل", "موصل"])
    def test_mosul_is_found_with_or_without_the_article(self, query):
        assert "IQG15Q05" in _codes(admin_unit_lookup(query=query, level=2))

    def test_arabic_hamza_forms_and_diacritics_do_not_matter(self):
        # The data writes اربيل; people also type أربيل, with harakat or a tatweel.
        for query in ("أربيل", "إربيل", "اَرْبِيل", "اربـيل"):
            assert _codes(admin_unit_lookup(query=query, level=1)) == ["IQG11"], query

    def test_latin_hyphens_apostrophes_and_articles_do_not_matter(self):
        assert _codes(admin_unit_lookup(query="Thi-Qar", level=1)) == ["IQG17"]
        assert _codes(admin_unit_lookup(query="salah al din", level=1)) == ["IQG16"]
        assert _codes(admin_unit_lookup(query="El-Anbar", level=1)) == ["IQG01"]

    def test_common_other_spellings_of_governorates_are_understood(self):
        assert _codes(admin_unit_lookup(query="Missan", level=1)) == ["IQG14"]
        assert _codes(admin_unit_lookup(query="Nineveh", level=1)) == ["IQG15"]

    def test_taa_marbuta_and_alef_maqsura_are_unified(self):
        assert normalise_name("البصرة") == normalise_name("بصره")
        assert normalise_name("ديالى") == normalise_name("ديالي")

    def test_an_unknown_name_finds_nothing(self):
        assert admin_unit_lookup(query="Atlantis") == []

    def test_a_name_that_starts_like_a_code_is_still_a_name(self):
        assert admin_unit_lookup(query="Iqra") == []


class TestLookupByCode:
    @pytest.mark.parametrize("query", ["IQG09Q02", "iqg09q02", " IQG09 Q02 ", "IQG٠٩Q٠٢"])
    def test_a_current_pcode_is_found_whatever_the_case_and_spacing(self, query):
        assert _codes(admin_unit_lookup(query=query)) == ["IQG09Q02"]
        assert admin_unit_get(pcode=query).name_en == "Duhok"

    def test_an_old_governorate_code_is_named_as_such(self):
        error = _error("IQ-G08")
        assert error.code == "not_a_current_pcode"
        assert "older governorate code scheme" in error.message
        assert "IQ-G08" in error.message
        assert error.fields["pcode"]

    def test_an_old_numeric_code_is_named_as_such(self):
        error = _error("IQ10077")
        assert error.code == "not_a_current_pcode"
        assert "older numeric scheme" in error.message

    def test_an_iso_code_is_named_with_its_governorate_and_current_pcode(self):
        error = _error("IQ-AN")
        assert error.code == "not_a_current_pcode"
        assert "ISO 3166-2" in error.message
        assert "Anbar" in error.message
        assert "IQG01" in error.message
        assert error.params["suggestion"] == "IQG01"

    def test_every_iso_code_denotes_a_different_governorate_of_the_data(self):
        found = {code: iso_governorate(code) for code in ISO_3166_2}
        assert all(found.values())
        assert len({u.pcode for u in found.values()}) == 18
        assert found["DA"].pcode == DUHOK
        assert found["MA"].name_en == "Maysan"
        assert found["QA"].name_en == "Al-Qadissiya"

    def test_a_well_formed_but_unknown_pcode_is_not_a_current_pcode(self):
        error = _error("IQG99Q01")
        assert error.code == "not_a_current_pcode"
        assert "not a current P-code" in error.message

    @pytest.mark.parametrize("garbage", ["hello", "IQG9", "12345", "IQ-ZZ"])
    def test_garbage_does_not_look_like_a_pcode_and_the_message_shows_the_shape(self, garbage):
        error = _error(garbage)
        assert "does not look like a P-code" in error.message
        assert "IQG01, IQG01Q01, IQG01Q01N01" in error.message

    def test_the_lookup_raises_the_same_clear_error_for_an_old_code(self):
        with pytest.raises(ValidationFailed) as info:
            admin_unit_lookup(query="iq-g08")
        assert "older governorate code scheme" in info.value.message

    def test_messages_are_translated_when_a_translation_exists(self):
        from django.utils import translation

        with translation.override("ar"):
            error = _error("IQ-AN")
        # Whatever the catalogue holds, the placeholders are filled in.
        assert "IQ-AN" in error.message and "IQG01" in error.message


class TestPcodeCommand:
    def test_the_command_prints_the_matches(self, capsys):
        call_command("pcode", "دهوك", "--level", "1")
        out = capsys.readouterr().out
        assert "IQG09" in out and "Duhok" in out

    def test_the_command_fails_with_the_clear_message_for_an_iso_code(self):
        with pytest.raises(CommandError) as info:
            call_command("pcode", "IQ-AN")
        assert info.value.returncode == 1
        assert "ISO 3166-2" in str(info.value)

    def test_the_command_fails_when_nothing_matches(self):
        with pytest.raises(CommandError) as info:
            call_command("pcode", "Atlantis")
        assert info.value.returncode == 1
