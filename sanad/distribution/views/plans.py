"""Distribution plans: the list, a new plan from an approved beneficiary list (with the
kits it needs against what the warehouse has), the plan's page with its events, its
reservation and its status actions, and the monitoring samples drawn from it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission, scoped
from sanad.core.views import require_permission
from sanad.distribution import selectors, services
from sanad.distribution.forms import (
    EventForm,
    PlanForm,
    ReasonForm,
    SampleForm,
    TransitionForm,
    apply_errors,
)
from sanad.distribution.models import MANAGE, RECORD, VIEW, Event, Plan
from sanad.distribution.views.common import allowed, plan_for

STATUS = Plan.Status


class PlanListView(ScopedListView):
    model = Plan
    template_name = "distribution/plan_list.html"
    search_fields = ("name", "kit__code", "project__code", "beneficiary_list__name")
    sort_fields = {
        "name": "name",
        "status": "status",
        "created": "created_at",
        "kit": "kit__code",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[Plan]:
        return Plan.objects.select_related(
            "programme", "project", "kit", "warehouse", "beneficiary_list"
        ).annotate(event_count=Count("events", distinct=True))

    def get_queryset(self) -> QuerySet[Plan]:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in STATUS.values:
            qs = qs.filter(status=status)
        kind = self.request.GET.get("kind", "")
        if kind:
            qs = qs.filter(kit__kind=kind)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from sanad.stock.models import Kit

        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_manage=has_permission(self.request.user, MANAGE),
            statuses=STATUS.choices,
            status=self.request.GET.get("status", ""),
            kinds=Kit.Kind.choices,
            kind=self.request.GET.get("kind", ""),
            search_placeholder=_("Plan, kit, project or list"),
        )
        return ctx


def _check(form: PlanForm) -> dict[str, Any]:
    """Households on the chosen list, kits needed and kits available at the warehouse
    for the chosen project: shown while the plan is being filled in."""
    from sanad.stock import selectors as stock_selectors
    from sanad.targeting import selectors as targeting_selectors

    data: dict[str, Any] = {}
    fields = form.fields

    def pick(name: str) -> Any:
        value = form.data.get(name)
        if not value:
            return None
        field = fields[name]
        try:
            return field.clean(value)
        except forms.ValidationError:  # an unfinished choice is simply not counted
            return None

    lst, kit, project, warehouse = (
        pick(n) for n in ("beneficiary_list", "kit", "project", "warehouse")
    )
    qty = pick("quantity_per_household") or Decimal(1)
    if lst is not None:
        try:
            data["households"] = targeting_selectors.list_households(lst).count()
        except ApplicationError as exc:
            data["list_error"] = str(exc.message)
        else:
            data["needed"] = Decimal(data["households"]) * qty
    if kit is not None and project is not None and warehouse is not None:
        data["available"] = stock_selectors.available(
            warehouse=warehouse, item=kit.item, project=project
        )
        if "needed" in data:
            data["short"] = max(Decimal(0), data["needed"] - data["available"])
    return data


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    initial = {"beneficiary_list": request.GET.get("list", "")}
    if request.GET.get("check"):
        form = PlanForm(request.GET, user=request.user)
        return render(request, "distribution/_plan_check.html", {"check": _check(form)})
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                user=request.user,
                name=data["name"],
                beneficiary_list=data["beneficiary_list"],
                kit=data["kit"],
                project=data["project"],
                warehouse=data["warehouse"],
                quantity_per_household=data["quantity_per_household"],
                notes=data.get("notes") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("The plan was saved as a draft. Approve it to reserve the kits.")
            )
            return redirect("distribution:plan_detail", public_id=plan.public_id)
    check = _check(form) if form.is_bound else {}
    return render(
        request,
        "distribution/plan_form.html",
        {"form": form, "check": check},
        status=400 if form.errors else 200,
    )


def _events(request: HttpRequest, plan: Plan) -> list[Event]:
    received = Count("receipts", filter=Q(receipts__status="received"), distinct=True)
    refused = Count("refusals", distinct=True)
    return list(
        scoped(Event.objects.filter(plan=plan), request.user, VIEW)
        .select_related("place")
        .annotate(received=received, refused=refused)
        .order_by("date", "place__name_en")
    )


@login_required
def plan_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id)
    manage = allowed(request, plan, MANAGE)
    events = _events(request, plan)
    live = [e for e in events if e.status in ("planned", "open")]
    progress = selectors.plan_progress(plan)
    status = plan.status
    return render(
        request,
        "distribution/plan_detail.html",
        {
            "plan": plan,
            "events": events,
            "progress": progress,
            "can_record": has_permission(request.user, RECORD),
            "samples": list(plan.samples.order_by("-created_at")),
            "history": _history(plan),
            "can_manage": manage,
            "can_approve": manage and status == STATUS.DRAFT,
            "can_cancel": manage and status in (STATUS.DRAFT, STATUS.APPROVED),
            "can_close": manage and status == STATUS.APPROVED and not live,
            "can_add_event": manage and status == STATUS.APPROVED,
            "can_sample": manage and progress["served"] > 0,
            "event_form": EventForm(user=request.user) if manage else None,
            "sample_form": SampleForm() if manage else None,
            "cancel_form": ReasonForm(),
        },
    )


def _history(obj: Any) -> list[Any]:
    labels = {**dict(Event.Status.choices), **dict(STATUS.choices)}
    rows = list(type(obj).STATUS_MACHINE.history(obj).select_related("by"))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


@login_required
@require_POST
def plan_transition(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id)
    if not allowed(request, plan, MANAGE):
        raise DjangoPermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the plan."))
        return redirect("distribution:plan_detail", public_id=plan.public_id)
    to, reason = form.cleaned_data["to"], form.cleaned_data.get("reason") or ""
    try:
        if to == STATUS.APPROVED:
            services.plan_approve(user=request.user, plan=plan)
            done = _("Approved: %(n)s kits are reserved at %(warehouse)s.")
        elif to == STATUS.CANCELLED:
            services.plan_cancel(user=request.user, plan=plan, reason=reason)
            done = _("The plan is cancelled; its reserved kits are released.")
        else:
            services.plan_close(user=request.user, plan=plan)
            done = _("The plan is closed; what was still reserved is released.")
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        plan.refresh_from_db()
        messages.success(
            request, done % {"n": _qty(plan.reserved), "warehouse": plan.warehouse.name}
        )
    return redirect("distribution:plan_detail", public_id=plan.public_id)


def _qty(value: Any) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@login_required
def event_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id, MANAGE)
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                user=request.user,
                plan=plan,
                place=form.cleaned_data["place"],
                date=form.cleaned_data["date"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Event planned: %(n)s households of the list are expected there.")
                % {"n": event.expected_households},
            )
            return redirect("distribution:event_detail", public_id=event.public_id)
    return render(
        request,
        "distribution/event_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sample_draw(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = plan_for(request, public_id, MANAGE)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how many households to call (a whole number above 0)."))
        return redirect("distribution:plan_detail", public_id=plan.public_id)
    try:
        sample = services.sample_draw(
            user=request.user,
            plan=plan,
            size=form.cleaned_data["size"],
            seed=form.cleaned_data.get("seed"),
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("distribution:plan_detail", public_id=plan.public_id)
    messages.success(request, _("Sample drawn: call these households."))
    return redirect("distribution:sample_detail", public_id=sample.public_id)
