"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
targeting pages and API:

    from tests.targeting.matrix import targeting_checks, targeting_world
    # in the world fixture:   extras={"targeting": targeting_world(), ...}
    # in registry_checks:     *targeting_checks(role, w.extras["targeting"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. Lists, rules and models are
scoped by programme (the NFI ones are in, the SHELTER ones out); a list's households
by the governorate they lived in (the Duhok household in, the Erbil one out). Writes
are checked on out-of-scope records only (404, nothing changes); the module tests check
the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanad.targeting import services
from tests.factories import DUHOK, ERBIL, ProgrammeFactory, make_user
from tests.registry.factories import make_household

VIEW, MANAGE, APPROVE = "targeting.view_list", "targeting.manage_list", "targeting.approve_list"
MODEL, EXPORT = "targeting.manage_model", "targeting.export_list"
TREE = {"match": "all", "items": [{"field": "size", "operator": "gte", "value": 1}]}


def targeting_world() -> dict[str, Any]:
    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    admin = make_user("administrator", username="targeting-matrix-admin")
    household_in = make_household(governorate=DUHOK, members=2)
    household_out = make_household(governorate=ERBIL, members=2)
    rule_in = services.rule_create(user=admin, programme=nfi, name="Matrix rule in", tree=TREE)
    rule_out = services.rule_create(
        user=admin, programme=shelter, name="Matrix rule outside", tree=TREE
    )
    model_in = services.scoring_model_create(
        user=admin, programme=nfi, name="Matrix model in", kind="weighted"
    )
    model_out = services.scoring_model_create(
        user=admin, programme=shelter, name="Matrix model outside", kind="weighted"
    )
    list_in = services.list_create(user=admin, name="Matrix list in", programme=nfi, rule=rule_in)
    list_out = services.list_create(
        user=admin, name="Matrix list outside", programme=shelter, rule=rule_out
    )
    services.list_build(lst=list_in, user=admin)
    services.list_build(lst=list_out, user=admin)
    return {
        "household_in": household_in,
        "household_out": household_out,
        "rule_in": rule_in,
        "rule_out": rule_out,
        "model_in": model_in,
        "model_out": model_out,
        "list_in": list_in,
        "list_out": list_out,
    }


