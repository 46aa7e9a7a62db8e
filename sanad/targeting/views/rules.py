"""The rule builder: conditions and groups chosen from the field registry, no code; the
live preview counts the households that match in the user's scope, by governorate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, ValidationFailed
from sanad.core.listing import ScopedListView
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.targeting import compiler, selectors, services
from sanad.targeting.forms import RuleForm, apply_errors
from sanad.targeting.models import MANAGE, VIEW, Rule
from sanad.targeting.views.common import builder_context, found, parse_json


class RuleListView(ScopedListView):
    model = Rule
    template_name = "targeting/rule_list.html"
    search_fields = ("name", "description")
    sort_fields = {"name": "name", "programme": "programme__code", "updated": "updated_at"}
    default_sort = "-updated"

    def get_base_queryset(self) -> QuerySet[Rule]:
        return Rule.objects.select_related("programme").annotate(list_count=Count("lists"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_permission(self.request.user, MANAGE)
        ctx["search_placeholder"] = _("Name or description")
        return ctx


def _save(
    request: HttpRequest, form: RuleForm, rule: Rule | None
) -> tuple[Rule | None, dict[str, Any]]:
    data = form.cleaned_data
    try:
        if rule is None:
            rule = services.rule_create(
                user=request.user,
                programme=data["programme"],
                name=data["name"],
                description=data["description"],
                tree=compiler.load(data["tree"]),
            )
        else:
            services.rule_update(
                rule=rule,
                user=request.user,
                programme=data["programme"],
                name=data["name"],
                description=data["description"],
                tree=compiler.load(data["tree"]),
            )
    except ValidationFailed as exc:
        return None, apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return None, {}
    return rule, {}


def _page(
    request: HttpRequest,
    form: RuleForm,
    rule: Rule | None,
    errors: dict[str, Any],
    *,
    can_manage: bool = True,
) -> HttpResponse:
    tree = (
        parse_json(form.data.get("tree"), None) if form.is_bound else (rule.tree if rule else None)
    )
    context = {
        "form": form,
        "rule": rule,
        "lists": selectors.rule_lists(rule)[:20] if rule else [],
        "outline": compiler.outline(rule.tree) if rule else [],
        "can_manage": can_manage,
        **builder_context(tree=tree, errors=errors),
    }
    return render(request, "targeting/rule_form.html", context, status=400 if form.errors else 200)


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, MANAGE)
    form = RuleForm(request.POST or None, user=request.user)
    errors: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        rule, errors = _save(request, form, None)
        if rule is not None:
            messages.success(request, _("The rule was saved."))
            return redirect("targeting:rule_edit", public_id=rule.public_id)
    return _page(request, form, None, errors)


@login_required
def rule_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    require_permission(request, VIEW)
    rule = found(selectors.rule_get, user=request.user, public_id=public_id)
    can_manage = has_permission(request.user, MANAGE) and can_reach(request.user, rule, MANAGE)
    if request.method == "POST" and not can_manage:
        raise DjangoPermissionDenied
    initial = {
        "name": rule.name,
        "programme": rule.programme.code,
        "description": rule.description,
        "tree": "",
    }
    form = RuleForm(request.POST or None, user=request.user, initial=initial)
    errors: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        saved, errors = _save(request, form, rule)
        if saved is not None:
            messages.success(
                request, _("The rule was saved. Draft lists use it from their next build.")
            )
            return redirect("targeting:rule_edit", public_id=rule.public_id)
    return _page(request, form, rule, errors, can_manage=can_manage)


@login_required
@require_POST
def rule_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: "N households match, by governorate" for the conditions being built."""
    require_permission(request, MANAGE)
    area = [a for a in request.POST.getlist("area") if a]
    try:
        result = services.rule_preview(
            user=request.user, tree=request.POST.get("tree") or "", area=area
        )
        error = None
    except ValidationFailed as exc:
        result, error = None, exc
    return render(request, "targeting/_preview.html", {"preview": result, "error": error})
