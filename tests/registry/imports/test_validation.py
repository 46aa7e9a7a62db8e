"""Each validation rule of an import, through the service that checks a whole file."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sanad.registry.imports import services
from sanad.registry.imports.validation import parse_date
from sanad.registry.models import Household, ImportBatch
from tests.factories import DUHOK, make_user
from tests.registry.imports.conftest import (
    CHILD,
    HEAD,
    SPOUSE,
    household,
    messages_of,
    template_csv,
    validated,
)

pytestmark = pytest.mark.django_db


def check(importer, tmp_files, *households, name="file.csv"):
    return validated(importer, template_csv(tmp_files / name, list(households)))


def errors_of(batch):
    return services.batch_errors(batch)


def test_a_clean_file_is_ready_with_its_counts_and_no_errors(importer, tmp_files):
    batch = check(importer, tmp_files, household(), household())
    assert batch.status == ImportBatch.Status.READY
    assert (batch.households_total, batch.individuals_total, batch.households_new) == (2, 6, 2)
    assert batch.error_count == 0 and batch.errors == []
    assert services.import_batch_can_commit(batch)


def test_an_old_scheme_pcode_is_refused_with_a_message_naming_the_scheme(importer, tmp_files):
    batch = check(importer, tmp_files, household(subdistrict="IQ-G08", district=""))
    [error] = errors_of(batch)
    assert error["column"] == "subdistrict" and error["value"] == "IQ-G08"
    assert "older governorate code scheme" in error["message"]


def test_an_unknown_pcode_and_a_pcode_of_the_wrong_level_are_refused(importer, tmp_files):
    batch = check(
        importer,
        tmp_files,
        household(subdistrict="IQG09Q03N99", district=""),
        household(subdistrict="IQG09", district=""),
    )
    rows = {e["row"]: e["message"] for e in errors_of(batch)}
    assert "not a current P-code" in rows[2]
    assert "another level" in rows[5]


def test_a_sub_district_outside_its_district_or_governorate_is_refused(importer, tmp_files):
    batch = check(importer, tmp_files, household(district="IQG09Q02", governorate="IQG11"))
    messages = messages_of(batch)
    assert any("is not in the district IQG09Q02" in m for m in messages)
    assert any("is not in the governorate IQG11" in m for m in messages)


def test_a_district_is_enough_when_the_sub_district_is_not_known(importer, tmp_files):
    batch = check(importer, tmp_files, household(subdistrict="", district="IQG09Q03"))
    assert batch.error_count == 0


def test_a_household_outside_the_importers_governorates_is_a_row_error(tmp_files):
    duhok_officer = make_user("im_officer", governorates=(DUHOK,))
    ninewa = household(subdistrict="IQG15Q02N02", district="IQG15Q02", governorate="IQG15")
    batch = check(duhok_officer, tmp_files, household(), ninewa)
    [error] = errors_of(batch)
    assert (
        error["row"] == 5 and "outside the governorates where you may register" in error["message"]
    )


def test_dates_are_read_as_iso_or_day_month_year(importer, tmp_files):
    members = [
        {**HEAD, "date_of_birth": "12/05/1980"},
        {**SPOUSE, "date_of_birth": "02-01-1984"},
        {**CHILD, "date_of_birth": "2012-07-01T00:00:00"},
    ]
    batch = check(importer, tmp_files, household(members=members, displaced_on="03.08.2014"))
    assert batch.error_count == 0
    assert parse_date("12/05/1980") == datetime.date(1980, 5, 12)
    assert parse_date("05/12/1980", day_first=False) == datetime.date(1980, 5, 12)


def test_an_unreadable_or_future_date_is_an_error_on_its_cell(importer, tmp_files):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    members = [{**HEAD, "date_of_birth": "1980-13-40"}, {**SPOUSE, "date_of_birth": future}]
    batch = check(importer, tmp_files, household(members=members))
    by_row = {e["row"]: e for e in errors_of(batch)}
    assert by_row[2]["column"] == "date_of_birth" and "not a date" in by_row[2]["message"]
    assert "in the future" in by_row[3]["message"]


def test_sex_is_read_from_its_xml_name_or_a_label_in_any_language(importer, tmp_files):
    members = [{**HEAD, "sex": "Male"}, {**SPOUSE, "sex": "أنثى"}, {**CHILD, "sex": " نێر "}]
    assert check(importer, tmp_files, household(members=members)).error_count == 0


def test_an_unknown_sex_lists_the_accepted_answers(importer, tmp_files):
    batch = check(importer, tmp_files, household(members=[{**HEAD, "sex": "x"}]))
    [error] = errors_of(batch)
    assert error["column"] == "sex" and "female, male" in error["message"]


def test_phone_numbers_are_normalised_and_a_wrong_number_is_an_error(importer, tmp_files):
    ok = check(importer, tmp_files, household(household_phone="00964 750 123 4567"), name="a.csv")
    assert ok.error_count == 0
    bad = check(importer, tmp_files, household(household_phone="12345"), name="b.csv")
    [error] = errors_of(bad)
    assert error["column"] == "household_phone" and "Iraqi mobile number" in error["message"]


def test_a_household_needs_exactly_one_head(importer, tmp_files):
    no_head = household(members=[{**HEAD, "relationship": "brother"}, SPOUSE])
    two_heads = household(members=[HEAD, {**SPOUSE, "relationship": "head"}])
    batch = check(importer, tmp_files, no_head, two_heads)
    messages = messages_of(batch)
    assert any("No member of the household is its head" in m for m in messages)
    assert any("more than one head" in m for m in messages)


def test_required_fields_are_reported_on_their_cells(importer, tmp_files):
    member = {**HEAD, "sex": "", "date_of_birth": "", "given_name_ar": "", "given_name_en": ""}
    batch = check(
        importer, tmp_files, household(members=[member], displacement_status="", consent="")
    )
    columns = {e["column"] for e in errors_of(batch)}
    assert {"sex", "date_of_birth", "given_name_ar", "displacement_status", "consent"} <= columns


def test_a_household_that_did_not_consent_cannot_be_imported(importer, tmp_files):
    batch = check(importer, tmp_files, household(consent="no"))
    assert any("did not consent" in m for m in messages_of(batch))


def test_ages_must_fit_the_relationships(importer, tmp_files):
    older_son = {**CHILD, "date_of_birth": "1975-01-01"}
    young_mother = {
        "given_name_ar": "مريم",
        "sex": "female",
        "date_of_birth": "1990-01-01",
        "relationship": "mother",
    }
    batch = check(importer, tmp_files, household(members=[HEAD, older_son, young_mother]))
    messages = messages_of(batch)
    assert any("son must be at least 12 years younger" in m for m in messages)
    assert any("mother must be at least 12 years older" in m for m in messages)


def test_sex_must_fit_the_relationship_and_pregnancy_the_sex_and_age(importer, tmp_files):
    members = [{**HEAD, "is_pregnant": "yes"}, SPOUSE, {**CHILD, "sex": "female"}]
    messages = messages_of(check(importer, tmp_files, household(members=members)))
    assert any("Pregnancy is recorded only for women" in m for m in messages)
    assert any("does not fit the relationship “son”" in m for m in messages)


def test_only_a_child_can_be_unaccompanied(importer, tmp_files):
    batch = check(
        importer, tmp_files, household(members=[{**HEAD, "is_unaccompanied_or_separated": "yes"}])
    )
    assert messages_of(batch) == ["Only a child under 18 can be unaccompanied or separated."]


def test_names_must_be_in_the_script_of_their_column(importer, tmp_files):
    batch = check(importer, tmp_files, household(members=[{**HEAD, "given_name_ar": "Khalid"}]))
    [error] = errors_of(batch)
    assert error["column"] == "given_name_ar" and "Arabic script" in error["message"]


def test_a_document_number_is_used_by_one_person_only(importer, tmp_files):
    first = household(
        members=[{**HEAD, "document_kind": "national_id", "document_number": "1990-1234"}]
    )
    second = household(
        members=[{**HEAD, "document_kind": "national_id", "document_number": "19901234"}]
    )
    batch = check(importer, tmp_files, first, second)
    [error] = errors_of(batch)
    assert error["row"] == 3 and "another household of the file" in error["message"]


def test_a_document_number_without_its_kind_is_an_error(importer, tmp_files):
    batch = check(importer, tmp_files, household(members=[{**HEAD, "document_number": "12345"}]))
    assert any("Say which document" in m for m in messages_of(batch))


def test_rows_of_a_household_that_are_not_together_are_reported(importer, tmp_files):
    a, b = household(members=[HEAD]), household(members=[HEAD])
    a["ref"], b["ref"] = "A", "B"
    again = household(members=[SPOUSE])
    again["ref"] = "A"
    batch = check(importer, tmp_files, a, b, again)
    assert any("are not together" in m for m in messages_of(batch))


def test_the_same_submission_twice_in_a_file_is_an_error_the_second_time(importer, tmp_files):
    batch = check(
        importer, tmp_files, household(source_ref="uuid-1"), household(source_ref="uuid-1")
    )
    [error] = errors_of(batch)
    assert error["row"] == 5 and error["column"] == "source_ref"
    assert "already in the file, on an earlier row" in error["message"]
    assert check(importer, tmp_files, household(), household(), name="no-refs.csv").error_count == 0


def test_missing_columns_make_the_validation_fail_with_a_clear_message(importer, tmp_files):
    path = tmp_files / "wrong.csv"
    path.write_text("household_ref,name,age\nH1,Ali,30\n", encoding="utf-8")
    batch = validated(importer, path)
    assert batch.status == ImportBatch.Status.FAILED
    [message] = messages_of(batch)
    assert "no column for" in message and "sex" in message


def test_a_user_without_the_right_to_register_households_cannot_import_any(tmp_files):
    viewer = make_user("me_viewer")
    with pytest.raises(Exception, match="Your role"):
        check(viewer, tmp_files, household())


def test_errors_keep_the_first_two_hundred_and_count_them_all(importer, tmp_files):
    bad = [household(members=[{**HEAD, "sex": "?"}]) for _ in range(250)]
    batch = check(importer, tmp_files, *bad)
    assert batch.error_count == 250 and len(batch.errors) == 200
    assert Household.objects.count() == 0