def targeting_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, manage, export = can(role, VIEW), can(role, MANAGE), can(role, EXPORT)
    model = can(role, MODEL)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    l_in, l_out = world["list_in"].public_id, world["list_out"].public_id
    r_in, r_out = world["rule_in"].public_id, world["rule_out"].public_id
    m_in, m_out = world["model_in"].public_id, world["model_out"].public_id
    h_in, h_out = world["household_in"], world["household_out"]
    preview = {"tree": '{"match": "all", "items": []}'}
    reason = {"reason": "matrix"}
    return [
        # --- pages ---------------------------------------------------------------------
        Check(
            "targeting:list_list",
            "get",
            reverse("targeting:list_list"),
            allowed(view),
            absent="Matrix list outside",
        ),
        Check("targeting:list_create", "get", reverse("targeting:list_create"), allowed(manage)),
        Check(
            "targeting:list_detail in",
            "get",
            reverse("targeting:list_detail", args=[l_in]),
            hid(view),
        ),
        Check(
            "targeting:list_detail out",
            "get",
            reverse("targeting:list_detail", args=[l_out]),
            out404(view),
        ),
        Check(
            "targeting:list_edit in",
            "get",
            reverse("targeting:list_edit", args=[l_in]),
            hid(manage),
        ),
        Check(
            "targeting:list_edit out",
            "get",
            reverse("targeting:list_edit", args=[l_out]),
            out404(manage),
        ),
        Check(
            "targeting:entry_list in",
            "get",
            reverse("targeting:entry_list", args=[l_in]) + "?show=all",
            hid(view),
            absent=h_out.registration_id,
        ),
        Check(
            "targeting:entry_list out",
            "get",
            reverse("targeting:entry_list", args=[l_out]),
            out404(view),
        ),
        Check(
            "targeting:explanation in",
            "get",
            reverse("targeting:explanation", args=[l_in, h_in.public_id]),
            hid(view),
        ),
        Check(
            "targeting:explanation out (household in another governorate)",
            "get",
            reverse("targeting:explanation", args=[l_in, h_out.public_id]),
            out404(view),
        ),
        Check(
            "targeting:explanation out (list of another programme)",
            "get",
            reverse("targeting:explanation", args=[l_out, h_in.public_id]),
            out404(view),
        ),
        Check(
            "targeting:appeal",
            "get",
            reverse("targeting:appeal") + f"?registration_id={h_in.registration_id}",
            allowed(view),
            absent="Matrix list outside",
        ),
        Check(
            "targeting:rule_list",
            "get",
            reverse("targeting:rule_list"),
            allowed(view),
            absent="Matrix rule outside",
        ),
        Check("targeting:rule_create", "get", reverse("targeting:rule_create"), allowed(manage)),
        Check(
            "targeting:rule_edit in", "get", reverse("targeting:rule_edit", args=[r_in]), hid(view)
        ),
        Check(
            "targeting:rule_edit out",
            "get",
            reverse("targeting:rule_edit", args=[r_out]),
            out404(view),
        ),
        Check(
            "targeting:rule_preview",
            "post",
            reverse("targeting:rule_preview"),
            allowed(manage),
            preview,
        ),
        Check(
            "targeting:model_list",
            "get",
            reverse("targeting:model_list"),
            allowed(view),
            absent="Matrix model outside",
        ),
        Check("targeting:model_create", "get", reverse("targeting:model_create"), allowed(model)),
        Check(
            "targeting:model_detail in",
            "get",
            reverse("targeting:model_detail", args=[m_in]),
            hid(view),
        ),
        Check(
            "targeting:model_detail out",
            "get",
            reverse("targeting:model_detail", args=[m_out]),
            out404(view),
        ),
        Check(
            "targeting:version_create in",
            "get",
            reverse("targeting:version_create", args=[m_in]),
            hid(model),
        ),
        Check(
            "targeting:version_create out",
            "get",
            reverse("targeting:version_create", args=[m_out]),
            out404(model),
        ),
        Check(
            "targeting:coefficients_template",
            "get",
            reverse("targeting:coefficients_template"),
            allowed(model),
        ),
        # out-of-scope writes: 404 and nothing changes
        Check(
            "targeting:list_build out",
            "post",
            reverse("targeting:list_build", args=[l_out]),
            out404(manage),
        ),
        Check(
            "targeting:list_transition out",
            "post",
            reverse("targeting:list_transition", args=[l_out]),
            out404(view),
            {"to": "cancelled", "reason": "matrix"},
        ),
        Check(
            "targeting:decision_set out",
            "post",
            reverse("targeting:decision_set", args=[l_out]),
            out404(manage),
            {"household": h_in.registration_id, "decision": "exclude", "reason": "matrix"},
        ),
        Check(
            "targeting:decision_remove out",
            "post",
            reverse("targeting:decision_remove", args=[l_out]),
            out404(manage),
            {"household": h_in.registration_id},
        ),
        Check(
            "targeting:list_export out",
            "post",
            reverse("targeting:list_export", args=[l_out]),
            out404(export),
            {"format": "xlsx", "which": "included"},
        ),
        # --- API -----------------------------------------------------------------------
        Check(
            "targeting-rule-list",
            "get",
            "/api/v1/targeting/rules/",
            allowed(view),
            api=True,
            absent="Matrix rule outside",
        ),
        Check(
            "targeting-rule-detail in",
            "get",
            f"/api/v1/targeting/rules/{r_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "targeting-rule-detail out",
            "get",
            f"/api/v1/targeting/rules/{r_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "targeting-rule-fields",
            "get",
            "/api/v1/targeting/rules/fields/",
            allowed(view),
            api=True,
        ),
        Check(
            "targeting-rule-preview",
            "post",
            "/api/v1/targeting/rules/preview/",
            allowed(manage),
            {"tree": {"match": "all", "items": []}},
            api=True,
        ),
        Check(
            "targeting-model-list",
            "get",
            "/api/v1/targeting/models/",
            allowed(view),
            api=True,
            absent="Matrix model outside",
        ),
        Check(
            "targeting-model-detail in",
            "get",
            f"/api/v1/targeting/models/{m_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "targeting-model-detail out",
            "get",
            f"/api/v1/targeting/models/{m_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "targeting-model-versions out",
            "post",
            f"/api/v1/targeting/models/{m_out}/versions/",
            out404(model),
            {"criteria": []},
            api=True,
        ),
        Check(
            "targeting-list-list",
            "get",
            "/api/v1/targeting/lists/",
            allowed(view),
            api=True,
            absent="Matrix list outside",
        ),
        Check(
            "targeting-list-detail in",
            "get",
            f"/api/v1/targeting/lists/{l_in}/",
            hid(view),
            api=True,
        ),
        Check(
            "targeting-list-detail out",
            "get",
            f"/api/v1/targeting/lists/{l_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "targeting-list-explain in",
            "get",
            f"/api/v1/targeting/lists/{l_in}/explain/?household={h_in.public_id}",
            hid(view),
            api=True,
        ),
        Check(
            "targeting-list-explain out",
            "get",
            f"/api/v1/targeting/lists/{l_in}/explain/?household={h_out.public_id}",
            out404(view),
            api=True,
        ),
        Check(
            "targeting-list-build out",
            "post",
            f"/api/v1/targeting/lists/{l_out}/build/",
            out404(manage),
            {},
            api=True,
        ),
        Check(
            "targeting-list-transition out",
            "post",
            f"/api/v1/targeting/lists/{l_out}/transition/",
            out404(manage or can(role, APPROVE)),
            {"to": "cancelled", **reason},
            api=True,
        ),
        Check(
            "targeting-list-decide out",
            "post",
            f"/api/v1/targeting/lists/{l_out}/decide/",
            out404(manage),
            {"household": h_in.registration_id, "decision": "exclude", **reason},
            api=True,
        ),
        Check(
            "targeting-entry-list",
            "get",
            f"/api/v1/targeting/entries/?list={l_in}",
            allowed(view, denied=hidden),
            api=True,
            absent=h_out.registration_id,
        ),
    ]
