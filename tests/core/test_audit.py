import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from sanad.accounts.models import User
from sanad.core.audit import MASK
from sanad.core.context import acting_as
from sanad.core.models import AuditEvent, PersonalDataAccess
from tests.conftest import client_for
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


def test_creating_and_changing_a_user_is_audited_with_personal_values_masked():
    admin = make_user("administrator")
    with acting_as(admin, source="web"):
        person = UserFactory(full_name="Zainab Ali", phone="+9647500000000")
        person.phone = "+9647511111111"
        person.position = "Enumerator"
        person.save()
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(person.pk)
    ).order_by("id")
    created, changed = events[0], events[len(events) - 1]
    assert created.action == "create" and created.actor == admin and created.source == "web"
    assert created.changes["full_name"] == [None, MASK]
    assert changed.action == "update"
    assert changed.changes["phone"] == [MASK, MASK]
    assert changed.changes["position"] == ["", "Enumerator"]
    assert "Zainab" not in str(list(events.values_list("changes", flat=True)))


def test_deleting_a_user_is_audited():
    person = UserFactory()
    pk = person.pk
    person.delete()
    assert AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(pk), action="delete"
    ).exists()


def test_a_change_through_the_web_records_the_signed_in_user_as_actor():
    admin = make_user("administrator")
    person = UserFactory()
    response = client_for(admin).post(
        reverse("accounts:user_set_active", args=[person.public_id]), {"active": "0"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(person.pk),
        action="update",
    ).latest("id")
    assert event.actor == admin and event.changes["is_active"] == [True, False] and event.request_id


def test_opening_a_persons_full_record_is_logged_with_who_and_why():
    admin = make_user("administrator")
    person = UserFactory()
    client_for(admin).get(reverse("accounts:user_detail", args=[person.public_id]))
    log = PersonalDataAccess.objects.get()
    assert (
        log.user == admin and log.object_public_id == str(person.public_id) and log.action == "view"
    )
    assert log.purpose


def test_the_audit_pages_are_for_administrators_only():
    assert client_for(make_user("administrator")).get(reverse("core:audit_list")).status_code == 200
    assert (
        client_for(make_user("administrator")).get(reverse("core:access_list")).status_code == 200
    )
    assert client_for(make_user("im_officer")).get(reverse("core:audit_list")).status_code == 403


def test_the_audit_list_shows_changes_and_filters_by_action():
    admin = make_user("administrator")
    UserFactory(username="someone")
    response = client_for(admin).get(reverse("core:audit_list"), {"action": "create"})
    assert response.status_code == 200
    assert all(e.action == "create" for e in response.context["object_list"])
    assert User.objects.count() >= 2


def test_changing_the_governorates_of_a_role_is_audited():
    from sanad.accounts.models import RoleAssignment
    from tests.factories import DUHOK, ERBIL, unit

    admin = make_user("administrator")
    with acting_as(admin, source="web"):
        person = make_user("field_enumerator", governorates=(DUHOK,))
        assignment = person.role_assignments.get()
        assignment.governorates.add(unit(ERBIL))
        assignment.governorates.remove(unit(DUHOK))
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(RoleAssignment), object_pk=str(assignment.pk)
    ).order_by("id")
    changes = [e.changes.get("governorates") for e in events if "governorates" in e.changes]
    assert changes == [
        [None, [str(unit(DUHOK).pk)]],
        [None, [str(unit(ERBIL).pk)]],
        [[str(unit(DUHOK).pk)], None],
    ]
    assert all(e.actor == admin for e in events)
