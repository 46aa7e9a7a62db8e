# Included by sanad/registry/urls.py at "cards/" inside the "registry" namespace:
# the names are registry:card_household, registry:card_bulk and registry:card_scan.
from django.urls import path

from sanad.registry.cards import views

urlpatterns = [
    path("households/<uuid:public_id>/", views.card_household, name="card_household"),
    path("print/", views.card_bulk, name="card_bulk"),
    path("scan/<str:token>/", views.card_scan, name="card_scan"),
]
