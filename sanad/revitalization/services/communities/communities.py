"""Communities: a village, a town quarter or a sub-district the programme works with.

A community is an admin unit (a district or a sub-district; its governorate is derived
from it, and is the community's scope) and optionally a place on the map inside it. Its
code is "COM-<governorate P-code>-NNN" unless one is given. The population figure needs
its source written beside it."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.geo.models import AdminUnit, Place
from sanad.revitalization.models import MANAGE, Community
from sanad.revitalization.services._common import actor, programme, require
from sanad.revitalization.services.communities._parse import Problems, reaches, text, whole

FIELDS = frozenset(
    {"name", "code", "admin_unit", "place", "population", "population_source", "notes", "active"}
)
CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-_/.]{1,23}$")


def _next_code(governorate: AdminUnit) -> str:
    prefix = f"COM-{governorate.pcode}-"
    numbers = [
        int(code.rsplit("-", 1)[1])
        for code in Community.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code.rsplit("-", 1)[1].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _values(user: Any, values: dict[str, Any], current: Community | None) -> dict[str, Any]:
    problems = Problems()
    out: dict[str, Any] = {}
    out["name"] = problems.run(text, values.get("name"), "name", limit=200, required=True)
    code = " ".join(str(values.get("code") or "").split()).upper()
    if code and not CODE.match(code):
        problems.add(
            "code",
            _(
                "Use capital letters, digits and dashes, up to 24 characters (such as COM-IQG15-004)."
            ),
        )
    elif (
        code
        and Community.objects.exclude(pk=current.pk if current is not None else 0)
        .filter(code=code)
        .exists()
    ):
        problems.add(
            "code", _("Another community has this code. Choose another or leave it empty.")
        )
    out["code"] = code
    unit = values.get("admin_unit")
    if not isinstance(unit, AdminUnit) or unit.level not in (
        AdminUnit.Level.DISTRICT,
        AdminUnit.Level.SUBDISTRICT,
    ):
        problems.add("admin_unit", _("Choose the district or sub-district of the community."))
        unit = None
    out["admin_unit"] = unit
    place = values.get("place") or None
    if place is not None:
        if not isinstance(place, Place):
            problems.add("place", _("Choose the place from the list."))
        elif (
            unit is not None
            and place.admin_unit_id != unit.pk
            and (place.admin_unit.parent_id != unit.pk)
        ):
            problems.add(
                "place",
                _("%(place)s is not in %(unit)s. Choose a place inside the community's area.")
                % {"place": place.name_en, "unit": unit.name_en},
            )
    out["place"] = place
    out["population"] = problems.run(whole, values.get("population"), "population")
    out["population_source"] = problems.run(
        text, values.get("population_source"), "population_source", limit=200
    )
    if (
        out["population"] is not None
        and out["population"] != getattr(current, "population", None)
        and not out["population_source"]
        and ("population_source" not in problems.fields)
    ):
        problems.add(
            "population_source",
            _("Say where the population figure comes from, such as DTM round 130 or the mukhtar."),
        )
    out["notes"] = problems.run(text, values.get("notes"), "notes", limit=4000, multiline=True)
    out["active"] = bool(values.get("active", True))
    problems.raise_if_any()
    assert unit is not None
    governorate = unit.governorate
    if governorate is None:  # pragma: no cover - every district has its governorate
        raise field_error("admin_unit", _("This admin unit has no governorate."), "no_governorate")
    if not reaches(user, governorate.pcode, MANAGE):
        raise field_error(
            "admin_unit",
            _(
                "You do not manage communities in %(governorate)s. Choose a district or "
                "sub-district of your governorates."
            )
            % {"governorate": governorate.name_en},
            "community_out_of_scope",
        )
    out["governorate"] = governorate
    return out


def community_create(
    *,
    user: Any,
    name: str,
    admin_unit: AdminUnit,
    code: str = "",
    place: Place | None = None,
    population: int | None = None,
    population_source: str = "",
    notes: str = "",
    active: bool = True,
) -> Community:
    """A community; its code is COM-<governorate P-code>-NNN when none is given."""
    require(user, MANAGE)
    values = _values(
        user,
        {
            "name": name,
            "code": code,
            "admin_unit": admin_unit,
            "place": place,
            "population": population,
            "population_source": population_source,
            "notes": notes,
            "active": active,
        },
        None,
    )
    who = actor(user)
    given = bool(values["code"])
    for attempt in range(3):
        if not given:
            values["code"] = _next_code(values["governorate"])
        try:
            with transaction.atomic():
                return Community.objects.create(
                    programme=programme(), created_by=who, updated_by=who, **values
                )
        except IntegrityError:
            # Someone took the same code at the same moment: take the next one.
            if given or attempt == 2:
                raise field_error(
                    "code", _("Another community has this code."), "code_taken"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def community_update(*, user: Any, community: Community, **fields: Any) -> Community:
    """Change a community (fields left out keep their value). Its governorate cannot
    change once it has assessments or projects: they are scoped by it."""
    require(user, MANAGE, community)
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        community = Community.objects.select_for_update(of=("self",)).get(pk=community.pk)
        current = {name: getattr(community, name) for name in FIELDS}
        current.update(fields)
        if not current.get("code"):
            current["code"] = community.code
        values = _values(user, current, community)
        if values["governorate"].pk != community.governorate_id and (
            community.assessments.exists() or community.projects.exists()
        ):
            raise field_error(
                "admin_unit",
                _(
                    "This community has assessments or projects in %(governorate)s: it "
                    "cannot move to another governorate. Record a new community instead."
                )
                % {"governorate": community.governorate.name_en},
                "community_has_records",
            )
        for name, value in values.items():
            setattr(community, name, value)
        community.updated_by = actor(user)
        community.save()
    return community
