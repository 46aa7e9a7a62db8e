"""The field registry: the only things a rule may ask about a household.

Each field has a code, a label, the operators it allows and a value type; it checks and
types a value (`clean`), compiles a condition to a Django `Q` on `registry.Household`
(`q`), says in words what the condition asks (`describe`) and what the household's
value is (`current_value`, for the explanation page). Some also give a numeric
expression for a proxy-means-test formula (`variable`).

Nothing a person types becomes SQL or code: an unknown field or operator is refused,
values are typed here (numbers, dates, codes checked against their choices) and reach
the database as bound parameters of the ORM's queries.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import (
    Case,
    Expression,
    F,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.assistance import selectors as ledger
from sanad.assistance.models import AssistanceKind
from sanad.core.areas import ProgrammeArea
from sanad.geo.models import AdminUnit, Place
from sanad.registry.derive import AGE_GROUPS
from sanad.registry.models import (
    CRITICAL_SHELTER,
    DisplacementStatus,
    Household,
    Individual,
    IndividualDocument,
    ShelterType,
)


class FieldError(ValueError):
    """A value that does not fit its field: the message says what to fix."""


@dataclass(frozen=True)
class Context:
    """What a rule is evaluated against: the day ages and "the last N months" count from."""

    as_of: datetime.date


OPERATOR_LABELS: dict[str, Any] = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "gt": gettext_lazy("is more than"),
    "gte": gettext_lazy("is at least"),
    "between": gettext_lazy("is between"),
    "is_true": gettext_lazy("yes"),
    "is_false": gettext_lazy("no"),
    "exists": gettext_lazy("is recorded"),
}
OPERATORS = frozenset(OPERATOR_LABELS)
NO_VALUE = frozenset({"is_true", "is_false", "exists"})
MAX_CHOICES = 60
ITEM_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def minus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def minus_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    return datetime.date(year, month, 28)


# --- value checking ---------------------------------------------------------------------
def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or value is None or value == "":
        raise FieldError(_("Enter a whole number."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise FieldError(_("Enter a whole number.")) from exc
    if not low <= number <= high:
        raise FieldError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise FieldError(_("Enter a date as YYYY-MM-DD.")) from exc
    if not datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise FieldError(_("Enter a date between 1900 and 2100."))
    return day


def _decimal(value: Any, low: Decimal, high: Decimal) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise FieldError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise FieldError(_("Enter a number.")) from exc
    if not number.is_finite() or not low <= number <= high:
        raise FieldError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


def _pair(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise FieldError(_("Give two values: from and to."))
    return value[0], value[1]


def _choice_list(value: Any, allowed: dict[str, Any]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise FieldError(_("Choose at least one value."))
    if len(value) > MAX_CHOICES:
        raise FieldError(_("Choose at most %(n)s values.") % {"n": MAX_CHOICES})
    out: list[str] = []
    for item in value:
        code = str(item).strip() if isinstance(item, str | int) else None
        if code is None or code not in allowed:
            raise FieldError(_("“%(value)s” is not one of the choices.") % {"value": _short(item)})
        if code not in out:
            out.append(code)
    return out


def _choice(value: Any, allowed: dict[str, Any]) -> str:
    code = str(value).strip() if isinstance(value, str | int) else None
    if code is None or code not in allowed:
        raise FieldError(_("“%(value)s” is not one of the choices.") % {"value": _short(value)})
    return code


# --- fields ----------------------------------------------------------------------------
class Field:
    """Base of every field; subclasses set `kind` (the value widget) and operators."""

    kind = "text"
    operators: tuple[str, ...] = ()
    operator_labels: dict[str, Any] = {}

    def __init__(self, code: str, label: Any, group: Any, **options: Any) -> None:
        self.code = code
        self.label = label
        self.group = group
        self.options = options

    # what the UI needs
    def choices(self) -> list[tuple[str, str]]:
        return []

    def operator_label(self, operator: str) -> str:
        return str(self.operator_labels.get(operator, OPERATOR_LABELS[operator]))

    def ui(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": str(self.label),
            "group": str(self.group),
            "kind": self.kind,
            "operators": [{"code": op, "label": self.operator_label(op)} for op in self.operators],
            "choices": [{"value": v, "label": str(label)} for v, label in self.choices()],
            **{k: v for k, v in self.options.items() if k in {"min", "max"}},
            "unit": str(self.options.get("unit") or ""),
        }

    # checking
    def clean(self, operator: str, value: Any) -> Any:
        if operator in NO_VALUE:
            if value not in (None, "", [], {}):
                raise FieldError(_("This condition takes no value."))
            return None
        return self.clean_value(operator, value)

    def clean_value(self, operator: str, value: Any) -> Any:
        raise FieldError(_("This condition takes no value."))

    def to_json(self, operator: str, value: Any) -> Any:
        """The value as stored in the rule (JSON): the inverse of `clean`."""
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [self.to_json(operator, v) for v in value]
        if isinstance(value, Decimal):
            return str(value)
        return value

    # compiling
    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        raise NotImplementedError

    def variable(self, ctx: Context) -> Expression | None:
        """A numeric expression for a proxy-means-test formula, or None."""
        return None

    # explaining
    def describe_value(self, operator: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            joiner = _(" and ") if operator == "between" else ", "
            return joiner.join(self.describe_value("eq", v) for v in value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def describe(self, operator: str, value: Any) -> str:
        text = f"{self.label} {self.operator_label(operator)}"
        shown = self.describe_value(operator, value)
        return f"{text} {shown}" if shown else text

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        return ""


def _compare(expr: Any, operator: str, value: Any) -> Q:
    """A comparison on an expression (not a plain column)."""
    lookups: dict[str, Callable[[Any, Any], Any]] = {
        "eq": Exact,
        "lt": LessThan,
        "lte": LessThanOrEqual,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
    }
    if operator == "ne":
        return ~Q(Exact(expr, Value(value)))
    if operator == "between":
        return Q(GreaterThanOrEqual(expr, Value(value[0]))) & Q(
            LessThanOrEqual(expr, Value(value[1]))
        )
    return Q(lookups[operator](expr, Value(value)))


def _column_q(path: str, operator: str, value: Any) -> Q:
    if operator == "eq":
        return Q(**{path: value})
    if operator == "ne":
        return ~Q(**{path: value})
    if operator == "in":
        return Q(**{f"{path}__in": value})
    if operator == "not_in":
        return ~Q(**{f"{path}__in": value})
    if operator == "between":
        return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
    if operator == "exists":
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__{operator}": value})


class ChoiceField(Field):
    kind = "choice"
    operators: tuple[str, ...] = ("eq", "ne", "in", "not_in")

    def __init__(self, code: str, label: Any, group: Any, *, column: str, choices: Any) -> None:
        super().__init__(code, label, group)
        self.column = column
        self._choices = choices

    def choices(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in self._choices]

    def clean_value(self, operator: str, value: Any) -> Any:
        allowed = dict(self.choices())
        if operator in {"in", "not_in"}:
            return _choice_list(value, allowed)
        return _choice(value, allowed)

    def describe_value(self, operator: str, value: Any) -> str:
        labels = dict(self.choices())
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, str(value))) if value is not None else ""

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        return _column_q(self.column, operator, value)

    def variable(self, ctx: Context) -> Expression | None:
        return None

    def dummy(self, choice: str) -> Expression:
        """1 when the household's value is `choice`, else 0 (a PMT dummy variable)."""
        return Case(
            When(**{self.column: choice}, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        current = getattr(household, self.column, None)
        return dict(self.choices()).get(str(current), str(current or "—"))


class GovernorateField(ChoiceField):
    """Governorates by P-code; compiled to the household's denormalised governorate."""

    def __init__(self, code: str, label: Any, group: Any) -> None:
        super().__init__(code, label, group, column="governorate_id", choices=())

    def choices(self) -> list[tuple[str, str]]:
        return [(u["pcode"], u["label"]) for u in admin_units() if u["level"] == 1]

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        ids = unit_ids()
        if isinstance(value, list):
            return _column_q("governorate_id", operator, [ids[v] for v in value])
        return _column_q("governorate_id", operator, ids[value])

    def dummy(self, choice: str) -> Expression:
        return Case(
            When(governorate_id=unit_ids()[choice], then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        return str(household.governorate) if household.governorate_id else "—"


class AdminUnitField(Field):
    """Admin units at any level by P-code: a household matches a unit when its own admin
    unit is that unit or lies inside it (its P-code starts with the unit's)."""

    kind = "admin_unit"
    operators = ("in", "not_in")
    operator_labels = {
        "in": gettext_lazy("is in one of"),
        "not_in": gettext_lazy("is in none of"),
    }

    def choices(self) -> list[tuple[str, str]]:
        return [(u["pcode"], u["label"]) for u in admin_units()]

    def clean_value(self, operator: str, value: Any) -> Any:
        return _choice_list(value, dict(self.choices()))

    def describe_value(self, operator: str, value: Any) -> str:
        labels = dict(self.choices())
        return ", ".join(labels.get(v, v) for v in value or [])

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        return _column_q("admin_unit_id", operator, units_within(value))

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        unit = household.admin_unit
        return f"{unit.name} ({unit.pcode})" if unit else "—"


class PlaceField(Field):
    """Places (camps, informal sites, collective centres, villages) by public id."""

    kind = "place"
    operators = ("eq", "ne", "in", "not_in", "exists")
    operator_labels = {"exists": gettext_lazy("lives in a registered place")}
    LIVING = (
        Place.Kind.FORMAL_CAMP,
        Place.Kind.INFORMAL_SITE,
        Place.Kind.COLLECTIVE_CENTRE,
        Place.Kind.VILLAGE,
    )

    def choices(self) -> list[tuple[str, str]]:
        rows = (
            Place.objects.filter(kind__in=self.LIVING)
            .select_related("admin_unit")
            .order_by("name_en")[:500]
        )
        return [(str(p.public_id), f"{p.name} · {p.admin_unit.pcode}") for p in rows]

    def _ids(self, value: list[str]) -> dict[str, int]:
        import uuid

        wanted = []
        for v in value:
            try:
                wanted.append(uuid.UUID(str(v)))
            except (TypeError, ValueError) as exc:
                raise FieldError(
                    _("“%(value)s” is not a known place.") % {"value": _short(v)}
                ) from exc
        found = {
            str(pid): pk
            for pid, pk in Place.objects.filter(public_id__in=wanted).values_list("public_id", "pk")
        }
        for v in value:
            if str(uuid.UUID(str(v))) not in found:
                raise FieldError(_("“%(value)s” is not a known place.") % {"value": _short(v)})
        return found

    def clean_value(self, operator: str, value: Any) -> Any:
        import uuid

        if operator in {"in", "not_in"}:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list | tuple) or not value or len(value) > MAX_CHOICES:
                raise FieldError(_("Choose at least one place."))
            self._ids(list(value))
            return sorted({str(uuid.UUID(str(v))) for v in value})
        if isinstance(value, list | tuple):
            raise FieldError(_("Choose one place."))
        self._ids([value])
        return str(uuid.UUID(str(value)))

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        if operator == "exists":
            return Q(place__isnull=False)
        values = value if isinstance(value, list) else [value]
        ids = list(Place.objects.filter(public_id__in=values).values_list("pk", flat=True))
        if operator in {"in", "eq"}:
            return Q(place_id__in=ids)
        return ~Q(place_id__in=ids)

    def describe_value(self, operator: str, value: Any) -> str:
        if value is None:
            return ""
        values = value if isinstance(value, list) else [value]
        names = {
            str(pid): name
            for pid, name in Place.objects.filter(public_id__in=values).values_list(
                "public_id", "name_en"
            )
        }
        return ", ".join(str(names.get(v, v)) for v in values)

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        place = household.place
        return place.name if place is not None else _("not in a registered place")


class FlagField(Field):
    """A yes/no fact of the household: a column, or a condition on its members."""

    kind = "bool"
    operators = ("is_true", "is_false")

    def __init__(
        self,
        code: str,
        label: Any,
        group: Any,
        *,
        column: str | None = None,
        condition: Callable[[Context], Q] | None = None,
    ) -> None:
        super().__init__(code, label, group)
        self.column = column
        self.condition = condition

    def _q(self, ctx: Context) -> Q:
        if self.column:
            return Q(**{self.column: True})
        assert self.condition is not None
        return self.condition(ctx)

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        return self._q(ctx) if operator == "is_true" else ~self._q(ctx)

    def variable(self, ctx: Context) -> Expression | None:
        return Case(
            When(self._q(ctx), then=Value(1.0)), default=Value(0.0), output_field=FloatField()
        )

    def describe(self, operator: str, value: Any) -> str:
        return f"{self.label}: {self.operator_label(operator)}"

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        if self.column:
            on = bool(getattr(household, self.column))
        else:
            on = Household.objects.filter(self._q(ctx), pk=household.pk).exists()
        return str(OPERATOR_LABELS["is_true" if on else "is_false"])


class IntegerColumnField(Field):
    kind = "int"
    operators = ("eq", "ne", "lt", "lte", "gt", "gte", "between")

    def __init__(
        self,
        code: str,
        label: Any,
        group: Any,
        *,
        expression: Callable[[Context], Any] | str,
        low: int = 0,
        high: int = 99,
        unit: Any = "",
    ) -> None:
        super().__init__(code, label, group, min=low, max=high, unit=unit)
        self.expression = expression
        self.low, self.high = low, high

    def clean_value(self, operator: str, value: Any) -> Any:
        if operator == "between":
            a, b = _pair(value)
            low, high = _int(a, self.low, self.high), _int(b, self.low, self.high)
            if low > high:
                raise FieldError(_("The first number must not be larger than the second."))
            return [low, high]
        return _int(value, self.low, self.high)

    def _expr(self, ctx: Context) -> Any:
        return F(self.expression) if isinstance(self.expression, str) else self.expression(ctx)

    @property
    def shared(self) -> bool:
        """Computed (not a plain column): a build computes its value once per household
        and compares it as often as the rule and the criteria ask."""
        return not isinstance(self.expression, str)

    def value_expression(self, ctx: Context) -> Any:
        return self._expr(ctx)

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        if isinstance(self.expression, str):
            return _column_q(self.expression, operator, value)
        return _compare(self._expr(ctx), operator, value)

    def variable(self, ctx: Context) -> Expression | None:
        return Cast(self._expr(ctx), FloatField())

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        found = (
            Household.objects.filter(pk=household.pk)
            .annotate(_v=self._expr(ctx))
            .values_list("_v", flat=True)
            .first()
        )
        return str(found if found is not None else "—")


class DateColumnField(Field):
    kind = "date"
    operators = ("lt", "lte", "gt", "gte", "between", "exists")
    operator_labels = {
        "lt": gettext_lazy("is before"),
        "lte": gettext_lazy("is on or before"),
        "gt": gettext_lazy("is after"),
        "gte": gettext_lazy("is on or after"),
    }

    def __init__(self, code: str, label: Any, group: Any, *, column: str) -> None:
        super().__init__(code, label, group)
        self.column = column

    def clean_value(self, operator: str, value: Any) -> Any:
        if operator == "between":
            a, b = _pair(value)
            low, high = _date(a), _date(b)
            if low > high:
                raise FieldError(_("The first date must not be after the second."))
            return [low, high]
        return _date(value)

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        return _column_q(self.column, operator, value)

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        day = getattr(household, self.column)
        return day.isoformat() if day else _("not recorded")


def _members(**filters: Any) -> Any:
    return Individual.objects.filter(status=Individual.Status.ACTIVE, **filters).values(
        "household_id"
    )


def _age_range(low: int | None, high: int | None, on: datetime.date) -> dict[str, Any]:
    """date_of_birth filters for an age from `low` to `high` years (inclusive) on `on`."""
    filters: dict[str, Any] = {}
    if low is not None:
        filters["date_of_birth__lte"] = minus_years(on, low)
    if high is not None:
        filters["date_of_birth__gt"] = minus_years(on, high + 1)
    return filters


class MemberAgeField(Field):
    """ "Has a member aged …": at least one current member in the age range."""

    kind = "int"
    operators = ("lt", "gte", "between")
    operator_labels = {
        "lt": gettext_lazy("younger than"),
        "gte": gettext_lazy("aged at least"),
        "between": gettext_lazy("aged between"),
    }

    def __init__(self, code: str, label: Any, group: Any, *, head_only: bool = False) -> None:
        super().__init__(code, label, group, min=0, max=120, unit=gettext_lazy("years"))
        self.head_only = head_only

    def clean_value(self, operator: str, value: Any) -> Any:
        if operator == "between":
            a, b = _pair(value)
            low, high = _int(a, 0, 120), _int(b, 0, 120)
            if low > high:
                raise FieldError(_("The first number must not be larger than the second."))
            return [low, high]
        return _int(value, 0, 120)

    def _filters(self, operator: str, value: Any, ctx: Context) -> dict[str, Any]:
        if operator == "lt":
            return _age_range(None, value - 1, ctx.as_of) if value > 0 else {"pk__in": []}
        if operator == "gte":
            return _age_range(value, None, ctx.as_of)
        return _age_range(value[0], value[1], ctx.as_of)

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        extra = {"relationship": Individual.Relationship.HEAD} if self.head_only else {}
        return Q(pk__in=_members(**extra, **self._filters(operator, value, ctx)))

    def describe_value(self, operator: str, value: Any) -> str:
        shown = super().describe_value(operator, value)
        return f"{shown} {_('years')}" if shown else shown

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        from sanad.registry.derive import age_on

        members = Individual.objects.filter(household=household, status=Individual.Status.ACTIVE)
        if self.head_only:
            members = members.filter(relationship=Individual.Relationship.HEAD)
        ages = sorted(
            age_on(dob, ctx.as_of) for dob in members.values_list("date_of_birth", flat=True)
        )
        if not ages:
            return "—"
        return ", ".join(str(a) for a in ages) + f" {_('years')}"


class HeadSexField(ChoiceField):
    operators: tuple[str, ...] = ("eq", "ne")

    def __init__(self, code: str, label: Any, group: Any) -> None:
        super().__init__(code, label, group, column="", choices=Individual.Sex.choices)

    def _head(self, sex: str) -> Q:
        return Q(pk__in=_members(relationship=Individual.Relationship.HEAD, sex=sex))

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        return self._head(value) if operator == "eq" else ~self._head(value)

    def dummy(self, choice: str) -> Expression:
        return Case(
            When(self._head(choice), then=Value(1.0)), default=Value(0.0), output_field=FloatField()
        )

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        head = Individual.objects.filter(
            household=household,
            status=Individual.Status.ACTIVE,
            relationship=Individual.Relationship.HEAD,
        ).first()
        return head.get_sex_display() if head else _("no head recorded")


class DocumentField(Field):
    """ "A member (or the head) holds one of these documents" / "holds none of them"."""

    kind = "choice"
    operators = ("in", "not_in")

    def __init__(self, code: str, label: Any, group: Any, *, head_only: bool = False) -> None:
        super().__init__(code, label, group)
        self.head_only = head_only
        if head_only:
            self.operator_labels = {
                "in": gettext_lazy("holds one of"),
                "not_in": gettext_lazy("holds none of"),
            }
        else:
            self.operator_labels = {
                "in": gettext_lazy("someone holds one of"),
                "not_in": gettext_lazy("nobody holds any of"),
            }

    def choices(self) -> list[tuple[str, str]]:
        return [(v, str(label)) for v, label in IndividualDocument.Kind.choices]

    def clean_value(self, operator: str, value: Any) -> Any:
        return _choice_list(value, dict(self.choices()))

    def describe_value(self, operator: str, value: Any) -> str:
        labels = dict(self.choices())
        return ", ".join(labels.get(v, v) for v in value or [])

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        holders = IndividualDocument.objects.filter(
            kind__in=value, individual__status=Individual.Status.ACTIVE
        )
        if self.head_only:
            holders = holders.filter(individual__relationship=Individual.Relationship.HEAD)
        q = Q(pk__in=holders.values("individual__household_id"))
        return q if operator == "in" else ~q

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        docs = IndividualDocument.objects.filter(
            individual__household=household, individual__status=Individual.Status.ACTIVE
        )
        if self.head_only:
            docs = docs.filter(individual__relationship=Individual.Relationship.HEAD)
        labels = dict(self.choices())
        kinds = sorted({labels.get(k, k) for k in docs.values_list("kind", flat=True)})
        return ", ".join(kinds) if kinds else _("none")


# --- the assistance ledger ----------------------------------------------------------------
LEDGER_WHAT = {
    "item": gettext_lazy("item or kit"),
    "kind": gettext_lazy("kind of assistance"),
    "programme": gettext_lazy("programme"),
    "project": gettext_lazy("donor project"),
}


class ReceivedField(Field):
    """ "Has (not) received <item / kind / programme / project> since <date or the last N
    months>", from the assistance ledger, merged households followed."""

    kind = "ledger_received"
    operators = ("is_true", "is_false")
    operator_labels = {
        "is_true": gettext_lazy("has received"),
        "is_false": gettext_lazy("has not received"),
    }

    def ui(self) -> dict[str, Any]:
        data = super().ui()
        data["what"] = [{"value": k, "label": str(v)} for k, v in LEDGER_WHAT.items()]
        data["kinds"] = [{"value": k, "label": str(v)} for k, v in AssistanceKind.choices]
        data["programmes"] = [{"value": k, "label": str(v)} for k, v in ProgrammeArea.choices]
        return data

    def clean(self, operator: str, value: Any) -> Any:
        if not isinstance(value, dict):
            raise FieldError(_("Say what was received and since when."))
        unknown = set(value) - {"what", "code", "since", "months"}
        if unknown:
            raise FieldError(_("Unknown setting “%(key)s”.") % {"key": _short(sorted(unknown)[0])})
        what = value.get("what")
        if what not in LEDGER_WHAT:
            raise FieldError(
                _("Choose what was received: an item, a kind, a programme or a project.")
            )
        code = str(value.get("code") or "").strip()
        if what == "item":
            if not ITEM_CODE.match(code):
                raise FieldError(
                    _("Enter the item code as the ledger records it, such as winter_kit.")
                )
        elif what == "kind":
            code = _choice(code, dict(AssistanceKind.choices))
        elif what == "programme":
            code = _choice(code, dict(ProgrammeArea.choices))
        else:
            from sanad.programmes.models import Project

            if not Project.objects.filter(code=code).exists():
                raise FieldError(_("“%(value)s” is not a project code.") % {"value": _short(code)})
        since, months = value.get("since"), value.get("months")
        if since not in (None, "") and months not in (None, ""):
            raise FieldError(_("Give either a date or a number of months, not both."))
        out: dict[str, Any] = {"what": what, "code": code}
        if since not in (None, ""):
            out["since"] = _date(since).isoformat()
        elif months not in (None, ""):
            out["months"] = _int(months, 1, 120)
        else:
            raise FieldError(_("Give the date from which to look, or a number of months."))
        return out

    def since(self, value: dict[str, Any], ctx: Context) -> datetime.date:
        if "since" in value:
            return datetime.date.fromisoformat(value["since"])
        return minus_months(ctx.as_of, int(value["months"]))

    def _received(self, value: dict[str, Any], ctx: Context) -> Q:
        kwargs: dict[str, Any] = {"since": self.since(value, ctx)}
        what, code = value["what"], value["code"]
        if what == "project":
            from sanad.programmes.models import Project

            kwargs["project"] = Project.objects.filter(code=code).first()
            if kwargs["project"] is None:  # removed since the rule was written
                return Q(pk__in=[])
        else:
            kwargs[what] = code
        return ledger.households_received_q(**kwargs)

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        q = self._received(value, ctx)
        return q if operator == "is_true" else ~q

    def describe_value(self, operator: str, value: Any) -> str:
        what = value["what"]
        if what == "kind":
            thing = str(dict(AssistanceKind.choices).get(value["code"], value["code"]))
        elif what == "programme":
            thing = str(dict(ProgrammeArea.choices).get(value["code"], value["code"]))
        else:
            thing = f"{value['code']} ({LEDGER_WHAT[what]})"
        if "since" in value:
            return _("%(thing)s since %(date)s") % {"thing": thing, "date": value["since"]}
        return _("%(thing)s in the last %(n)s months") % {"thing": thing, "n": value["months"]}

    def describe(self, operator: str, value: Any) -> str:
        return f"{self.operator_label(operator)} {self.describe_value(operator, value)}"

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        received = (
            Household.objects.filter(pk=household.pk).filter(self.q("is_true", value, ctx)).exists()
        )
        return str(self.operator_labels["is_true" if received else "is_false"])


class ReceivedValueField(Field):
    """ "Received less than / at least N IQD (or USD) in the last M months": every
    delivery with a value counts, the other currency converted at its recorded rate."""

    kind = "ledger_value"
    operators = ("lt", "gte")
    operator_labels = {
        "lt": gettext_lazy("received less than"),
        "gte": gettext_lazy("received at least"),
    }

    def clean(self, operator: str, value: Any) -> Any:
        if not isinstance(value, dict):
            raise FieldError(_("Give an amount, its currency and a number of months."))
        unknown = set(value) - {"amount", "currency", "months"}
        if unknown:
            raise FieldError(_("Unknown setting “%(key)s”.") % {"key": _short(sorted(unknown)[0])})
        amount = _decimal(value.get("amount"), Decimal("0"), Decimal("1000000000000"))
        currency = _choice(str(value.get("currency") or "").upper(), {"IQD": 1, "USD": 1})
        months = _int(value.get("months"), 1, 120)
        return {"amount": str(amount), "currency": currency, "months": months}

    def _at_least(self, value: dict[str, Any], ctx: Context) -> Any:
        return ledger.households_received_value_at_least(
            amount=Decimal(value["amount"]),
            currency=value["currency"],
            since=minus_months(ctx.as_of, int(value["months"])),
        )

    def q(self, operator: str, value: Any, ctx: Context) -> Q:
        q = Q(pk__in=self._at_least(value, ctx))
        return q if operator == "gte" else ~q

    def describe_value(self, operator: str, value: Any) -> str:
        return _("%(amount)s %(currency)s in the last %(n)s months") % {
            "amount": f"{Decimal(value['amount']):,.2f}".rstrip("0").rstrip("."),
            "currency": value["currency"],
            "n": value["months"],
        }

    def describe(self, operator: str, value: Any) -> str:
        return f"{self.operator_label(operator)} {self.describe_value(operator, value)}"

    def current_value(self, household: Household, ctx: Context, value: Any) -> str:
        total = ledger.received_value(
            household=household,
            since=minus_months(ctx.as_of, int(value["months"])),
            currency=value["currency"],
        )
        return f"{total:,.2f} {value['currency']}"


# --- the registry of fields ------------------------------------------------------------------
G_HOUSEHOLD = gettext_lazy("Household")
G_PLACE = gettext_lazy("Where the household lives")
G_VULNERABLE = gettext_lazy("Vulnerabilities")
G_MEMBERS = gettext_lazy("Members")
G_HEAD = gettext_lazy("Head of household")
G_LEDGER = gettext_lazy("Assistance received")

SEX_LABELS = {"female": gettext_lazy("female"), "male": gettext_lazy("male")}


def _demographic(
    sex: str | None, group: str | None, *, disability: bool = False
) -> Callable[[Context], Any]:
    """Members counted in the household's demographics (kept current by the registry on
    every write): by sex and/or age group, optionally those with a disability."""

    def expression(ctx: Context) -> Any:
        sexes = [sex] if sex else ["female", "male"]
        groups = [group] if group else [g for g, _low, _high in AGE_GROUPS]
        parts = []
        for s in sexes:
            for g in groups:
                path = (
                    f"demographics__disability__{s}__{g}"
                    if disability
                    else f"demographics__{s}__{g}"
                )
                parts.append(Coalesce(Cast(KT(path), IntegerField()), Value(0)))
        total: Any = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    return expression


def _member_flag(**filters: Any) -> Callable[[Context], Q]:
    def condition(ctx: Context) -> Q:
        return Q(pk__in=_members(**filters))

    return condition


def _build_fields() -> dict[str, Field]:
    fields: list[Field] = [
        ChoiceField(
            "displacement_status",
            gettext_lazy("Displacement status"),
            G_HOUSEHOLD,
            column="displacement_status",
            choices=DisplacementStatus.choices,
        ),
        ChoiceField(
            "shelter_type",
            gettext_lazy("Shelter type"),
            G_HOUSEHOLD,
            column="shelter_type",
            choices=ShelterType.choices,
        ),
        FlagField(
            "critical_shelter",
            gettext_lazy("Lives in critical shelter"),
            G_HOUSEHOLD,
            condition=lambda ctx: Q(shelter_type__in=sorted(CRITICAL_SHELTER)),
        ),
        IntegerColumnField(
            "size", gettext_lazy("Household size"), G_HOUSEHOLD, expression="size", low=0, high=99
        ),
        DateColumnField(
            "displaced_on",
            gettext_lazy("Date of first displacement"),
            G_HOUSEHOLD,
            column="displaced_on",
        ),
        GovernorateField("governorate", gettext_lazy("Governorate"), G_PLACE),
        AdminUnitField("admin_unit", gettext_lazy("Admin unit (any level)"), G_PLACE),
        PlaceField("place", gettext_lazy("Place (camp, site, village)"), G_PLACE),
        FlagField(
            "is_woman_headed",
            gettext_lazy("Woman-headed household"),
            G_VULNERABLE,
            column="is_woman_headed",
        ),
        FlagField(
            "is_child_headed",
            gettext_lazy("Child-headed household"),
            G_VULNERABLE,
            column="is_child_headed",
        ),
        FlagField(
            "is_older_person_alone",
            gettext_lazy("Older person alone"),
            G_VULNERABLE,
            column="is_older_person_alone",
        ),
        FlagField(
            "has_disability",
            gettext_lazy("A member has a disability (Washington Group)"),
            G_VULNERABLE,
            column="has_disability",
        ),
        FlagField(
            "has_unaccompanied_child",
            gettext_lazy("Unaccompanied or separated child"),
            G_VULNERABLE,
            column="has_unaccompanied_child",
        ),
        FlagField("is_large", gettext_lazy("Large household"), G_VULNERABLE, column="is_large"),
        FlagField(
            "has_chronic_illness",
            gettext_lazy("A member has a chronic illness"),
            G_VULNERABLE,
            condition=_member_flag(has_chronic_illness=True),
        ),
        FlagField(
            "has_pregnant_member",
            gettext_lazy("A member is pregnant"),
            G_VULNERABLE,
            condition=_member_flag(is_pregnant=True),
        ),
        MemberAgeField("member_age", gettext_lazy("Has a member"), G_MEMBERS),
        IntegerColumnField(
            "members_with_disability",
            gettext_lazy("Members with a disability"),
            G_MEMBERS,
            expression=_demographic(None, None, disability=True),
        ),
    ]
    for group, _low, _high in AGE_GROUPS:
        slug = group.replace("-", "_").replace("+", "_plus")
        fields.append(
            IntegerColumnField(
                f"members_{slug}",
                _lazy_members(None, group),
                G_MEMBERS,
                expression=_demographic(None, group),
            )
        )
        for sex in ("female", "male"):
            fields.append(
                IntegerColumnField(
                    f"members_{sex}_{slug}",
                    _lazy_members(sex, group),
                    G_MEMBERS,
                    expression=_demographic(sex, group),
                )
            )
    fields += [
        DocumentField("member_document", gettext_lazy("Documents: a member"), G_MEMBERS),
        HeadSexField("head_sex", gettext_lazy("Sex of the head"), G_HEAD),
        MemberAgeField("head_age", gettext_lazy("The head is"), G_HEAD, head_only=True),
        DocumentField("head_document", gettext_lazy("The head"), G_HEAD, head_only=True),
        ReceivedField("received", gettext_lazy("Assistance received"), G_LEDGER),
        ReceivedValueField("received_value", gettext_lazy("Value received"), G_LEDGER),
    ]
    return {f.code: f for f in fields}


def _lazy_members(sex: str | None, group: str) -> Any:
    from django.utils.functional import lazy

    def text() -> str:
        if sex is None:
            return _("Members aged %(group)s") % {"group": group}
        if sex == "female":
            return _("Female members aged %(group)s") % {"group": group}
        return _("Male members aged %(group)s") % {"group": group}

    return lazy(text, str)()


FIELDS: dict[str, Field] = _build_fields()


def field(code: Any) -> Field | None:
    """The field with this code, or None: only codes in the registry exist."""
    return FIELDS.get(code) if isinstance(code, str) else None


def fields_ui() -> list[dict[str, Any]]:
    """The registry as the rule builder (and the API) shows it, in the current language."""
    return [f.ui() for f in FIELDS.values()]


# --- proxy-means-test variables ------------------------------------------------------------
def variable_expression(code: str, ctx: Context) -> Expression:
    """The numeric expression of a PMT variable: a numeric or yes/no field's code, or a
    dummy "<field>=<choice>" (1 when the household's value is that choice)."""
    if "=" in code:
        name, choice = code.split("=", 1)
        f = field(name)
        if not isinstance(f, ChoiceField) or choice not in dict(f.choices()):
            raise FieldError(_("“%(code)s” is not a known variable.") % {"code": _short(code)})
        return f.dummy(choice)
    f = field(code)
    expr = f.variable(ctx) if f is not None else None
    if expr is None:
        raise FieldError(_("“%(code)s” is not a known variable.") % {"code": _short(code)})
    return expr


def variable_label(code: str) -> str:
    if "=" in code:
        name, choice = code.split("=", 1)
        f = field(name)
        if f is not None:
            return f"{f.label}: {dict(f.choices()).get(choice, choice)}"
        return code
    f = field(code)
    return str(f.label) if f is not None else code


def check_variable(code: Any) -> str:
    if not isinstance(code, str) or not code.strip():
        raise FieldError(_("Name the variable."))
    code = code.strip()
    variable_expression(code, Context(as_of=datetime.date(2000, 1, 1)))
    return code


def variables_ui() -> list[dict[str, str]]:
    """Every variable a PMT formula may use (for the coefficients template)."""
    out = []
    for f in FIELDS.values():
        if f.variable(Context(as_of=datetime.date(2000, 1, 1))) is not None:
            out.append({"code": f.code, "label": str(f.label)})
        elif isinstance(f, ChoiceField) and not isinstance(f, DocumentField):
            for choice, label in f.choices():
                out.append({"code": f"{f.code}={choice}", "label": f"{f.label}: {label}"})
    return out


# --- geography helpers (a small reference table, read when needed) -----------------------------
def _units() -> tuple[dict[str, Any], ...]:
    return tuple(
        {"pcode": p, "id": pk, "level": level, "name_en": en, "name_ar": ar}
        for p, pk, level, en, ar in AdminUnit.objects.order_by("pcode").values_list(
            "pcode", "pk", "level", "name_en", "name_ar"
        )
    )


def admin_units() -> list[dict[str, Any]]:
    from django.utils.translation import get_language

    arabic = (get_language() or "en").split("-")[0] in {"ar", "ckb"}
    return [
        {
            "pcode": u["pcode"],
            "level": u["level"],
            "label": f"{(u['name_ar'] if arabic and u['name_ar'] else u['name_en'])} ({u['pcode']})",
        }
        for u in _units()
    ]


def unit_ids() -> dict[str, int]:
    return {u["pcode"]: u["id"] for u in _units()}


def units_within(pcodes: Sequence[str]) -> list[int]:
    """Ids of the admin units that are one of `pcodes` or lie inside one (P-code prefix)."""
    prefixes = tuple(pcodes)
    return [u["id"] for u in _units() if u["pcode"].startswith(prefixes)]
