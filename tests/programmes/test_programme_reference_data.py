from __future__ import annotations

import pytest
from django.utils import translation

from sanad.core.areas import ProgrammeArea
from sanad.programmes.models import Programme
from sanad.programmes.selectors import programme_description


@pytest.mark.django_db
def test_the_six_programmes_exist_after_migrate() -> None:
    assert sorted(Programme.objects.values_list("code", flat=True)) == sorted(ProgrammeArea.values)


@pytest.mark.django_db
def test_every_programme_is_named_in_english_arabic_and_kurdish() -> None:
    for programme in Programme.objects.all():
        assert programme.name_en and programme.name_ar and programme.name_ckb
        assert programme.description


@pytest.mark.django_db
def test_a_programme_is_named_in_the_language_of_the_reader() -> None:
    nfi = Programme.objects.get(code="NFI")
    with translation.override("en"):
        assert nfi.name == "Non-Food Items"
    with translation.override("ar"):
        assert nfi.name == "المواد غير الغذائية"
    with translation.override("ckb"):
        assert nfi.name == "کەرەستەی نا-خۆراک"


@pytest.mark.django_db
def test_a_description_written_by_someone_is_shown_as_written() -> None:
    cccm = Programme.objects.get(code="CCCM")
    assert "camps" in str(programme_description(cccm))
    cccm.description = "Our own words."
    assert programme_description(cccm) == "Our own words."
