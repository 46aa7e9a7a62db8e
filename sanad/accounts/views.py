from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.accounts import services
from sanad.accounts.forms import ApiTokenForm, ProfileForm, RoleAssignForm, UserCreateForm
from sanad.accounts.models import Organisation, RoleAssignment, User
from sanad.accounts.selectors import organisations_visible_to, users_visible_to
from sanad.core import audit
from sanad.core.errors import ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission


def _apply_errors(form: Any, exc: ValidationFailed) -> None:
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token_form": ApiTokenForm(),
            "tokens": cast(User, user).api_tokens.order_by("-created_at"),
            "assignments": cast(User, user).role_assignments.prefetch_related("governorates"),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the token and give a number of days between 1 and 730."))
        return redirect("accounts:profile")
    token, key = services.api_token_create(
        user=cast(User, request.user),
        name=form.cleaned_data["name"],
        days=form.cleaned_data["days"],
    )
    return render(request, "accounts/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(user=cast(User, request.user), token_id=token_id)
    messages.success(request, _("The token was revoked; integrations using it stop working now."))
    return redirect("accounts:profile")


class UserListView(ScopedListView):
    model = User
    template_name = "accounts/user_list.html"
    template_partial = "accounts/_user_table.html"
    search_fields = (
        "username",
        "full_name",
        "email",
        "organisation__name",
        "organisation__acronym",
    )
    sort_fields = {
        "username": "username",
        "name": "full_name",
        "organisation": "organisation__name",
        "last_login": "last_login",
    }
    default_sort = "username"

    def get_base_queryset(self) -> QuerySet[User]:
        return User.objects.select_related("organisation").prefetch_related("role_assignments")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, "accounts.manage_user")
        return ctx


@login_required
def user_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = get_object_or_404(users_visible_to(request.user), public_id=public_id)
    audit.personal_record_viewed(
        user=request.user, obj=person, purpose="user administration", route=request.path
    )
    can_manage = has_permission(request.user, "accounts.manage_user")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "can_manage": can_manage,
            "assignments": person.role_assignments.prefetch_related("governorates"),
            "role_form": RoleAssignForm() if can_manage else None,
        },
    )


def _require(request: HttpRequest, permission: str) -> None:
    if not has_permission(request.user, permission):
        raise PermissionDenied


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_user")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_create(
                username=data["username"],
                password=data["password"] or None,
                full_name=data["full_name"],
                email=data["email"],
                organisation=data["organisation"],
                position=data["position"],
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The account was created. Now give it a role and a scope."))
            return redirect("accounts:user_detail", public_id=person.public_id)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_POST
def role_assign(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request, "accounts.manage_user")
    person = get_object_or_404(users_visible_to(request.user), public_id=public_id)
    form = RoleAssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_assign(
                user=person,
                role=data["role"],
                governorates=data["governorates"],
                all_governorates=data["all_governorates"],
                programmes=data["programmes"],
                all_programmes=data["all_programmes"],
                expires_on=data["expires_on"],
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The role was assigned."))
            return redirect("accounts:user_detail", public_id=person.public_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "can_manage": True,
            "role_form": form,
            "assignments": person.role_assignments.prefetch_related("governorates"),
        },
        status=400,
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, public_id: Any, assignment_id: Any) -> HttpResponse:
    _require(request, "accounts.manage_user")
    person = get_object_or_404(users_visible_to(request.user), public_id=public_id)
    assignment = get_object_or_404(RoleAssignment, user=person, public_id=assignment_id)
    services.role_revoke(assignment=assignment)
    messages.success(request, _("The role was removed."))
    return redirect("accounts:user_detail", public_id=person.public_id)


@login_required
@require_POST
def user_set_active(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request, "accounts.manage_user")
    person = get_object_or_404(users_visible_to(request.user), public_id=public_id)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        person.is_active = request.POST.get("active") == "1"
        person.save(update_fields=["is_active"])
        messages.success(
            request,
            _("The account was activated.")
            if person.is_active
            else _("The account was deactivated; the person can no longer sign in."),
        )
    return redirect("accounts:user_detail", public_id=person.public_id)


class OrganisationListView(ScopedListView):
    model = Organisation
    template_name = "accounts/organisation_list.html"
    template_partial = "accounts/_organisation_table.html"
    search_fields = ("name", "name_ar", "acronym")
    sort_fields = {"name": "name", "kind": "kind", "users": "user_count"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[Organisation]:
        return organisations_visible_to(self.request.user)

    def get_queryset(self) -> QuerySet[Organisation]:
        qs = super().get_queryset()
        kind = self.request.GET.get("kind")
        return qs.filter(kind=kind) if kind in Organisation.Kind.values else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = Organisation.Kind.choices
        ctx["current_kind"] = self.request.GET.get("kind", "")
        return ctx
