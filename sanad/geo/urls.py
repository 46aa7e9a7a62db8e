from django.urls import path

from sanad.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place_list"),
    path("admin-units/", views.AdminUnitListView.as_view(), name="adminunit_list"),
]
