"""Registry services: register, edit, members, move, consent, status, and every rule
they check (one ValidationFailed listing all problems by field path)."""

from __future__ import annotations

import datetime

import pytest

from sanad.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sanad.core.models import AuditEvent, StatusTransition
from sanad.geo.models import Place
from sanad.registry import services
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    SearchKey,
)
from sanad.registry.services import Lookups, prepare_household, validate_member
from tests.factories import DUHOK, ERBIL, NINEWA, PlaceFactory, make_user, subdistrict_in, unit
from tests.registry.factories import default_members, make_household, member_data, registrar

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    try:
        day = TODAY.replace(year=TODAY.year - years)
    except ValueError:  # 29 February
        day = TODAY.replace(year=TODAY.year - years, day=28)
    return day - datetime.timedelta(days=days)


def head(**extra):
    values = {"relationship": "head", "sex": "male", "date_of_birth": years_ago(40), **extra}
    return member_data(**values)


def register(user=None, *, members=None, phones=(), consents=(), **data):
    data.setdefault("admin_unit", subdistrict_in(DUHOK))
    data.setdefault("displacement_status", "idp_out_of_camp")
    return services.household_register(
        user=user or registrar(),
        data=data,
        members=members if members is not None else [head()],
        phones=phones,
        consents=consents,
    )


