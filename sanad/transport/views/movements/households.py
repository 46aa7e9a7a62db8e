"""A household on a movement: a new arrival registered at the border, its
pre-departure page (declaration, consent, luggage, fitness and needs of each passenger;
postpone, withdraw, back to waiting). Pages only adapt: the rules are in
`transport.services.movements`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.registry.derive import age_on
from sanad.transport.forms.movements import (
    BorderForm,
    DeclarationForm,
    LuggageForm,
    OptionalReasonForm,
    PassengersForm,
    ReasonForm,
    apply_errors,
)
from sanad.transport.models import (
    MANAGE,
    MovementHousehold,
    MovementKind,
    MovementRequest,
)
from sanad.transport.selectors import movements as selectors
from sanad.transport.services import movements as services
from sanad.transport.services._common import today
from sanad.transport.views.movements.requests import _movement, _row

STATUS = MovementRequest.Status
ROW = MovementHousehold.Status


def _border_page(
    request: HttpRequest, movement: MovementRequest, form: BorderForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "transport/movements/border_form.html",
        {"movement": movement, "form": form},
        status=status,
    )


@login_required
def movement_border_register(request: HttpRequest, public_id: Any) -> HttpResponse:
    movement = _movement(request, public_id, MANAGE)
    require_permission(request, "registry.manage_household")
    if movement.kind != MovementKind.BORDER_RECEPTION:
        raise Http404
    form = BorderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        members = form.service_members()
        try:
            row = services.movement_border_register(
                user=request.user,
                request=movement,
                members=members,
                phone=form.cleaned_data.get("phone") or "",
                luggage_m3=form.cleaned_data.get("luggage_m3"),
            )
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise
            for name, msgs in exc.fields.items():
                target = form.field_for(name) or (name if name in form.fields else None)
                for message in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    form.add_error(target, str(message))
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "Household %(id)s is registered with a minimal record and added to the "
                    "request. Complete its record in the registry."
                )
                % {"id": row.household.registration_id},
            )
            if "again" in request.POST:
                return redirect("transport:movement_border_register", public_id=movement.public_id)
            return redirect("transport:movement_household_detail", public_id=row.public_id)
    return _border_page(request, movement, form, status=400 if form.errors else 200)


# --- a household's pre-departure page --------------------------------------------------------


def _household_page(
    request: HttpRequest,
    row: MovementHousehold,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    selectors.decorate(row)
    movement = row.request
    manage = has_permission(user, MANAGE) and can_reach(user, row, MANAGE)
    editable = movement.status in (
        STATUS.DRAFT,
        STATUS.SUBMITTED,
        STATUS.APPROVED,
        STATUS.IN_PROGRESS,
    ) and row.status in (ROW.WAITING, ROW.PLANNED, ROW.POSTPONED)
    passengers = selectors.passengers_of(row)
    forms = forms or {}
    forms.setdefault(
        "declare",
        DeclarationForm(
            prefix="declare",
            initial={
                "declaration_on": row.declaration_on or today(),
                "method": row.declaration_method,
                "witness": row.declaration_witness,
                "consent_given": row.consent_given,
            },
        ),
    )
    forms.setdefault(
        "luggage",
        LuggageForm(prefix="luggage", initial={"luggage_m3": row.luggage_m3, "note": row.note}),
    )
    forms.setdefault("passengers", PassengersForm(prefix="passengers", passengers=passengers))
    for name in ("postpone", "withdraw"):
        forms.setdefault(name, ReasonForm(prefix=name))
    forms.setdefault("waiting", OptionalReasonForm(prefix="waiting"))
    for p in passengers:
        p.age = age_on(p.individual.date_of_birth, movement.requested_date)  # type: ignore[attr-defined]
        p.name = selectors.person_name(p.individual)  # type: ignore[attr-defined]
    personal_record_viewed(
        user=user, obj=row.household, purpose="movement household", route=request.path
    )
    return render(
        request,
        "transport/movements/household_detail.html",
        {
            "row": row,
            "movement": movement,
            "passengers": passengers,
            "passenger_rows": forms["passengers"].rows(),
            "history": list(selectors.household_history(row)),
            "can_manage": manage and editable,
            "can_move_status": manage
            and movement.status
            in (STATUS.DRAFT, STATUS.SUBMITTED, STATUS.APPROVED, STATUS.IN_PROGRESS),
            "has_not_fit": any(p.fitness == "not_fit" for p in passengers),
            "registry_visible": has_permission(user, "registry.view_household")
            and can_reach(user, row.household, "registry.view_household"),
            "forms": forms,
        },
        status=status,
    )


@login_required
def movement_household_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _household_page(request, _row(request, public_id))


HOUSEHOLD_ACTIONS = ("declare", "luggage", "passengers", "postpone", "withdraw", "waiting")


@login_required
@require_POST
def movement_household_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    if action not in HOUSEHOLD_ACTIONS:
        raise Http404
    row = _row(request, public_id, MANAGE)
    user = request.user
    form: Any
    if action == "declare":
        form = DeclarationForm(request.POST, prefix=action)
    elif action == "luggage":
        form = LuggageForm(request.POST, prefix=action)
    elif action == "passengers":
        form = PassengersForm(request.POST, prefix=action, passengers=selectors.passengers_of(row))
    elif action == "waiting":
        form = OptionalReasonForm(request.POST, prefix=action)
    else:
        form = ReasonForm(request.POST, prefix=action)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "declare":
                services.movement_household_declare(
                    user=user,
                    row=row,
                    declaration_on=d["declaration_on"],
                    method=d["method"],
                    witness=d.get("witness") or "",
                    consent_given=bool(d.get("consent_given")),
                )
                message = _("The declaration is recorded.")
            elif action == "luggage":
                services.movement_household_update(
                    user=user, row=row, luggage_m3=d["luggage_m3"], note=d.get("note") or ""
                )
                message = _("The luggage and note are saved.")
            elif action == "passengers":
                unfit = services.passengers_assess(
                    user=user, row=row, passengers=form.service_data()
                )
                message = _("Fitness to travel and needs are saved.")
                if unfit:
                    message += " " + _(
                        "A passenger is not fit to travel: postpone the household, families "
                        "travel together."
                    )
            else:
                to = {"postpone": ROW.POSTPONED, "withdraw": ROW.WITHDRAWN, "waiting": ROW.WAITING}[
                    action
                ]
                services.movement_household_transition(
                    user=user, row=row, to=to, reason=d.get("reason") or ""
                )
                message = {
                    "postpone": _("The household is postponed."),
                    "withdraw": _("The household is withdrawn from the request."),
                    "waiting": _("The household is waiting again."),
                }[action]
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise
            if action == "passengers" and exc.fields:
                for name, msgs in exc.fields.items():
                    target = form.field_for(name)
                    for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
                        form.add_error(target, str(m))
            else:
                mapping = {"method": "method"} if action == "declare" else {}
                if isinstance(exc, ValidationFailed) or exc.fields:
                    apply_errors(form, exc, mapping)
                else:
                    form.add_error(None, str(exc.message))
        else:
            messages.success(request, message)
            return redirect("transport:movement_household_detail", public_id=row.public_id)
    return _household_page(request, _row(request, public_id), {action: form}, status=400)
