"""Routes of the reconciliation and cash-transfer pages, included by `cash/urls.py`
(namespace "cash")."""

from django.urls import path

from sanad.cash.views import payments, transfers

urlpatterns = [
    # payment requests (reconciliation of vendors' redemptions)
    path("payments/", payments.PaymentRequestListView.as_view(), name="payment_list"),
    path("payments/new/", payments.payment_create, name="payment_create"),
    path("payments/<uuid:public_id>/", payments.payment_detail, name="payment_detail"),
    path("payments/<uuid:public_id>/submit/", payments.payment_submit, name="payment_submit"),
    path("payments/<uuid:public_id>/approve/", payments.payment_approve, name="payment_approve"),
    path("payments/<uuid:public_id>/reject/", payments.payment_reject, name="payment_reject"),
    path("payments/<uuid:public_id>/paid/", payments.payment_paid, name="payment_paid"),
    # FSP templates
    path("fsp-templates/", transfers.FspTemplateListView.as_view(), name="fsp_list"),
    path("fsp-templates/new/", transfers.fsp_create, name="fsp_create"),
    # payment lists (cash transfers through the provider)
    path("transfers/", transfers.TransferListView.as_view(), name="transfer_list"),
    path("transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("transfers/<uuid:public_id>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:public_id>/export/", transfers.transfer_export, name="transfer_export"),
    path(
        "transfers/<uuid:public_id>/results/",
        transfers.transfer_results,
        name="transfer_results",
    ),
    path(
        "transfers/<uuid:public_id>/follow-up/",
        transfers.transfer_follow_up,
        name="transfer_follow_up",
    ),
    path("transfers/<uuid:public_id>/close/", transfers.transfer_close, name="transfer_close"),
]
