from django.urls import path

from sanad.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place_list"),
    path("new/", views.place_create, name="place_create"),
    path("export/", views.place_export, name="place_export"),
    path("<uuid:public_id>/", views.place_detail, name="place_detail"),
    path("<uuid:public_id>/edit/", views.place_edit, name="place_edit"),
    path("<uuid:public_id>/close/", views.place_close, name="place_close"),
    path("<uuid:public_id>/reopen/", views.place_reopen, name="place_reopen"),
    path("admin-units/", views.AdminUnitListView.as_view(), name="adminunit_list"),
    path("admin-units/lookup/", views.adminunit_lookup, name="adminunit_lookup"),
    path("admin-units/<str:pcode>/", views.adminunit_detail, name="adminunit_detail"),
]
