"""Contacts: who may receive messages, adding a contact, opting out and back in, and the
contacts of registry households made in bulk."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.feedback.models import Contact, Message
from sanad.feedback.services.contacts import (
    contact_create,
    contact_may_receive,
    contact_opt_in,
    contact_opt_out,
    contacts_from_households,
)
from sanad.registry.models import Consent, Household
from tests.factories import DUHOK, ERBIL, make_user, unit
from tests.feedback.comms_factories import household_with_phone, make_campaign, sms_channel
from tests.feedback.factories import make_contact

pytestmark = pytest.mark.django_db


def manager(**kwargs: object) -> object:
    return make_user("feedback_manager", governorates=(DUHOK,), **kwargs)


# --- may we send? ------------------------------------------------------------------------
def test_a_contact_outside_the_registry_receives_messages_only_with_its_own_consent():
    assert contact_may_receive(make_contact(consent_given=True)) == (True, "")
    assert contact_may_receive(make_contact(consent_given=False)) == (False, "no_consent")


def test_an_opted_out_contact_receives_nothing_whatever_its_consent():
    contact = make_contact(consent_given=True)
    contact_opt_out(contact=contact, via="sms")
    assert contact_may_receive(contact) == (False, "opted_out")


def test_a_registry_contact_follows_the_households_consent_for_communication():
    household = household_with_phone()
    contacts_from_households(Household.objects.filter(pk=household.pk))
    contact = Contact.objects.get(household=household)
    assert contact_may_receive(contact) == (True, "")
    Consent.objects.filter(household=household).update(withdrawn_on=datetime.date.today())
    assert contact_may_receive(contact) == (False, "no_consent")


def test_a_registry_contact_without_a_consent_for_communication_receives_nothing():
    household = household_with_phone(consent=False)
    contacts_from_households(Household.objects.filter(pk=household.pk))
    contact = Contact.objects.get(household=household)
    # Its own consent_given is not what counts for a registry household.
    Contact.objects.filter(pk=contact.pk).update(consent_given=True)
    contact.refresh_from_db()
    assert contact_may_receive(contact) == (False, "no_consent")


# --- adding a contact ------------------------------------------------------------------------
def test_staff_add_a_contact_with_its_number_normalised_and_its_consent():
    contact = contact_create(
        user=manager(),
        data={
            "phone": "0750 123 4567",
            "name": "Layla",
            "language": "ckb",
            "governorate": unit(DUHOK),
            "consent_given": True,
        },
    )
    assert contact.phone == "+9647501234567"
    assert contact.source == Contact.Source.STAFF
    assert contact.consent_given and contact.consent_recorded_on == datetime.date.today()


def test_a_number_is_a_contact_only_once_and_must_be_an_iraqi_mobile():
    user = manager()
    contact_create(user=user, data={"phone": "07501234567", "governorate": unit(DUHOK)})
    with pytest.raises(ValidationFailed) as exc:
        contact_create(user=user, data={"phone": "+964 750 123 4567", "governorate": unit(DUHOK)})
    assert "phone" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        contact_create(user=user, data={"phone": "12345", "governorate": unit(DUHOK)})
    assert exc.value.code == "bad_phone"


def test_staff_add_contacts_only_in_their_governorates_and_with_the_permission():
    with pytest.raises(ValidationFailed) as exc:
        contact_create(user=manager(), data={"phone": "07501234567", "governorate": unit(ERBIL)})
    assert exc.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied):
        contact_create(
            user=make_user("me_viewer"),
            data={"phone": "07501234567", "governorate": unit(DUHOK)},
        )


# --- opting out and back in ----------------------------------------------------------------
def test_opting_out_cancels_the_campaign_messages_still_waiting():
    user = manager()
    contact = make_contact()
    campaign = make_campaign(user, audience={"include_contacts_outside_registry": True})
    waiting = Message.objects.create(
        contact=contact,
        channel=sms_channel(),
        direction="out",
        text="hello",
        status="queued",
        campaign=campaign,
    )
    contact_opt_out(contact=contact, via="staff", user=user)
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    assert contact.opted_out_at is not None and contact.opted_out_via == "staff"


def test_opting_back_in_records_the_day_of_the_new_consent():
    user = manager()
    contact = make_contact(consent_given=False)
    contact_opt_out(contact=contact, via="sms")
    day = datetime.date(2026, 11, 1)
    contact_opt_in(contact=contact, user=user, consent_recorded_on=day)
    contact.refresh_from_db()
    assert contact.opted_out_at is None
    assert contact.consent_given and contact.consent_recorded_on == day
    assert contact_may_receive(contact) == (True, "")


def test_only_staff_who_manage_contacts_in_scope_opt_someone_out():
    contact = make_contact(governorate=ERBIL)
    with pytest.raises(PermissionDenied):
        contact_opt_out(contact=contact, via="staff", user=manager())


# --- contacts of registry households -----------------------------------------------------------
def test_households_become_contacts_in_their_heads_language_once():
    kurdish = household_with_phone(language="ckb")
    arabic = household_with_phone(language="ar")
    no_phone = household_with_phone()
    no_phone.phones.all().delete()
    households = Household.objects.filter(pk__in=[kurdish.pk, arabic.pk, no_phone.pk])
    assert contacts_from_households(households) == (2, 0)
    contact = Contact.objects.get(household=kurdish)
    assert contact.language == "ckb"
    assert contact.source == Contact.Source.REGISTRY
    assert contact.governorate_id == kurdish.governorate_id
    assert contact.individual is not None and contact.name
    # Running again changes nothing.
    assert contacts_from_households(households) == (0, 0)
    assert Contact.objects.count() == 2


def test_updating_household_contacts_keeps_their_opt_out():
    household = household_with_phone()
    contacts_from_households(Household.objects.filter(pk=household.pk))
    contact = Contact.objects.get(household=household)
    contact_opt_out(contact=contact, via="sms")
    Contact.objects.filter(pk=contact.pk).update(place=None, governorate=None)
    assert contacts_from_households(Household.objects.filter(pk=household.pk)) == (0, 1)
    contact.refresh_from_db()
    assert contact.opted_out_at is not None
    assert contact.governorate_id == household.governorate_id


def test_a_phone_that_wrote_to_us_is_linked_to_its_household():
    household = household_with_phone(phone="07509998877")
    walk_in = make_contact(phone="+9647509998877", source=Contact.Source.INBOUND)
    assert contacts_from_households(Household.objects.filter(pk=household.pk)) == (0, 1)
    walk_in.refresh_from_db()
    assert walk_in.household_id == household.pk
