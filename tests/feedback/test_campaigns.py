"""Campaigns: writing one, sending it now or at a time, queuing its messages (each
contact in their language, once), following its delivery, cancelling it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sanad.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sanad.core.models import Job
from sanad.feedback.models import Campaign, Contact, Message
from sanad.feedback.services.campaigns import (
    campaign_cancel,
    campaign_queue,
    campaign_report,
    campaign_schedule,
    campaign_send_now,
    campaign_update,
    campaigns_due_start,
)
from sanad.feedback.services.contacts import contact_opt_out
from sanad.feedback.services.outbox import outbox_process
from tests.factories import DUHOK, ERBIL, ProgrammeFactory, make_user
from tests.feedback.comms_factories import household_with_phone, make_campaign, sms_channel
from tests.feedback.factories import make_contact

pytestmark = pytest.mark.django_db
STATUS = Campaign.Status


def manager(**kwargs: object) -> object:
    return make_user("feedback_manager", governorates=(DUHOK,), **kwargs)


def send(campaign: Campaign, user: object, capture: object) -> Campaign:
    with capture(execute=True):  # type: ignore[operator]
        campaign_send_now(user=user, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_sending_a_campaign_queues_one_message_per_reachable_person_in_their_language(
    django_capture_on_commit_callbacks,
):
    arabic = household_with_phone(language="ar")
    sorani = household_with_phone(language="ckb")
    badini = household_with_phone(language="kmr")
    household_with_phone(consent=False)
    household_with_phone(governorate=ERBIL)  # outside the manager's governorates
    user = manager()
    campaign = send(make_campaign(user), user, django_capture_on_commit_callbacks)

    assert campaign.status == STATUS.SENDING
    assert campaign.job is not None and campaign.job.status == Job.Status.SUCCEEDED
    texts = dict(
        Message.objects.filter(campaign=campaign).values_list("contact__household", "text")
    )
    assert texts == {
        arabic.pk: campaign.text_ar,
        sorani.pk: campaign.text_ckb,
        badini.pk: campaign.text_ckb,  # Badini falls back to Sorani
    }
    assert set(Message.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        "queued"
    }
    assert campaign.queued_count == 3 and campaign.audience_count == 4
    assert campaign.skipped == {"no_phone": 0, "opted_out": 0, "no_consent": 1, "no_text": 0}


def test_queuing_a_campaign_again_never_sends_anyone_a_second_message(
    django_capture_on_commit_callbacks,
):
    household_with_phone()
    make_contact(consent_given=True)
    user = manager()
    campaign = send(
        make_campaign(
            user, audience={"governorates": [DUHOK], "include_contacts_outside_registry": True}
        ),
        user,
        django_capture_on_commit_callbacks,
    )
    assert Message.objects.filter(campaign=campaign).count() == 2
    result = campaign_queue(campaign=campaign)
    assert result["queued"] == 2
    assert Message.objects.filter(campaign=campaign).count() == 2


def test_opted_out_people_are_skipped_and_counted(django_capture_on_commit_callbacks):
    contact = make_contact(consent_given=True)
    contact_opt_out(contact=contact, via="sms")
    make_contact(consent_given=True)
    user = manager()
    campaign = send(
        make_campaign(user, audience={"include_contacts_outside_registry": True}),
        user,
        django_capture_on_commit_callbacks,
    )
    assert campaign.queued_count == 1
    assert campaign.skipped["opted_out"] == 1


def test_the_report_follows_delivery_and_the_campaign_ends_when_all_is_sent(
    django_capture_on_commit_callbacks,
):
    household_with_phone(language="ar")
    household_with_phone(language="ckb")
    user = manager()
    campaign = send(make_campaign(user), user, django_capture_on_commit_callbacks)
    report = campaign_report(campaign)
    assert report["queued"] == 2 and report["sent"] == 0 and not report["finished"]

    outbox_process(channel=campaign.channel)
    reply_to = Message.objects.filter(campaign=campaign).first()
    assert reply_to is not None
    Message.objects.create(
        contact=reply_to.contact,
        channel=campaign.channel,
        direction="in",
        text="شكرا",
        language="ar",
        status="received",
        campaign=campaign,
    )
    report = campaign_report(campaign)
    campaign.refresh_from_db()
    assert campaign.status == STATUS.DONE and campaign.completed_at is not None
    assert report["delivered"] == 2 and report["sent"] == 2 and report["queued"] == 0
    assert report["replies"] == 1
    by_language = {row["code"]: row for row in report["by_language"]}
    assert by_language["ckb"]["delivered"] == 1 and by_language["ar"]["replies"] == 1


def test_cancelling_a_campaign_cancels_the_messages_still_waiting(
    django_capture_on_commit_callbacks,
):
    household_with_phone()
    user = manager()
    campaign = send(make_campaign(user), user, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationFailed):
        campaign_cancel(user=user, campaign=campaign, reason="")
    campaign = campaign_cancel(user=user, campaign=campaign, reason="Wrong date in the text")
    assert campaign.status == STATUS.CANCELLED
    assert list(Message.objects.filter(campaign=campaign).values_list("status", flat=True)) == [
        "cancelled"
    ]
    with pytest.raises(InvalidTransition):
        campaign_cancel(user=user, campaign=campaign, reason="again")


def test_a_campaign_is_scheduled_only_in_the_future_and_starts_when_due(
    django_capture_on_commit_callbacks,
):
    household_with_phone()
    user = manager()
    campaign = make_campaign(user)
    with pytest.raises(ValidationFailed):
        campaign_schedule(
            user=user, campaign=campaign, send_at=timezone.now() - datetime.timedelta(hours=1)
        )
    send_at = timezone.now() + datetime.timedelta(hours=2)
    campaign = campaign_schedule(user=user, campaign=campaign, send_at=send_at)
    assert campaign.status == STATUS.SCHEDULED
    assert campaigns_due_start() == 0
    with django_capture_on_commit_callbacks(execute=True):
        started = campaigns_due_start(now=send_at + datetime.timedelta(minutes=1))
    assert started == 1
    campaign.refresh_from_db()
    assert campaign.status == STATUS.SENDING
    assert Message.objects.filter(campaign=campaign).count() == 1
    assert campaigns_due_start(now=send_at + datetime.timedelta(minutes=2)) == 0


def test_a_campaign_without_any_text_cannot_be_sent():
    user = manager()
    campaign = make_campaign(user, text_ar="", text_ckb="", text_en="")
    with pytest.raises(ValidationFailed) as exc:
        campaign_send_now(user=user, campaign=campaign)
    assert exc.value.code == "no_text"


def test_a_campaign_is_changed_only_before_it_is_sent(django_capture_on_commit_callbacks):
    user = manager()
    campaign = make_campaign(user)
    campaign = campaign_update(user=user, campaign=campaign, data={"name": "Renamed"})
    assert campaign.name == "Renamed"
    campaign = send(campaign, user, django_capture_on_commit_callbacks)
    from sanad.core.errors import Conflict

    with pytest.raises(Conflict):
        campaign_update(user=user, campaign=campaign, data={"name": "Again"})


def test_only_campaign_managers_of_its_programme_change_a_campaign():
    user = manager()
    campaign = make_campaign(user)
    shelter = make_user("feedback_manager", governorates=(DUHOK,), programmes=("SHELTER",))
    ProgrammeFactory(code="SHELTER")
    with pytest.raises(PermissionDenied):
        campaign_send_now(user=shelter, campaign=campaign)
    with pytest.raises(PermissionDenied):
        campaign_update(user=make_user("hotline_operator"), campaign=campaign, data={})


def test_a_queuing_that_fails_puts_the_campaign_back_to_draft(django_capture_on_commit_callbacks):
    user = manager()
    campaign = make_campaign(
        user, audience={"beneficiary_list": "00000000-0000-0000-0000-000000000000"}
    )
    campaign = send(campaign, user, django_capture_on_commit_callbacks)
    assert campaign.status == STATUS.DRAFT
    assert campaign.job is not None and campaign.job.status == Job.Status.FAILED


def test_queuing_costs_a_few_queries_per_thousands_of_messages():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    governorate = make_contact().governorate
    Contact.objects.bulk_create(
        Contact(
            phone=f"+96477{n:08d}",
            language=("ar", "ckb", "kmr")[n % 3],
            governorate=governorate,
            source=Contact.Source.STAFF,
            consent_given=True,
        )
        for n in range(3000)
    )
    user = manager()
    campaign = make_campaign(user, audience={"include_contacts_outside_registry": True})
    Campaign.objects.filter(pk=campaign.pk).update(status=STATUS.QUEUING)
    campaign.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        result = campaign_queue(campaign=campaign)
    # Messages go in by bulk inserts (as many rows each as the database takes); besides
    # them, a handful of queries per batch of 2,000 contacts, never one per message.
    others = [q for q in queries.captured_queries if not q["sql"].startswith("INSERT")]
    assert len(others) <= 40
    assert result["queued"] == 3001
    assert Message.objects.filter(campaign=campaign, status="queued").count() == 3001
    assert sms_channel() == campaign.channel
