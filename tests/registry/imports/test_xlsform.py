"""The registration form, generated as an XLSForm that pyxform accepts, and the template."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from sanad.registry.imports.form import CHOICES, FIELDS, MEMBER_FIELDS, template_columns
from sanad.registry.imports.template_file import template_csv, template_xlsx
from sanad.registry.imports.xlsform import to_xform, write_xlsform
from sanad.registry.models import DisplacementStatus, Individual, ShelterType
from tests.registry.imports.conftest import validated

pytestmark = pytest.mark.django_db


def _sheet(data: bytes, name: str) -> list[dict[str, str]]:
    ws = load_workbook(io.BytesIO(data))[name]
    rows = list(ws.iter_rows(values_only=True))
    return [
        {h: ("" if v is None else str(v)) for h, v in zip(rows[0], row, strict=False)}
        for row in rows[1:]
    ]


def test_pyxform_converts_the_registration_form_without_warnings():
    result = to_xform(write_xlsform(version="20260101"))
    assert result.warnings == []
    xform = result.xform
    assert "/data/household/subdistrict" in xform and "/data/members/wg_walking" in xform
    assert (
        "nodeset=\"instance('subdistrict')/root/item[district= /data/household/district ]\""
        in xform
    )


def test_the_form_has_english_arabic_and_kurdish_labels_for_every_question_and_choice():
    data = write_xlsform()
    for row in _sheet(data, "survey"):
        if row["type"] in {"start", "end", "today", "end_group", "end_repeat", "calculate"}:
            continue
        for language in ("English (en)", "Arabic (ar)", "Kurdish (ckb)"):
            assert row[f"label::{language}"], (row["name"], language)
    for row in _sheet(data, "choices"):
        assert row["label::Arabic (ar)"] and row["label::Kurdish (ckb)"], row["name"]


def test_the_sub_district_is_chosen_by_pcode_within_its_district():
    choices = _sheet(write_xlsform(), "choices")
    subdistricts = [c for c in choices if c["list_name"] == "subdistrict"]
    assert len(subdistricts) > 90
    unit = next(c for c in subdistricts if c["name"] == "IQG09Q03N03")
    assert unit["district"] == "IQG09Q03" and "(IQG09Q03N03)" in unit["label::English (en)"]


def test_washington_group_questions_have_the_four_standard_answers():
    survey = {r["name"]: r for r in _sheet(write_xlsform(), "survey")}
    for domain in Individual.WG_DOMAINS:
        assert survey[domain]["type"] == "select_one wg"
    assert [c.label["en"] for c in CHOICES["wg"]] == [
        "No difficulty",
        "Some difficulty",
        "A lot of difficulty",
        "Cannot do at all",
    ]


def test_pregnancy_is_asked_only_of_women_and_the_head_comes_first_once():
    survey = {r["name"]: r for r in _sheet(write_xlsform(), "survey")}
    assert "${sex} = 'female'" in survey["is_pregnant"]["relevant"]
    assert "position(..) = 1 and . = 'head'" in survey["relationship"]["constraint"]


def test_the_forms_choices_are_the_models_choices():
    def names(list_name):
        return {c.name for c in CHOICES[list_name]}

    assert names("sex") == set(Individual.Sex.values)
    assert names("relationship") == set(Individual.Relationship.values)
    assert names("marital_status") == set(Individual.MaritalStatus.values)
    assert {int(n) for n in names("wg")} == set(Individual.Difficulty.values)
    assert names("displacement_status") == set(DisplacementStatus.values)
    assert names("shelter_type") == set(ShelterType.values)
    languages = {code for code, _label in Individual._meta.get_field("preferred_language").choices}
    assert names("language") == languages
    model_fields = {f.name for f in Individual._meta.fields}
    for f in MEMBER_FIELDS:
        if f.name not in {"document_kind", "document_number"}:
            assert f.name in model_fields, f.name
    assert len({f.name for f in FIELDS}) == len(FIELDS)


def test_the_command_writes_the_xlsform(tmp_path: Path):
    out = tmp_path / "form.xlsx"
    stdout = io.StringIO()
    call_command("registration_xlsform", "--out", str(out), "--form-version", "7", stdout=stdout)
    assert "pyxform converts it" in stdout.getvalue()
    settings = _sheet(out.read_bytes(), "settings")[0]
    assert settings["form_id"] == "sanad_household_registration" and settings["version"] == "7"


def test_the_template_has_the_form_names_and_an_example_household_that_imports(importer, tmp_path):
    rows = list(csv.reader(io.StringIO(template_csv().decode("utf-8-sig"))))
    assert rows[0] == template_columns() and len(rows) == 4
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv())
    batch = validated(importer, path)
    assert batch.error_count == 0 and batch.households_new == 1 and batch.individuals_total == 3
    xlsx = tmp_path / "template.xlsx"
    xlsx.write_bytes(template_xlsx())
    assert load_workbook(xlsx).sheetnames == ["households", "columns", "choices"]
    assert validated(importer, xlsx).households_new == 1
