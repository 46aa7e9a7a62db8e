from django.urls import include, path

from sanad.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("imports/", include("sanad.registry.imports.urls")),
    path("cards/", include("sanad.registry.cards.urls")),
]
