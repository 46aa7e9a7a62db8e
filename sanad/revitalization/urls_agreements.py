"""Revitalization pages: business plans, grant agreements, disbursement through cash,
tranches and visits (included by urls.py in the namespace "revitalization")."""

from __future__ import annotations

from typing import Any

from django.urls import path

from sanad.revitalization.views import agreements as views

G = "grants/agreements"

urlpatterns: list[Any] = [
    path(f"{G}/", views.AgreementListView.as_view(), name="agreement_list"),
    path(f"{G}/visits-due/", views.visit_due_list, name="visit_due_list"),
    path(f"{G}/applications/<uuid:public_id>/plan/", views.agreement_plan, name="agreement_plan"),
    path(
        f"{G}/applications/<uuid:public_id>/plan/approve/",
        views.agreement_plan_approve,
        name="agreement_plan_approve",
    ),
    path(f"{G}/applications/<uuid:public_id>/sign/", views.agreement_sign, name="agreement_sign"),
    path(
        f"{G}/calls/<uuid:public_id>/disburse/",
        views.agreement_disburse,
        name="agreement_disburse",
    ),
    path(f"{G}/<uuid:public_id>/", views.agreement_detail, name="agreement_detail"),
    path(f"{G}/<uuid:public_id>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path(f"{G}/<uuid:public_id>/release/", views.agreement_release, name="agreement_release"),
    path(f"{G}/<uuid:public_id>/visits/new/", views.visit_record, name="visit_record"),
]
