"""The figures API: unique people and households reached, with their disaggregation,
for a period and filters, in total and by one dimension.

    GET /api/v1/reporting/figures/?from=2026-01&to=2026-06&governorate=IQG09&by=programme

Parameters (all optional): `from`, `to` (YYYY-MM; the last 12 months by default),
`governorate`, `district` (P-codes), `place` (a place's id), `programme` (code),
`project` (a project's id), `by` (programme, governorate, district, place, month,
project, activity or item). The answer: the filters read, the `total`, the `groups` (each
with its `key` and `label`), when the figures were last computed (`as_of`) and how many
deliveries recorded since are not counted yet (`pending`).

The figures are those of the caller's scope. For a user outside the mission (a donor
viewer) counts of people and households below SANAD_REPORTING_MIN_CELL are null, and
`suppressed_below` says the threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sanad.core.errors import ValidationFailed
from sanad.reporting.periods import filters_from
from sanad.reporting.selectors.dashboard import group_labels, may_see_figures, shown_figures
from sanad.reporting.selectors.figures import freshness, reach
from sanad.reporting.suppression import outside_mission

BY = ("programme", "governorate", "district", "place", "month", "project", "activity", "item")


def _figures(figures: Any, *, outside: bool) -> dict[str, Any]:
    out = shown_figures(figures, outside=outside)
    for key in ("quantity", "value_usd", "value_iqd"):
        out[key] = f"{Decimal(out[key] or 0):.2f}"
    return out


def _count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text)


class ReportingFiguresSerializer(serializers.Serializer):
    people = _count("Unique people reached (each person once; merged duplicates once).")
    households = _count("Unique households reached.")
    female = _count("Women and girls reached.")
    male = _count("Men and boys reached.")
    with_disability = _count("People with a disability reached.")
    children = _count("Children (under 18) reached.")
    by_age = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="People by age group (SANAD_REPORTING_AGE_GROUPS, such as 0-5, 6-17, 18-59, 60+).",
    )
    by_sex_and_age = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(allow_null=True)),
        help_text='{"female": {"0-5": n, …}, "male": {…}}',
    )
    with_disability_by_sex = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    disability_by_sex_and_age = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(allow_null=True))
    )
    records = serializers.IntegerField(help_text="Deliveries recorded in the ledger.")
    quantity = serializers.CharField(help_text="Quantity delivered (a decimal).")
    value_usd = serializers.CharField(help_text="Value in US dollars (a decimal).")
    value_iqd = serializers.CharField(help_text="Value in Iraqi dinars (a decimal).")
    ages_on = serializers.DateField(allow_null=True, help_text="The day ages are taken on.")
    suppressed_below = serializers.IntegerField(
        required=False,
        help_text="For a user outside the mission: counts from 1 to this minus 1 are null.",
    )


class ReportingFigureGroupSerializer(ReportingFiguresSerializer):
    key = serializers.CharField(
        help_text="Programme code, P-code, id of a place, project or activity, YYYY-MM, or "
        "item code; empty for deliveries without one."
    )
    label = serializers.CharField()  # type: ignore[assignment]


ReportingFigureFiltersSerializer = type(
    "ReportingFigureFiltersSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.CharField(help_text="First month (YYYY-MM)."),
        "to": serializers.CharField(help_text="Last month (YYYY-MM)."),
        "governorate": serializers.CharField(allow_null=True),
        "district": serializers.CharField(allow_null=True),
        "place": serializers.CharField(allow_null=True),
        "programme": serializers.CharField(allow_null=True),
        "project": serializers.CharField(allow_null=True),
        "by": serializers.CharField(allow_null=True),
    },
)


class ReportingFiguresResponseSerializer(serializers.Serializer):
    filters = ReportingFigureFiltersSerializer()
    total = ReportingFiguresSerializer()
    groups = ReportingFigureGroupSerializer(many=True)
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the figures were last computed."
    )
    pending = serializers.IntegerField(help_text="Deliveries recorded since then, not counted yet.")


class _OneAnswer(AutoSchema):
    """The answer is one object (figures with their groups), not a list of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class _MaySeeFigures(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and may_see_figures(request.user)
        )


class ReportingFiguresViewSet(viewsets.ViewSet):
    """Unique people and households reached, in total and by one dimension, within your
    scope; small counts suppressed for users outside the mission."""

    permission_classes = [_MaySeeFigures]
    schema = _OneAnswer()

    @extend_schema(
        operation_id="reporting_figures",
        summary="Unique people reached, with their disaggregation",
        parameters=[
            OpenApiParameter("from", str, description="First month (YYYY-MM)."),
            OpenApiParameter("to", str, description="Last month (YYYY-MM)."),
            OpenApiParameter("governorate", str, description="Governorate P-code, such as IQG09."),
            OpenApiParameter("district", str, description="District P-code."),
            OpenApiParameter("place", str, description="A place's id."),
            OpenApiParameter("programme", str, description="Programme code, such as NFI."),
            OpenApiParameter("project", str, description="A donor project's id."),
            OpenApiParameter("by", str, enum=list(BY), description="Group the figures by."),
        ],
        responses=ReportingFiguresResponseSerializer,
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        by = (params.get("by") or "").strip().lower() or None
        if by is not None and by not in BY:
            message = _("Group by one of: %(names)s.") % {"names": ", ".join(BY)}
            raise ValidationFailed(message, fields={"by": [message]}, code="bad_group")
        filters = filters_from(params)
        user = request.user
        outside = outside_mission(user)
        summary = reach(user=user, filters=filters)
        groups: list[dict[str, Any]] = []
        if by:
            by_group = summary.by(by)
            labels = group_labels(by, by_group)
            for key, figures in by_group.items():
                public, label = labels[key]
                groups.append({"key": public, "label": label, **_figures(figures, outside=outside)})
            if by == "month":
                groups.sort(key=lambda g: g["key"])
            else:
                groups.sort(key=lambda g: (g["label"], g["key"]))
        state = freshness()
        data = {
            "filters": {
                "from": f"{filters.start:%Y-%m}",
                "to": f"{filters.end:%Y-%m}",
                "governorate": filters.governorate,
                "district": filters.district,
                "place": (params.get("place") or "").strip() or None,
                "programme": filters.programme,
                "project": (params.get("project") or "").strip() or None,
                "by": by,
            },
            "total": _figures(summary.total(), outside=outside),
            "groups": groups,
            "as_of": state["refreshed_at"],
            "pending": state["pending"],
        }
        return Response(ReportingFiguresResponseSerializer(data).data)


def register(router: Any) -> None:
    router.register("reporting/figures", ReportingFiguresViewSet, basename="reporting-figures")
