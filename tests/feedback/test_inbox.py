"""The two-way inbox: threads by contact, reading a thread, answering, and turning a
message into a case; messages of cases a user may not know of stay hidden."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanad.core.models import PersonalDataAccess
from sanad.feedback.models import Contact, Message
from sanad.feedback.services.contacts import contact_opt_out
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.feedback.comms_factories import sms_channel
from tests.feedback.factories import make_case, make_contact, make_inbound

pytestmark = pytest.mark.django_db


def operator() -> object:
    return make_user("hotline_operator", governorates=(DUHOK,))


def wrote(contact: Contact, text: str = "When is the next distribution?") -> Message:
    message = make_inbound(contact, text, channel=sms_channel())
    Contact.objects.filter(pk=contact.pk).update(
        unread=contact.unread + 1, last_message_at=timezone.now()
    )
    contact.refresh_from_db()
    return message


def test_the_inbox_shows_threads_latest_first_with_their_unread_count():
    first = make_contact(name="Ahmed")
    wrote(first, "first")
    second = make_contact(name="Layla")
    wrote(second, "second")
    wrote(second, "again")
    page = client_for(operator()).get("/feedback/inbox/").content.decode()
    assert page.index("Layla") < page.index("Ahmed")
    assert 'data-testid="unread-count">2<' in page
    assert "again" in page


def test_the_inbox_shows_only_contacts_in_scope():
    wrote(make_contact(name="Duhok person"))
    wrote(make_contact(name="Erbil person", governorate=ERBIL))
    page = client_for(operator()).get("/feedback/inbox/").content.decode()
    assert "Duhok person" in page and "Erbil person" not in page


def test_opening_a_thread_marks_it_read_and_logs_the_access():
    contact = make_contact()
    message = wrote(contact)
    user = operator()
    response = client_for(user).get(f"/feedback/inbox/{contact.public_id}/")
    assert response.status_code == 200
    assert message.text in response.content.decode()
    contact.refresh_from_db()
    message.refresh_from_db()
    assert contact.unread == 0 and message.read_at is not None
    assert PersonalDataAccess.objects.filter(user=user).exists()


def test_a_thread_out_of_scope_is_not_found_and_without_the_permission_forbidden():
    erbil = make_contact(governorate=ERBIL)
    wrote(erbil)
    assert client_for(operator()).get(f"/feedback/inbox/{erbil.public_id}/").status_code == 404
    outsider = make_user("warehouse_officer")
    assert client_for(outsider).get("/feedback/inbox/").status_code == 403


def test_answering_queues_a_reply_to_their_message():
    contact = make_contact()
    message = wrote(contact)
    web = client_for(operator())
    response = web.post(f"/feedback/inbox/{contact.public_id}/", {"text": "Sunday at 9."})
    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert reply.text == "Sunday at 9." and reply.status == "queued"
    assert reply.reply_to_id == message.pk and reply.contact_id == contact.pk


def test_someone_who_opted_out_cannot_be_answered():
    contact = make_contact()
    wrote(contact)
    contact_opt_out(contact=contact, via="sms")
    response = client_for(operator()).post(
        f"/feedback/inbox/{contact.public_id}/", {"text": "Hello"}
    )
    assert response.status_code == 400
    assert "opted out" in response.content.decode()
    assert not Message.objects.filter(direction="out").exists()


def test_each_message_received_offers_to_make_a_case_once():
    contact = make_contact()
    fresh = wrote(contact, "The kit was incomplete")
    handled = wrote(contact, "Also the tent leaks")
    case = make_case(contact=contact)
    Message.objects.filter(pk=handled.pk).update(case=case)
    page = client_for(operator()).get(f"/feedback/inbox/{contact.public_id}/").content.decode()
    assert page.count('data-testid="make-case"') == 1
    assert f"?message={fresh.public_id}" in page
    assert case.reference in page


def test_messages_that_became_an_abuse_report_are_hidden_from_everyone_else():
    contact = make_contact()
    wrote(contact, "Ordinary question")
    secret = wrote(contact, "A staff member asked me for something in exchange")
    case = make_case(category="sea", contact=contact)
    Message.objects.filter(pk=secret.pk).update(case=case)
    inbox = client_for(operator()).get("/feedback/inbox/").content.decode()
    assert "in exchange" not in inbox
    # Two unread messages, but only the one the operator may see is counted.
    assert 'data-testid="unread-count">1<' in inbox
    page = client_for(operator()).get(f"/feedback/inbox/{contact.public_id}/").content.decode()
    assert "Ordinary question" in page
    assert "in exchange" not in page and case.reference not in page
    focal = make_user("psea_focal_point", governorates=(DUHOK,))
    # The focal point has no inbox permission; the restriction is on the messages themselves.
    from sanad.feedback.selectors.comms import thread_messages

    assert secret.pk in {m.pk for m in thread_messages(focal, contact)}
