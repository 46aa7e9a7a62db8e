"""Applications and their eligibility checks: who may apply, each check with its
sentence, the officer's override with a reason, withdrawal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import Conflict, ValidationFailed
from sanad.core.models import StatusTransition
from sanad.registry.models import Household
from sanad.revitalization.models import GrantAgreement
from sanad.revitalization.services.grants import applications as services
from sanad.revitalization.services.grants import calls as call_services
from tests.factories import DUHOK, ERBIL, subdistrict_in
from tests.revitalization.factories import make_community
from tests.revitalization.grants_helpers import apply, close, head, household, officer, open_call

pytestmark = pytest.mark.django_db
D = datetime.date


def _checks(application):
    application.refresh_from_db()
    return {c["check"]: c for c in application.eligibility}


def _checked(user, call, application):
    services.application_check_eligibility(user=user, application=application)
    return _checks(application)


def test_an_application_is_submitted_with_a_reference_while_the_call_is_open():
    user = officer()
    call, _m = open_call(user)
    app = apply(user, call, phone="0750 123 4567", jobs_planned=3)
    assert app.status == "submitted" and app.reference.startswith("GRA-")
    assert app.phone == "+9647501234567" and app.source == "web"
    assert app.household == app.applicant.household


def test_the_applicant_must_be_old_enough_of_the_governorate_and_apply_once():
    user = officer()
    call, _m = open_call(user, min_age=25)
    young = head(household(born=D(2005, 1, 1)))
    with pytest.raises(ValidationFailed) as caught:
        apply(user, call, applicant=young)
    assert "from 25" in caught.value.fields["applicant"][0]
    elsewhere = head(household(governorate=ERBIL))
    with pytest.raises(ValidationFailed) as other:
        apply(user, call, applicant=elsewhere)
    assert "another governorate" in other.value.fields["applicant"][0]
    person = head(household())
    apply(user, call, applicant=person)
    with pytest.raises(ValidationFailed) as twice:
        apply(user, call, applicant=person)
    assert "already applied" in twice.value.fields["applicant"][0]


def test_the_amount_requested_must_be_within_the_calls_range():
    user = officer()
    call, _m = open_call(user)
    with pytest.raises(ValidationFailed) as caught:
        apply(user, call, requested_amount=Decimal("9000"))
    assert "1,000" in caught.value.fields["requested_amount"][0]


def test_every_check_passes_for_an_applicant_who_meets_the_rules():
    user = officer()
    call, _m = open_call(user)
    checks = _checked(user, call, apply(user, call))
    assert set(checks) == set(services.CHECKS)
    assert all(c["passed"] for c in checks.values())


def test_the_age_check_applies_the_oldest_age_too():
    user = officer()
    call, _m = open_call(user, min_age=18, max_age=30)
    app = apply(user, call, applicant=head(household(born=D(1980, 1, 1))))
    check = _checked(user, call, app)["age"]
    assert not check["passed"] and "from 18 to 30" in check["detail"]
    app.refresh_from_db()
    assert app.status == "ineligible"


def test_the_displacement_status_check():
    user = officer()
    call, _m = open_call(user, displacement_statuses=["returnee"])
    idp = apply(user, call)
    returnee = apply(user, call, applicant=head(household(displacement_status="returnee")))
    assert not _checked(user, call, idp)["displacement_status"]["passed"]
    assert "Returnee" in _checks(idp)["displacement_status"]["detail"]
    assert _checked(user, call, returnee)["displacement_status"]["passed"]


def test_the_sector_check():
    user = officer()
    call, _m = open_call(user, sectors=["agriculture"])
    check = _checked(user, call, apply(user, call, sector="retail"))["sector"]
    assert not check["passed"] and "Agriculture" in check["detail"]


def test_the_amount_check_follows_a_change_of_the_calls_range():
    user = officer()
    call, _m = open_call(user)
    app = apply(user, call, requested_amount=Decimal("4500"))
    call_services.call_update(user=user, call=call, amount_max=Decimal("4000"))
    check = _checked(user, call, app)["amount"]
    assert not check["passed"] and "4,500" in check["detail"]


def test_the_community_check_when_the_call_lists_communities():
    user = officer()
    area = subdistrict_in(DUHOK)
    community = make_community(admin_unit=area, name="Zakho centre")
    call, _m = open_call(user)
    call.communities.set([community])
    inside = apply(user, call, applicant=head(household(admin_unit=area)))
    assert inside.community == community
    assert _checked(user, call, inside)["community"]["passed"]
    from sanad.geo.models import AdminUnit

    other_area = (
        AdminUnit.objects.filter(level=3, governorate__pcode=DUHOK).exclude(pk=area.pk).first()
    )
    outside = apply(user, call, applicant=head(household(admin_unit=other_area)))
    check = _checked(user, call, outside)["community"]
    assert outside.community is None and not check["passed"] and "Zakho centre" in check["detail"]


def test_only_the_first_application_of_a_household_passes_the_one_per_household_check():
    user = officer()
    call, _m = open_call(user)
    family = household()
    first = apply(user, call, applicant=family.members.get(relationship="head"))
    second = apply(user, call, applicant=family.members.get(relationship="spouse"))
    close(user, call)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "eligible" and second.status == "ineligible"
    check = _checks(second)["one_per_household"]
    assert not check["passed"] and first.reference in check["detail"]


def test_several_applications_per_household_when_the_call_allows_them():
    user = officer()
    call, _m = open_call(user, one_per_household=False)
    family = household()
    apply(user, call, applicant=family.members.get(relationship="head"))
    second = apply(user, call, applicant=family.members.get(relationship="spouse"))
    assert _checked(user, call, second)["one_per_household"]["passed"]


def test_a_household_with_an_earlier_grant_agreement_is_not_eligible():
    user = officer()
    family = household()
    earlier_call, _m = open_call(user)
    earlier = apply(user, earlier_call, applicant=family.members.get(relationship="spouse"))
    GrantAgreement.objects.create(
        application=earlier,
        number="AGR-T-00001",
        amount=Decimal("3000"),
        currency="USD",
        exchange_rate=Decimal("1310"),
        tranches=2,
        signed_on=D(2026, 3, 1),
    )
    call, _m = open_call(user)
    check = _checked(user, call, apply(user, call, applicant=head(family)))["no_earlier_grant"]
    assert not check["passed"] and "AGR-T-00001" in check["detail"]


def test_a_household_with_a_business_grant_in_the_ledger_is_not_eligible():
    from sanad.assistance.services import assistance_record

    user = officer()
    family = household()
    assistance_record(
        user=user,
        household=family,
        programme="CRP",
        kind="cash",
        item="crp_business_grant",
        value=Decimal("1500"),
        currency="USD",
        exchange_rate=Decimal("1310"),
        delivered_on=datetime.date.today(),
        source_type="test",
        source_id="old-grant",
        permission=None,
    )
    call, _m = open_call(user)
    check = _checked(user, call, apply(user, call, applicant=head(family)))["no_earlier_grant"]
    assert not check["passed"] and "ledger" in check["detail"]
    lenient, _m = open_call(user, exclude_earlier_grantees=False)
    app = apply(user, lenient, applicant=head(family))
    assert _checked(user, lenient, app)["no_earlier_grant"]["passed"]


def test_a_household_made_inactive_after_applying_fails_the_household_check():
    user = officer()
    call, _m = open_call(user)
    family = household()
    app = apply(user, call, applicant=head(family))
    Household.STATUS_MACHINE.transition(family, to="inactive", reason="Moved abroad")
    check = _checked(user, call, app)["household_active"]
    assert not check["passed"] and "not active" in check["detail"]


def test_an_officer_overrides_the_checks_with_a_reason_kept_in_the_history():
    user = officer()
    call, _m = open_call(user, sectors=["food"])
    app = apply(user, call, sector="services")
    close(user, call)
    app.refresh_from_db()
    assert app.status == "ineligible"
    with pytest.raises(ValidationFailed):
        services.application_override(user=user, application=app, to="eligible", reason="")
    services.application_override(
        user=user, application=app, to="eligible", reason="A bakery: food sector after all"
    )
    app.refresh_from_db()
    assert app.status == "eligible"
    assert app.eligibility[-1]["check"] == "override" and app.eligibility[-1]["passed"]
    moved = StatusTransition.objects.filter(object_pk=str(app.pk), to_state="eligible").get()
    assert moved.reason == "A bakery: food sector after all" and moved.by == user
    with pytest.raises(Conflict):
        services.application_override(user=user, application=app, to="eligible", reason="again")


def test_an_application_is_withdrawn_with_a_reason():
    user = officer()
    call, _m = open_call(user)
    app = apply(user, call)
    with pytest.raises(ValidationFailed):
        services.application_withdraw(user=user, application=app, reason=" ")
    services.application_withdraw(user=user, application=app, reason="Found a job")
    app.refresh_from_db()
    assert app.status == "withdrawn"
    # The same person may apply again once withdrawn.
    assert apply(user, call, applicant=app.applicant).status == "submitted"
