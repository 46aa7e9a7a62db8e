"""The cards API on its own router, so its tests do not depend on how sanad/urls.py
wires the API modules."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from sanad.registry.cards import api

router = DefaultRouter()
api.register(router)
urlpatterns = [path("api/v1/", include(router.urls))]
