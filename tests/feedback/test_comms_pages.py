"""The pages of contacts, campaigns and community sessions: they open for those allowed,
write through the services, read right to left in Arabic and Kurdish, and stay a few
queries whatever the length of the list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from sanad.feedback.models import Campaign, CommunitySession, Contact, Message
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in
from tests.feedback.comms_factories import household_with_phone, make_campaign, sms_channel
from tests.feedback.factories import make_contact, make_inbound

pytestmark = pytest.mark.django_db


def manager() -> Any:
    return make_user("feedback_manager", governorates=(DUHOK,))


def in_language(user: Any, lang: str) -> Client:
    user.preferred_language = lang
    user.save(update_fields=["preferred_language"])
    return client_for(user)


# --- contacts -----------------------------------------------------------------------------
def test_staff_add_a_contact_from_the_page_and_find_it_by_its_number():
    web = client_for(manager())
    response = web.post(
        "/feedback/contacts/new/",
        {
            "phone": "0750 765 4321",
            "name": "Hana",
            "language": "ar",
            "governorate": Contact._meta.get_field("governorate")
            .related_model.objects.get(pcode=DUHOK)
            .pk,
            "consent_given": "on",
            "consent_recorded_on": "2026-11-01",
        },
    )
    contact = Contact.objects.get(phone="+9647507654321")
    assert response.status_code == 302 and response.url.endswith(f"{contact.public_id}/")
    found = web.get("/feedback/contacts/", {"q": "07507654321"}).content.decode()
    assert "Hana" in found
    assert "Hana" not in web.get("/feedback/contacts/", {"q": "0750 000 0000"}).content.decode()


def test_a_contact_form_with_a_bad_number_says_what_to_fix():
    response = client_for(manager()).post(
        "/feedback/contacts/new/", {"phone": "123", "language": "ar", "governorate": ""}
    )
    assert response.status_code == 400


def test_staff_opt_a_contact_out_and_back_in_from_its_page():
    contact = make_contact()
    web = client_for(manager())
    page = web.get(f"/feedback/contacts/{contact.public_id}/").content.decode()
    assert 'data-testid="contact-opt-out"' in page
    web.post(f"/feedback/contacts/{contact.public_id}/opt-out/")
    contact.refresh_from_db()
    assert contact.opted_out_at is not None and contact.opted_out_via == "staff"
    web.post(
        f"/feedback/contacts/{contact.public_id}/opt-in/", {"consent_recorded_on": "2026-11-24"}
    )
    contact.refresh_from_db()
    assert contact.opted_out_at is None


def test_a_registry_contact_links_to_its_household():
    from sanad.feedback.services.contacts import contacts_from_households
    from sanad.registry.models import Household

    household = household_with_phone()
    contacts_from_households(Household.objects.filter(pk=household.pk))
    contact = Contact.objects.get(household=household)
    page = client_for(manager()).get(f"/feedback/contacts/{contact.public_id}/").content.decode()
    assert 'data-testid="household-link"' in page and household.registration_id in page


def test_the_contact_and_inbox_lists_cost_the_same_few_queries_for_many_rows(
    django_assert_max_num_queries,
):
    for _ in range(30):
        contact = make_contact()
        make_inbound(contact, channel=sms_channel())
        Contact.objects.filter(pk=contact.pk).update(unread=1, last_message_at=contact.created_at)
    web = client_for(manager())
    with django_assert_max_num_queries(15):
        assert web.get("/feedback/contacts/").status_code == 200
    with django_assert_max_num_queries(15):
        assert web.get("/feedback/inbox/").status_code == 200


# --- campaigns ----------------------------------------------------------------------------
def campaign_form(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Camp safety week",
        "topic": "camp_safety",
        "channel": sms_channel().pk,
        "text_ar": "أسبوع السلامة في المخيم",
        "text_ckb": "هەفتەی سەلامەتی",
        "governorates": [DUHOK],
    }
    body.update(overrides)
    return body


def test_a_campaign_is_written_previewed_and_sent_from_its_pages(
    django_capture_on_commit_callbacks,
):
    household_with_phone(language="ckb")
    household_with_phone(consent=False)
    web = client_for(manager())
    assert web.get("/feedback/campaigns/new/").status_code == 200
    preview = web.get(
        "/feedback/campaigns/preview/",
        {"governorates": [DUHOK], "text_ckb": "x"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-testid="preview-reachable">1<' in preview

    response = web.post("/feedback/campaigns/new/", campaign_form())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.audience["governorates"] == [DUHOK] and campaign.text_ckb
    page = web.get(f"/feedback/campaigns/{campaign.public_id}/").content.decode()
    assert 'data-testid="campaign-send"' in page and 'data-testid="audience-preview"' in page

    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/feedback/campaigns/{campaign.public_id}/send/")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    assert Message.objects.filter(campaign=campaign).count() == 1
    # While it sends, the report refreshes itself (HTMX), and the fragment alone comes back.
    page = web.get(f"/feedback/campaigns/{campaign.public_id}/").content.decode()
    assert 'hx-trigger="every 5s"' in page
    fragment = web.get(
        f"/feedback/campaigns/{campaign.public_id}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="campaign-report"')


def test_a_campaign_is_scheduled_and_cancelled_from_its_page():
    user = manager()
    campaign = make_campaign(user)
    web = client_for(user)
    web.post(
        f"/feedback/campaigns/{campaign.public_id}/schedule/",
        {
            "send_at": (datetime.datetime.now() + datetime.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        },
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED
    web.post(f"/feedback/campaigns/{campaign.public_id}/cancel/", {"reason": "Postponed"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    assert web.post(f"/feedback/campaigns/{campaign.public_id}/explode/").status_code == 404


def test_a_campaign_is_edited_only_while_a_draft():
    user = manager()
    campaign = make_campaign(user)
    web = client_for(user)
    response = web.post(
        f"/feedback/campaigns/{campaign.public_id}/edit/", campaign_form(name="Renamed")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"


def test_campaign_pages_need_the_permission_and_hide_other_programmes():
    user = manager()
    campaign = make_campaign(user)
    assert client_for(make_user("warehouse_officer")).get("/feedback/campaigns/").status_code == 403
    operator = make_user("hotline_operator", governorates=(DUHOK,), programmes=("SHELTER",))
    web = client_for(operator)
    assert web.get("/feedback/campaigns/").status_code == 200
    assert web.get(f"/feedback/campaigns/{campaign.public_id}/").status_code == 404
    assert web.get("/feedback/campaigns/new/").status_code == 403
    assert web.post(f"/feedback/campaigns/{campaign.public_id}/send/").status_code == 403


def test_the_campaign_list_costs_a_few_queries(django_assert_max_num_queries):
    user = manager()
    for n in range(20):
        make_campaign(user, name=f"Campaign {n}")
    web = client_for(user)
    with django_assert_max_num_queries(15):
        assert web.get("/feedback/campaigns/").status_code == 200


# --- sessions -----------------------------------------------------------------------------
def test_a_session_is_recorded_from_its_page_and_raises_a_campaign():
    sms_channel()
    camp = PlaceFactory()
    user = manager()
    web = client_for(user)
    assert web.get("/feedback/sessions/new/").status_code == 200
    response = web.post(
        "/feedback/sessions/new/",
        {
            "kind": "theatre",
            "title": "Theatre on safe migration",
            "topic": "irregular_migration",
            "place": camp.pk,
            "admin_unit": "",
            "held_on": "2026-11-18",
            "facilitators": "Troupe Duhok",
            "p_female_18_59": "20",
            "p_male_60plus": "4",
            "key_findings": "Young men ask about routes to Europe.",
        },
    )
    session = CommunitySession.objects.get()
    assert response.status_code == 302
    assert (
        session.participants["female"]["18-59"] == 20 and session.participants["male"]["60+"] == 4
    )
    page = web.get(f"/feedback/sessions/{session.public_id}/").content.decode()
    assert "Young men ask about routes" in page and ">24<" in page
    response = web.post(f"/feedback/sessions/{session.public_id}/campaign/")
    campaign = Campaign.objects.get(session=session)
    assert response.url == f"/feedback/campaigns/{campaign.public_id}/edit/"
    assert web.get(response.url).status_code == 200
    listing = web.get("/feedback/sessions/").content.decode()
    assert "Theatre on safe migration" in listing


def test_a_camp_manager_records_and_sees_sessions_without_managing_campaigns():
    user = make_user("camp_manager", governorates=(DUHOK,))
    web = client_for(user)
    assert web.get("/feedback/sessions/").status_code == 200
    assert web.get("/feedback/sessions/new/").status_code == 200
    assert web.get("/feedback/campaigns/new/").status_code == 403


def test_sessions_out_of_scope_are_not_found():
    from sanad.feedback.services.sessions import session_create

    everywhere = make_user("feedback_manager")
    session = session_create(
        user=everywhere,
        data={
            "kind": "awareness",
            "title": "Erbil awareness",
            "topic": "health",
            "admin_unit": subdistrict_in(ERBIL),
            "held_on": datetime.date(2026, 11, 1),
            "facilitators": "Team",
        },
    )
    web = client_for(manager())
    assert web.get(f"/feedback/sessions/{session.public_id}/").status_code == 404
    assert "Erbil awareness" not in web.get("/feedback/sessions/").content.decode()


# --- right to left, on a phone -------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_the_communication_pages_read_right_to_left_in_arabic_and_kurdish(lang):
    user = manager()
    campaign = make_campaign(user)
    contact = make_contact()
    make_inbound(contact, channel=sms_channel())
    Contact.objects.filter(pk=contact.pk).update(last_message_at=contact.created_at)
    web = in_language(user, lang)
    for url in (
        "/feedback/inbox/",
        f"/feedback/inbox/{contact.public_id}/",
        "/feedback/contacts/",
        "/feedback/campaigns/",
        "/feedback/campaigns/new/",
        f"/feedback/campaigns/{campaign.public_id}/",
        "/feedback/sessions/",
        "/feedback/sessions/new/",
    ):
        page = web.get(url).content.decode()
        assert 'dir="rtl"' in page, url
        # Phone numbers stay left to right inside the right-to-left page.
        if "inbox" in url or "contacts" in url:
            assert 'dir="ltr"' in page, url
