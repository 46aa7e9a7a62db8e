"""Distribution notices reach the expected households through the communication module,
in each contact's language, and never a household that opted out or gave no consent."""

from __future__ import annotations

import datetime

import pytest

from sanad.distribution import services as distribution
from sanad.feedback.models import Contact, Message
from sanad.registry.models import Consent, HouseholdPhone
from tests.distribution.factories import distribution_world
from tests.feedback.factories import make_channel

pytestmark = pytest.mark.django_db


def _phone(household, number, *, consent=True):
    HouseholdPhone.objects.create(household=household, number=number, is_primary=True)
    if consent:
        Consent.objects.update_or_create(
            household=household,
            purpose="communication",
            defaults={
                "legal_basis": "consent",
                "given": True,
                "recorded_on": datetime.date.today(),
            },
        )


def _create_event(w):
    distribution.plan_approve(user=w.officer, plan=w.plan)
    return distribution.event_create(user=w.officer, plan=w.plan, place=w.camp, date=w.today)


def test_a_new_distribution_event_queues_a_notice_to_each_reachable_household(
    django_capture_on_commit_callbacks,
):
    w = distribution_world(households=3)
    make_channel("log")
    _phone(w.households[0], "+9647501110001")
    _phone(w.households[1], "+9647501110002", consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        _create_event(w)
    out = Message.objects.filter(direction="out")
    assert [m.contact.phone for m in out] == ["+9647501110001"]
    assert w.camp.name_en in out[0].text or w.camp.name_ar in out[0].text
    # The household without consent has a contact now, but no message.
    assert Contact.objects.filter(phone="+9647501110002").exists()


def test_an_opted_out_household_gets_no_distribution_notice(django_capture_on_commit_callbacks):
    w = distribution_world(households=1)
    make_channel("log")
    _phone(w.households[0], "+9647501110003")
    Contact.objects.create(
        phone="+9647501110003",
        household=w.households[0],
        source="registry",
        opted_out_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _create_event(w)
    assert not Message.objects.filter(direction="out").exists()


def test_without_a_messaging_channel_an_event_is_created_and_nothing_is_sent(
    django_capture_on_commit_callbacks,
):
    w = distribution_world(households=1)
    _phone(w.households[0], "+9647501110004")
    with django_capture_on_commit_callbacks(execute=True):
        event = _create_event(w)
    assert event.pk and not Message.objects.exists()


def test_the_notice_is_in_the_contacts_language(django_capture_on_commit_callbacks):
    w = distribution_world(households=1)
    make_channel("log")
    _phone(w.households[0], "+9647501110005")
    Contact.objects.create(
        phone="+9647501110005",
        household=w.households[0],
        source="registry",
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _create_event(w)
    message = Message.objects.get(direction="out")
    assert message.text.startswith("Distribution on ")
