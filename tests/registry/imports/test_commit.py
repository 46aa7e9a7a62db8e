"""Committing an import: all or nothing, never twice, derived data as the registry's own."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanad.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sanad.registry.derive import household_derived, member_name_key, search_keys
from sanad.registry.imports import commit, services, synthetic
from sanad.registry.imports.spool import SPOOL
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    ImportBatch,
    Individual,
    IndividualDocument,
    SearchKey,
)
from tests.factories import DUHOK, make_user
from tests.registry.imports.conftest import (
    HEAD,
    household,
    records,
    template_csv,
    validated,
)

pytestmark = pytest.mark.django_db


def commit_file(user, path, file_format="template"):
    batch = validated(user, path, file_format)
    assert batch.error_count == 0, services.batch_errors(batch)[:3]
    services.import_batch_commit(batch=batch, user=user)
    batch.refresh_from_db()
    return batch


def test_a_committed_template_writes_households_members_and_their_records(importer, tmp_files):
    member = {
        **HEAD,
        "document_kind": "national_id",
        "document_number": "1990 1234",
        "phone": "0770 111 2222",
    }
    batch = commit_file(importer, template_csv(tmp_files / "t.csv", [household(members=[member])]))
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_at
    assert (batch.households_new, batch.individuals_total) == (1, 1)
    hh = Household.objects.get()
    assert hh.import_batch == batch and hh.source == Household.Source.IMPORT
    assert hh.admin_unit.pcode == "IQG09Q03N03" and hh.governorate.pcode == DUHOK
    assert hh.created_by == importer and hh.registration_id.startswith("SND-")
    person = Individual.objects.get()
    assert (person.relationship, person.sex, person.phone) == ("head", "male", "+9647701112222")
    doc = IndividualDocument.objects.get()
    assert (doc.kind, doc.number, doc.number_key) == ("national_id", "1990 1234", "19901234")
    phones = dict(HouseholdPhone.objects.values_list("number", "is_primary"))
    assert phones == {"+9647501234567": True, "+9647701112222": False}
    consent = Consent.objects.get()
    assert (consent.purpose, consent.legal_basis, consent.given) == (
        "registration",
        "consent",
        True,
    )
    move = DisplacementMove.objects.get()
    assert move.to_admin_unit == hh.admin_unit and move.displacement_status == "idp_out_of_camp"


def test_derived_fields_name_keys_and_search_keys_are_the_registrys_own(
    importer, demo_places, tmp_files
):
    path = synthetic.write_template_csv(records(25), tmp_files / "gen.csv")
    commit_file(importer, path)
    for hh in Household.objects.prefetch_related("members__documents", "phones"):
        members = list(hh.members.all())
        # The import derives on the local (Baghdad) date, which is not UTC's near midnight.
        derived = household_derived(members, on=timezone.localtime(hh.created_at).date())
        assert {k: getattr(hh, k) for k in derived} == derived
        for m in members:
            assert m.name_key == member_name_key(m)
        expected = search_keys(
            registration_id=hh.registration_id,
            members=members,
            phones=[p.number for p in hh.phones.all()],
            documents=[d.number for m in members for d in m.documents.all()],
        )
        assert set(SearchKey.objects.filter(household=hh).values_list("key", flat=True)) == expected


def test_re_importing_a_kobo_export_never_creates_a_submission_twice(
    importer, demo_places, tmp_files
):
    recs = records(12)
    path = synthetic.write_kobo_xlsx(lambda: recs, tmp_files / "kobo.xlsx")
    first = commit_file(importer, path, "kobo")
    assert first.households_new == 12
    people = Individual.objects.count()

    again = validated(importer, path, "kobo")
    assert (again.households_already_imported, again.households_new, again.error_count) == (
        12,
        0,
        0,
    )
    services.import_batch_commit(batch=again, user=importer)
    again.refresh_from_db()
    assert again.status == ImportBatch.Status.COMMITTED and again.households_already_imported == 12
    assert Household.objects.count() == 12 and Individual.objects.count() == people


def test_submissions_imported_between_validation_and_commit_are_skipped(
    importer, demo_places, tmp_files
):
    recs = records(6)
    path = synthetic.write_kobo_xlsx(lambda: recs, tmp_files / "kobo.xlsx")
    early, late = validated(importer, path, "kobo"), validated(importer, path, "kobo")
    services.import_batch_commit(batch=early, user=importer)
    services.import_batch_commit(batch=late, user=importer)
    late.refresh_from_db()
    assert (late.households_new, late.households_already_imported) == (0, 6)
    assert Household.objects.count() == 6


def test_a_failure_in_the_middle_of_the_commit_leaves_nothing_behind(
    importer, demo_places, tmp_files, monkeypatch
):
    path = synthetic.write_template_csv(records(30), tmp_files / "gen.csv")
    batch = validated(importer, path)
    writes = {"n": 0}
    original = commit.BulkWriter.write

    def failing_write(self, key, rows):
        original(self, key, rows)
        if key == "searchkey":
            writes["n"] += 1
            if writes["n"] == 2:  # after two chunks are in
                raise RuntimeError("disk full")

    monkeypatch.setattr(commit.BulkWriter, "write", failing_write)
    original_write = commit.Committer.write
    monkeypatch.setattr(
        commit.Committer,
        "write",
        lambda self, households, **kw: original_write(self, households, **{**kw, "chunk": 7}),
    )
    with pytest.raises(RuntimeError, match="disk full"):
        services.import_batch_commit(batch=batch, user=importer)
    assert writes["n"] == 2
    for model in (
        Household,
        Individual,
        IndividualDocument,
        HouseholdPhone,
        Consent,
        DisplacementMove,
        SearchKey,
    ):
        assert model.objects.count() == 0, model
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


def test_a_batch_with_errors_cannot_be_committed(importer, tmp_files):
    batch = validated(
        importer, template_csv(tmp_files / "bad.csv", [household(members=[{**HEAD, "sex": "?"}])])
    )
    with pytest.raises(ValidationFailed, match="committed whole or not at all"):
        services.import_batch_commit(batch=batch, user=importer)
    assert Household.objects.count() == 0


def test_a_batch_is_committed_once_and_a_committed_one_cannot_be_rejected(importer, tmp_files):
    batch = commit_file(importer, template_csv(tmp_files / "t.csv", [household()]))
    with pytest.raises(InvalidTransition):
        services.import_batch_commit(batch=batch, user=importer)
    with pytest.raises(InvalidTransition):
        services.import_batch_reject(batch=batch, user=importer)
    assert Household.objects.count() == 1


def test_rejecting_writes_nothing_and_deletes_the_uploaded_file(importer, tmp_files):
    batch = validated(importer, template_csv(tmp_files / "t.csv", [household()]))
    stored = services.batch_file(batch)
    assert stored.exists()
    services.import_batch_reject(batch=batch, user=importer, reason="wrong site")
    assert batch.status == ImportBatch.Status.REJECTED and not stored.exists()
    assert Household.objects.count() == 0


def test_the_uploaded_file_is_deleted_once_committed_and_the_report_kept(importer, tmp_files):
    batch = commit_file(importer, template_csv(tmp_files / "t.csv", [household()]))
    assert not services.batch_file(batch).exists()
    assert services.report_path(batch) is not None


def test_someone_else_committing_must_reach_the_households_governorates(importer, tmp_files):
    batch = validated(importer, template_csv(tmp_files / "t.csv", [household()]))
    erbil_officer = make_user("im_officer", governorates=("IQG11",))
    with pytest.raises(PermissionDenied):
        services.import_batch_commit(batch=batch, user=erbil_officer)
    assert Household.objects.count() == 0


def test_the_commit_works_without_its_spool_by_checking_the_file_again(importer, tmp_files):
    batch = validated(importer, template_csv(tmp_files / "t.csv", [household(), household()]))
    (services.batch_dir(batch) / SPOOL).unlink()
    services.import_batch_commit(batch=batch, user=importer)
    assert Household.objects.count() == 2


def test_registration_ids_that_exist_already_are_drawn_again(importer, tmp_files, monkeypatch):
    taken = commit_file(importer, template_csv(tmp_files / "a.csv", [household()]))
    existing = Household.objects.get(import_batch=taken).registration_id
    draws = iter([[existing], ["SND-0000-0001"]])
    monkeypatch.setattr(commit, "registration_ids", lambda n: next(draws))
    commit_file(importer, template_csv(tmp_files / "b.csv", [household()]))
    assert set(Household.objects.values_list("registration_id", flat=True)) == {
        existing,
        "SND-0000-0001",
    }


def test_a_document_number_already_in_the_registry_is_an_error_naming_its_household(
    importer, tmp_files
):
    member = {**HEAD, "document_kind": "national_id", "document_number": "199012345678"}
    commit_file(importer, template_csv(tmp_files / "first.csv", [household(members=[member])]))
    holder = Household.objects.get().registration_id
    again = validated(
        importer, template_csv(tmp_files / "second.csv", [household(members=[member])])
    )
    [error] = services.batch_errors(again)
    assert error["column"] == "document_number" and holder in error["message"]
