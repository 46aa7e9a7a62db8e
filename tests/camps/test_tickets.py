"""Maintenance tickets: raising, numbering and due times, the workflow with its
two-person check, photos (checked and stripped of EXIF), and tickets from residents'
feedback cases — never from a case the user may not see."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from PIL import Image

from sanad.camps.models import Asset, Condition, Site, Ticket, TicketPhoto
from sanad.camps.services import ticket_photos
from sanad.camps.services import tickets as services
from sanad.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sanad.geo.models import Place
from tests.camps.factories import make_site
from tests.camps.tickets_factories import (  # noqa: F401  (photo_dir: autouse fixture)
    assigned_ticket,
    done_ticket,
    jpeg_bytes,
    make_asset,
    photo,
    photo_dir,
    png_bytes,
    raise_ticket,
)
from tests.factories import DUHOK, ERBIL, make_user
from tests.feedback.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return make_site(name="Domiz 1")


@pytest.fixture
def manager():
    return make_user("camp_manager", governorates=(DUHOK,))


@pytest.fixture
def worker():
    return make_user("maintenance_team", governorates=(DUHOK,))


# --- raising ------------------------------------------------------------------------------


def test_a_raised_ticket_is_numbered_by_year_and_due_by_its_priority(manager, site):
    before = timezone.now()
    urgent = raise_ticket(manager, site, priority="urgent")
    normal = raise_ticket(manager, site)
    year = timezone.localdate().year
    assert urgent.number == f"CM-{year}-000001"
    assert normal.number == f"CM-{year}-000002"
    assert urgent.status == "new" and urgent.source == "staff"
    assert before + datetime.timedelta(hours=24) <= urgent.due_at
    assert urgent.due_at <= timezone.now() + datetime.timedelta(hours=24)
    assert normal.due_at - normal.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )


def test_each_priority_has_its_own_delay():
    t0 = timezone.now()
    assert services.due_at_for("urgent", t0) - t0 == datetime.timedelta(hours=24)
    assert services.due_at_for("high", t0) - t0 == datetime.timedelta(days=3)
    assert services.due_at_for("normal", t0) - t0 == datetime.timedelta(days=7)
    assert services.due_at_for("low", t0) - t0 == datetime.timedelta(days=30)


def test_a_ticket_on_an_asset_takes_its_category_and_records_its_condition(manager, site):
    tap = make_asset(site, kind=Asset.Kind.LATRINE)
    ticket = services.ticket_raise(
        user=manager,
        site=site,
        asset=tap,
        data={"title": "Door broken", "asset_condition": Condition.BROKEN},
    )
    tap.refresh_from_db()
    assert ticket.category == "sanitation"
    assert tap.condition == Condition.BROKEN


def test_an_asset_of_another_site_is_refused(manager, site):
    other = make_asset(make_site())
    with pytest.raises(ValidationFailed) as exc:
        raise_ticket(manager, site, asset=other)
    assert exc.value.code == "asset_other_site"


def test_a_ticket_needs_to_say_what_is_wrong(manager, site):
    with pytest.raises(ValidationFailed) as exc:
        raise_ticket(manager, site, title="  ")
    assert "title" in exc.value.fields


def test_a_site_outside_the_users_governorates_is_not_found(manager):
    erbil = make_site(governorate=ERBIL)
    with pytest.raises(NotFound):
        raise_ticket(manager, erbil)


def test_a_role_without_raise_ticket_cannot_raise(worker, site):
    with pytest.raises(PermissionDenied):
        raise_ticket(worker, site)


def test_an_enumerator_raises_tickets_in_their_governorate(site):
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    assert raise_ticket(enumerator, site).created_by == enumerator


# --- photos -------------------------------------------------------------------------------


def test_a_problem_photo_is_stored_outside_public_media_without_its_exif(manager, site, settings):
    folder = settings.SANAD_CAMPS_PHOTO_DIR
    ticket = raise_ticket(manager, site, photos=[photo()])
    stored = ticket.photos.get()
    assert stored.stage == "problem" and stored.content_type == "image/jpeg"
    assert stored.path.startswith(f"{ticket.public_id}/") and stored.path.endswith(".jpg")
    path = folder / stored.path
    assert path.is_file()
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no camera, no GPS
    assert b"PhoneMaker" not in path.read_bytes()


def test_a_photo_is_recognised_by_its_content_not_its_name(manager, site):
    png_named_jpg = photo("photo.jpg", png_bytes(), "image/jpeg")
    ticket = raise_ticket(manager, site, photos=[png_named_jpg])
    assert ticket.photos.get().content_type == "image/png"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7 not a photo", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"\xff\xd8\xffgarbage"],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(
    manager, site, settings, content
):
    folder = settings.SANAD_CAMPS_PHOTO_DIR
    with pytest.raises(ValidationFailed) as exc:
        raise_ticket(manager, site, photos=[photo("x.jpg", content)])
    assert exc.value.code in ("photo_not_image", "photo_unreadable")
    assert not Ticket.objects.exists()
    assert not folder.exists() or not any(folder.rglob("*.*"))


def test_a_photo_over_8_mb_is_refused(manager, site):
    big = photo("big.jpg", jpeg_bytes() + b"\0" * (8 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        raise_ticket(manager, site, photos=[big])
    assert exc.value.code == "photo_too_large"


def test_a_stored_path_cannot_leave_the_photo_folder():
    with pytest.raises(ValueError):
        ticket_photos.absolute("../../etc/passwd")


# --- the workflow -------------------------------------------------------------------------


def test_triage_changes_the_priority_and_the_due_time_follows(manager, site):
    ticket = raise_ticket(manager, site)
    ticket = services.ticket_triage(
        user=manager, ticket=ticket, priority="urgent", category="water"
    )
    ticket.refresh_from_db()
    assert ticket.status == "triaged"
    assert ticket.due_at == ticket.created_at + datetime.timedelta(hours=24)
    services.ticket_triage(user=manager, ticket=ticket, priority="low", category="water")
    ticket.refresh_from_db()
    assert ticket.status == "triaged"
    assert ticket.due_at == ticket.created_at + datetime.timedelta(days=30)


def test_only_managers_triage(site, manager):
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    ticket = raise_ticket(enumerator, site)
    with pytest.raises(PermissionDenied):
        services.ticket_triage(user=enumerator, ticket=ticket, priority="high", category="water")


def test_assigning_needs_someone_and_the_person_must_be_able_to_work_there(manager, site):
    ticket = raise_ticket(manager, site)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_assign(user=manager, ticket=ticket)
    assert exc.value.code == "nobody"
    erbil_worker = make_user("maintenance_team", governorates=(ERBIL,))
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_assign(user=manager, ticket=ticket, assignee=erbil_worker)
    assert exc.value.code == "assignee_cannot_work"


def test_a_new_ticket_assigned_is_triaged_on_the_way(manager, worker, site):
    ticket = services.ticket_assign(
        user=manager, ticket=raise_ticket(manager, site), assignee=worker, team="Water team"
    )
    assert ticket.status == "assigned" and ticket.assignee == worker
    steps = [t.to_state for t in Ticket.STATUS_MACHINE.history(ticket).order_by("id")]
    assert steps == ["triaged", "assigned"]
    assert worker in services.assignable_users(ticket=ticket)


def test_recording_work_needs_a_photo_of_the_work(manager, worker, site):
    ticket = assigned_ticket(manager, site)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_record_work(user=worker, ticket=ticket, work_done="Fixed", photos=[])
    assert exc.value.code == "work_photo_required"
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_record_work(user=worker, ticket=ticket, work_done=" ", photos=[photo()])
    assert exc.value.code == "work_done_required"


def test_the_team_records_the_work_with_photos_and_the_ticket_awaits_verification(
    manager, worker, site
):
    ticket = assigned_ticket(manager, site)
    ticket = services.ticket_record_work(
        user=worker, ticket=ticket, work_done="Replaced the washer.", photos=[photo(), photo()]
    )
    assert ticket.status == "done" and ticket.done_at is not None
    assert ticket.photos.filter(stage=TicketPhoto.Stage.WORK_DONE).count() == 2
    assert services.work_recorded_by(ticket) == worker


def test_someone_else_than_the_assignee_cannot_record_the_work(manager, worker, site):
    ticket = assigned_ticket(manager, site, assignee=worker)
    colleague = make_user("maintenance_team", governorates=(DUHOK,))
    with pytest.raises(PermissionDenied) as exc:
        services.ticket_record_work(
            user=colleague, ticket=ticket, work_done="Fixed", photos=[photo()]
        )
    assert exc.value.code == "not_the_assignee"
    # ... but a manager may (the team lead types it in for them)
    services.ticket_record_work(user=manager, ticket=ticket, work_done="Fixed", photos=[photo()])


def test_a_team_out_of_the_governorate_does_not_find_the_ticket(manager, site):
    ticket = assigned_ticket(manager, site)
    erbil_worker = make_user("maintenance_team", governorates=(ERBIL,))
    with pytest.raises(NotFound):
        services.ticket_record_work(
            user=erbil_worker, ticket=ticket, work_done="Fixed", photos=[photo()]
        )


def test_work_cannot_be_recorded_before_the_ticket_is_assigned(manager, worker, site):
    ticket = raise_ticket(manager, site)
    with pytest.raises(InvalidTransition):
        services.ticket_record_work(user=worker, ticket=ticket, work_done="x", photos=[photo()])


def test_verification_is_a_second_persons_job(manager, site):
    ticket = done_ticket(manager, manager, site)
    with pytest.raises(PermissionDenied) as exc:
        services.ticket_verify(user=manager, ticket=ticket)
    assert exc.value.code == "same_person"
    ticket.refresh_from_db()
    assert ticket.status == "done"


def test_verifying_closes_the_ticket_and_the_asset_is_good_again(manager, worker, site):
    tap = make_asset(site, condition=Condition.BROKEN)
    ticket = done_ticket(manager, worker, site, asset=tap)
    ticket = services.ticket_verify(user=manager, ticket=ticket)
    tap.refresh_from_db()
    assert ticket.status == "verified" and ticket.verified_by == manager
    assert tap.condition == Condition.GOOD


def test_the_maintenance_team_cannot_verify_its_own_work(manager, worker, site):
    ticket = done_ticket(manager, worker, site)
    with pytest.raises(PermissionDenied):
        services.ticket_verify(user=worker, ticket=ticket)


def test_work_sent_back_returns_to_the_team_with_the_reason(manager, worker, site):
    ticket = done_ticket(manager, worker, site)
    with pytest.raises(ValidationFailed):
        services.ticket_send_back(user=manager, ticket=ticket, reason="")
    ticket = services.ticket_send_back(user=manager, ticket=ticket, reason="Still leaking")
    assert ticket.status == "assigned"
    last = Ticket.STATUS_MACHINE.history(ticket).order_by("-id").first()
    assert last.reason == "Still leaking"
    services.ticket_record_work(user=worker, ticket=ticket, work_done="New tap", photos=[photo()])


def test_rejecting_needs_a_reason_and_is_only_for_tickets_not_yet_assigned(manager, site):
    ticket = raise_ticket(manager, site)
    with pytest.raises(ValidationFailed):
        services.ticket_reject(user=manager, ticket=ticket, reason=" ")
    assert services.ticket_reject(user=manager, ticket=ticket, reason="Duplicate").status == (
        "rejected"
    )
    assigned = assigned_ticket(manager, site)
    with pytest.raises(InvalidTransition):
        services.ticket_reject(user=manager, ticket=assigned, reason="No")


# --- from a residents' feedback case ------------------------------------------------------


@pytest.fixture
def camp_site() -> Site:
    return make_site(name="Khanke", kind=Place.Kind.FORMAL_CAMP)


def test_a_complaint_becomes_a_ticket_on_the_site_of_the_case(manager, camp_site):
    case = make_case(
        category="complaint_assistance",
        place=camp_site.place,
        description="Amina, tent 12: no water since Monday.",
    )
    ticket = services.ticket_from_case(user=manager, case_public_id=case.public_id)
    assert ticket.site == camp_site and ticket.source == "feedback"
    assert ticket.case_public_id == case.public_id and ticket.case_reference == case.reference
    assert case.reference in ticket.title
    assert "Amina" not in ticket.title + ticket.description  # not copied unless confirmed
    note = case.notes.get()
    assert ticket.number in note.text


def test_the_case_description_is_copied_only_when_the_user_confirms(manager, camp_site):
    case = make_case(place=camp_site.place, description="No water in block C.")
    ticket = services.ticket_from_case(
        user=manager,
        case_public_id=case.public_id,
        data={"copy_description": True, "title": "No water in block C"},
    )
    assert ticket.description == "No water in block C." and ticket.title == "No water in block C"


def test_one_ticket_per_case_the_second_attempt_names_the_first(manager, camp_site):
    case = make_case(place=camp_site.place)
    first = services.ticket_from_case(user=manager, case_public_id=case.public_id)
    with pytest.raises(Conflict) as exc:
        services.ticket_from_case(user=manager, case_public_id=case.public_id)
    assert exc.value.code == "case_has_ticket"
    assert first.number in str(exc.value.message)
    assert exc.value.params["public_id"] == str(first.public_id)


def test_a_case_without_a_known_site_asks_for_the_site(manager, camp_site):
    case = make_case()
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_from_case(user=manager, case_public_id=case.public_id)
    assert exc.value.code == "site_required"
    ticket = services.ticket_from_case(user=manager, case_public_id=case.public_id, site=camp_site)
    assert ticket.site == camp_site


def test_an_abuse_report_never_becomes_a_ticket_for_someone_who_cannot_see_it(manager, camp_site):
    report = make_case(category="sea", place=camp_site.place, description="Report of abuse")
    assert report.sensitivity == "psea"
    with pytest.raises(NotFound):
        services.ticket_from_case(user=manager, case_public_id=report.public_id)
    conduct = make_case(category="complaint_conduct", place=camp_site.place)
    with pytest.raises(NotFound):
        services.ticket_from_case(user=manager, case_public_id=conduct.public_id)
    assert not Ticket.objects.exists()
    assert not report.notes.exists()


def test_a_psea_focal_point_who_sees_the_report_still_cannot_raise_tickets(camp_site):
    focal = make_user("psea_focal_point", governorates=(DUHOK,))
    report = make_case(category="sea", place=camp_site.place)
    with pytest.raises(PermissionDenied):
        services.ticket_from_case(user=focal, case_public_id=report.public_id)


def test_a_case_outside_the_users_scope_is_not_found(manager):
    erbil_site = make_site(governorate=ERBIL)
    case = make_case(governorate=ERBIL, place=erbil_site.place)
    with pytest.raises(NotFound):
        services.ticket_from_case(user=manager, case_public_id=case.public_id)


def test_a_hotline_operator_raises_from_a_case_without_writing_on_it(camp_site):
    operator = make_user("hotline_operator", governorates=(DUHOK,))
    case = make_case(place=camp_site.place)
    ticket = services.ticket_from_case(user=operator, case_public_id=case.public_id)
    assert ticket.case_reference == case.reference


# --- demo ---------------------------------------------------------------------------------


def test_the_demo_seeds_assets_schedules_and_tickets_in_every_state(camp_site):
    from sanad.camps import demo_tickets

    sites = {"DHK-DMZ1": make_site(code="DHK-DMZ1", name="Domiz 1"), "DHK-KHN": camp_site}
    users = {
        "camp.manager": make_user("camp_manager", governorates=(DUHOK,)),
        "maintenance": make_user("maintenance_team", governorates=(DUHOK,)),
        "admin": make_user("administrator"),
    }
    case = make_case(place=sites["DHK-DMZ1"].place)
    counts = demo_tickets.seed(sites=sites, users=users, today=timezone.localdate())
    assert counts["assets"] > 40 and counts["schedules"] == 8 and counts["tickets"] > 15
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"new", "assigned", "done", "verified", "rejected"} <= statuses
    assert Ticket.objects.filter(source="preventive").exists()
    assert Ticket.objects.filter(case_public_id=case.public_id).exists()
    assert TicketPhoto.objects.filter(stage="work_done").exists()
    for ticket in Ticket.objects.filter(status="verified"):
        assert ticket.verified_by != services.work_recorded_by(ticket)
    assert demo_tickets.seed(sites=sites, users=users, today=timezone.localdate())["tickets"] == 0
