"""The deduplication pages: the review queue, a pair side by side, confirm, reject and
skip, runs (registry, import, linking lists), merges and their undo, thresholds, and
the notes on the household and import pages. In English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanad.core.models import PersonalDataAccess
from sanad.dedup.models import DedupRun, DedupSettings, HouseholdMerge, MatchPair, PairDecision
from sanad.registry.models import Household, ImportBatch
from tests.conftest import client_for
from tests.dedup.review_helpers import family, run_now
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(fake_engine, reviewer):
    first, second = family(), family()
    run = run_now(user=reviewer)
    pair = MatchPair.objects.filter(run=run).order_by("-probability", "pk").first()
    return first, second, run, pair


def _page(client, url, **kw):
    response = client.get(url, **kw)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_queue_lists_pending_pairs_strongest_first(
    pairs, reviewer, django_assert_max_num_queries
):
    first, second, _run, pair = pairs
    client = client_for(reviewer)
    with django_assert_max_num_queries(20):
        page = _page(client, reverse("dedup:pair_list"))
    assert 'data-testid="pair-table"' in page
    assert page.count('data-testid="pair-open"') == 3
    assert first.registration_id in page and second.registration_id in page
    assert reverse("dedup:pair_detail", args=[pair.public_id]) in page
    # Filters: band, status (pending by default), governorate, run.
    assert page.count('data-testid="pair-open"') == 3
    assert _page(client, reverse("dedup:pair_list") + "?band=review").count("pair-open") == 0
    assert _page(client, reverse("dedup:pair_list") + "?status=rejected").count("pair-open") == 0
    assert (
        _page(client, reverse("dedup:pair_list") + f"?governorate={ERBIL}").count("pair-open") == 0
    )
    # The HTMX partial is the table alone.
    partial = _page(client, reverse("dedup:pair_list"), HTTP_HX_REQUEST="true")
    assert "<html" not in partial and "pair-table" in partial


def test_the_pair_page_shows_both_households_the_matched_members_and_the_evidence(pairs, reviewer):
    first, second, _run, pair = pairs
    page = _page(client_for(reviewer), reverse("dedup:pair_detail", args=[pair.public_id]))
    assert first.registration_id in page and second.registration_id in page
    assert page.count('data-testid="pair-member"') == 6
    assert page.count("Matches ") == 6
    assert 'data-testid="contributions"' in page and "bg-success" in page
    assert "+4.0" in page and "Given name" in page
    assert 'data-testid="confirm-form"' in page and 'data-testid="reject-form"' in page
    assert 'data-testid="pair-skip"' not in page  # no other pair to go to
    # Opening the pair is logged as a view of both families' records.
    assert PersonalDataAccess.objects.filter(purpose="duplicate review").count() == 2


def test_a_viewer_sees_the_pair_without_the_decision_buttons(pairs):
    _first, _second, _run, pair = pairs
    page = _page(
        client_for(make_user("programme_officer")),
        reverse("dedup:pair_detail", args=[pair.public_id]),
    )
    assert "confirm-form" not in page and "reject-form" not in page


def test_pages_are_right_to_left_and_translated_in_arabic(pairs):
    _first, _second, run, pair = pairs
    user = make_user("administrator", preferred_language="ar")
    client = client_for(user)
    for url in (
        reverse("dedup:pair_list"),
        reverse("dedup:pair_detail", args=[pair.public_id]),
        reverse("dedup:run_list"),
        reverse("dedup:run_detail", args=[run.public_id]),
        reverse("dedup:merge_list"),
        reverse("dedup:link_upload"),
        reverse("dedup:settings"),
    ):
        page = _page(client, url)
        assert 'lang="ar" dir="rtl"' in page and "bootstrap.rtl.min.css" in page


def test_confirming_on_the_page_merges_and_moves_to_the_next_pair(fake_engine, reviewer):
    first, second = family(), family()
    third, fourth = family(governorate=ERBIL), family(governorate=ERBIL)
    run_now(user=reviewer)
    pair = MatchPair.objects.filter(
        left_household__in=[first, second], right_household__in=[first, second]
    ).first()
    client = client_for(reviewer)
    page = _page(client, reverse("dedup:pair_detail", args=[pair.public_id]))
    assert 'data-testid="pair-skip"' in page
    response = client.post(
        reverse("dedup:pair_confirm", args=[pair.public_id]),
        {"survivor": str(second.public_id), "reason": "same card"},
    )
    assert response.status_code == 302
    merge = HouseholdMerge.objects.get()
    assert merge.survivor == second and merge.duplicate == first and merge.reason == "same card"
    following = MatchPair.objects.get(public_id=response.url.split("/")[-2])
    assert following.status == "pending"
    # The success message names the households.
    page = _page(client, response.url)
    assert first.registration_id in page and second.registration_id in page
    assert third and fourth


def test_rejecting_on_the_page_needs_a_reason(pairs, reviewer):
    _first, _second, _run, pair = pairs
    client = client_for(reviewer)
    url = reverse("dedup:pair_reject", args=[pair.public_id])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302 and response.url.endswith(
        reverse("dedup:pair_detail", args=[pair.public_id])
    )
    assert "Say why these are not the same people" in _page(client, response.url)
    assert not PairDecision.objects.exists()
    response = client.post(url, {"reason": "cousins"})
    assert response.status_code == 302 and response.url == reverse("dedup:pair_list")
    assert PairDecision.objects.count() == 3
    assert MatchPair.objects.filter(status="pending").count() == 0


def test_starting_a_run_from_the_page_shows_its_progress_and_result(
    fake_engine, reviewer, django_capture_on_commit_callbacks
):
    family(), family()
    client = client_for(reviewer)
    page = _page(client, reverse("dedup:run_list"))
    assert 'data-testid="run-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dedup:run_start"), {"programme": ""})
    run = DedupRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dedup:run_detail", args=[run.public_id]
    )
    page = _page(client, response.url)
    assert 'data-testid="run-pairs-new">3<' in page and 'data-testid="run-review"' in page
    assert run.get_kind_display() in _page(client, reverse("dedup:run_list"))


def test_a_committed_import_offers_to_find_its_duplicates(
    fake_engine, reviewer, django_capture_on_commit_callbacks
):
    batch = ImportBatch.objects.create(
        original_name="partner.xlsx",
        stored_file="x",
        file_format="template",
        status=ImportBatch.Status.COMMITTED,
        created_by=reviewer,
    )
    family()
    imported = family()
    Household.objects.filter(pk=imported.pk).update(import_batch=batch)
    client = client_for(reviewer)
    detail = _page(client, reverse("registry:import_detail", args=[batch.public_id]))
    assert reverse("dedup:batch_duplicates", args=[batch.public_id]) in detail
    panel = _page(client, reverse("dedup:batch_duplicates", args=[batch.public_id]))
    assert 'data-testid="batch-find-duplicates"' in panel
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dedup:batch_duplicates", args=[batch.public_id]))
    run = DedupRun.objects.get()
    assert run.kind == "batch" and run.import_batch == batch and run.pairs_new == 3
    assert response.url == reverse("dedup:run_detail", args=[run.public_id])
    assert "3 pairs to review" in _page(
        client, reverse("dedup:batch_duplicates", args=[batch.public_id])
    )


def test_the_household_page_notes_possible_duplicates_and_merges(pairs, reviewer):
    first, second, _run, pair = pairs
    client = client_for(reviewer)
    detail = _page(client, reverse("registry:household_detail", args=[first.public_id]))
    assert reverse("dedup:household_note", args=[first.public_id]) in detail
    note = _page(client, reverse("dedup:household_note", args=[first.public_id]))
    assert 'data-testid="duplicates-note"' in note and second.registration_id in note
    from sanad.dedup import services

    merge = services.pair_confirm(pair=pair, user=reviewer)
    kept, gone = merge.survivor, merge.duplicate
    assert 'data-testid="merged-into"' in _page(
        client, reverse("registry:household_detail", args=[gone.public_id])
    )
    assert 'data-testid="merged-from"' in _page(
        client, reverse("registry:household_detail", args=[kept.public_id])
    )
    note = _page(client, reverse("dedup:household_note", args=[kept.public_id]))
    assert 'data-testid="undo-form"' in note
    # A role that does not review duplicates is not offered the note, and gets it empty.
    enumerator = client_for(make_user("field_enumerator"))
    assert reverse("dedup:household_note", args=[kept.public_id]) not in _page(
        enumerator, reverse("registry:household_detail", args=[kept.public_id])
    )
    assert (
        _page(
            client_for(make_user("field_enumerator")),
            reverse("dedup:household_note", args=[kept.public_id]),
        )
        == ""
    )


def test_undoing_a_merge_from_the_merges_page(pairs, reviewer):
    _first, _second, _run, pair = pairs
    from sanad.dedup import services

    merge = services.pair_confirm(pair=pair, user=reviewer)
    client = client_for(reviewer)
    page = _page(client, reverse("dedup:merge_list"))
    assert 'data-testid="merge-undo"' in page
    url = reverse("dedup:merge_undo", args=[merge.public_id])
    assert client.post(url, {"reason": ""}).status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is None
    response = client.post(url, {"reason": "different families", "next": "https://evil.example/"})
    assert response.url == reverse("dedup:merge_list")
    merge.refresh_from_db()
    assert merge.undone_at is not None
    merge.duplicate.refresh_from_db()
    assert merge.duplicate.status == "active"


def test_administrators_set_thresholds_per_programme(fake_engine):
    from tests.factories import ProgrammeFactory

    ProgrammeFactory(code="NFI")
    client = client_for(make_user("administrator"))
    page = _page(client, reverse("dedup:settings"))
    assert "p-NFI-flag_threshold" in page and "p-general-flag_threshold" in page
    response = client.post(
        reverse("dedup:settings"),
        {"p-NFI-flag_threshold": "0.9", "p-NFI-review_threshold": "0.95"},
    )
    assert response.status_code == 400
    assert "cannot be higher than the flag threshold" in response.content.decode()
    response = client.post(
        reverse("dedup:settings"),
        {"p-NFI-flag_threshold": "0.9", "p-NFI-review_threshold": "0.6"},
    )
    assert response.status_code == 302
    row = DedupSettings.objects.get()
    assert (row.programme.code, row.flag_threshold, row.review_threshold) == ("NFI", 0.9, 0.6)


def test_linking_a_partner_list_to_the_registry(
    fake_engine, reviewer, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SANAD_IMPORTS_DIR = tmp_path / "imports"
    household = family()
    head = household.members.get(relationship="head")
    csv_text = (
        "record_id,given_name,family_name,sex,date_of_birth\n"
        "P-1,أحمد,الجبوري,male,1980-05-01\n"
        "P-2,Nobody,Else,female,1999-01-01\n"
    )
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dedup:link_upload"),
            {"file": SimpleUploadedFile("partner.csv", csv_text.encode())},
        )
    run = DedupRun.objects.get()
    assert response.status_code == 302 and run.kind == "link_registry" and run.status == "done"
    assert not (tmp_path / "imports" / "dedup" / str(run.public_id)).exists()
    page = _page(client, reverse("dedup:run_detail", args=[run.public_id]))
    assert "P-1" in page and household.registration_id in page and "P-2" not in page
    download = client.get(reverse("dedup:link_download", args=[run.public_id]))
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines()[0] == "record_id,registration_id,individual_id,match_probability,band"
    assert f"P-1,{household.registration_id},{head.public_id}," in body
    assert "أحمد" not in body
    assert PersonalDataAccess.objects.filter(
        action="export", purpose="partner list linking"
    ).exists()
    # Someone else (scoped to one governorate) does not see the result.
    other = client_for(make_user("im_officer", governorates=(DUHOK,)))
    assert other.get(reverse("dedup:link_download", args=[run.public_id])).status_code == 404


def test_a_list_without_record_ids_is_refused_on_the_form(
    fake_engine, reviewer, tmp_path, settings
):
    settings.SANAD_IMPORTS_DIR = tmp_path / "imports"
    client = client_for(reviewer)
    response = client.post(
        reverse("dedup:link_upload"),
        {"file": SimpleUploadedFile("partner.csv", b"name,dob\nA,1990\n")},
    )
    assert response.status_code == 400 and "record_id" in response.content.decode()
    response = client.post(
        reverse("dedup:link_upload"),
        {"file": SimpleUploadedFile("partner.xlsx", b"x")},
    )
    assert response.status_code == 400 and "CSV" in response.content.decode()
    assert not DedupRun.objects.exists()
    assert not list((tmp_path / "imports").rglob("*.csv"))


def test_linking_two_partner_lists(
    fake_engine, reviewer, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SANAD_IMPORTS_DIR = tmp_path / "imports"
    one = "record_id,given_name,sex,date_of_birth\nA1,Ali,male,1990-02-02\nA2,Sara,female,1991-03-03\n"
    two = "record_id,given_name,sex,date_of_birth\nB1,Ali,male,1990-02-02\n"
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dedup:link_upload"),
            {
                "file": SimpleUploadedFile("one.csv", one.encode()),
                "second_file": SimpleUploadedFile("two.csv", two.encode()),
            },
        )
    run = DedupRun.objects.get()
    assert run.kind == "link_files" and run.pairs_found == 1
    body = b"".join(
        client.get(reverse("dedup:link_download", args=[run.public_id])).streaming_content
    ).decode()
    assert body.splitlines() == [
        "record_id_l,record_id_r,match_probability,band",
        "A1,B1,0.9900,flagged",
    ]


def test_the_registry_menu_has_a_duplicates_entry_for_reviewers(reviewer):
    page = _page(client_for(reviewer), reverse("web:dashboard"))
    assert reverse("dedup:pair_list") in page
    page = _page(client_for(make_user("hotline_operator")), reverse("web:dashboard"))
    assert reverse("dedup:pair_list") not in page
