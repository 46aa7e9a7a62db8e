"""Damage assessments through the services: a house and its assessment in one go, the
household found by registration id, photos stored without their metadata, the
workflow (submit, validate, return with a reason, resubmit, cancel), re-assessments,
reach, and the catalogue's item and price services with the import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanad.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.shelter.models import Assessment, AssessmentPhoto, PriceItem, Property, UnitPrice
from sanad.shelter.services import assessments as services
from sanad.shelter.services import catalogue
from sanad.shelter.services._common import PHOTOS
from sanad.shelter.services.assessments import records
from tests.factories import DUHOK, NINEWA, make_user, unit
from tests.registry.factories import make_household
from tests.shelter.assessments_factories import (
    all_components,
    assess,
    engineer_for,
    form_data,
    jpeg,
    make_item,
    officer_for,
    shelter_project,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_dir")]
from tests.shelter.assessments_factories import photo_dir  # noqa: E402,F401


@pytest.fixture
def engineer():
    return engineer_for()


@pytest.fixture
def officer():
    return officer_for()


@pytest.fixture
def project():
    return shelter_project()


def test_an_engineer_records_a_house_and_its_assessment_in_one_go(engineer, project):
    household = make_household(governorate=NINEWA, members=4)
    a = assess(engineer, project, household=household, occupants="", photos=2)
    prop = a.property
    assert a.reference.startswith(f"SA-{datetime.date.today().year}-")
    assert a.status == Assessment.Status.DRAFT
    assert (a.household, prop.household) == (household, household)
    assert a.occupants == 4  # the household's size by default
    assert a.governorate == prop.governorate == unit(NINEWA)
    assert (a.programme, a.project, a.engineer) == (project.programme, project, engineer)
    assert prop.tenure == "owner" and prop.documents == ["title_deed"]
    assert prop.latitude == Decimal("36.345600")
    assert a.components == all_components()
    assert a.photos.count() == 2


def test_an_unregistered_occupant_is_allowed(engineer, project):
    a = assess(engineer, project)
    assert a.household is None and a.property.household is None


def test_an_unknown_registration_id_is_refused_with_a_sentence(engineer, project):
    with pytest.raises(ValidationFailed) as exc:
        assess(engineer, project, registration_id="NOPE-123")
    assert exc.value.code == "household_not_found"
    assert "NOPE-123" in exc.value.fields["registration_id"][0]
    assert not Property.objects.exists()


def test_a_household_outside_the_engineer_area_is_not_found(engineer, project):
    elsewhere = make_household(governorate=DUHOK)
    with pytest.raises(ValidationFailed) as exc:
        assess(engineer, project, registration_id=elsewhere.registration_id)
    assert exc.value.code == "household_not_found"


def test_an_engineer_cannot_assess_outside_their_governorates(engineer, project):
    with pytest.raises(ValidationFailed) as exc:
        assess(engineer, project, governorate=DUHOK)
    assert exc.value.code == "out_of_reach"
    assert not Assessment.objects.exists()


def test_a_role_without_the_permission_cannot_assess(project):
    with pytest.raises(PermissionDenied):
        assess(make_user("warehouse_officer"), project)


def test_photos_are_stored_without_metadata_and_removed_if_the_save_fails(
    engineer, project, settings
):
    folder = settings.SANAD_SHELTER_PHOTO_DIR
    a = assess(engineer, project, photos=1)
    photo = a.photos.get()
    assert PHOTOS.absolute(photo.path).read_bytes()[:3] == b"\xff\xd8\xff"
    assert photo.path.startswith(str(a.public_id))
    before = set(folder.rglob("*.jpg"))
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_create(
            user=engineer,
            data=form_data(project),
            boq=[{"item": make_item(), "quantity": 1}],
            photos=[jpeg(), bad],
        )
    assert exc.value.code == "photo_not_image"
    assert set(folder.rglob("*.jpg")) == before
    assert Assessment.objects.count() == 1


def test_a_failed_save_after_the_photos_were_written_removes_them(
    engineer, project, settings, monkeypatch
):
    folder = settings.SANAD_SHELTER_PHOTO_DIR

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(records, "_write_boq", broken)
    with pytest.raises(RuntimeError):
        assess(engineer, project, photos=2)
    assert not list(folder.rglob("*.jpg"))
    assert not Assessment.objects.exists() and not Property.objects.exists()


def test_a_complete_assessment_is_submitted_validated_and_kept(engineer, officer, project):
    a = assess(engineer, project, submit=True)
    assert a.status == Assessment.Status.SUBMITTED and a.submitted_at
    a = services.assessment_validate(user=officer, assessment=a)
    a.refresh_from_db()
    assert a.status == Assessment.Status.VALIDATED
    assert (a.validated_by, a.validated_at is not None) == (officer, True)
    history = [t.to_state for t in Assessment.STATUS_MACHINE.history(a).order_by("id")]
    assert history == ["submitted", "validated"]


def test_an_incomplete_assessment_cannot_be_submitted(engineer, project):
    a = assess(engineer, project, photos=0, components={"roof": "destroyed"}, items=[], occupants=0)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_submit(user=engineer, assessment=a)
    text = " ".join(exc.value.fields["__all__"])
    assert "Walls" in text and "bill of quantities" in text and "photo" in text
    a.refresh_from_db()
    assert a.status == Assessment.Status.DRAFT


def test_a_returned_assessment_is_corrected_and_submitted_again(engineer, officer, project):
    a = assess(engineer, project, submit=True)
    with pytest.raises(ValidationFailed):
        services.assessment_return(user=officer, assessment=a, reason=" ")
    services.assessment_return(user=officer, assessment=a, reason="Roof area is wrong")
    a.refresh_from_db()
    assert a.status == Assessment.Status.RETURNED
    item = make_item(price="20.00")
    a = services.assessment_update(
        user=engineer,
        assessment=a,
        data=form_data(project, damage="destroyed"),
        boq=[{"item": item, "quantity": "3"}],
        photos=[jpeg()],
        remove_photos=list(a.photos.values_list("pk", flat=True)),
        submit=True,
    )
    a.refresh_from_db()
    assert a.status == Assessment.Status.SUBMITTED
    assert (a.damage, a.boq_total, a.boq.count(), a.photos.count()) == (
        "destroyed",
        Decimal("60.00"),
        1,
        1,
    )
    reasons = [t.reason for t in Assessment.STATUS_MACHINE.history(a).order_by("id")]
    assert "Roof area is wrong" in reasons


def test_a_submitted_assessment_cannot_be_changed_by_the_engineer(engineer, project):
    a = assess(engineer, project, submit=True)
    with pytest.raises(InvalidTransition):
        services.assessment_update(user=engineer, assessment=a, data=form_data(project))


def test_an_engineer_cannot_validate(engineer, project):
    a = assess(engineer, project, submit=True)
    with pytest.raises(PermissionDenied):
        services.assessment_validate(user=engineer, assessment=a)


def test_an_officer_of_another_governorate_does_not_find_the_assessment(engineer, project):
    a = assess(engineer, project, submit=True)
    with pytest.raises(NotFound):
        services.assessment_validate(user=officer_for(DUHOK), assessment=a)


def test_only_a_draft_or_returned_one_is_cancelled_by_its_engineer(engineer, officer, project):
    draft = assess(engineer, project)
    other_engineer = engineer_for()
    with pytest.raises(PermissionDenied):
        services.assessment_cancel(user=other_engineer, assessment=draft, reason="duplicate")
    services.assessment_cancel(user=engineer, assessment=draft, reason="duplicate")
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.CANCELLED
    submitted = assess(engineer, project, submit=True)
    with pytest.raises(PermissionDenied):
        services.assessment_cancel(user=engineer, assessment=submitted, reason="x")
    services.assessment_cancel(user=officer, assessment=submitted, reason="House demolished")
    validated = services.assessment_validate(
        user=officer, assessment=assess(engineer, project, submit=True)
    )
    with pytest.raises(PermissionDenied):
        services.assessment_cancel(user=officer, assessment=validated, reason="x")


def test_a_reassessment_of_a_house_is_a_new_assessment_of_the_same_property(
    engineer, officer, project
):
    first = assess(engineer, project, submit=True)
    services.assessment_validate(user=officer, assessment=first)
    second = services.assessment_create(
        user=engineer,
        data={**form_data(project, damage="minor"), "property": first.property},
        boq=[{"item": make_item(), "quantity": 1}],
        photos=[jpeg()],
    )
    assert second.property_id == first.property_id
    assert second.reference != first.reference
    assert Property.objects.count() == 1 and Assessment.objects.count() == 2


def test_references_follow_each_other(engineer, project):
    a, b = assess(engineer, project), assess(engineer, project)
    assert int(b.reference.rsplit("-", 1)[1]) == int(a.reference.rsplit("-", 1)[1]) + 1


def test_the_space_check_flags_less_than_3_5_m2_per_person(engineer, project):
    ok = assess(engineer, project, occupants=5, area="17.5")
    low = assess(engineer, project, occupants=5, area="17")
    unknown = assess(engineer, project, occupants=5, area="")
    assert services.space_of(ok) == (Decimal("3.50"), False)
    assert services.space_of(low) == (Decimal("3.40"), True)
    assert services.space_of(unknown) == (None, False)


def test_future_visits_and_contradictory_documents_are_refused(engineer, project):
    with pytest.raises(ValidationFailed) as exc:
        assess(engineer, project, assessed_on=datetime.date.today() + datetime.timedelta(days=2))
    assert exc.value.code == "date_in_future"
    with pytest.raises(ValidationFailed) as exc:
        assess(engineer, project, documents=["none", "title_deed"])
    assert exc.value.code == "documents_contradict"


# --- the catalogue ----------------------------------------------------------------------


def test_an_officer_adds_an_item_and_sets_prices(officer):
    item = catalogue.price_item_create(
        user=officer,
        data={
            "code": "RF-02",
            "name_en": "Concrete roof slab",
            "name_ar": "سقف خرساني",
            "component": "roof",
            "unit": "m2",
        },
    )
    catalogue.unit_price_set(
        user=officer,
        item=item,
        governorate=unit(NINEWA),
        valid_from=datetime.date(2026, 1, 1),
        price="45.5",
        currency="USD",
    )
    row = catalogue.unit_price_set(
        user=officer,
        item=item,
        governorate=unit(NINEWA),
        valid_from=datetime.date(2026, 1, 1),
        price="47",
        currency="USD",
    )
    assert UnitPrice.objects.filter(item=item).count() == 1
    assert row.price == Decimal("47.00")
    with pytest.raises(ValidationFailed) as exc:
        catalogue.price_item_create(
            user=officer, data={"code": "rf-02", "name_en": "x", "component": "roof", "unit": "m2"}
        )
    assert exc.value.code == "code_taken"
    catalogue.price_item_update(user=officer, item=item, data={"active": False})
    item.refresh_from_db()
    assert item.active is False and item.code == "RF-02"


def test_an_engineer_cannot_change_the_catalogue(engineer):
    with pytest.raises(PermissionDenied):
        catalogue.price_item_create(
            user=engineer, data={"code": "X", "name_en": "x", "component": "roof", "unit": "m2"}
        )


def _csv(text: str, name: str = "prices.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_prices_are_imported_from_a_csv_sheet(officer):
    item = make_item("WL-01", price=None)
    n = catalogue.prices_import(
        user=officer,
        upload=_csv(
            "item_code,governorate,valid_from,price,currency,source\n"
            "WL-01,,2026-01-01,10.5,USD,Cluster 2026\n"
            'wl-01,IQG15,2026-02-01,"12,000",IQD,Mosul market\n'
        ),
    )
    assert n == 2
    assert catalogue.price_for(item, unit(NINEWA), datetime.date(2026, 3, 1), "IQD").price == 12000
    assert catalogue.price_for(item, unit(DUHOK), datetime.date(2026, 3, 1)).price == Decimal(
        "10.50"
    )


def test_an_import_with_a_wrong_row_imports_nothing_and_lists_every_error(officer):
    make_item("WL-01", price=None)
    with pytest.raises(ValidationFailed) as exc:
        catalogue.prices_import(
            user=officer,
            upload=_csv(
                "item_code,governorate,valid_from,price,currency\n"
                "WL-01,,2026-01-01,10,USD\n"
                "ZZ-99,,2026-01-01,10,USD\n"
                "WL-01,IQG99,2026-01-01,10,USD\n"
                "WL-01,,01/02/2026,10,USD\n"
                "WL-01,,2026-01-01,-3,USD\n"
                "WL-01,,2026-01-01,10,EUR\n"
            ),
        )
    errors = exc.value.fields["file"]
    assert [e.split(":")[0] for e in errors] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7"]
    assert "ZZ-99" in errors[0]
    assert not UnitPrice.objects.exists()


def test_prices_are_imported_from_an_xlsx_sheet_and_exported_in_the_same_layout(officer):
    from openpyxl import Workbook

    make_item("DR-01", price=None)
    book = Workbook()
    sheet = book.active
    sheet.append(["item_code", "governorate", "valid_from", "price", "currency", "source"])
    sheet.append(["DR-01", "IQG15", datetime.date(2026, 1, 5), 85.5, "USD", None])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("prices.xlsx", out.getvalue())
    assert catalogue.prices_import(user=officer, upload=upload) == 1
    rows = catalogue.price_rows()
    assert rows[0] == list(catalogue.PRICE_COLUMNS)
    assert rows[1] == ["DR-01", "IQG15", "2026-01-05", "85.50", "USD", ""]
    assert PriceItem.objects.count() == 1


def test_photo_records_point_inside_the_photo_folder(engineer, project):
    a = assess(engineer, project)
    for p in AssessmentPhoto.objects.filter(assessment=a):
        assert PHOTOS.absolute(p.path).is_file()
