"""The business plan and agreement panel of a selected application, shown on the
application's page (part B's template includes
`revitalization/agreements/_application_panel.html`, which calls this tag)."""

from __future__ import annotations

from typing import Any

from django import template

from sanad.core.scoping import can_reach, has_permission
from sanad.revitalization.models import GRANTS, GrantApplication
from sanad.revitalization.selectors import agreements as selectors

register = template.Library()

APP = GrantApplication.Status
SHOWN = (APP.SELECTED, APP.AGREEMENT, APP.COMPLETED, APP.WITHDRAWN)


@register.inclusion_tag(
    "revitalization/agreements/_application_panel_body.html", takes_context=True
)
def agreement_panel(context: Any, application: GrantApplication | None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if application is None or application.status not in SHOWN:
        return {"show": False}
    plan = selectors.business_plan_of(application)
    agreement = selectors.agreement_of(application)
    if agreement is None and application.status == APP.WITHDRAWN and plan is None:
        return {"show": False}
    manage = bool(user) and has_permission(user, GRANTS) and can_reach(user, application, GRANTS)
    return {
        "show": True,
        "application": application,
        "plan": plan,
        "agreement": agreement,
        "gate": selectors.tranche_gate(agreement) if agreement is not None else None,
        "can_manage": manage,
        "selected": application.status == APP.SELECTED,
    }
