"""Vulnerability scoring: weighted points per criterion, or a proxy-means-test formula.

Weighted: each criterion is one condition of the field registry with its points; a
household's score is the sum of the points of the criteria it meets. In the list's
build, criteria are evaluated once into a bit mask (`criteria_met`), from which the
score and its breakdown both come.

Proxy means test: score = intercept + Σ coefficient × variable, the coefficients per
governorate (a default row for the others), loaded from a CSV or XLSX table into a new
model version. Computed in SQL: each coefficient is a CASE on the household's
governorate. The variables' values are kept on each entry so that the breakdown of a
locked list never changes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import BigIntegerField, Case, FloatField, Value, When
from django.db.models.functions import JSONArray
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.targeting.compiler import Leaf, validate_condition
from sanad.targeting.fields import (
    Context,
    FieldError,
    check_variable,
    unit_ids,
    variable_expression,
)
from sanad.targeting.models import PmtCoefficient, ScoringModel, ScoringModelVersion

MAX_CRITERIA = 40
MAX_POINTS = Decimal("10000")
MAX_VARIABLES = 40
MAX_COEFFICIENT_ROWS = 5000


@dataclass(frozen=True)
class Criterion:
    index: int
    label: str
    leaf: Leaf
    points: Decimal


def validate_criteria(data: Any) -> tuple[list[dict[str, Any]], list[Criterion]]:
    """[{label, condition, points}] → the normalised list and typed criteria; every
    problem reported at its path (`criteria.2.points`)."""
    from sanad.targeting.compiler import _Errors

    errors = _Errors("criteria")
    if not isinstance(data, list):
        raise ValidationFailed(fields={"criteria": [_("List the criteria.")]})
    if not data:
        raise ValidationFailed(fields={"criteria": [_("Add at least one criterion.")]})
    if len(data) > MAX_CRITERIA:
        raise ValidationFailed(
            fields={"criteria": [_("A model has %(n)s criteria at most.") % {"n": MAX_CRITERIA}]}
        )
    out: list[dict[str, Any]] = []
    criteria: list[Criterion] = []
    for i, row in enumerate(data):
        path = str(i)
        if not isinstance(row, dict) or set(row) - {"label", "condition", "points"}:
            errors.add(path, _("A criterion has a label, a condition and points."))
            continue
        label = str(row.get("label") or "").strip()
        if not label or len(label) > 120:
            errors.add(f"{path}.label", _("Name the criterion (120 characters at most)."))
        try:
            points = Decimal(str(row.get("points")).strip())
            if not points.is_finite() or abs(points) > MAX_POINTS:
                raise InvalidOperation
            points = points.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors.add(
                f"{path}.points",
                _("Give the points as a number from -%(n)s to %(n)s.") % {"n": MAX_POINTS},
            )
            points = Decimal("0")
        leaf = validate_condition(
            row.get("condition"), path=f"{path}.condition", errors=errors, index=i
        )
        if leaf is None or not label:
            continue
        criteria.append(Criterion(index=i, label=label, leaf=leaf, points=points))
        out.append({"label": label, "condition": leaf.as_json(), "points": str(points)})
    if errors.fields:
        first = next(iter(errors.fields.values()))[0]
        raise ValidationFailed(
            _("The criteria are not valid: %(message)s") % {"message": first}, fields=errors.fields
        )
    return out, criteria


def criteria_of(version: ScoringModelVersion) -> list[Criterion]:
    if not version.criteria:
        return []
    return validate_criteria(version.criteria)[1]


def criteria_bits(criteria: list[Criterion], ctx: Context) -> Any:
    if not criteria:
        return Value(0, output_field=BigIntegerField())
    parts = [
        Case(
            When(c.leaf.q(ctx), then=Value(1 << c.index)),
            default=Value(0),
            output_field=BigIntegerField(),
        )
        for c in criteria
    ]
    total: Any = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def weighted_score_sql(criteria: list[Criterion], column: str) -> tuple[str, list[Any]]:
    """The score from the criteria bits in `column`: Σ CASE WHEN bit THEN points."""
    if not criteria:
        return "0.0", []
    parts, params = [], []
    for c in criteria:
        parts.append(f"(CASE WHEN ({column} & %s) <> 0 THEN %s ELSE 0.0 END)")
        params += [1 << c.index, float(c.points)]
    return "(" + " + ".join(parts) + ")", params


def weighted_breakdown(criteria: list[Criterion], bits: int) -> list[dict[str, Any]]:
    return [
        {
            "label": c.label,
            "text": c.leaf.describe(),
            "met": bool(bits & (1 << c.index)),
            "points": c.points,
            "earned": c.points if bits & (1 << c.index) else Decimal("0"),
        }
        for c in criteria
    ]


# --- proxy means test ---------------------------------------------------------------------
@dataclass
class Coefficients:
    """{variable: {governorate id or None: coefficient}}, intercept under "intercept"."""

    table: dict[str, dict[int | None, Decimal]]
    variables: list[str]

    @classmethod
    def of(cls, version: ScoringModelVersion) -> Coefficients:
        table: dict[str, dict[int | None, Decimal]] = {}
        for row in version.coefficients.all():
            table.setdefault(row.variable, {})[row.region_id] = row.coefficient
        return cls(table=table, variables=[v["code"] for v in version.variables])

    def coefficient(self, variable: str, region_id: int | None) -> Decimal:
        rows = self.table.get(variable, {})
        if region_id in rows:
            return rows[region_id]
        return rows.get(None, Decimal("0"))

    def expression(self, variable: str) -> Any:
        rows = self.table.get(variable, {})
        default = float(rows.get(None, Decimal("0")))
        whens = [
            When(governorate_id=region, then=Value(float(c)))
            for region, c in rows.items()
            if region is not None and float(c) != default
        ]
        if not whens:
            return Value(default, output_field=FloatField())
        return Case(*whens, default=Value(default), output_field=FloatField())


def pmt_expressions(version: ScoringModelVersion, ctx: Context) -> tuple[Any, Any]:
    """(score, values): the PMT score of each household and its variables as a JSON
    array, as ORM expressions on Household."""
    coefficients = Coefficients.of(version)
    values = [variable_expression(code, ctx) for code in coefficients.variables]
    score: Any = coefficients.expression(PmtCoefficient.INTERCEPT)
    for code, value in zip(coefficients.variables, values, strict=True):
        score = score + coefficients.expression(code) * value
    return score, (JSONArray(*values) if values else Value(None))


def pmt_breakdown(
    version: ScoringModelVersion, region_id: int | None, values: list[Any] | None
) -> list[dict[str, Any]]:
    from sanad.targeting.fields import variable_label

    coefficients = Coefficients.of(version)
    rows = [
        {
            "label": _("Constant (intercept)"),
            "value": None,
            "coefficient": coefficients.coefficient(PmtCoefficient.INTERCEPT, region_id),
        }
    ]
    for i, code in enumerate(coefficients.variables):
        value = (values or [None] * len(coefficients.variables))[i]
        rows.append(
            {
                "label": variable_label(code),
                "value": value,
                "coefficient": coefficients.coefficient(code, region_id),
            }
        )
    for row in rows:
        c = Decimal(str(row["coefficient"]))
        row["earned"] = c if row["value"] is None else c * Decimal(str(row["value"] or 0))
    return rows


def parse_coefficients(content: bytes, filename: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows {region (governorate P-code or "" for the default), variable, coefficient}
    from a CSV or XLSX file with those three columns, checked; and the variables in
    the order they first appear (the intercept left out). ValidationFailed lists every
    problem by row."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            raw = [
                [("" if c is None else str(c)) for c in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        elif name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            raw = list(csv.reader(io.StringIO(text)))
        else:
            raise ValidationFailed(fields={"file": [_("Upload a CSV or XLSX file.")]})
    except (UnicodeDecodeError, ValueError, OSError, KeyError) as exc:
        if isinstance(exc, ValidationFailed):
            raise
        raise ValidationFailed(
            fields={"file": [_("The file could not be read as CSV or XLSX.")]}
        ) from exc
    raw = [r for r in raw if any(str(c).strip() for c in r)]
    if not raw:
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    header = [str(c).strip().lower() for c in raw[0]]
    wanted = ("region", "variable", "coefficient")
    if not all(h in header for h in wanted):
        raise ValidationFailed(
            fields={
                "file": [_("The first row must name the columns region, variable and coefficient.")]
            }
        )
    cols = {h: header.index(h) for h in wanted}
    if len(raw) - 1 > MAX_COEFFICIENT_ROWS:
        raise ValidationFailed(
            fields={"file": [_("A table has %(n)s rows at most.") % {"n": MAX_COEFFICIENT_ROWS}]}
        )
    governorates = {p for p, _id in unit_ids().items() if len(p) == 5}
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    order: list[str] = []

    def cell(row: list[str], key: str) -> str:
        return str(row[cols[key]]).strip() if cols[key] < len(row) else ""

    for n, row in enumerate(raw[1:], start=2):
        region = cell(row, "region").upper()
        if region in {"*", "DEFAULT", "ALL"}:
            region = ""
        if region and region not in governorates:
            problems.append(
                _("Row %(n)s: “%(v)s” is not a governorate P-code.") % {"n": n, "v": region[:20]}
            )
            continue
        variable = cell(row, "variable")
        if variable.lower() != PmtCoefficient.INTERCEPT:
            try:
                variable = check_variable(variable)
            except FieldError as exc:
                problems.append(_("Row %(n)s: %(message)s") % {"n": n, "message": exc})
                continue
        else:
            variable = PmtCoefficient.INTERCEPT
        try:
            coefficient = Decimal(cell(row, "coefficient").replace(",", "."))
            if not coefficient.is_finite() or abs(coefficient) >= Decimal("1e9"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(_("Row %(n)s: the coefficient is not a number.") % {"n": n})
            continue
        if (region, variable) in seen:
            problems.append(_("Row %(n)s: this region and variable appear twice.") % {"n": n})
            continue
        seen.add((region, variable))
        rows.append({"region": region, "variable": variable, "coefficient": coefficient})
        if variable != PmtCoefficient.INTERCEPT and variable not in order:
            order.append(variable)
    for variable in [PmtCoefficient.INTERCEPT, *order]:
        if ("", variable) not in seen:
            problems.append(
                _(
                    "“%(v)s” has no default row (region left empty or *): give one for the governorates without their own."
                )
                % {"v": variable}
            )
    if len(order) > MAX_VARIABLES:
        problems.append(_("A formula has %(n)s variables at most.") % {"n": MAX_VARIABLES})
    if problems:
        raise ValidationFailed(
            _("The coefficients table has %(n)s problems; the first: %(first)s")
            % {"n": len(problems), "first": problems[0]},
            fields={"file": problems[:50]},
        )
    return rows, order


def coefficients_template_csv() -> str:
    """A starting table: the intercept and a few variables, defaults and one region."""
    lines = [
        "region,variable,coefficient",
        ",intercept,11.2",
        ",size,-0.12",
        ",is_woman_headed,-0.3",
        ",has_disability,-0.2",
        ",critical_shelter,-0.4",
        "IQG09,intercept,11.5",
        "IQG09,size,-0.1",
    ]
    return "\n".join(lines) + "\n"


def model_kind_label(model: ScoringModel) -> str:
    return str(model.get_kind_display())
