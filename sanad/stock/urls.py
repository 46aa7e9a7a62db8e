from django.urls import path

from sanad.stock import views

app_name = "stock"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<uuid:public_id>/", views.item_detail, name="item_detail"),
    path("items/<uuid:public_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<uuid:public_id>/costs/", views.item_cost_set, name="item_cost_set"),
    path("kits/", views.KitListView.as_view(), name="kit_list"),
    path("kits/new/", views.kit_create, name="kit_create"),
    path("kits/<uuid:public_id>/", views.kit_detail, name="kit_detail"),
    path(
        "kits/<uuid:public_id>/versions/new/", views.kit_version_create, name="kit_version_create"
    ),
    path("seasons/", views.SeasonListView.as_view(), name="season_list"),
    path("seasons/new/", views.season_create, name="season_create"),
    path("warehouses/", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("warehouses/new/", views.warehouse_create, name="warehouse_create"),
    path("warehouses/<uuid:public_id>/", views.warehouse_detail, name="warehouse_detail"),
    path("warehouses/<uuid:public_id>/edit/", views.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<uuid:public_id>/thresholds/", views.threshold_set, name="threshold_set"),
    path(
        "warehouses/<uuid:public_id>/items/<uuid:item>/card/",
        views.stock_card,
        name="stock_card",
    ),
    path("movements/", views.MovementListView.as_view(), name="movement_list"),
    path("movements/receive/", views.receipt_create, name="receipt_create"),
    path("movements/transfer/", views.transfer_create, name="transfer_create"),
    path("movements/kitting/", views.kitting_create, name="kitting_create"),
    path("movements/adjustment/", views.adjustment_create, name="adjustment_create"),
    path("movements/count/", views.count_create, name="count_create"),
    path("movements/<uuid:public_id>/", views.movement_detail, name="movement_detail"),
    path("movements/<uuid:public_id>/step/", views.movement_action, name="movement_action"),
    path("movements/<uuid:public_id>/receive/", views.transfer_receive, name="transfer_receive"),
]
