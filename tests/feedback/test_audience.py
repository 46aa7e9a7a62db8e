"""A campaign's audience: who it reaches, counted before anything is sent."""

from __future__ import annotations

import pytest

from sanad.feedback.models import Contact
from sanad.feedback.services.campaigns import audience_clean, campaign_audience_preview
from sanad.feedback.services.contacts import contact_opt_out, contacts_from_households
from sanad.registry.models import Household
from sanad.targeting.models import BeneficiaryList
from tests.factories import DUHOK, ERBIL, ProgrammeFactory, make_user
from tests.feedback.comms_factories import household_with_phone
from tests.feedback.factories import make_contact

pytestmark = pytest.mark.django_db

TEXTS = {"ar": "نص", "ckb": "دەق"}


def manager(governorates: tuple[str, ...] | None = (DUHOK,)) -> object:
    return make_user("feedback_manager", governorates=governorates)


def test_the_preview_counts_households_phones_consent_and_languages():
    household_with_phone(language="ar")
    household_with_phone(language="ckb")
    household_with_phone(language="kmr")  # Badini falls back to the Sorani text
    household_with_phone(consent=False)
    no_phone = household_with_phone()
    no_phone.phones.all().delete()
    opted = household_with_phone()
    contacts_from_households(Household.objects.filter(pk=opted.pk))
    contact_opt_out(contact=Contact.objects.get(household=opted), via="sms")

    preview = campaign_audience_preview(
        audience={"governorates": [DUHOK]}, texts=TEXTS, user=manager()
    )
    assert preview["households"] == 6
    assert preview["with_phone"] == 5
    assert preview["reachable"] == 3
    assert preview["by_language"] == {"ar": 1, "ckb": 1, "kmr": 1}
    assert preview["skipped"] == {"no_phone": 1, "opted_out": 1, "no_consent": 1, "no_text": 0}
    # Nothing was created by counting.
    assert Contact.objects.count() == 1


def test_people_without_a_text_in_their_language_are_counted_apart():
    household_with_phone(language="en")
    household_with_phone(language="ckb")
    preview = campaign_audience_preview(
        audience={"governorates": [DUHOK]}, texts={"ckb": "دەق"}, user=manager()
    )
    # English speakers fall back to Arabic, which is missing; nothing falls back to Kurdish.
    assert preview["reachable"] == 1 and preview["skipped"]["no_text"] == 1


def test_the_audience_filters_by_language_status_and_shelter():
    household_with_phone(language="ar", displacement_status="idp_in_camp", shelter_type="camp")
    household_with_phone(language="ckb", displacement_status="returnee")
    user = manager()
    camp = campaign_audience_preview(
        audience={"displacement_statuses": ["idp_in_camp"]}, texts=TEXTS, user=user
    )
    assert camp["households"] == 1 and camp["reachable"] == 1
    sorani = campaign_audience_preview(audience={"languages": ["ckb"]}, texts=TEXTS, user=user)
    assert sorani["by_language"] == {"ckb": 1}


def test_the_audience_never_reaches_beyond_the_governorates_of_the_person_sending():
    household_with_phone(governorate=DUHOK)
    household_with_phone(governorate=ERBIL)
    duhok_only = campaign_audience_preview(
        audience={"governorates": [DUHOK, ERBIL]}, texts=TEXTS, user=manager()
    )
    assert duhok_only["households"] == 1
    everywhere = campaign_audience_preview(
        audience={"governorates": [DUHOK, ERBIL]}, texts=TEXTS, user=manager(None)
    )
    assert everywhere["households"] == 2


def test_an_audience_can_be_a_beneficiary_list():
    from sanad.targeting import services as targeting

    household_with_phone(displacement_status="idp_in_camp", shelter_type="camp")
    household_with_phone(displacement_status="returnee")
    planner = make_user("administrator")
    programme = ProgrammeFactory(code="NFI")
    rule = targeting.rule_create(
        user=planner,
        programme=programme,
        name="In camp",
        tree={
            "match": "all",
            "items": [{"field": "displacement_status", "operator": "eq", "value": "idp_in_camp"}],
        },
    )
    lst = targeting.list_create(user=planner, name="Camp list", programme=programme, rule=rule)
    lst = targeting.list_build(lst=lst, user=planner)
    BeneficiaryList.objects.filter(pk=lst.pk).update(status=BeneficiaryList.Status.APPROVED)
    preview = campaign_audience_preview(
        audience={"beneficiary_list": str(lst.public_id)}, texts=TEXTS, user=manager()
    )
    assert preview["households"] == 1 and preview["reachable"] == 1


def test_people_outside_the_registry_are_included_only_when_asked():
    make_contact(consent_given=True, language="ar")
    make_contact(consent_given=False)
    user = manager()
    without = campaign_audience_preview(audience={"governorates": [DUHOK]}, texts=TEXTS, user=user)
    assert without["outside_registry"] == 0
    only_them = campaign_audience_preview(
        audience={"include_contacts_outside_registry": True}, texts=TEXTS, user=user
    )
    assert only_them["households"] == 0
    assert only_them["outside_registry"] == 2
    assert only_them["reachable"] == 1 and only_them["skipped"]["no_consent"] == 1


def test_an_audience_with_unknown_values_is_refused():
    from sanad.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        audience_clean({"languages": ["fr"], "shelter_types": ["igloo"]})
    assert set(exc.value.fields) == {"languages", "shelter_types"}
