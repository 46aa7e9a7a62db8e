"""Registry pages: the household list with search, the household's record, and the
register, edit and move pages. They adapt requests to selectors and services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.audit import personal_record_viewed
from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.registry import selectors, services
from sanad.registry.derive import AGE_GROUPS, age_on
from sanad.registry.filters import HouseholdPageFilter
from sanad.registry.forms import (
    ConsentForm,
    ConsentsForm,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
    MoveForm,
    StatusForm,
    apply_errors,
    apply_member_errors,
    member_initial,
)
from sanad.registry.models import Consent, Household, Individual

VIEW = Household.VIEW_PERMISSION
MANAGE = Household.MANAGE_PERMISSION
ASSISTANCE_VIEW = "assistance.view_assistance"
PRINT_CARDS = "registry.print_cards"


def _household(request: HttpRequest, public_id: Any) -> Household:
    try:
        return selectors.household_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


def _managed_household(request: HttpRequest, public_id: Any) -> Household:
    """A household the user sees (404 otherwise) and may change (403 otherwise)."""
    require_permission(request, MANAGE)
    household = _household(request, public_id)
    if not can_reach(request.user, household, MANAGE):
        raise DjangoPermissionDenied
    return household


# --- list -----------------------------------------------------------------------------


class HouseholdListView(ScopedListView):
    model = Household
    template_name = "registry/household_list.html"
    template_partial = "registry/_household_table.html"
    filterset_class = HouseholdPageFilter
    sort_fields = {
        "registration_id": "registration_id",
        "size": "size",
        "status": "status",
        "displacement_status": "displacement_status",
        "governorate": "governorate__name_en",
        "created": "created_at",
    }
    default_sort = "-created"

    def get_base_queryset(self) -> QuerySet[Household]:
        return selectors.households_all().prefetch_related(selectors.heads_prefetch())

    def get_queryset(self) -> QuerySet[Household]:
        qs = super().get_queryset()
        # Search goes through the index of search keys, never through the names.
        return selectors.households_matching(qs, self.search)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["has_search"] = True
        ctx["can_manage"] = has_permission(self.request.user, MANAGE)
        ctx["search_placeholder"] = _("Name (Arabic or Latin), phone, document or registration id")
        return ctx


household_list = HouseholdListView.as_view()


# --- the household's record -----------------------------------------------------------


def _demographics_rows(household: Household) -> list[dict[str, Any]]:
    demo = household.demographics or {}
    disability = demo.get("disability", {})
    rows = []
    for label, _low, _high in AGE_GROUPS:
        female = demo.get("female", {}).get(label, 0)
        male = demo.get("male", {}).get(label, 0)
        rows.append(
            {
                "label": label,
                "female": female,
                "male": male,
                "total": female + male,
                "female_disability": disability.get("female", {}).get(label, 0),
                "male_disability": disability.get("male", {}).get(label, 0),
            }
        )
    return rows


def _flags(household: Household) -> list[str]:
    flags = [
        (household.is_woman_headed, _("Woman-headed household")),
        (household.is_child_headed, _("Child-headed household")),
        (household.is_older_person_alone, _("Older person alone")),
        (household.has_disability, _("Person with disability")),
        (household.has_unaccompanied_child, _("Unaccompanied or separated child")),
        (household.is_large, _("Large household")),
    ]
    return [label for on, label in flags if on]


def _first_url(names: tuple[str, ...], public_id: Any) -> str | None:
    # Other modules (cards, assistance) add these pages; a link appears once they exist.
    for name in names:
        try:
            return reverse(name, kwargs={"public_id": public_id})
        except NoReverseMatch:
            continue
    return None


def _card_url(household: Household) -> str | None:
    return _first_url(("registry:cards:household", "registry:card_household"), household.public_id)


def _assistance_url(household: Household) -> str:
    return (
        _first_url(("assistance:household_history",), household.public_id)
        or f"/assistance/households/{household.public_id}/history/"
    )


def _cases_url(household: Household) -> str | None:
    # The feedback app's case list, filtered to the household (registry may not import
    # feedback: by URL name). The link shows no count: what a user may see of the
    # cases, abuse reports above all, is decided by the case list itself.
    try:
        return f"{reverse('feedback:case_list')}?household={household.public_id}"
    except NoReverseMatch:
        return None


def _detail_context(request: HttpRequest, household: Household) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    members = list(household.members.all())
    for m in members:
        # For the template: the age today and the Washington Group domains with a difficulty.
        setattr(m, "age", age_on(m.date_of_birth, today))  # noqa: B010
        difficulties = [
            (
                getattr(Individual._meta.get_field(name), "verbose_name", name),
                getattr(m, f"get_{name}_display")(),
            )
            for name in Individual.WG_DOMAINS
            if (getattr(m, name) or 0) > Individual.Difficulty.NONE
        ]
        setattr(m, "difficulties", difficulties)  # noqa: B010
    consents = {c.purpose: c for c in household.consents.all()}
    can_manage = can_reach(user, household, MANAGE)
    labels = dict(Household.Status.choices)
    history = list(selectors.status_history(household))
    for t in history:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return {
        "household": household,
        "members": [m for m in members if m.status == Individual.Status.ACTIVE],
        "former_members": [m for m in members if m.status != Individual.Status.ACTIVE],
        "flags": _flags(household),
        "demographics": _demographics_rows(household),
        "consent_rows": [
            (value, label, consents.get(value)) for value, label in Consent.Purpose.choices
        ],
        "phones": list(household.phones.all()),
        "moves": list(household.moves.all()),
        "history": history,
        "can_manage": can_manage,
        "status_form": StatusForm(household=household) if can_manage else None,
        "consent_form": ConsentForm(initial={"recorded_on": today}) if can_manage else None,
        "card_url": _card_url(household) if has_permission(user, PRINT_CARDS) else None,
        "assistance_url": (
            _assistance_url(household) if has_permission(user, ASSISTANCE_VIEW) else None
        ),
        "cases_url": (
            _cases_url(household) if has_permission(user, "feedback.view_case") else None
        ),
    }


@login_required
def household_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    try:
        household = selectors.household_detail(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    personal_record_viewed(
        user=request.user, obj=household, purpose="household record", route=request.path
    )
    return render(request, "registry/household_detail.html", _detail_context(request, household))


# --- register and edit ------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    household: Household | None,
    form: HouseholdForm,
    formset: Any,
    consents: ConsentsForm | None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "registry/household_form.html",
        {
            "household": household,
            "form": form,
            "formset": formset,
            "consents_form": consents,
            "page_errors": errors or [],
        },
        status=status,
    )


def _forms_valid(form: HouseholdForm, formset: Any, consents: ConsentsForm | None) -> bool:
    ok = form.is_valid()
    ok = formset.is_valid() and ok
    if consents is not None:
        ok = consents.is_valid() and ok
    return ok


def _apply_service_errors(
    exc: ApplicationError,
    *,
    form: HouseholdForm,
    member_forms: list[MemberForm],
    consents: ConsentsForm | None,
) -> list[str]:
    fields = dict(exc.fields)
    left = apply_member_errors(
        member_forms, {k: v for k, v in fields.items() if k.startswith("members.")}
    )
    if "members" in fields:
        left.extend(str(m) for m in fields["members"])
    consent_fields = {k: v for k, v in fields.items() if k.startswith("consents.")}
    if consents is not None and consent_fields:
        left.extend(apply_errors(consents, consent_fields, consents.error_mapping()))
    household_fields = {
        k: v for k, v in fields.items() if not k.startswith(("members", "consents."))
    }
    left.extend(apply_errors(form, household_fields, form.error_mapping()))
    if not fields:
        left.append(str(exc.message))
    return left


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    data = request.POST if request.method == "POST" else None
    form = HouseholdForm(data, user=request.user)
    formset = MemberFormSet(
        data,
        prefix="members",
        initial=None if data else [{"relationship": Individual.Relationship.HEAD}],
    )
    consents = ConsentsForm(data, prefix="consent")
    if request.method != "POST":
        return _form_page(request, household=None, form=form, formset=formset, consents=consents)
    if not _forms_valid(form, formset, consents):
        return _form_page(
            request, household=None, form=form, formset=formset, consents=consents, status=400
        )
    member_forms = cast(Any, formset).member_forms()
    try:
        household = services.household_register(
            user=request.user,
            data=form.service_data(),
            members=[f.service_data() for f in member_forms],
            phones=form.service_phones(),
            consents=consents.service_consents(),
            source=Household.Source.WEB,
        )
    except ValidationFailed as exc:
        errors = _apply_service_errors(exc, form=form, member_forms=member_forms, consents=consents)
        return _form_page(
            request,
            household=None,
            form=form,
            formset=formset,
            consents=consents,
            errors=errors,
            status=400,
        )
    messages.success(
        request,
        _("Household %(id)s was registered.") % {"id": household.registration_id},
    )
    return redirect("registry:household_detail", public_id=household.public_id)


@login_required
def household_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    household = _managed_household(request, public_id)
    data = request.POST if request.method == "POST" else None
    form = HouseholdForm(data, user=request.user, instance=household)
    current = list(
        selectors.members_ordered().filter(household=household, status=Individual.Status.ACTIVE)
    )
    formset = MemberFormSet(
        data, prefix="members", initial=None if data else [member_initial(m) for m in current]
    )
    if request.method != "POST":
        return _form_page(request, household=household, form=form, formset=formset, consents=None)
    if not _forms_valid(form, formset, None):
        return _form_page(
            request, household=household, form=form, formset=formset, consents=None, status=400
        )
    member_forms = cast(Any, formset).member_forms()
    try:
        services.household_update(
            household=household,
            user=request.user,
            data=form.service_data(),
            members=[f.service_data() for f in member_forms],
            phones=form.service_phones(),
        )
    except ValidationFailed as exc:
        errors = _apply_service_errors(exc, form=form, member_forms=member_forms, consents=None)
        return _form_page(
            request,
            household=household,
            form=form,
            formset=formset,
            consents=None,
            errors=errors,
            status=400,
        )
    messages.success(request, _("The changes were saved."))
    return redirect("registry:household_detail", public_id=household.public_id)


# --- move, status, consent --------------------------------------------------------------


@login_required
def household_move(request: HttpRequest, public_id: Any) -> HttpResponse:
    household = _managed_household(request, public_id)
    form = MoveForm(
        request.POST or None,
        initial={
            "moved_on": timezone.localdate(),
            "displacement_status": household.displacement_status,
            "shelter_type": household.shelter_type,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.household_move(
                    household=household, user=request.user, **form.service_kwargs()
                )
            except ValidationFailed as exc:
                left = apply_errors(
                    form,
                    exc.fields,
                    {
                        "to_admin_unit": "to_admin_unit_pcode"
                        if form.cleaned_data.get("to_admin_unit_pcode")
                        else "to_admin_unit"
                    },
                )
                for message in left or ([] if exc.fields else [str(exc.message)]):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The move was recorded."))
                return redirect("registry:household_detail", public_id=household.public_id)
        status = 400
    return render(
        request,
        "registry/household_move.html",
        {"household": household, "form": form},
        status=status,
    )


@login_required
@require_POST
def household_status(request: HttpRequest, public_id: Any) -> HttpResponse:
    household = _managed_household(request, public_id)
    form = StatusForm(request.POST, household=household)
    if not form.is_valid():
        messages.error(request, _("Choose the new status."))
        return redirect("registry:household_detail", public_id=household.public_id)
    try:
        services.household_set_status(
            household=household,
            user=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(
            request,
            " ".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message),
        )
    else:
        messages.success(request, _("The status was changed."))
    return redirect("registry:household_detail", public_id=household.public_id)


@login_required
@require_POST
def household_consent(request: HttpRequest, public_id: Any) -> HttpResponse:
    household = _managed_household(request, public_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the purpose and whether consent was given."))
    else:
        try:
            services.consent_set(household=household, user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            messages.error(
                request,
                " ".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message),
            )
        else:
            messages.success(request, _("The consent was recorded."))
    return redirect(reverse("registry:household_detail", args=[household.public_id]) + "#consent")