def problems_of(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as info:
        register(**kwargs)
    return info.value.fields


@pytest.fixture
def duhok_enumerator():
    return make_user("field_enumerator", governorates=(DUHOK,))


class TestRegister:
    def test_a_household_is_registered_with_its_members_documents_phones_and_consent(self):
        members = [
            head(
                documents=[
                    {
                        "kind": "national_id",
                        "number": "1990 1234 5678",
                        "issuing_governorate": DUHOK,
                    }
                ]
            ),
            member_data(relationship="spouse", sex="female", date_of_birth=years_ago(35)),
        ]
        household = register(
            members=members,
            phones=["0750 123 4567", "+964 770 765 4321"],
            consents=[{"purpose": "registration", "legal_basis": "consent"}],
            origin_admin_unit="IQG15Q01",
            displaced_on="2014-08-03",
        )
        assert household.registration_id.startswith("SND-")
        assert household.governorate.pcode == DUHOK
        assert household.members.count() == 2
        doc = IndividualDocument.objects.get(individual__household=household)
        assert doc.number_key == "199012345678" and doc.issuing_governorate.pcode == DUHOK
        assert list(household.phones.order_by("-is_primary").values_list("number", flat=True)) == [
            "+9647501234567",
            "+9647707654321",
        ]
        assert Consent.objects.get(household=household).legal_basis == "consent"
        move = DisplacementMove.objects.get(household=household)
        assert (
            move.from_admin_unit.pcode == "IQG15Q01" and move.to_admin_unit == household.admin_unit
        )
        assert move.moved_on == datetime.date(2014, 8, 3)

    def test_registration_sets_derived_fields_member_keys_and_search_keys(self):
        household = register(
            members=[
                head(),
                member_data(
                    relationship="son", sex="male", date_of_birth=years_ago(10), wg_walking=3
                ),
            ]
        )
        assert household.size == 2 and household.has_disability
        son = household.members.get(relationship="son")
        assert son.has_disability and son.name_key
        keys = set(SearchKey.objects.filter(household=household).values_list("key", flat=True))
        assert f"r:{household.registration_id}" in keys and "n:jubouri" in keys

    def test_the_governorate_follows_the_admin_unit_and_a_place_gives_the_admin_unit(self):
        camp = PlaceFactory(admin_unit=subdistrict_in(ERBIL))
        household = register(place=camp, admin_unit=None)
        assert household.admin_unit == camp.admin_unit
        assert household.governorate.pcode == ERBIL

    def test_every_problem_is_listed_at_once_with_its_field_path(self):
        fields = problems_of(
            displacement_status="",
            members=[
                head(),
                member_data(
                    relationship="son", sex="male", date_of_birth=TODAY + datetime.timedelta(days=3)
                ),
                member_data(
                    relationship="daughter", sex="female", date_of_birth=years_ago(5), phone="12345"
                ),
            ],
            phones=["not a phone"],
        )
        assert set(fields) == {
            "displacement_status",
            "members.1.date_of_birth",
            "members.2.phone",
            "phones.0",
        }

    def test_the_phone_message_shows_an_iraqi_example(self):
        fields = problems_of(phones=["0123"])
        assert fields["phones.0"] == ["Write an Iraqi mobile number such as 0750 123 4567."]

    def test_a_household_needs_at_least_one_member(self):
        assert "members" in problems_of(members=[])

    def test_a_household_needs_exactly_one_head(self):
        no_head = [member_data(relationship="spouse", sex="female", date_of_birth=years_ago(30))]
        assert problems_of(members=no_head)["members"] == [
            "Mark one member as the head of household."
        ]
        two_heads = [head(), head()]
        assert "members.1.relationship" in problems_of(members=two_heads)

    def test_a_member_needs_a_given_name_in_one_script(self):
        nameless = head(given_name_ar="", given_name_en="")
        fields = problems_of(members=[nameless])
        assert "members.0.given_name_ar" in fields and "members.0.given_name_en" in fields
        only_arabic = head(given_name_en="", family_name_en="")
        assert register(members=[only_arabic]).size == 1

    def test_names_are_written_in_the_script_of_their_field(self):
        fields = problems_of(members=[head(given_name_ar="Ahmed", given_name_en="أحمد")])
        assert {"members.0.given_name_ar", "members.0.given_name_en"} <= set(fields)

    def test_a_member_needs_a_sex_and_a_relationship(self):
        fields = problems_of(members=[head(sex=""), head(relationship="cousin")])
        assert "members.0.sex" in fields and "members.1.relationship" in fields

    def test_a_date_of_birth_in_the_future_or_over_110_years_ago_is_refused(self):
        future = problems_of(members=[head(date_of_birth=TODAY + datetime.timedelta(days=1))])
        assert "future" in future["members.0.date_of_birth"][0]
        too_old = problems_of(members=[head(date_of_birth=years_ago(111))])
        assert "110" in too_old["members.0.date_of_birth"][0]
        assert register(members=[head(date_of_birth=years_ago(110))]).size == 1

    def test_an_age_alone_gives_an_estimated_date_of_birth_on_the_first_of_january(self):
        household = register(members=[head(date_of_birth=None, age=45)])
        member = household.members.get()
        assert member.date_of_birth == datetime.date(TODAY.year - 45, 1, 1)
        assert member.dob_estimated

    def test_a_member_without_date_of_birth_or_age_is_refused(self):
        assert "members.0.date_of_birth" in problems_of(members=[head(date_of_birth=None)])

    def test_a_date_that_is_not_iso_gets_the_format_in_the_message(self):
        fields = problems_of(members=[head(date_of_birth="21/03/1985")])
        assert "YYYY-MM-DD" in fields["members.0.date_of_birth"][0]

    def test_pregnancy_is_only_recorded_for_a_woman_or_girl_aged_10_to_60(self):
        man = problems_of(members=[head(is_pregnant=True)])
        assert "members.0.is_pregnant" in man
        members = [
            head(),
            member_data(
                relationship="mother", sex="female", date_of_birth=years_ago(61), is_pregnant=True
            ),
            member_data(
                relationship="daughter", sex="female", date_of_birth=years_ago(9), is_pregnant=True
            ),
        ]
        fields = problems_of(members=members)
        assert "members.1.is_pregnant" in fields and "members.2.is_pregnant" in fields
        ok = [
            head(),
            member_data(
                relationship="spouse", sex="female", date_of_birth=years_ago(25), is_pregnant=True
            ),
        ]
        assert register(members=ok).size == 2

    def test_a_son_or_daughter_is_at_least_12_years_younger_than_the_head(self):
        members = [
            head(date_of_birth=years_ago(30)),
            member_data(relationship="son", sex="male", date_of_birth=years_ago(20)),
        ]
        assert "12 years younger" in problems_of(members=members)["members.1.date_of_birth"][0]

    def test_a_father_or_mother_is_at_least_12_years_older_than_the_head(self):
        members = [
            head(date_of_birth=years_ago(30)),
            member_data(relationship="mother", sex="female", date_of_birth=years_ago(35)),
        ]
        assert "12 years older" in problems_of(members=members)["members.1.date_of_birth"][0]

    def test_grandchildren_and_grandparents_are_a_generation_apart_twice(self):
        members = [
            head(date_of_birth=years_ago(40)),
            member_data(relationship="grandchild", sex="male", date_of_birth=years_ago(20)),
            member_data(relationship="grandparent", sex="female", date_of_birth=years_ago(50)),
        ]
        fields = problems_of(members=members)
        assert "members.1.date_of_birth" in fields and "members.2.date_of_birth" in fields

    def test_a_spouse_is_at_least_15(self):
        members = [
            head(),
            member_data(relationship="spouse", sex="female", date_of_birth=years_ago(14)),
        ]
        assert "15" in problems_of(members=members)["members.1.date_of_birth"][0]

    def test_a_head_is_at_least_12_and_a_head_under_18_makes_a_child_headed_household(self):
        assert "members.0.date_of_birth" in problems_of(members=[head(date_of_birth=years_ago(11))])
        household = register(members=[head(date_of_birth=years_ago(15))])
        assert household.is_child_headed

    def test_a_relationship_that_names_a_sex_must_match_it(self):
        members = [
            head(),
            member_data(relationship="daughter", sex="male", date_of_birth=years_ago(10)),
        ]
        assert "members.1.sex" in problems_of(members=members)

    def test_unaccompanied_is_only_for_children(self):
        fields = problems_of(members=[head(is_unaccompanied_or_separated=True)])
        assert "members.0.is_unaccompanied_or_separated" in fields

    def test_washington_group_answers_run_from_1_to_4(self):
        assert "members.0.wg_seeing" in problems_of(members=[head(wg_seeing=5)])

    def test_a_document_number_is_unique_per_kind_across_the_registry_and_names_the_household(self):
        first = register(
            members=[head(documents=[{"kind": "national_id", "number": "111-222-333"}])]
        )
        fields = problems_of(
            members=[head(documents=[{"kind": "national_id", "number": "111 222 333"}])]
        )
        assert first.registration_id in fields["members.0.documents.0.number"][0]
        # The same number as another kind of document is a different document.
        other_kind = register(
            members=[head(documents=[{"kind": "pds_card", "number": "111222333"}])]
        )
        assert other_kind.pk

    def test_a_clash_outside_the_users_area_does_not_reveal_the_household(self, duhok_enumerator):
        erbil = register(
            admin_unit=subdistrict_in(ERBIL),
            members=[head(documents=[{"kind": "passport", "number": "A1234567"}])],
        )
        fields = problems_of(
            user=duhok_enumerator,
            members=[head(documents=[{"kind": "passport", "number": "a1234567"}])],
        )
        message = fields["members.0.documents.0.number"][0]
        assert erbil.registration_id not in message and "outside your area" in message

    def test_two_members_cannot_share_a_document_number(self):
        doc = [{"kind": "civil_id", "number": "55555"}]
        members = [
            head(documents=doc),
            member_data(relationship="son", sex="male", date_of_birth=years_ago(10), documents=doc),
        ]
        assert "members.1.documents.0.number" in problems_of(members=members)

    def test_the_admin_unit_must_be_in_the_users_governorates(self, duhok_enumerator):
        fields = problems_of(user=duhok_enumerator, admin_unit=subdistrict_in(NINEWA))
        assert "other governorates" in fields["admin_unit"][0]
        assert register(duhok_enumerator).governorate.pcode == DUHOK

    def test_a_governorate_is_too_large_to_locate_a_household(self):
        assert "admin_unit" in problems_of(admin_unit=DUHOK)

    def test_the_place_must_be_open(self):
        closed = PlaceFactory(status=Place.Status.CLOSED)
        assert "place" in problems_of(place=closed, admin_unit=None)

    def test_a_user_without_the_permission_is_refused(self):
        viewer = make_user("hotline_operator", governorates=(DUHOK,))
        with pytest.raises(PermissionDenied):
            register(viewer)

    def test_a_source_reference_is_registered_only_once(self):
        services.household_register(
            user=registrar(),
            data={"admin_unit": subdistrict_in(DUHOK), "displacement_status": "returnee"},
            members=[head()],
            source="import",
            source_ref="kobo-1",
        )
        with pytest.raises(ValidationFailed) as info:
            services.household_register(
                user=registrar(),
                data={"admin_unit": subdistrict_in(DUHOK), "displacement_status": "returnee"},
                members=[head()],
                source="import",
                source_ref="kobo-1",
            )
        assert "source_ref" in info.value.fields

    def test_unknown_fields_are_named(self):
        fields = problems_of(members=[head(shoe_size=42)], colour="blue")
        assert "members.0.shoe_size" in fields and "colour" in fields

    def test_creating_is_in_the_audit_trail(self):
        household = register()
        assert AuditEvent.objects.filter(object_pk=str(household.pk), action="create").exists()


class TestReusableValidation:
    def test_validate_member_returns_the_problems_of_one_member_by_path(self):
        problems = validate_member({"given_name_en": "Ali", "sex": "x", "relationship": "son"}, 4)
        assert {path for path, _msg in problems} == {"members.4.sex", "members.4.date_of_birth"}

    def test_prepare_household_makes_no_query_with_preloaded_lookups(
        self, django_assert_num_queries
    ):
        lookups = Lookups.load()
        sub = subdistrict_in(DUHOK)
        members = default_members(5)
        members[0]["documents"] = [
            {"kind": "national_id", "number": "123", "issuing_governorate": DUHOK}
        ]
        with django_assert_num_queries(0):
            prepared = prepare_household(
                data={
                    "admin_unit": sub.pcode,
                    "displacement_status": "idp_out_of_camp",
                    "origin_admin_unit": "IQG15Q01",
                },
                members=members,
                phones=["07501234567"],
                reach=frozenset({DUHOK}),
                lookups=lookups,
            )
        assert not prepared.problems
        assert len(prepared.members) == 5 and prepared.household.size == 5
        assert prepared.household.governorate.pcode == DUHOK
        assert prepared.document_pairs == [("national_id", "123")]
        assert "p:+9647501234567" in prepared.search_keys and prepared.moves

    def test_prepare_household_reports_problems_without_building_objects(self):
        prepared = prepare_household(
            data={"admin_unit": subdistrict_in(DUHOK), "displacement_status": "bad"},
            members=[{"sex": "male"}],
            reach=None,
        )
        assert prepared.problems and not prepared.members


class TestEdit:
    def test_the_household_and_its_members_change_in_one_call(self):
        household = make_household(members=3)
        son = household.members.get(relationship="son")
        services.household_update(
            household=household,
            user=registrar(),
            data={"notes": "Roof leaking", "shelter_type": "unfinished_building"},
            members=[
                {"id": son.public_id, "wg_hearing": 4},
                member_data(relationship="daughter", sex="female", date_of_birth=years_ago(2)),
            ],
            phones=["07701112233"],
        )
        household.refresh_from_db()
        assert household.notes == "Roof leaking" and household.shelter_type == "unfinished_building"
        assert household.size == 4 and household.has_disability
        son.refresh_from_db()
        assert son.has_disability and son.given_name_en == "Ali"  # untouched fields kept
        assert list(household.phones.values_list("number", flat=True)) == ["+9647701112233"]

    def test_an_edit_lists_its_problems_with_the_paths_of_the_submission(self):
        household = make_household(members=2)
        spouse = household.members.get(relationship="spouse")
        with pytest.raises(ValidationFailed) as info:
            services.household_update(
                household=household,
                user=registrar(),
                members=[{"id": spouse.public_id, "relationship": "head"}, {"sex": "female"}],
            )
        assert "members.0.relationship" in info.value.fields  # a second head
        assert "members.1.date_of_birth" in info.value.fields

    def test_a_member_of_another_household_cannot_be_changed_through_this_one(self):
        household, other = make_household(), make_household()
        stranger = other.members.first()
        with pytest.raises(ValidationFailed) as info:
            services.household_update(
                household=household,
                user=registrar(),
                members=[{"id": stranger.public_id, "phone": ""}],
            )
        assert "members.0.id" in info.value.fields

    def test_documents_given_for_a_member_replace_theirs(self):
        household = make_household(
            members=[
                head(
                    documents=[
                        {"kind": "national_id", "number": "1"},
                        {"kind": "pds_card", "number": "2"},
                    ]
                )
            ]
        )
        member = household.members.get()
        services.member_update(
            member=member,
            user=registrar(),
            data={"documents": [{"kind": "pds_card", "number": "3"}]},
        )
        assert list(member.documents.values_list("kind", "number")) == [("pds_card", "3")]
        assert SearchKey.objects.filter(household=household, key="d:3").exists()
        assert not SearchKey.objects.filter(household=household, key="d:1").exists()

    def test_an_edit_of_a_household_outside_the_users_scope_is_not_found(self, duhok_enumerator):
        erbil = make_household(governorate=ERBIL)
        with pytest.raises(NotFound):
            services.household_update(household=erbil, user=duhok_enumerator, data={"notes": "x"})

    def test_a_viewer_cannot_edit(self):
        household = make_household()
        with pytest.raises(PermissionDenied):
            services.household_update(
                household=household, user=make_user("hotline_operator"), data={"notes": "x"}
            )

    def test_moving_the_location_by_an_edit_is_checked_against_the_users_governorates(
        self, duhok_enumerator
    ):
        household = make_household()
        with pytest.raises(ValidationFailed) as info:
            services.household_update(
                household=household,
                user=duhok_enumerator,
                data={"admin_unit": subdistrict_in(ERBIL)},
            )
        assert "admin_unit" in info.value.fields


class TestMembers:
    def test_a_member_is_added_with_errors_on_plain_field_names(self):
        household = make_household(members=1)
        with pytest.raises(ValidationFailed) as info:
            services.member_add(
                household=household, user=registrar(), data={"given_name_en": "Zaid", "sex": "male"}
            )
        assert set(info.value.fields) == {"relationship", "date_of_birth"}
        member = services.member_add(
            household=household,
            user=registrar(),
            data=member_data(relationship="son", sex="male", date_of_birth=years_ago(3)),
        )
        assert member.pk and member.household == household
        household.refresh_from_db()
        assert household.size == 2

    def test_a_member_who_left_is_kept_with_the_reason_and_leaves_the_counts(self):
        household = make_household(members=3)
        son = household.members.get(relationship="son")
        services.member_remove(
            member=son, user=registrar(), status="left", reason="Married, lives in Erbil"
        )
        son.refresh_from_db()
        household.refresh_from_db()
        assert son.status == "left" and household.size == 2
        transition = StatusTransition.objects.get(object_pk=str(son.pk))
        assert transition.reason == "Married, lives in Erbil" and transition.to_state == "left"
        assert not SearchKey.objects.filter(household=household, key="n:ali").exists()

    def test_a_member_leaves_only_with_a_reason(self):
        household = make_household(members=2)
        spouse = household.members.get(relationship="spouse")
        with pytest.raises(ValidationFailed) as info:
            services.member_remove(member=spouse, user=registrar(), status="deceased", reason=" ")
        assert "reason" in info.value.fields

    def test_the_head_leaves_only_when_another_member_becomes_head(self):
        household = make_household(members=2)
        old_head = household.members.get(relationship="head")
        spouse = household.members.get(relationship="spouse")
        with pytest.raises(ValidationFailed) as info:
            services.member_remove(
                member=old_head, user=registrar(), status="deceased", reason="Died"
            )
        assert "new_head" in info.value.fields
        services.member_remove(
            member=old_head, user=registrar(), status="deceased", reason="Died", new_head=spouse
        )
        household.refresh_from_db()
        spouse.refresh_from_db()
        assert spouse.relationship == "head" and household.is_woman_headed and household.size == 1

    def test_the_last_member_cannot_be_removed(self):
        household = make_household(members=1)
        with pytest.raises(ValidationFailed):
            services.member_remove(
                member=household.members.get(), user=registrar(), status="left", reason="Gone"
            )


class TestMove:
    def test_a_move_is_recorded_and_becomes_the_current_location(self):
        household = make_household(displaced_on="2014-08-03", origin_admin_unit="IQG15Q01")
        camp = PlaceFactory(admin_unit=subdistrict_in(ERBIL))
        move = services.household_move(
            household=household,
            user=registrar(),
            to_place=camp,
            moved_on=TODAY,
            displacement_status="idp_in_camp",
            shelter_type="camp",
        )
        household.refresh_from_db()
        assert household.place == camp and household.governorate.pcode == ERBIL
        assert household.displacement_status == "idp_in_camp"
        assert move.from_admin_unit == subdistrict_in(DUHOK)
        assert household.moves.count() == 2

    def test_a_family_returning_home_may_leave_the_users_governorates(self, duhok_enumerator):
        household = make_household()
        services.household_move(
            household=household,
            user=duhok_enumerator,
            to_admin_unit=subdistrict_in(NINEWA),
            moved_on=TODAY,
            displacement_status="returnee",
        )
        household.refresh_from_db()
        assert household.governorate == unit(NINEWA)

    def test_a_move_needs_a_date_in_order_and_a_destination(self):
        household = make_household()
        services.household_move(
            household=household,
            user=registrar(),
            to_admin_unit=subdistrict_in(ERBIL),
            moved_on="2020-01-01",
            displacement_status="idp_out_of_camp",
        )
        with pytest.raises(ValidationFailed) as info:
            services.household_move(
                household=household,
                user=registrar(),
                moved_on="2019-01-01",
                displacement_status="returnee",
            )
        assert {"moved_on", "to_admin_unit"} <= set(info.value.fields)


class TestConsentAndStatus:
    def test_consent_is_recorded_once_per_purpose_and_can_be_withdrawn(self):
        household = make_household()
        services.consent_set(
            household=household, user=registrar(), purpose="communication", legal_basis="consent"
        )
        consent = services.consent_set(
            household=household,
            user=registrar(),
            purpose="communication",
            legal_basis="consent",
            withdrawn_on=TODAY,
        )
        assert household.consents.count() == 1 and not consent.is_valid

    def test_consent_needs_a_known_purpose_and_legal_basis(self):
        household = make_household()
        with pytest.raises(ValidationFailed) as info:
            services.consent_set(
                household=household, user=registrar(), purpose="marketing", legal_basis=""
            )
        assert set(info.value.fields) == {"purpose", "legal_basis"}

    def test_the_status_changes_through_the_state_machine_with_the_reason(self):
        household = make_household()
        services.household_set_status(
            household=household,
            user=registrar(),
            status="inactive",
            reason="Not found at two visits",
        )
        household.refresh_from_db()
        assert household.status == "inactive"
        transition = Household.STATUS_MACHINE.history(household).get()
        assert transition.reason == "Not found at two visits" and transition.by == registrar()

    def test_a_household_becomes_inactive_only_with_a_reason(self):
        with pytest.raises(ValidationFailed):
            services.household_set_status(
                household=make_household(), user=registrar(), status="withdrawn"
            )

    def test_merging_is_left_to_deduplication(self):
        with pytest.raises(ValidationFailed) as info:
            services.household_set_status(
                household=make_household(), user=registrar(), status="merged", reason="dup"
            )
        assert info.value.code == "merge_elsewhere"

    def test_a_withdrawn_household_cannot_become_inactive(self):
        household = make_household()
        services.household_set_status(
            household=household, user=registrar(), status="withdrawn", reason="Asked"
        )
        with pytest.raises(InvalidTransition):
            services.household_set_status(
                household=household, user=registrar(), status="inactive", reason="x"
            )


class TestRefresh:
    def test_refresh_repairs_derived_fields_and_search_keys_changed_behind_its_back(self):
        household = make_household(members=2, phones=["07501234567"])
        Household.objects.filter(pk=household.pk).update(size=99, is_large=True)
        SearchKey.objects.filter(household=household).delete()
        HouseholdPhone.objects.filter(household=household).delete()
        Individual.objects.filter(household=household, relationship="spouse").update(wg_seeing=4)
        services.household_refresh(household)
        household.refresh_from_db()
        assert household.size == 2 and not household.is_large and household.has_disability
        keys = set(SearchKey.objects.filter(household=household).values_list("key", flat=True))
        assert f"r:{household.registration_id}" in keys and "p:+9647501234567" not in keys
        assert Individual.objects.get(household=household, relationship="spouse").has_disability
