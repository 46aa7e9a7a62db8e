"""Reads of the assistance ledger: a household's history, "has this household already
received X since D", amounts received, and unique people reached.

Merged households
-----------------
When deduplication merges household A into B (A.status "merged", A.merged_into = B),
A's deliveries stay on A's records but belong to B's family: B's history and
`has_received(household=B, …)` include them, and people reached counts them through B.
Chains of merges (A → B → C) are followed up to `MERGE_DEPTH` steps.

Counting unique people (`people_reached`)
-----------------------------------------
A person is counted once however many deliveries reached them, in one aggregate
query over the registry's individuals:

- a record naming an individual counts that person, or the record it was confirmed to
  be a duplicate of when two households were merged (`Individual.duplicate_of`);
- a record for a household as a whole counts the members of the household at the time
  of the delivery: born on or before the delivery date and either still a member, or
  recorded as having left (or died) on or after that date (the day their record last
  changed stands for the day they left: the registry keeps no membership history);
- a household-level record on a merged household counts the members of the household it
  was merged into (its own member records are duplicates of those);
- "households" is the number of (merge-resolved) households with at least one person
  counted;
- sex and age groups (0-5, 6-17, 18-59, 60+) are taken on the last day of the period
  (today when the period has no end); disability follows the Washington Group cut-off
  recorded on the person.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from sanad.assistance.models import AssistanceRecord
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit, Place
from sanad.programmes.models import Programme, Project
from sanad.registry.derive import AGE_GROUPS
from sanad.registry.models import Household, Individual

VIEW = "assistance.view_assistance"
AGGREGATES = "reporting.view_aggregates"
MERGE_DEPTH = 3


def _resolved(prefix: str) -> Coalesce:
    """The household a household (at `prefix`) ended up in after merges."""
    steps = [f"{prefix}{'__merged_into' * n}_id" for n in range(MERGE_DEPTH, -1, -1)]
    return Coalesce(*[F(s) for s in steps])


def _family(household: Household, prefix: str = "household") -> Q:
    """Records of `household` and of households merged into it."""
    q = Q(**{prefix: household})
    for n in range(1, MERGE_DEPTH + 1):
        q |= Q(**{f"{prefix}{'__merged_into' * n}": household})
    return q


def household_final(household: Household) -> Household:
    """The household a merged household now lives on as (itself if not merged)."""
    current = household
    for _step in range(MERGE_DEPTH + 2):
        if current.status != Household.Status.MERGED or current.merged_into_id is None:
            return current
        current = Household.objects.get(pk=current.merged_into_id)
    return current


def _programme_code(programme: Programme | str | None) -> str | None:
    if programme is None or programme == "":
        return None
    return programme.code if isinstance(programme, Programme) else str(programme)


# --- lists ---------------------------------------------------------------------------
def records_all() -> QuerySet[AssistanceRecord]:
    return AssistanceRecord.objects.select_related(
        "household",
        "individual",
        "programme",
        "project",
        "activity",
        "place",
        "admin_unit",
        "governorate",
    )


def records_visible_to(user: Any) -> QuerySet[AssistanceRecord]:
    """What `user` may see of the ledger: the governorates × programmes of their scope."""
    return scoped(records_all(), user, VIEW)


def record_get(*, user: Any, public_id: Any) -> AssistanceRecord:
    record = records_visible_to(user).filter(public_id=public_id).first()
    if record is None:
        raise NotFound()
    return record


def household_history(*, user: Any, household: Household) -> QuerySet[AssistanceRecord]:
    """Every delivery to the household's family (itself and the households merged into
    it) from every programme `user` may see, newest first."""
    final = household_final(household)
    return (
        records_visible_to(user)
        .filter(_family(final))
        .select_related("project__programme")
        .order_by("-delivered_on", "-id")
    )


# --- questions modules ask -------------------------------------------------------------
def has_received(
    *,
    household: Household,
    item: str | None = None,
    kind: str | None = None,
    programme: Programme | str | None = None,
    since: datetime.date,
) -> bool:
    """Whether the household (with the households merged into it) received `item` (or
    anything of `kind`, or from `programme`) on or after `since`. Not scoped: modules
    ask it to apply their rules, such as one winter kit per season."""
    qs = AssistanceRecord.objects.filter(
        _family(household_final(household)), delivered_on__gte=since
    )
    if item:
        qs = qs.filter(item=item)
    if kind:
        qs = qs.filter(kind=kind)
    code = _programme_code(programme)
    if code:
        qs = qs.filter(programme__code=code)
    return qs.exists()


def received_value(*, household: Household, since: datetime.date, currency: str = "USD") -> Decimal:
    """The total value the household's family received on or after `since`, in
    `currency` (IQD or USD); amounts in the other currency are converted at the rate
    recorded on each delivery."""
    currency = currency.upper()
    amount = DecimalField(max_digits=24, decimal_places=4)
    if currency == "USD":
        converted = When(currency="IQD", then=F("value") / F("exchange_rate"))
    else:
        converted = When(currency="USD", then=F("value") * F("exchange_rate"))
    total = AssistanceRecord.objects.filter(
        _family(household_final(household)), delivered_on__gte=since, value__isnull=False
    ).aggregate(
        total=Sum(
            Case(
                When(currency=currency, then=F("value")),
                converted,
                default=Value(Decimal("0")),
                output_field=amount,
            ),
            output_field=amount,
        )
    )["total"]
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def households_received_q(
    *,
    since: datetime.date,
    item: str | None = None,
    kind: str | None = None,
    programme: Programme | str | None = None,
    project: Project | None = None,
) -> Q:
    """Set-based `has_received`, as a condition on `registry.Household`: the household
    (or a household merged into it, up to `MERGE_DEPTH` steps) received `item` (or
    anything of `kind`, from `programme`, under `project`) on or after `since`. For rules
    over many households (targeting): each part is an IN over a set the database
    computes once, the deliveries read through their own indexes."""
    records = AssistanceRecord.objects.filter(household__isnull=False, delivered_on__gte=since)
    if item:
        records = records.filter(item=item)
    if kind:
        records = records.filter(kind=kind)
    code = _programme_code(programme)
    if code:
        records = records.filter(programme__code=code)
    if project is not None:
        records = records.filter(project=project)
    recipients = records.values("household_id")
    condition = Q(pk__in=recipients)
    # Households that received and were merged since: their deliveries count for the
    # household they were merged into (and so on along the chain). Asked first (an
    # index look-up), so that a ledger without such merges costs one set, not four.
    merged = Household.objects.filter(merged_into__isnull=False, pk__in=recipients)
    for _step in range(MERGE_DEPTH):
        if not merged.exists():
            break
        condition |= Q(pk__in=merged.values("merged_into_id"))
        merged = Household.objects.filter(
            merged_into__isnull=False, pk__in=merged.values("merged_into_id")
        )
    return condition


def households_received_value_at_least(
    *, amount: Decimal, since: datetime.date, currency: str = "USD"
) -> QuerySet[Any]:
    """Set-based `received_value`: the ids (`target`) of the households whose family
    received at least `amount` in `currency` on or after `since` (amounts in the other
    currency converted at each delivery's rate), merges resolved."""
    currency = currency.upper()
    decimal = DecimalField(max_digits=24, decimal_places=4)
    if currency == "USD":
        converted = When(currency="IQD", then=F("value") / F("exchange_rate"))
    else:
        converted = When(currency="USD", then=F("value") * F("exchange_rate"))
    return (
        AssistanceRecord.objects.filter(
            household__isnull=False, delivered_on__gte=since, value__isnull=False
        )
        .annotate(target=_resolved("household"))
        .values("target")
        .annotate(
            total=Sum(
                Case(
                    When(currency=currency, then=F("value")),
                    converted,
                    default=Value(Decimal("0")),
                    output_field=decimal,
                ),
                output_field=decimal,
            )
        )
        .filter(total__gte=amount)
        .values("target")
    )


# --- unique people reached -------------------------------------------------------------
def _minus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_q(low: int, high: int | None, on: datetime.date) -> Q:
    # Age on `on` is at least `low` ⇔ born on or before `on` minus `low` years.
    q = Q(date_of_birth__lte=_minus_years(on, low))
    if high is not None:
        q &= Q(date_of_birth__gt=_minus_years(on, high + 1))
    return q


def records_for_reach(
    *,
    user: Any = None,
    programme: Programme | str | None = None,
    project: Project | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    governorate: AdminUnit | str | None = None,
    place: Place | None = None,
) -> QuerySet[AssistanceRecord]:
    """The ledger records `people_reached` counts. With a user: what their scope for
    the ledger or for aggregate figures reaches."""
    qs = AssistanceRecord.objects.all()
    if user is not None:
        qs = scoped(qs, user, VIEW) | scoped(qs, user, AGGREGATES)
    code = _programme_code(programme)
    if code:
        qs = qs.filter(programme__code=code)
    if project is not None:
        qs = qs.filter(project=project)
    if start:
        qs = qs.filter(delivered_on__gte=start)
    if end:
        qs = qs.filter(delivered_on__lte=end)
    if governorate:
        pcode = governorate.pcode if isinstance(governorate, AdminUnit) else str(governorate)
        qs = qs.filter(governorate__pcode=pcode.strip().upper())
    if place is not None:
        qs = qs.filter(place=place)
    return qs


def people_reached(
    *,
    user: Any = None,
    programme: Programme | str | None = None,
    project: Project | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    governorate: AdminUnit | str | None = None,
    place: Place | None = None,
) -> dict[str, Any]:
    """Unique people (and households) reached, by sex, age group and disability; see the
    module's docstring for the counting rules.

    {"individuals", "households", "female", "male", "with_disability",
     "by_age": {"0-5": n, …}, "by_sex_and_age": {"female": {…}, "male": {…}},
     "with_disability_by_sex": {"female": n, "male": n}, "ages_on": date}
    """
    records = records_for_reach(
        user=user,
        programme=programme,
        project=project,
        start=start,
        end=end,
        governorate=governorate,
        place=place,
    )
    # A person recorded twice and merged (`duplicate_of`) counts as the record kept.
    named = (
        Individual.objects.filter(
            pk__in=records.filter(individual__isnull=False).values("individual_id")
        )
        .annotate(
            person=Coalesce(
                *[
                    F("duplicate_of" + "__duplicate_of" * n + "_id")
                    for n in range(MERGE_DEPTH - 1, -1, -1)
                ],
                F("pk"),
            )
        )
        .values("person")
    )
    whole = records.filter(individual__isnull=True).annotate(target=_resolved("household"))
    people = Individual.objects.annotate(
        # The last day the person was a member: none yet if still a member.
        member_until=Case(
            When(status=Individual.Status.ACTIVE, then=Value(datetime.date(9999, 12, 31))),
            default=TruncDate("updated_at"),
            output_field=DateField(),
        )
    ).filter(
        Q(pk__in=named)
        | (
            Q(household_id__in=whole.values("target"))
            & Exists(
                whole.filter(
                    target=OuterRef("household_id"),
                    delivered_on__gte=OuterRef("date_of_birth"),
                    delivered_on__lte=OuterRef("member_until"),
                )
            )
        )
    )
    on = end or timezone.localdate()
    counts: dict[str, Any] = {
        "individuals": Count("pk"),
        "households": Count(_resolved("household"), distinct=True),
        "with_disability": Count("pk", filter=Q(has_disability=True)),
    }
    sexes = (Individual.Sex.FEMALE.value, Individual.Sex.MALE.value)
    for sex in sexes:
        counts[sex] = Count("pk", filter=Q(sex=sex))
        counts[f"{sex}__disability"] = Count("pk", filter=Q(sex=sex, has_disability=True))
        for label, low, high in AGE_GROUPS:
            counts[f"{sex}__{label}"] = Count("pk", filter=Q(sex=sex) & _age_q(low, high, on))
    row = people.aggregate(**counts)
    by_sex_and_age = {
        sex: {label: row[f"{sex}__{label}"] for label, _low, _high in AGE_GROUPS} for sex in sexes
    }
    return {
        "individuals": row["individuals"],
        "households": row["households"],
        "female": row["female"],
        "male": row["male"],
        "with_disability": row["with_disability"],
        "with_disability_by_sex": {sex: row[f"{sex}__disability"] for sex in sexes},
        "by_age": {
            label: sum(by_sex_and_age[sex][label] for sex in sexes)
            for label, _low, _high in AGE_GROUPS
        },
        "by_sex_and_age": by_sex_and_age,
        "ages_on": on,
    }
