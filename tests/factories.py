"""factory_boy factories and helpers shared by every test module."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory

from sanad.accounts.models import Organisation, User
from sanad.accounts.services import role_assign
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Activity, Programme, Project, Target

PASSWORD = "Correct-horse-42"

# Real P-codes from the shipped admin units.
DUHOK = "IQG09"
ERBIL = "IQG11"
NINEWA = "IQG15"
ANBAR = "IQG01"


def unit(pcode: str) -> AdminUnit:
    return AdminUnit.objects.get(pcode=pcode)


def subdistrict_in(gov_pcode: str) -> AdminUnit:
    return AdminUnit.objects.filter(level=3, governorate__pcode=gov_pcode).order_by("pcode").first()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.PARTNER_NGO


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def make_user(
    role: str,
    *,
    governorates: tuple[str, ...] | None = None,
    programmes: tuple[str, ...] | None = None,
    expires_on: datetime.date | None = None,
    **kwargs: Any,
) -> User:
    """A user holding `role`; governorates/programmes None means all."""
    user = UserFactory(**kwargs)
    role_assign(
        user=user,
        role=role,
        governorates=governorates or (),
        all_governorates=governorates is None,
        programmes=programmes or (),
        all_programmes=programmes is None,
        expires_on=expires_on,
    )
    return user


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    kind = Place.Kind.FORMAL_CAMP
    name_en = factory.Sequence(lambda n: f"Camp {n}")
    name_ar = factory.Sequence(lambda n: f"مخيم {n}")
    admin_unit = factory.LazyFunction(lambda: subdistrict_in(DUHOK))
    lat = 36.9
    lon = 42.9


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "NFI"
    name_en = factory.LazyAttribute(
        lambda o: dict(Programme._meta.get_field("code").choices)[o.code]
    )


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:04d}")
    title = factory.Sequence(lambda n: f"Project {n}")
    donor = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.DONOR)
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2026, 12, 31)
    currency = "USD"
    budget = Decimal("100000")
    status = Project.Status.ACTIVE


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    name = factory.Sequence(lambda n: f"Activity {n}")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    activity = factory.SubFactory(ActivityFactory)
    indicator = "people_reached"
    label = "People reached"
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 12, 31)
    value = Decimal("5000")
