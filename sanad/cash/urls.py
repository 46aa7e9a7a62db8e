"""Routes of the cash pages (namespace "cash", mounted at /cash/). Payment requests and
transfers are in `urls_payments`."""

from django.urls import include, path

from sanad.cash.views import plans, redeem, signals, vendors

app_name = "cash"
urlpatterns = [
    # plans, entitlements, vouchers
    path("", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/", plans.plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/status/", plans.plan_transition, name="plan_transition"),
    path("plans/<uuid:public_id>/vouchers/issue/", plans.vouchers_issue, name="vouchers_issue"),
    path("plans/<uuid:public_id>/vouchers/print/", plans.vouchers_print, name="vouchers_print"),
    path(
        "entitlements/<uuid:public_id>/release/",
        plans.entitlement_release,
        name="entitlement_release",
    ),
    path("vouchers/<uuid:public_id>/cancel/", plans.voucher_cancel, name="voucher_cancel"),
    path("vouchers/<uuid:public_id>/reissue/", plans.voucher_reissue, name="voucher_reissue"),
    # vendors
    path("vendors/", vendors.VendorListView.as_view(), name="vendor_list"),
    path("vendors/new/", vendors.vendor_create, name="vendor_create"),
    path("vendors/<uuid:public_id>/", vendors.vendor_detail, name="vendor_detail"),
    path("vendors/<uuid:public_id>/edit/", vendors.vendor_edit, name="vendor_edit"),
    path("vendors/<uuid:public_id>/status/", vendors.vendor_transition, name="vendor_transition"),
    path("vendors/<uuid:public_id>/prices/", vendors.vendor_price_add, name="vendor_price_add"),
    path("vendors/<uuid:public_id>/staff/", vendors.vendor_staff_add, name="vendor_staff_add"),
    path(
        "vendors/<uuid:public_id>/staff/<int:staff_id>/remove/",
        vendors.vendor_staff_remove,
        name="vendor_staff_remove",
    ),
    # the vendor's phone page and the shop's own sales
    path("redeem/", redeem.redeem, name="redeem"),
    path("redeem/voucher/", redeem.redeem_voucher, name="redeem_voucher"),
    path("redeem/sale/", redeem.redeem_sale, name="redeem_sale"),
    path("redeem/sales/", redeem.my_sales, name="my_sales"),
    # fraud signals
    path("signals/", signals.SignalListView.as_view(), name="signal_list"),
    path("signals/<int:pk>/review/", signals.signal_review, name="signal_review"),
    # reconciliation and transfers
    path("", include("sanad.cash.urls_payments")),
]
