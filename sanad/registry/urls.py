from django.urls import include, path

from sanad.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:public_id>/", views.household_detail, name="household_detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<uuid:public_id>/move/", views.household_move, name="household_move"),
    path("households/<uuid:public_id>/status/", views.household_status, name="household_status"),
    path("households/<uuid:public_id>/consent/", views.household_consent, name="household_consent"),
    path("imports/", include("sanad.registry.imports.urls")),
    path("cards/", include("sanad.registry.cards.urls")),
]
