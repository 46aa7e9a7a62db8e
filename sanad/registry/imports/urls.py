from django.urls import path

from sanad.registry import views

urlpatterns = [path("", views.household_list, name="import_list")]
