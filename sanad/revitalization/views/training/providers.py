"""Training providers: list, register, edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sanad.core.listing import ScopedListView
from sanad.core.views import require_permission
from sanad.revitalization.forms.training import ProviderForm
from sanad.revitalization.models import TRAINING, VIEW, TrainingProvider
from sanad.revitalization.selectors import training as selectors
from sanad.revitalization.services import training as services
from sanad.revitalization.views.training._base import can_manage, lookup, page, run


class ProviderListView(ScopedListView):
    model = TrainingProvider
    permission = VIEW
    template_name = "revitalization/training/provider_list.html"
    search_fields = ("name", "contact_name", "phone")
    sort_fields = {"name": "name", "kind": "kind"}
    default_sort = "name"

    def get_base_queryset(self) -> QuerySet[TrainingProvider]:
        self.kind = self.request.GET.get("kind", "")
        qs = selectors.providers_visible(self.request.user)
        if self.kind in TrainingProvider.Kind.values:
            qs = qs.filter(kind=self.kind)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            kind=self.kind,
            kinds=TrainingProvider.Kind.choices,
            can_manage=can_manage(self.request),
            search_placeholder=_("Name, contact or phone"),
        )
        return ctx


@login_required
def provider_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, TRAINING)
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = run(
            form, lambda: services.provider_create(user=request.user, **form.service_data())
        )
        if provider is not None:
            messages.success(request, _("%(name)s is registered.") % {"name": provider.name})
            return redirect("revitalization:provider_list")
    return page(request, "provider_form.html", {"form": form, "provider": None}, form=form)


@login_required
def provider_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    provider = lookup(request, selectors.provider_get, TRAINING, public_id=public_id)
    form = ProviderForm(request.POST or None, initial=ProviderForm.initial_of(provider))
    if request.method == "POST" and form.is_valid():
        saved = run(
            form,
            lambda: services.provider_update(
                user=request.user, provider=provider, **form.service_data()
            ),
        )
        if saved is not None:
            messages.success(request, _("The provider is saved."))
            return redirect("revitalization:provider_list")
    return page(request, "provider_form.html", {"form": form, "provider": provider}, form=form)
