"""Registry factories and helpers shared by the registry tests and by other apps' tests.

`HouseholdFactory` / `IndividualFactory` write rows directly (fast, no validation, no
derived fields); `make_household` goes through `household_register`, so derived flags,
search keys and the first displacement move are set as in production.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory

from sanad.registry.models import DisplacementStatus, Household, Individual, ShelterType
from tests.factories import DUHOK, make_user, subdistrict_in

GIVEN_NAMES_AR = ("أحمد", "محمد", "علي", "حسين", "عمر", "خالد", "يوسف", "إبراهيم")
GIVEN_NAMES_EN = ("Ahmed", "Mohammed", "Ali", "Hussein", "Omar", "Khalid", "Yousef", "Ibrahim")
FEMALE_NAMES_AR = ("فاطمة", "زينب", "مريم", "نور", "سارة", "هدى", "آمنة", "رقية")
FEMALE_NAMES_EN = ("Fatima", "Zainab", "Maryam", "Noor", "Sara", "Huda", "Amna", "Ruqaya")


def _governorate_of(unit: Any) -> Any:
    return unit.governorate or unit


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household row without members; call `household_refresh` after adding members
    with `IndividualFactory` if the derived fields matter to the test."""

    class Meta:
        model = Household

    admin_unit = factory.LazyFunction(lambda: subdistrict_in(DUHOK))
    governorate = factory.LazyAttribute(lambda o: _governorate_of(o.admin_unit))
    displacement_status = DisplacementStatus.IDP_OUT_OF_CAMP
    shelter_type = ShelterType.RENTED


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Individual

    household = factory.SubFactory(HouseholdFactory)
    relationship = Individual.Relationship.HEAD
    sex = Individual.Sex.MALE
    date_of_birth = datetime.date(1985, 3, 1)
    given_name_ar = factory.Sequence(lambda n: GIVEN_NAMES_AR[n % len(GIVEN_NAMES_AR)])
    given_name_en = factory.Sequence(lambda n: GIVEN_NAMES_EN[n % len(GIVEN_NAMES_EN)])
    family_name_ar = "الجبوري"
    family_name_en = "Al-Jubouri"


def registrar() -> Any:
    """One administrator (all governorates) reused as the author of factory households."""
    from sanad.accounts.models import User

    return User.objects.filter(username="registry-factory").first() or make_user(
        "administrator", username="registry-factory"
    )


def member_data(
    *,
    relationship: str,
    sex: str,
    date_of_birth: datetime.date,
    index: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """A member dict as `household_register` accepts it."""
    if sex == "female":
        ar, en = FEMALE_NAMES_AR, FEMALE_NAMES_EN
    else:
        ar, en = GIVEN_NAMES_AR, GIVEN_NAMES_EN
    data: dict[str, Any] = {
        "given_name_ar": ar[index % len(ar)],
        "given_name_en": en[index % len(en)],
        "family_name_ar": "الجبوري",
        "family_name_en": "Al-Jubouri",
        "sex": sex,
        "date_of_birth": date_of_birth,
        "relationship": relationship,
    }
    data.update(extra)
    return data


def default_members(count: int, head_sex: str = "male") -> list[dict[str, Any]]:
    """A head (born 1980), a spouse of the other sex (born 1983) and children (born
    2008 onwards), `count` in all."""
    spouse_sex = "female" if head_sex == "male" else "male"
    members = [
        member_data(
            relationship="head", sex=head_sex, date_of_birth=datetime.date(1980, 5, 1), index=0
        )
    ]
    if count >= 2:
        members.append(
            member_data(
                relationship="spouse",
                sex=spouse_sex,
                date_of_birth=datetime.date(1983, 7, 1),
                index=1,
            )
        )
    for i in range(2, count):
        sex = "female" if i % 2 else "male"
        members.append(
            member_data(
                relationship="daughter" if sex == "female" else "son",
                sex=sex,
                date_of_birth=datetime.date(2008 + i, 1, 15),
                index=i,
            )
        )
    return members


def make_household(
    *,
    governorate: str = DUHOK,
    members: int | list[dict[str, Any]] = 3,
    head_sex: str = "male",
    user: Any = None,
    phones: tuple[str, ...] | list[str] = (),
    consents: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    **data: Any,
) -> Household:
    """A household registered through `household_register` with a head and members.

    `members` is a count (head, spouse, children) or a list of member dicts;
    other keyword arguments are household fields (`displacement_status`, `place`, ...).
    """
    from sanad.registry.services import household_register

    member_list = default_members(members, head_sex) if isinstance(members, int) else members
    data.setdefault("admin_unit", subdistrict_in(governorate))
    data.setdefault("displacement_status", DisplacementStatus.IDP_OUT_OF_CAMP)
    data.setdefault("shelter_type", ShelterType.RENTED)
    return household_register(
        user=user or registrar(),
        data=data,
        members=member_list,
        phones=phones,
        consents=consents,
    )
